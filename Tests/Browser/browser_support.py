"""What the browser tests share: headless Chromium through WebDriver, a page helper, the console check and the
runner that prints one line per test and "N passed, M failed".

Environment: PARCOURS_BIN, ARTIFACTS (default test-artifacts), CHROMIUM, CHROMEDRIVER.
"""

import os
import re
import socket
import subprocess
import sys
import time
import traceback

# Selenium must not try to download a driver or send statistics: these machines may have no internet.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PARCOURS = os.environ.get("PARCOURS_BIN", os.path.join(TOP, ".build", "debug", "parcours"))
ARTIFACTS = os.path.abspath(os.environ.get("ARTIFACTS", os.path.join(TOP, "test-artifacts")))
SCREENSHOTS = os.path.join(ARTIFACTS, "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process):
    """SIGTERM, then SIGKILL if the process is still there after 15 s; waits for it either way."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def new_browser(width, height, language, downloads=None):
    """Headless Chromium at a fixed size and scale, so screenshots compare, in `language` (e.g. "fr-FR")."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=%d,%d" % (width, height), "--lang=" + language, "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    prefs = {"intl.accept_languages": "%s,%s" % (language, language.split("-")[0])}
    if downloads:
        prefs.update({"download.default_directory": downloads, "download.prompt_for_download": False})
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(width, height)
    if downloads:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


class BrowserPage:
    """One page in one browser, with the helpers every scenario uses. `base_url()` gives the server's URL (it may
    move when a scenario restarts the server)."""

    def __init__(self, driver, base_url, failure_prefix="", timeout=10):
        self.d = driver
        self.base_url = base_url
        self.failure_prefix = failure_prefix
        self.timeout = timeout
        self.console = []

    def open(self, path):
        self.d.get(self.base_url() + path)

    def wait(self, condition, timeout=None, what="condition"):
        try:
            return WebDriverWait(self.d, timeout or self.timeout, poll_frequency=0.1).until(lambda d: condition())
        except Exception as e:
            self.shot(self.failure_prefix + "FAILED-" + re.sub(r"\W+", "-", what))
            raise AssertionError("timed out waiting for " + what) from e

    def by_id(self, element_id):
        return self.d.find_element(By.ID, element_id)

    def all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def shown(self, element_id):
        elements = self.d.find_elements(By.ID, element_id)
        return bool(elements) and elements[0].is_displayed()

    def text(self, element_id):
        return self.by_id(element_id).text

    def type(self, element_id, value):
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(value)

    def click(self, element_id):
        self.by_id(element_id).click()

    def shot(self, name):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.d.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))

    def full_shot(self, name):
        """The whole page, not just the first screen: the window grows to the page's height for the picture."""
        width = self.d.get_window_size()["width"]
        height = self.d.execute_script("return document.documentElement.scrollHeight")
        original = self.d.get_window_size()["height"]
        self.d.set_window_size(width, min(max(height, original), 6000))
        time.sleep(0.3)
        self.shot(name)
        self.d.set_window_size(width, original)

    def drain_console(self):
        self.console.extend(self.d.get_log("browser"))


def console_problems(pages, log_name, allowed=()):
    """Drains the pages' consoles into ARTIFACTS/log_name and returns the problems: CSP violations and script
    errors. The API's expected 4xx answers appear as "Failed to load resource" network lines and are not
    problems, nor is any message matching one of the `allowed` patterns."""
    for page in pages:
        page.drain_console()
    entries = [entry for page in pages for entry in page.console]
    with open(os.path.join(ARTIFACTS, log_name), "w") as f:
        for entry in entries:
            f.write("%s %s\n" % (entry.get("level"), entry.get("message")))

    def is_problem(entry):
        message = entry.get("message", "")
        if any(re.search(pattern, message) for pattern in allowed):
            return False
        if "Content Security Policy" in message or "Refused to" in message:
            return True
        return entry.get("level") == "SEVERE" and "Failed to load resource" not in message

    return [entry for entry in entries if is_problem(entry)]


def run(tests, set_up):
    """Runs each test with the fixtures `set_up(closing)` returns (a tuple of arguments; the BrowserPage items among
    them have their consoles drained after every test, and a fixture's failure_context(), if it has one, is printed
    after a failure), one line each. `set_up` appends to `closing` what must
    be closed, as soon as it exists, so that a set-up failing half-way still leaves nothing running: those run
    last, newest first. Returns the exit status: 1 if any test, or the set-up, failed."""
    passed = failed = 0
    closing = []
    try:
        fixtures = set_up(closing)
        pages = [f for f in fixtures if isinstance(f, BrowserPage)]
        for test in tests:
            started = time.time()
            try:
                test(*fixtures)
                passed += 1
                print("PASS %s (%.1f s)" % (test.__name__, time.time() - started), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s (%.1f s)" % (test.__name__, time.time() - started), flush=True)
                traceback.print_exc()
                # CI keeps only this output, not the artifacts: what the service said goes with the failure.
                for fixture in fixtures:
                    context = getattr(fixture, "failure_context", None)
                    if context is not None:
                        print(context(), flush=True)
            for page in pages:
                try:
                    page.drain_console()
                except Exception:
                    pass
    except Exception:
        failed += 1
        print("FAIL set-up", flush=True)
        traceback.print_exc()
    finally:
        for close in reversed(closing):
            try:
                close()
            except Exception:
                traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    return 1 if failed else 0

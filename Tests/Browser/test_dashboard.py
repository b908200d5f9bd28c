#!/usr/bin/env python3
"""End-to-end test of the head-office dashboard in a real headless Chromium (WebDriver, Selenium).

The real product path: a throwaway database on the project's PostgreSQL (PARCOURS_TEST_DATABASE_URL's server),
`parcours hq migrate`, `parcours hq serve` on a free port, a simulated chain seeded through the stores' real
write paths and the real sync (`parcours demo seed`: 3 stores, 7 days, within last month), a manager created with
`parcours hq manager add`. The figures the page shows are checked against what the API answers for the same
filters, fetched by the test with the manager's token.

Environment: PARCOURS_BIN, PARCOURS_TEST_DATABASE_URL (else `config/postgres/pg-cluster url`), ARTIFACTS
(default test-artifacts), CHROMIUM, CHROMEDRIVER. Prints one line per test and, last, "N passed, M failed";
exits 1 if any failed.
"""

import calendar
import datetime
import glob
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from browser_support import ARTIFACTS, PARCOURS, TOP, BrowserPage, console_problems, free_port, new_browser, run, stop
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

MANAGER_ID = "alice"
MANAGER_NAME = "Alice Martin"
MANAGER_PASSWORD = "browser-test-" + secrets.token_hex(8)
STORE_ID = "paris-01"
STORE_NAME = "Paris Rivoli"
STORES = 3
DAYS = 7


def server_url():
    url = os.environ.get("PARCOURS_TEST_DATABASE_URL", "")
    if url:
        return url
    result = subprocess.run(["bash", os.path.join(TOP, "config/postgres/pg-cluster"), "url"], capture_output=True, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError("no PostgreSQL: set PARCOURS_TEST_DATABASE_URL or start config/postgres/pg-cluster (make test does)")
    return result.stdout.strip()


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def seeded_month():
    """Days 3 to 9 of last month: a whole simulated week inside one month, and all of it in the past."""
    first_of_this_month = datetime.date.today().replace(day=1)
    last_month = (first_of_this_month - datetime.timedelta(days=1)).replace(day=1)
    return last_month, last_month.replace(day=3)


class HeadOffice:
    """A real head office: its own database on the project's cluster, a `parcours hq serve` node, a seeded chain
    and a manager. close() stops the node and drops the database."""

    def __init__(self):
        self.server = server_url()
        self.database_name = "hq_dashboard_" + secrets.token_hex(4)
        self.psql("CREATE DATABASE %s" % self.database_name)
        self.url = with_database(self.server, self.database_name)
        self.dir = tempfile.mkdtemp(prefix="parcours-dashboard-")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
        self.process = None
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.log = open(os.path.join(ARTIFACTS, "dashboard-hq.log"), "w")
        self.cli("hq", "migrate")
        self.process = subprocess.Popen([PARCOURS, "hq", "serve", "--database-url", self.url, "--port", str(self.port)],
                                        cwd=TOP, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("parcours hq serve exited with %s (see %s)" % (self.process.returncode, self.log.name))
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.time() > deadline:
                raise RuntimeError("parcours hq serve did not answer in 30 s")
            time.sleep(0.3)
        self.month, start = seeded_month()
        self.seed_dir = os.path.join(self.dir, "demo")
        self.seed_output = self.cli("demo", "seed", "--hq-url", self.base, "--stores", str(STORES), "--days", str(DAYS),
                                    "--dir", self.seed_dir, "--seed", "7", "--start", start.isoformat(), timeout=600)
        self.cli("hq", "manager", "add", "--id", MANAGER_ID, "--name", MANAGER_NAME,
                 env={"PARCOURS_HQ_MANAGER_PASSWORD": MANAGER_PASSWORD}, stdin=MANAGER_PASSWORD + "\n")
        self.token = self.post("/v1/manager/sessions", {"id": MANAGER_ID, "password": MANAGER_PASSWORD})["token"]
        self.post("/v1/segments/refresh", None, token=self.token)

    def psql(self, sql):
        result = subprocess.run(["psql", self.server, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("psql %s failed: %s" % (sql, result.stderr))

    def cli(self, *args, env=None, stdin=None, timeout=120):
        result = subprocess.run([PARCOURS, *args, "--database-url", self.url], cwd=TOP, env={**self.env, **(env or {})},
                                input=stdin, capture_output=True, text=True, timeout=timeout)
        self.log.write("---- parcours %s → %d\n%s%s" % (" ".join(args), result.returncode, result.stdout, result.stderr))
        self.log.flush()
        if result.returncode != 0:
            raise RuntimeError("parcours %s failed: %s %s" % (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def request(self, method, path, body=None, token=None):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response, raw

    def post(self, path, body, token=None):
        _, raw = self.request("POST", path, body if body is not None else {}, token)
        return json.loads(raw) if raw else None

    def get(self, path):
        _, raw = self.request("GET", path, token=self.token)
        return json.loads(raw)

    def close(self):
        stop(self.process)
        try:
            self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.database_name)
        except Exception:
            traceback.print_exc()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Page(BrowserPage):
    """The dashboard in one browser (laptop or tablet size), signed in as the test's manager."""

    def __init__(self, driver, hq, downloads):
        super().__init__(driver, lambda: hq.base, failure_prefix="dashboard-", timeout=20)
        self.hq = hq
        self.downloads = downloads

    def set_value(self, element_id, value):
        """Date and month inputs take keys in the locale's order: set the value as a script would and say so."""
        self.d.execute_script("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
                              "e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
                              element_id, value)

    def loaded(self):
        return self.d.execute_script("return document.body.dataset.loaded || ''")

    def sign_in(self, password=MANAGER_PASSWORD):
        self.wait(lambda: self.shown("signin-form"), what="the sign-in form")
        self.type("signin-id", MANAGER_ID)
        self.type("signin-password", password)
        self.by_id("signin-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()


# ---------------------------------------------------------------- what the page should show

def integer(value):
    return "–" if value is None else "{:,}".format(value)


def js_round(value, digits):
    factor = 10 ** digits
    return math.floor(value * factor + 0.5) / factor


def number_text(value):
    text = "{:,.1f}".format(value)
    return text[:-2] if text.endswith(".0") else text


def share(value):
    return "–" if value is None else number_text(js_round(value * 100, 1)) + "%"


def score(value):
    if value is None:
        return "–"
    rounded = js_round(value, 1)
    return ("+" if rounded > 0 else "") + number_text(rounded)


def expected_kpis(total):
    return {
        "visits": integer(total["visits"]),
        "uniqueCustomers": integer(total["uniqueCustomers"]),
        "identifiedShare": share(total["identifiedShare"]),
        "nps": score(total["nps"]["score"]),
        "conversion": share(total["conversion"]),
        "repeatRate": share(total["repeatRate"]),
        "omnichannelShare": share(total["omnichannelShare"]),
        "pointsIssued": integer(total["pointsIssued"]),
    }


def shown_kpis(page):
    return {element.get_attribute("data-kpi"): element.find_element(By.CSS_SELECTOR, ".kpi-value").text
            for element in page.all("#kpis .kpi")}


def month_range(month):
    last = calendar.monthrange(month.year, month.month)[1]
    return month.isoformat(), month.replace(day=last).isoformat()


def show(page, month, scope):
    page.set_value("filter-month", month.strftime("%Y-%m"))
    Select(page.by_id("filter-scope")).select_by_value(scope)
    Select(page.by_id("filter-by")).select_by_value("day")
    page.by_id("filters").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    first, last = month_range(month)
    wanted = urllib.parse.urlencode({"from": first, "to": last, "by": "day", "scope": scope})
    page.wait(lambda: page.loaded() == wanted, timeout=60, what="the dashboard for %s, %s" % (scope, month))
    return first, last


def chart(page, container):
    return page.d.find_element(By.CSS_SELECTOR, "#%s figure.chart" % container)


def wait_for_download(page, suffix=".csv", before=()):
    def done():
        files = [f for f in glob.glob(os.path.join(page.downloads, "*" + suffix)) if f not in before]
        return files[0] if files else None
    return page.wait(done, timeout=30, what="a %s download" % suffix)


# ---------------------------------------------------------------- scenarios

STATE = {}


def test_wrong_password_is_refused_in_the_page(hq, laptop, tablet):
    laptop.open("/dashboard")
    laptop.sign_in(password="not-the-password")
    laptop.wait(lambda: laptop.shown("signin-error") and laptop.by_id("signin-error").text.strip() != "", what="the sign-in error")
    assert "Wrong manager id or password" in laptop.by_id("signin-error").text, laptop.by_id("signin-error").text
    assert not laptop.shown("app"), "the dashboard showed without a session"
    laptop.shot("dashboard-signin-wrong-password")


def test_manager_signs_in_and_sees_the_whole_chain(hq, laptop, tablet):
    laptop.sign_in()
    laptop.wait(lambda: laptop.shown("app"), what="the dashboard after sign-in")
    assert MANAGER_NAME in laptop.by_id("manager-name").text, laptop.by_id("manager-name").text
    stores = hq.get("/v1/stores")["stores"]
    laptop.wait(lambda: len(Select(laptop.by_id("filter-scope")).options) > len(stores), what="the stores in the store filter")
    options = [o.get_attribute("value") for o in Select(laptop.by_id("filter-scope")).options]
    assert options[0] == "chain" and all("store:" + s["id"] in options for s in stores), options
    assert any(o.startswith("region:") for o in options), options
    first, last = show(laptop, hq.month, "chain")
    report = hq.get("/v1/reports/stores?from=%s&to=%s&by=day" % (first, last))
    assert report["total"]["visits"] > 0, "the seeded chain has no visits in %s" % first
    assert shown_kpis(laptop) == expected_kpis(report["total"]), (shown_kpis(laptop), expected_kpis(report["total"]))
    visits = chart(laptop, "chart-visits")
    assert visits.get_attribute("data-series") == str(len(stores)), visits.get_attribute("data-series")
    assert len(visits.find_elements(By.CSS_SELECTOR, "g.series")) == len(stores)
    assert visits.get_attribute("data-points") == str(len(report["buckets"]))
    laptop.full_shot("dashboard-laptop-chain")


def test_a_store_and_a_month_show_the_reports_figures(hq, laptop, tablet):
    first, last = show(laptop, hq.month, "store:" + STORE_ID)
    query = "from=%s&to=%s&by=day&store=%s" % (first, last, STORE_ID)
    report = hq.get("/v1/reports/stores?" + query)
    assert report["total"]["visits"] > 0, "the store has no visits"
    assert shown_kpis(laptop) == expected_kpis(report["total"]), (shown_kpis(laptop), expected_kpis(report["total"]))
    assert STORE_NAME in laptop.by_id("scope-line").text, laptop.by_id("scope-line").text
    buckets = len(report["buckets"])
    visits = chart(laptop, "chart-visits")
    assert visits.get_attribute("data-series") == "1" and visits.get_attribute("data-points") == str(buckets)
    plotted = [int(p.get_attribute("data-value")) for p in visits.find_elements(By.CSS_SELECTOR, "g.series circle.point")]
    assert plotted == [b["visits"] for b in report["buckets"]], (plotted, [b["visits"] for b in report["buckets"]])
    answers = chart(laptop, "chart-nps-answers")
    assert len(answers.find_elements(By.CSS_SELECTOR, "rect.bar")) == 3 * buckets
    counted = sum(int(r.get_attribute("data-value")) for r in answers.find_elements(By.CSS_SELECTOR, "rect.bar"))
    assert counted == report["total"]["nps"]["responses"], (counted, report["total"]["nps"])
    funnel = chart(laptop, "chart-funnel")
    steps = [int(r.get_attribute("data-value")) for r in funnel.find_elements(By.CSS_SELECTOR, "rect.funnel-step")]
    total = report["total"]
    if total["unknownVisits"] > 0:
        assert steps == [total["unknownVisits"], total["convertedVisits"], total["signUps"]], (steps, total)
    kinds = chart(laptop, "chart-kinds")
    assert len(kinds.find_elements(By.CSS_SELECTOR, "rect.bar")) == len([k for k in total["tapsByKind"]]), total["tapsByKind"]
    segments = hq.get("/v1/segments")["segments"]
    assert len(chart(laptop, "chart-segments").find_elements(By.CSS_SELECTOR, "rect.bar")) == len(segments), segments
    comments = hq.get("/v1/reports/comments?from=%s&to=%s&store=%s&limit=20" % (first, last, STORE_ID))
    shown = laptop.all("#comments li.comment")
    assert comments["count"] > 0 and len(shown) == len(comments["comments"]), (len(shown), comments["count"])
    assert comments["comments"][0]["comment"] in shown[0].text, (shown[0].text, comments["comments"][0])
    assert shown[0].get_attribute("data-score") == str(comments["comments"][0]["score"])
    laptop.full_shot("dashboard-laptop-store-month")
    laptop.shot("dashboard-laptop")
    STATE["period"] = (first, last)


def test_the_csv_links_download_csv(hq, laptop, tablet):
    laptop.by_id("download-report").click()
    report = wait_for_download(laptop)
    with open(report, encoding="utf-8") as f:
        lines = f.read().strip().splitlines()
    first, last = STATE["period"]
    buckets = (datetime.date.fromisoformat(last) - datetime.date.fromisoformat(first)).days + 1
    assert "visits" in lines[0] and len(lines) == buckets + 2, (lines[:2], len(lines))
    assert "total" in lines[-1].split(",")[:3], lines[-1]
    segments = hq.get("/v1/segments")["segments"]
    biggest = max(segments, key=lambda s: s["customers"])
    Select(laptop.by_id("segment-pick")).select_by_value(biggest["name"])
    before = set(glob.glob(os.path.join(laptop.downloads, "*.csv")))
    laptop.by_id("segment-csv").click()
    members = wait_for_download(laptop, before=before)
    with open(members, encoding="utf-8") as f:
        head = f.readline()
    assert "profileId" in head or "profile_id" in head, head


def test_a_customer_shows_the_whole_journey_across_web_and_stores(hq, laptop, tablet):
    # A store customer who also shops online, sharing a loyalty card or a card's PAR with the web shop.
    with open(os.path.join(hq.seed_dir, "digital-profiles.jsonl"), encoding="utf-8") as f:
        linked = [json.loads(line) for line in f if '"loyaltyCard"' in line or '"paymentAccountReference"' in line]
    assert linked, "the seed wrote no store customer who also shops online"
    laptop.type("search-q", linked[0]["email"])
    laptop.by_id("customer-search").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    laptop.wait(lambda: laptop.all("#search-results a.customer-link"), what="the search result")
    laptop.all("#search-results a.customer-link")[0].click()
    laptop.wait(lambda: laptop.loaded() != "" and laptop.shown("timeline"), timeout=30, what="the customer page")
    events = laptop.all("#timeline li.event")
    channels = {e.get_attribute("data-channel") for e in events}
    assert "store" in channels and ("web" in channels or "email" in channels), channels
    times = [e.get_attribute("data-at") for e in events]
    parsed = [datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times]
    assert parsed == sorted(parsed), "the journey is not in time order: %s" % times
    places = {e.find_element(By.CSS_SELECTOR, ".event-head").text for e in events if e.get_attribute("data-channel") == "store"}
    assert any(" · " in p and not p.endswith("· ") for p in places), places
    assert laptop.all("#identifiers td"), "no identifier listed"
    assert all("…" in cell.text or "*" in cell.text or cell.text == "–" or not re.search(r"\d{6,}", cell.text)
               for cell in laptop.all("#identifiers tbody td:nth-child(2)")), "an identifier is shown unmasked"
    laptop.full_shot("dashboard-laptop-customer")
    STATE["customer"] = laptop.d.current_url


def test_a_comment_links_to_its_customer(hq, laptop, tablet):
    laptop.d.back()
    laptop.wait(lambda: laptop.loaded() != "" and laptop.shown("comments"), timeout=60, what="the dashboard again")
    links = laptop.all("#comments a.customer-link")
    if not links:
        show(laptop, hq.month, "chain")
        links = laptop.all("#comments a.customer-link")
    assert links, "no comment by a known customer"
    href = links[0].get_attribute("href")
    links[0].click()
    laptop.wait(lambda: laptop.d.current_url == href and laptop.loaded() != "", timeout=30, what="the commenting customer")
    assert laptop.by_id("customer-name").text.strip(), "the customer page has no name"


def test_tablet_layout(hq, laptop, tablet):
    tablet.open("/dashboard")
    tablet.sign_in()
    tablet.wait(lambda: tablet.shown("app"), what="the dashboard on the tablet")
    show(tablet, hq.month, "store:" + STORE_ID)
    overflow = tablet.d.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow, "the dashboard scrolls sideways on a tablet"
    tablet.shot("dashboard-tablet")
    tablet.full_shot("dashboard-tablet-store-month")
    tablet.open(STATE["customer"][len(hq.base):])
    tablet.wait(lambda: tablet.loaded() != "", timeout=30, what="the customer page on the tablet")
    tablet.full_shot("dashboard-tablet-customer")


def test_an_expired_or_absent_token_goes_back_to_sign_in(hq, laptop, tablet):
    tablet.d.execute_script("""
        const s = JSON.parse(sessionStorage.getItem('parcours.hq.session'));
        s.token = 'expired-or-revoked-token';
        sessionStorage.setItem('parcours.hq.session', JSON.stringify(s));""")
    tablet.open("/dashboard")
    tablet.wait(lambda: tablet.shown("signin-form") and tablet.shown("signin-error"), what="the sign-in after a refused token")
    assert "sign in again" in tablet.by_id("signin-error").text, tablet.by_id("signin-error").text
    assert not tablet.shown("app")
    tablet.shot("dashboard-tablet-session-expired")
    tablet.d.execute_script("sessionStorage.clear()")
    tablet.open("/dashboard/customer?id=anyone")
    tablet.wait(lambda: tablet.shown("signin-form"), what="the sign-in without a session")
    assert not tablet.shown("app")


def test_dashboard_is_served_with_the_csp_and_logs_no_errors(hq, laptop, tablet):
    for path in ["/dashboard", "/dashboard/customer", "/dashboard/dashboard.js", "/dashboard/charts.js", "/dashboard/dashboard.css"]:
        with urllib.request.urlopen(hq.base + path) as response:
            policy = response.headers.get("Content-Security-Policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
            assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    try:
        urllib.request.urlopen(hq.base + "/dashboard/no-such-file.js")
        raise AssertionError("an unknown dashboard file was served")
    except urllib.error.HTTPError as e:
        assert e.code == 404, e.code
    problems = console_problems([laptop, tablet], "dashboard-console.log")
    assert not problems, "browser console problems:\n" + "\n".join(p["message"] for p in problems)


TESTS = [
    test_wrong_password_is_refused_in_the_page,
    test_manager_signs_in_and_sees_the_whole_chain,
    test_a_store_and_a_month_show_the_reports_figures,
    test_the_csv_links_download_csv,
    test_a_customer_shows_the_whole_journey_across_web_and_stores,
    test_a_comment_links_to_its_customer,
    test_tablet_layout,
    test_an_expired_or_absent_token_goes_back_to_sign_in,
    test_dashboard_is_served_with_the_csp_and_logs_no_errors,
]


def set_up(closing):
    downloads = tempfile.mkdtemp(prefix="parcours-dashboard-downloads-")
    closing.append(lambda: shutil.rmtree(downloads, ignore_errors=True))
    started = time.time()
    hq = HeadOffice()
    closing.append(hq.close)
    print("set-up: head office seeded in %.1f s: %s" % (time.time() - started, hq.seed_output.strip().splitlines()[0]), flush=True)
    laptop_driver = new_browser(1366, 768, "en-GB", downloads)
    closing.append(laptop_driver.quit)
    tablet_driver = new_browser(820, 1180, "en-GB", downloads)
    closing.append(tablet_driver.quit)
    return hq, Page(laptop_driver, hq, downloads), Page(tablet_driver, hq, downloads)


if __name__ == "__main__":
    sys.exit(run(TESTS, set_up))

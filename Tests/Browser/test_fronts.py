#!/usr/bin/env python3
"""End-to-end tests of the kiosk and till fronts in a real headless Chromium (WebDriver, Selenium).

The real product path: a `parcours serve` on 127.0.0.1 (a free port) with a fresh SQLite file in a temp dir, the
devices and staff enrolled with the `parcours` CLI, pcscd with the virtual reader rig, and taps played by
`parcours-cardsim`. Run by Tests/Browser/run.sh, which builds the binaries and starts the rig first.

Environment: PARCOURS_BIN, PARCOURS_CARDSIM (the binaries), KIOSK_READER / TILL_READER (rig reader indexes,
default 0 and 1), ARTIFACTS (default test-artifacts), CHROMIUM, CHROMEDRIVER.
Prints one line per test and, last, "N passed, M failed"; exits 1 if any failed.
"""

import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from browser_support import ARTIFACTS, PARCOURS, TOP, BrowserPage, console_problems, free_port, new_browser, run, stop
from selenium.webdriver.common.by import By

CARDSIM = os.environ.get("PARCOURS_CARDSIM", os.path.join(TOP, ".build", "debug", "parcours-cardsim"))
KIOSK_READER = int(os.environ.get("KIOSK_READER", "0"))
TILL_READER = int(os.environ.get("TILL_READER", "1"))
IDLE_SECONDS = 15
# The till's staff session in the expiry scenario (staff.sessionSeconds, the test-sized form of sessionMinutes).
SHORT_SESSION_SECONDS = 12
STAFF_PIN = "2468"
STORE_ID = "store-browser"


def rig_reader_name(index):
    """The rig's reader names: entries A, B, C… each with readers "00 00" and "00 01"."""
    return "Parcours Virtual %s 00 0%d" % ("ABC"[index // 2], index % 2)


class Store:
    """A real store service on a temp SQLite file, with a kiosk, a till and a staff member enrolled by the CLI.
    stop() and start(settings) stop and restart the same service (same database, same port, so the same origin
    for the browsers), for the offline scenario and for scenarios that need other settings."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="parcours-browser-")
        self.database = os.path.join(self.dir, "store.sqlite")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
        kiosk = self.cli("device", "add", "--kind", "kiosk", "--name", "Kiosk",
                         "--reader", rig_reader_name(KIOSK_READER), "--json")
        self.kiosk_token = json.loads(kiosk)["token"]
        self.kiosk_id = json.loads(kiosk)["id"]
        till = self.cli("device", "add", "--kind", "till", "--name", "Till", "--reader", rig_reader_name(TILL_READER), "--json")
        self.till_token = json.loads(till)["token"]
        staff = self.cli("staff", "add", "--name", "Sam Martin", "--pin-stdin", stdin=STAFF_PIN + "\n")
        self.staff_id = re.search(r"staff (\S+)", staff).group(1)
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.log = open(os.path.join(ARTIFACTS, "browser-serve.log"), "w")
        self.process = None
        self.start({"kiosk": {"idleTimeoutSeconds": IDLE_SECONDS}})

    def start(self, settings):
        """Starts `parcours serve` with these store settings (config/store.json keys) and waits until it sees the
        rig's readers."""
        config = os.path.join(self.dir, "store.json")
        with open(config, "w") as f:
            json.dump(settings, f)
        self.log.write("---- parcours serve with %s\n" % json.dumps(settings))
        self.log.flush()
        # At info the log says what became of each tap (recorded, unreadable, gone before it could be read).
        self.process = subprocess.Popen(
            [PARCOURS, "serve", "--database", self.database, "--store-id", STORE_ID, "--service-config", config, "--port", str(self.port)],
            cwd=TOP, env={**self.env, "PARCOURS_LOG_LEVEL": "info"}, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("parcours serve exited with %s (see %s)" % (self.process.returncode, self.log.name))
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as response:
                    health = json.load(response)
                if rig_reader_name(KIOSK_READER) in health.get("readers", []) and rig_reader_name(TILL_READER) in health.get("readers", []):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.time() > deadline:
                raise RuntimeError("the service did not start or see the rig's readers in 30 s")
            time.sleep(0.3)

    def stop(self):
        """Stops the service (SIGTERM, as systemd would) and waits until its port no longer answers."""
        stop(self.process)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", self.port)) != 0, "the service still answers after it stopped"

    def cli(self, *args, stdin=None):
        result = subprocess.run([PARCOURS, *args, "--database", self.database, "--store-id", STORE_ID], cwd=TOP, env=self.env, input=stdin, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("parcours %s failed: %s %s" % (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def tap(self, reader, uid):
        """A real tap of an NTAG215 with this UID."""
        self.tap_card(reader, "ntag215", "--uid", uid)

    def tap_card(self, reader, kind, *options):
        """A real tap: the card simulator on the rig's virtual reader (retried if the reader's port is busy).

        The card stays until the service has read it (--until-idle, at most the simulator's 10 s), as a customer
        holds a card until the beep. A fixed 1 s dwell leaves a thin margin on a loaded machine: pcscd notices a
        card 0-400 ms after it arrives, then the service connects and reads (measured under load: 0.08-0.41 s after
        arrival). A tap the service never read fails here, with the simulator's summary, rather than as a screen
        that never came; each tap's summary goes to the service's log."""
        last = None
        for _ in range(5):
            result = subprocess.run([CARDSIM, "tap", "--reader", str(reader), kind, "--until-idle", "300", *options],
                                    capture_output=True, text=True, timeout=60)
            if result.returncode == 0:
                self.log.write("---- " + result.stdout.strip() + "\n")
                self.log.flush()
                exchanged = re.search(r"(\d+) APDUs? \((\d+) answered\)", result.stdout)
                if exchanged is None:
                    raise RuntimeError("parcours-cardsim tap printed no summary: " + result.stdout + result.stderr)
                if int(exchanged.group(2)) == 0:
                    raise RuntimeError("the service never read the card on reader %s: %s" % (reader, result.stdout.strip()))
                return
            last = result.stdout + result.stderr
            time.sleep(1)
        raise RuntimeError("parcours-cardsim tap failed: " + (last or ""))

    def failure_context(self):
        """The end of the service's log, for a failed test's output."""
        self.log.flush()
        with open(self.log.name) as f:
            lines = f.readlines()[-25:]
        return "---- the last %d lines of %s:\n%s" % (len(lines), self.log.name, "".join(lines).rstrip())

    def query(self, sql, *args):
        with sqlite3.connect("file:%s?mode=ro" % self.database, uri=True, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    def close(self):
        stop(self.process)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Page(BrowserPage):
    """One front in one browser: the kiosk or the till, whose screens are named in body's data-screen."""

    def __init__(self, driver, store):
        super().__init__(driver, lambda: store.base)
        self.store = store

    def screen(self):
        return self.d.execute_script("return document.body.dataset.screen || ''")

    def wait_screen(self, name, timeout=10):
        self.wait(lambda: self.screen() == name and self.shown(name), timeout, "screen " + name)


# ---------------------------------------------------------------- scenarios

STATE = {}


def test_kiosk_pairing(store, kiosk, till):
    kiosk.open("/kiosk/")
    kiosk.wait_screen("setup")
    kiosk.shot("kiosk-01-setup")
    kiosk.type("setup-token", "not-a-token")
    kiosk.click("setup-token")
    kiosk.by_id("setup-form").submit()
    kiosk.wait(lambda: kiosk.shown("setup-error"), what="pairing refusal")
    assert "jeton" in kiosk.text("setup-error").lower(), kiosk.text("setup-error")
    kiosk.type("setup-token", store.kiosk_token)
    kiosk.by_id("setup-form").submit()
    kiosk.wait_screen("idle")
    assert "Touchez votre carte" in kiosk.text("idle")
    # The token survives a reload: the kiosk is paired once.
    kiosk.open("/kiosk/")
    kiosk.wait_screen("idle")
    kiosk.wait(lambda: kiosk.d.execute_script("return document.getElementById('link-status').className") == "status live",
               what="live WebSocket")
    kiosk.shot("kiosk-02-idle")


def test_kiosk_unknown_card_signs_up_and_gives_feedback(store, kiosk, till):
    uid = "04" + secrets.token_hex(6).upper()
    STATE["uid"] = uid
    email = "marie.%s@example.com" % secrets.token_hex(3)
    STATE["email"] = email
    store.tap(KIOSK_READER, uid)
    kiosk.wait_screen("unknown")
    kiosk.shot("kiosk-03-unknown-card")
    kiosk.click("unknown-signup")
    kiosk.wait_screen("signup")
    for purpose in ["marketingEmail", "marketingSMS", "profiling"]:
        assert not kiosk.by_id("consent-" + purpose).is_selected(), purpose + " must start unticked"
    # Sending it empty names the missing fields.
    kiosk.click("signup-submit")
    kiosk.wait(lambda: kiosk.shown("signup-error"), what="missing-fields error")
    assert "Prénom" in kiosk.text("signup-error")
    kiosk.type("signup-first-name", "Marie")
    kiosk.type("signup-email", email)
    kiosk.type("signup-phone", "+33612345678")
    kiosk.click("consent-marketingEmail")
    kiosk.shot("kiosk-04-signup-form")
    kiosk.click("signup-submit")
    kiosk.wait_screen("greeting")
    assert kiosk.text("greeting-title") == "Bonjour Marie !", kiosk.text("greeting-title")
    assert kiosk.text("greeting-points") == "50", kiosk.text("greeting-points")
    assert "+50" in kiosk.text("greeting-bonus")
    kiosk.shot("kiosk-05-greeting-after-signup")
    kiosk.click("greeting-feedback")
    kiosk.wait_screen("nps")
    kiosk.shot("kiosk-06-nps")
    kiosk.d.find_element(By.CSS_SELECTOR, "#nps-scale [data-score='8']").click()
    kiosk.wait_screen("comment")
    kiosk.type("comment-text", "Accueil très sympa")
    kiosk.shot("kiosk-07-comment")
    kiosk.click("comment-send")
    kiosk.wait_screen("thanks")
    kiosk.shot("kiosk-08-thanks")

    found = json.loads(store.cli("profile", "find", "--email", email, "--json"))
    assert len(found) == 1 and found[0]["firstName"] == "Marie", found
    STATE["profile_id"] = found[0]["id"]
    details = json.loads(store.cli("profile", "show", found[0]["id"], "--json"))
    identifiers = details["identifiers"]
    assert any(i["kind"] == "cardUID" and i["value"].upper() == uid for i in identifiers), identifiers
    consents = {c["purpose"]: c["granted"] for c in details["consents"]}
    assert consents == {"marketingEmail": True, "marketingSMS": False, "profiling": False}, consents
    rows = store.query("SELECT score, comment, profileId, kioskDeviceId FROM feedback")
    assert rows == [(8, "Accueil très sympa", found[0]["id"], store.kiosk_id)], rows
    # The thanks screen goes back to the attract screen by itself.
    kiosk.wait_screen("idle", timeout=10)


def test_kiosk_known_card_greets_by_name_in_both_languages(store, kiosk, till):
    store.tap(KIOSK_READER, STATE["uid"])
    kiosk.wait_screen("greeting")
    assert kiosk.text("greeting-title") == "Bonjour Marie !", kiosk.text("greeting-title")
    kiosk.shot("kiosk-09-known-card-fr")
    kiosk.d.find_element(By.CSS_SELECTOR, ".lang[data-lang='en']").click()
    kiosk.wait(lambda: kiosk.text("greeting-title") == "Hello Marie!", what="English greeting")
    assert kiosk.d.execute_script("return document.documentElement.lang") == "en"
    assert "Give feedback" in kiosk.text("greeting-feedback")
    kiosk.shot("kiosk-10-known-card-en")
    kiosk.click("greeting-feedback")
    kiosk.wait_screen("nps")
    assert "recommend" in kiosk.text("nps")
    kiosk.d.find_element(By.CSS_SELECTOR, "#nps-scale [data-score='9']").click()
    kiosk.wait_screen("comment")
    kiosk.type("comment-text", "Great coffee")
    kiosk.click("comment-send")
    kiosk.wait_screen("thanks")
    assert "Thank you" in kiosk.text("thanks")
    rows = store.query("SELECT score, comment, language, profileId FROM feedback WHERE score = 9")
    assert rows == [(9, "Great coffee", "en", STATE["profile_id"])], rows
    kiosk.wait_screen("idle", timeout=10)
    # The reset goes back to the default (browser) language.
    assert kiosk.d.execute_script("return document.documentElement.lang") == "fr"


def test_kiosk_idle_reset_warns_then_clears_the_page(store, kiosk, till):
    store.tap(KIOSK_READER, STATE["uid"])
    kiosk.wait_screen("greeting")
    kiosk.click("greeting-feedback")
    kiosk.d.find_element(By.CSS_SELECTOR, "#nps-scale [data-score='3']").click()
    kiosk.wait_screen("comment")
    kiosk.type("comment-text", "Marie was here")
    started = time.time()
    kiosk.wait(lambda: kiosk.shown("idle-warning"), timeout=IDLE_SECONDS + 2, what="idle warning")
    assert time.time() - started < IDLE_SECONDS
    assert "s" in kiosk.text("idle-warning-text")
    kiosk.shot("kiosk-11-idle-warning")
    # "Continue" gives the customer more time: the warning goes, and the page is still theirs.
    kiosk.click("idle-continue")
    assert not kiosk.shown("idle-warning")
    assert kiosk.screen() == "comment"
    kiosk.wait(lambda: kiosk.shown("idle-warning"), timeout=IDLE_SECONDS + 2, what="second idle warning")
    kiosk.wait_screen("idle", timeout=IDLE_SECONDS)
    kiosk.shot("kiosk-12-after-idle-reset")
    leftovers = kiosk.d.execute_script("""
        const values = [...document.querySelectorAll('input, textarea, select')]
            .filter(e => e.id !== 'setup-token').map(e => e.type === 'checkbox' ? String(e.checked) : e.value);
        return document.body.textContent + ' ' + values.join(' ');
    """)
    assert "Marie" not in leftovers, "the customer's name is still in the page"
    assert "Marie was here" not in leftovers
    assert kiosk.d.execute_script("return document.querySelectorAll('#greeting-rewards li').length") == 0
    assert store.query("SELECT count(*) FROM feedback WHERE score = 3") == [(0,)]


def test_kiosk_tablet_layout(store, kiosk, till):
    kiosk.d.set_window_size(1024, 768)
    store.tap(KIOSK_READER, "04" + secrets.token_hex(6).upper())
    kiosk.wait_screen("unknown")
    kiosk.click("unknown-signup")
    kiosk.wait_screen("signup")
    width = kiosk.d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, "horizontal scroll on a tablet: %s" % width
    kiosk.shot("kiosk-13-signup-tablet")
    kiosk.click("signup-cancel")
    kiosk.wait_screen("unknown")
    kiosk.click("unknown-done")
    kiosk.wait_screen("idle")
    kiosk.d.set_window_size(1920, 1080)


def test_till_sign_in_refuses_a_wrong_pin_then_accepts_the_right_one(store, kiosk, till):
    till.open("/till/")
    till.wait_screen("setup")
    till.type("setup-token", store.till_token)
    till.by_id("setup-form").submit()
    till.wait_screen("signin")
    till.shot("till-01-signin")
    till.type("signin-staff", store.staff_id)
    till.type("signin-pin", "0000")
    till.click("signin-submit")
    till.wait(lambda: till.shown("signin-error"), what="wrong PIN error")
    assert "4 essai(s)" in till.text("signin-error"), till.text("signin-error")
    till.shot("till-02-wrong-pin")
    till.type("signin-pin", STAFF_PIN)
    till.click("signin-submit")
    till.wait_screen("work")
    assert "Sam Martin" in till.text("who")
    till.shot("till-03-signed-in")


def test_till_tap_purchase_points_redeem_refund(store, kiosk, till):
    store.tap(TILL_READER, STATE["uid"])
    till.wait(lambda: till.shown("profile") and till.text("profile-name") == "Marie", what="customer panel from the tap")
    before = int(till.text("profile-balance").replace("\u202f", "").replace(" ", ""))
    till.shot("till-04-customer-from-tap")
    till.type("purchase-receipt", "R-1001")
    till.type("purchase-amount", "120,00")
    till.click("purchase-submit")
    till.wait(lambda: till.shown("work-success"), what="purchase recorded")
    assert "+120 points" in till.text("work-success"), till.text("work-success")
    till.wait(lambda: till.text("profile-balance").replace("\u202f", "") == str(before + 120), what="balance updated")
    till.shot("till-05-purchase-recorded")
    assert store.query("SELECT amountMinor, currency FROM purchase WHERE receiptId = 'R-1001'") == [(12000, "EUR")]
    # The same receipt again is a replay: nothing changes.
    till.type("purchase-receipt", "R-1001")
    till.type("purchase-amount", "120")
    till.click("purchase-submit")
    till.wait(lambda: "déjà" in till.text("work-success"), what="replay notice")
    # Redeem the coffee (100 points).
    coffee = till.d.find_element(By.CSS_SELECTOR, "#profile-rewards [data-reward='coffee']")
    coffee.click()
    till.wait(lambda: "utilisée" in till.text("work-success"), what="redemption")
    till.wait(lambda: till.text("profile-balance").replace("\u202f", "") == str(before + 20), what="balance after redemption")
    till.shot("till-06-redeemed")
    # Refund part of the purchase: its points come back off.
    till.type("refund-receipt", "RF-1001")
    till.type("refund-purchase", "R-1001")
    till.type("refund-amount", "20")
    till.click("refund-submit")
    till.wait(lambda: "RF-1001" in till.text("work-success"), what="refund")
    till.wait(lambda: till.text("profile-balance").replace("\u202f", "") == str(before), what="balance after refund")
    # A refund over what is left is refused with the API's reason, in the page.
    till.type("refund-receipt", "RF-1002")
    till.type("refund-purchase", "R-1001")
    till.type("refund-amount", "500")
    till.click("refund-submit")
    till.wait(lambda: till.shown("work-error"), what="refund refusal")
    assert till.text("work-error").startswith("Refusé"), till.text("work-error")
    till.shot("till-07-refund-refused")


def test_till_issues_a_loyalty_card_on_its_reader(store, kiosk, till):
    assert till.text("profile-name") == "Marie"
    till.click("issue-card")
    till.wait(lambda: till.shown("work-success") and "carte" in till.text("work-success").lower(), what="issuing notice")
    # A blank NTAG215 held on the till's reader while the service writes it.
    card = subprocess.Popen([CARDSIM, "tap", "--reader", str(TILL_READER), "ntag215", "--uid", "04" + secrets.token_hex(6).upper(),
                             "--dwell", "8"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        till.wait(lambda: "émise" in till.text("work-success") or till.shown("work-error"), timeout=30, what="card issued")
        assert not till.shown("work-error"), till.text("work-error")
        till.wait(lambda: "loyaltyCard" in till.text("profile-identifiers"), what="loyaltyCard identifier")
        till.shot("till-08-card-issued")
    finally:
        card.wait(timeout=30)
    details = json.loads(store.cli("profile", "show", STATE["profile_id"], "--json"))
    assert any(i["kind"] == "loyaltyCard" for i in details["identifiers"]), details["identifiers"]


def test_till_search_and_sign_out(store, kiosk, till):
    till.click("clear-customer")
    assert till.shown("no-customer")
    till.d.find_element(By.CSS_SELECTOR, ".lang[data-lang='en']").click()
    till.type("search-value", STATE["email"])
    till.click("search-submit")
    till.wait(lambda: till.d.find_elements(By.CSS_SELECTOR, "#search-results [data-profile]"), what="search results")
    till.d.find_element(By.CSS_SELECTOR, "#search-results [data-profile]").click()
    till.wait(lambda: till.shown("profile") and till.text("profile-name") == "Marie", what="profile from search")
    assert "Recent points" in till.text("profile")
    till.shot("till-09-search-en")
    till.click("sign-out")
    till.wait_screen("signin")
    assert "signed out" in till.text("signin-notice")
    # After sign-out the session is gone: the API refuses it.
    assert till.d.execute_script("return sessionStorage.getItem('parcours.till.staffSession')") is None


def luhn_completed(digits):
    """The digits with their Luhn check digit appended (the card simulator refuses a PAN that fails it)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return digits + str((10 - total % 10) % 10)


def card_number_traces(pan):
    """What of a card number could leak onto a screen: the PAN, its masked form, its first six digits."""
    return [pan, pan[:6] + "******" + pan[-4:], "******" + pan[-4:], pan[:6]]


def page_text_and_values(page):
    """The page's markup, visible text and every form value: where a card number would show."""
    return page.d.page_source + " " + page.d.execute_script("""
        return document.body.innerText + ' ' + [...document.querySelectorAll('input, textarea, select')].map(e => e.value).join(' ');
    """)


def test_kiosk_payment_card_signs_up_and_is_greeted_without_its_number_on_screen(store, kiosk, till):
    pan = luhn_completed("4" + "".join(str(secrets.randbelow(10)) for _ in range(14)))
    email = "jean.%s@example.com" % secrets.token_hex(3)
    kiosk.wait_screen("idle")
    # A contactless Visa: PPSE, SELECT, GPO, READ RECORD on the rig, lifted 300 ms after its last answer.
    store.tap_card(KIOSK_READER, "visa", "--pan", pan, "--cardholder", "JEAN/DUPONT")
    kiosk.wait_screen("unknown")
    kiosk.shot("kiosk-14-payment-card-unknown")
    for trace in card_number_traces(pan) + ["DUPONT"]:
        assert trace not in page_text_and_values(kiosk), "the card's number or holder reached the kiosk: " + trace
    kiosk.click("unknown-signup")
    kiosk.wait_screen("signup")
    kiosk.type("signup-first-name", "Jean")
    kiosk.type("signup-email", email)
    kiosk.click("signup-submit")
    kiosk.wait_screen("greeting")
    assert kiosk.text("greeting-title") == "Bonjour Jean !", kiosk.text("greeting-title")
    assert "+50" in kiosk.text("greeting-bonus")
    kiosk.shot("kiosk-15-payment-card-signed-up")
    kiosk.click("greeting-done")
    kiosk.wait_screen("idle")
    # The same card again: greeted by name, from its payment token.
    store.tap_card(KIOSK_READER, "visa", "--pan", pan, "--cardholder", "JEAN/DUPONT")
    kiosk.wait_screen("greeting")
    assert kiosk.text("greeting-title") == "Bonjour Jean !", kiosk.text("greeting-title")
    assert kiosk.text("greeting-bonus") == "", "the welcome bonus is shown once"
    kiosk.shot("kiosk-16-payment-card-greeted")
    for trace in card_number_traces(pan) + ["DUPONT"]:
        assert trace not in page_text_and_values(kiosk), "the card's number or holder reached the kiosk: " + trace
    found = json.loads(store.cli("profile", "find", "--email", email, "--json"))
    assert len(found) == 1, found
    identifiers = json.loads(store.cli("profile", "show", found[0]["id"], "--json"))["identifiers"]
    kinds = sorted(i["kind"] for i in identifiers)
    assert "paymentToken" in kinds and "cardUID" not in kinds, kinds
    assert not any(trace in json.dumps(identifiers) for trace in card_number_traces(pan)), identifiers
    kiosk.click("greeting-done")
    kiosk.wait_screen("idle")


def test_till_locks_a_member_out_after_repeated_wrong_pins(store, kiosk, till):
    added = store.cli("staff", "add", "--name", "Lou Bernard", "--pin-stdin", stdin="8642\n")
    lou = re.search(r"staff (\S+)", added).group(1)
    till.wait_screen("signin")
    till.d.find_element(By.CSS_SELECTOR, ".lang[data-lang='fr']").click()  # the search scenario left it in English
    attempts_left = []
    for _ in range(6):
        till.type("signin-staff", lou)
        till.type("signin-pin", "1111")
        till.click("signin-submit")
        till.wait(lambda: till.shown("signin-error") and not till.by_id("signin-submit").get_attribute("disabled"),
                  what="sign-in answer")
        text = till.text("signin-error")
        if "bloquée" in text:
            break
        left = re.search(r"encore (\d+) essai", text)
        assert left, "not an attempts-left message: " + text
        attempts_left.append(int(left.group(1)))
    assert attempts_left == [4, 3, 2, 1], attempts_left
    assert re.fullmatch(r"Trop de PIN erronés : connexion bloquée jusqu'à \d\d:\d\d\.", text), text
    till.shot("till-10-locked-out")
    # Locked means locked: the right PIN is refused too, with the same message, and the form stays usable.
    till.type("signin-pin", "8642")
    till.click("signin-submit")
    till.wait(lambda: not till.by_id("signin-submit").get_attribute("disabled"), what="locked sign-in answer")
    assert "bloquée jusqu'à" in till.text("signin-error"), till.text("signin-error")
    assert till.screen() == "signin" and till.shown("signin-form") and till.shown("signin-staff")
    assert store.query("SELECT count(*) FROM staff WHERE id = ? AND lockedUntil IS NOT NULL", lou) == [(1,)]


SHELL_CACHE_SCRIPT = """
    const done = arguments[arguments.length - 1];
    (async () => {
        if (!navigator.serviceWorker) return done({ error: "no service worker support" });
        const registration = await navigator.serviceWorker.ready;
        const kept = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) kept.push(name + " " + new URL(request.url).pathname);
        }
        done({ active: Boolean(registration.active), scope: registration.scope, kept });
    })().catch((e) => done({ error: String(e) }));
"""


def shell_cache(page):
    return page.d.execute_async_script(SHELL_CACHE_SCRIPT)


def wait_for_kept_shell(page, front):
    def kept():
        state = shell_cache(page)
        paths = [entry.split(" ", 1)[1] for entry in state.get("kept", [])]
        return state if state.get("active") and all(p in paths for p in ["/%s/" % front, "/%s/%s.js" % (front, front),
                                                                         "/shared.js", "/parcours.css"]) else None
    state = page.wait(kept, timeout=20, what=front + " shell kept by the service worker")
    assert state["scope"] == page.store.base + "/", state["scope"]
    assert not any("/v1/" in entry for entry in state["kept"]), state["kept"]
    assert len({entry.split(" ", 1)[0] for entry in state["kept"]}) == 1, "one cache, old versions deleted: %s" % state["kept"]


def test_fronts_reload_while_the_service_is_down_then_recover(store, kiosk, till):
    kiosk.open("/kiosk/")
    # Jean's tap of the previous scenario may still be the kiosk's current one (until the idle timeout).
    kiosk.wait(lambda: kiosk.screen() in ("idle", "greeting"), what="kiosk loaded")
    if kiosk.screen() == "greeting":
        kiosk.click("greeting-done")
    kiosk.wait_screen("idle")
    kiosk.wait(lambda: kiosk.by_id("link-status").get_attribute("class") == "status live", what="live WebSocket")
    wait_for_kept_shell(kiosk, "kiosk")
    till.open("/till/")
    till.wait_screen("signin")
    wait_for_kept_shell(till, "till")
    store.stop()
    try:
        kiosk.d.refresh()
        # The shell from the service worker: the attract screen, styled, and the unreachable notice.
        kiosk.wait_screen("idle", timeout=15)
        assert "Touchez votre carte" in kiosk.text("idle")
        kiosk.wait(lambda: kiosk.text("link-status") == "Service injoignable", timeout=15, what="unreachable notice")
        assert kiosk.d.execute_script("return getComputedStyle(document.querySelector('header.bar')).display") == "flex", \
            "the stylesheet did not come from the kept shell"
        kiosk.shot("kiosk-17-reloaded-while-service-down")
        till.d.refresh()
        till.wait_screen("signin", timeout=15)
        assert "Connexion du personnel" in till.text("signin")
        till.shot("till-11-reloaded-while-service-down")
        # Nothing of the API was kept: with the service down, it fails rather than answering from a cache.
        api = kiosk.d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/v1/taps/current', { headers: { Authorization: 'Bearer x' } }).then(r => done('answered ' + r.status), e => done('failed'));
        """)
        assert api == "failed", api
    finally:
        store.start({"kiosk": {"idleTimeoutSeconds": IDLE_SECONDS}})
    # The same page reconnects by itself and takes taps again.
    kiosk.wait(lambda: kiosk.by_id("link-status").get_attribute("class") == "status live", timeout=30, what="reconnected")
    assert kiosk.text("link-status") == ""
    store.tap(KIOSK_READER, STATE["uid"])
    kiosk.wait_screen("greeting", timeout=15)
    assert kiosk.text("greeting-title") == "Bonjour Marie !", kiosk.text("greeting-title")
    kiosk.shot("kiosk-18-recovered")
    kiosk.click("greeting-done")
    kiosk.wait_screen("idle")


def test_kiosk_and_till_offer_only_the_configured_languages(store, kiosk, till):
    store.stop()
    store.start({"kiosk": {"idleTimeoutSeconds": IDLE_SECONDS, "languages": ["en"]},
                 "staff": {"sessionSeconds": SHORT_SESSION_SECONDS}})
    # The browser asks for French; this store offers English only.
    kiosk.open("/kiosk/")
    kiosk.wait(lambda: kiosk.screen() == "idle" and "Tap your card" in kiosk.text("idle"), what="English attract screen")
    assert kiosk.d.execute_script("return document.documentElement.lang") == "en"
    assert not kiosk.d.find_element(By.CSS_SELECTOR, "nav.languages").is_displayed(), "a switcher with one language"
    assert not kiosk.d.find_element(By.CSS_SELECTOR, ".lang[data-lang='fr']").is_displayed()
    kiosk.shot("kiosk-19-english-only")
    # Marie chose French at sign-up; the kiosk greets her in the store's language.
    store.tap(KIOSK_READER, STATE["uid"])
    kiosk.wait_screen("greeting")
    assert kiosk.text("greeting-title") == "Hello Marie!", kiosk.text("greeting-title")
    kiosk.click("greeting-done")
    kiosk.wait_screen("idle")
    store.tap(KIOSK_READER, "04" + secrets.token_hex(6).upper())
    kiosk.wait_screen("unknown")
    kiosk.click("unknown-signup")
    kiosk.wait_screen("signup")
    options = kiosk.d.execute_script("return [...document.getElementById('signup-language').options].map(o => o.value)")
    assert options == ["en"], options
    kiosk.click("signup-cancel")
    kiosk.wait_screen("unknown")
    kiosk.click("unknown-done")
    kiosk.wait_screen("idle")
    till.open("/till/")
    till.wait(lambda: till.screen() == "signin" and "Staff sign-in" in till.text("signin"), what="English till")
    assert not till.d.find_element(By.CSS_SELECTOR, "nav.languages").is_displayed()


def test_till_returns_to_sign_in_when_the_staff_session_expires(store, kiosk, till):
    # Still the store of the previous scenario: staff.sessionSeconds is SHORT_SESSION_SECONDS.
    till.wait_screen("signin")
    till.type("signin-staff", store.staff_id)
    till.type("signin-pin", STAFF_PIN)
    till.click("signin-submit")
    till.wait_screen("work")
    assert "Sam Martin" in till.text("who")
    till.shot("till-12-short-session")
    session = json.loads(till.d.execute_script("return sessionStorage.getItem('parcours.till.staffSession')"))
    till.wait_screen("signin", timeout=SHORT_SESSION_SECONDS + 20)
    assert till.text("signin-notice") == "Your session expired: sign in again.", till.text("signin-notice")
    assert not till.shown("sign-out") and till.text("who") == ""
    assert till.d.execute_script("return sessionStorage.getItem('parcours.till.staffSession')") is None
    till.shot("till-13-session-expired")
    # The service agrees: the old session token is refused. (expiresAt travels in whole seconds, so the page
    # may end the session up to a second before the service does: never after.)
    request = urllib.request.Request(store.base + "/v1/profiles?email=" + urllib.parse.quote(STATE["email"]), headers={
        "Authorization": "Bearer " + store.till_token, "X-Staff-Session": session["token"]})

    def refused():
        try:
            urllib.request.urlopen(request).close()
            return None
        except urllib.error.HTTPError as e:
            return (e.code, json.load(e)["error"])
    answer = till.wait(refused, timeout=5, what="the service refusing the expired session")
    assert answer == (401, "staffSessionExpired"), answer
    # And the stopped tap feed reports nothing more: no "Connecting…" over the sign-in screen.
    assert till.text("link-status") == "", till.text("link-status")


def test_fronts_are_served_with_the_csp_and_log_no_errors(store, kiosk, till):
    for path in ["/kiosk/", "/kiosk/kiosk.js", "/till/", "/parcours.css", "/", "/sw.js"]:
        with urllib.request.urlopen(store.base + path) as response:
            policy = response.headers.get("Content-Security-Policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
            assert "worker-src 'self'" in policy, (path, policy)
    request = urllib.request.Request(store.base + "/kiosk", method="GET")
    opener = urllib.request.build_opener(NoRedirect())
    try:
        opener.open(request)
        raise AssertionError("/kiosk did not redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 301 and e.headers["Location"] == "/kiosk/", (e.code, e.headers["Location"])
    # The live WebSocket failing to connect while the offline scenario had the service stopped is expected.
    problems = console_problems([kiosk, till], "browser-console.log", allowed=[r"WebSocket connection to '\S+' failed"])
    assert not problems, "browser console problems:\n" + "\n".join(p["message"] for p in problems)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


TESTS = [
    test_kiosk_pairing,
    test_kiosk_unknown_card_signs_up_and_gives_feedback,
    test_kiosk_known_card_greets_by_name_in_both_languages,
    test_kiosk_idle_reset_warns_then_clears_the_page,
    test_kiosk_tablet_layout,
    test_till_sign_in_refuses_a_wrong_pin_then_accepts_the_right_one,
    test_till_tap_purchase_points_redeem_refund,
    test_till_issues_a_loyalty_card_on_its_reader,
    test_till_search_and_sign_out,
    test_kiosk_payment_card_signs_up_and_is_greeted_without_its_number_on_screen,
    test_till_locks_a_member_out_after_repeated_wrong_pins,
    test_fronts_reload_while_the_service_is_down_then_recover,
    test_kiosk_and_till_offer_only_the_configured_languages,
    test_till_returns_to_sign_in_when_the_staff_session_expires,
    test_fronts_are_served_with_the_csp_and_log_no_errors,
]


def set_up(closing):
    store = Store()
    closing.append(store.close)
    kiosk_driver = new_browser(1920, 1080, "fr-FR")
    closing.append(kiosk_driver.quit)
    till_driver = new_browser(1280, 900, "fr-FR")
    closing.append(till_driver.quit)
    return store, Page(kiosk_driver, store), Page(till_driver, store)


if __name__ == "__main__":
    sys.exit(run(TESTS, set_up))

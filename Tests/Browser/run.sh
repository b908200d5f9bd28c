#!/usr/bin/env bash
# Browser tests in real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium over WebDriver):
#   fronts     the kiosk and till: a real `parcours serve` on a free port with a fresh SQLite file, and real taps
#              from parcours-cardsim on the pcscd + vpcd rig (test_fronts.py);
#   dashboard  head office's dashboard: a throwaway database on PARCOURS_TEST_DATABASE_URL's server (else
#              config/postgres/pg-cluster url), `parcours hq serve`, a chain seeded by `parcours demo seed`
#              (test_dashboard.py).
#
#   Tests/Browser/run.sh                          build in .build, run both, print "N passed, M failed", exit 1 on failure
#   SCRATCH_PATH=.build-fronts Tests/Browser/run.sh   use another SwiftPM scratch folder
#   SKIP_BUILD=1 Tests/Browser/run.sh             use the binaries already built
#   BROWSER_TESTS=dashboard Tests/Browser/run.sh  only these suites (default "fronts dashboard"; the rig is started
#                                                 only for fronts)
#
# Installs what is missing: the apt packages (chromium, chromium-driver, pcscd, vsmartcard-vpcd, python3-venv) and a
# venv with selenium in .venv. Screenshots go to test-artifacts/screenshots/, the server log and the browser
# console to test-artifacts/. The rig is started if needed (idempotent) and left running, as other suites share it.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

SCRATCH_PATH=${SCRATCH_PATH:-.build}
SWIFT=${SWIFT:-$(command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)}
VENV=${VENV:-.venv}
BROWSER_TESTS=${BROWSER_TESTS:-fronts dashboard}
export ARTIFACTS=${ARTIFACTS:-$top/test-artifacts}

say() { echo "browser-tests: $*"; }
fail() { echo "browser-tests: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# 1. System packages.
missing=""
for p in chromium chromium-driver pcscd vsmartcard-vpcd python3-venv; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing:$missing"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || fail "apt-get install$missing failed"
fi
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || fail "chromium or chromedriver missing"

# 2. Selenium in a venv.
if ! "$VENV/bin/python" -c 'import selenium' 2>/dev/null; then
    say "creating $VENV with selenium"
    python3 -m venv "$VENV" || fail "python3 -m venv failed"
    "$VENV/bin/pip" install -q selenium || fail "pip install selenium failed"
fi

# 3. The binaries.
if [ -z "${SKIP_BUILD:-}" ]; then
    say "building parcours and parcours-cardsim in $SCRATCH_PATH"
    "$SWIFT" build --scratch-path "$SCRATCH_PATH" --product parcours || fail "swift build (parcours) failed"
    "$SWIFT" build --scratch-path "$SCRATCH_PATH" --product parcours-cardsim || fail "swift build (parcours-cardsim) failed"
fi
bin=$("$SWIFT" build --scratch-path "$SCRATCH_PATH" --show-bin-path 2>/dev/null || echo "$SCRATCH_PATH/debug")
export PARCOURS_BIN="$bin/parcours" PARCOURS_CARDSIM="$bin/parcours-cardsim"
[ -x "$PARCOURS_BIN" ] && [ -x "$PARCOURS_CARDSIM" ] || fail "binaries missing in $bin"

# 4. The reader rig for the fronts (idempotent; never stopped here: other suites may be using it).
case " $BROWSER_TESTS " in
    *" fronts "*) hardware/rig/pcscd-rig start || fail "the reader rig did not start" ;;
esac
case " $BROWSER_TESTS " in
    *" dashboard "*) command -v psql >/dev/null || fail "psql missing (Debian's postgresql-client; make deps installs postgresql)" ;;
esac

# 5. The suites. Each prints "N passed, M failed" last; the sum is the last line here.
mkdir -p "$ARTIFACTS/screenshots"
rm -f "$ARTIFACTS"/screenshots/*.png
export SE_OFFLINE=true SE_AVOID_STATS=true
passed=0 failed=0
for suite in $BROWSER_TESTS; do
    case "$suite" in
        fronts|dashboard) ;;
        *) fail "unknown suite '$suite' in BROWSER_TESTS (fronts, dashboard)" ;;
    esac
    out="$ARTIFACTS/browser-$suite.out"
    "$VENV/bin/python" "Tests/Browser/test_$suite.py" 2>&1 | tee "$out" || true
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1 || true)
    if [ -z "$line" ]; then
        say "$suite: no result line (crashed?)"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + ${line%% passed*}))
    rest=${line#*passed, }
    failed=$((failed + ${rest%% failed*}))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

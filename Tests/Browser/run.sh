#!/usr/bin/env bash
# Browser tests of the kiosk and till fronts: real headless Chromium (Debian's chromium + chromium-driver, driven by
# Selenium over WebDriver), a real `parcours serve` on a free port with a fresh SQLite file, and real taps from
# parcours-cardsim on the pcscd + vpcd rig.
#
#   Tests/Browser/run.sh                          build in .build, run, print "N passed, M failed", exit 1 on failure
#   SCRATCH_PATH=.build-fronts Tests/Browser/run.sh   use another SwiftPM scratch folder
#   SKIP_BUILD=1 Tests/Browser/run.sh             use the binaries already built
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

# 4. The reader rig (idempotent; never stopped here: other suites may be using it).
hardware/rig/pcscd-rig start || fail "the reader rig did not start"

# 5. The tests. The last line they print is "N passed, M failed".
mkdir -p "$ARTIFACTS/screenshots"
rm -f "$ARTIFACTS"/screenshots/*.png
export SE_OFFLINE=true SE_AVOID_STATS=true
exec "$VENV/bin/python" Tests/Browser/test_fronts.py

#!/usr/bin/env bash
# config/install/check.sh: tests of the install kit and the monitoring files, on a machine without systemd.
#   - shellcheck on every script;
#   - install-store.sh and install-headoffice.sh into temporary roots: files, modes, owners, JSON validity, a
#     rerun that keeps the site's edits and repairs permissions, and the refusals (no root, no binary, bad ids);
#   - systemd-analyze verify on every unit inside those roots (any warning fails);
#   - nginx -t and caddy validate on the proxy configs, when installed;
#   - promtool check rules and test rules on the alert rules; the dashboard's sanity check and its PromQL;
#   - with a built binary (.build/debug/parcours, or PARCOURS_BINARY): the store service started from its unit's
#     own ExecStart as user parcours: the head-office node against a throwaway PostgreSQL database, then the store
#     service linked to it (credential through store.env) until /health answers and the sync is ok, its metrics
#     through parcours-metrics-export, a backup with pruning, the kiosk command on a headless display, and a
#     graceful stop of each.
# Needs root for owners and for running as parcours (without it those parts print SKIP). It creates the system
# user parcours on this machine if it does not exist (the service user of a real install). No network.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
REPO=$(pwd)
KIT=$REPO/config/install
MONITORING=$REPO/config/monitoring
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
BINARY=${PARCOURS_BINARY:-$REPO/.build/debug/parcours}
failures=0
scratch=$(mktemp -d /tmp/parcours-install-check.XXXXXX)
chmod 0755 "$scratch"   # the service user must reach the installed config under it, as it would under /
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    rm -rf "$scratch"
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
skip() { echo "SKIP $*"; }
check() { local what=$1; shift; if "$@" >"$scratch/out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    /' "$scratch/out"; fi; }
is_root() { [ "$(id -u)" = 0 ]; }

# expect_file ROOT PATH MODE OWNER: exists with that octal mode (and owner, when we are root).
expect_file() {
    local file=$1$2 mode owner
    if [ ! -e "$file" ]; then fail "$2 installed"; return; fi
    mode=$(stat -c %a "$file") owner=$(stat -c %U:%G "$file")
    if [ "$mode" != "$3" ]; then fail "$2 mode $3 (is $mode)"; return; fi
    if is_root && [ "$owner" != "$4" ]; then fail "$2 owner $4 (is $owner)"; return; fi
    pass "$2 $3${4:+ $4}"
}
# refuses WHAT MESSAGE COMMAND...: the command fails and says MESSAGE.
refuses() {
    local what=$1 message=$2; shift 2
    if "$@" >"$scratch/out" 2>&1; then fail "refuses $what (it succeeded)"; return; fi
    if grep -qF -- "$message" "$scratch/out"; then pass "refuses $what: $(grep -F -- "$message" "$scratch/out" | head -1)"
    else fail "refuses $what with \"$message\""; sed 's/^/    /' "$scratch/out"; fi
}
new_root() { local root; root=$(mktemp -d "$scratch/root.XXXX"); chmod 0755 "$root"; echo "$root"; }
free_port() { local port; for port in $(shuf -i 20000-29999 -n 20); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }; done; }

echo "== shellcheck"
if command -v shellcheck >/dev/null; then
    check "shellcheck install scripts, helpers and this check" shellcheck -x "$KIT"/install-*.sh "$KIT"/libexec/* "$KIT/check.sh" \
        "$MONITORING/parcours-metrics-export"
else
    skip "shellcheck not installed (apt-get install shellcheck)"
fi

echo "== service user"
if is_root; then
    if ! getent passwd parcours >/dev/null; then
        useradd --system --user-group --home-dir /var/lib/parcours --no-create-home --shell /usr/sbin/nologin parcours
        echo "created system user parcours on this machine (what a real install creates; kept)"
    fi
    pass "system user parcours exists"
else
    skip "not root: owners unchecked, nothing run as parcours"
fi

# The binary the kit installs. Without a build, /bin/true stands in for the file checks (nothing runs it).
if [ -x "$BINARY" ]; then install_binary=$BINARY; else install_binary=$scratch/parcours-stand-in; cp /bin/true "$install_binary"; fi

echo "== install-store.sh into a temporary root"
store=$(new_root)
check "install-store.sh --prefix" "$KIT/install-store.sh" --prefix "$store" --binary "$install_binary" --store-id check-01 --store-name 'Check "01"'
expect_file "$store" /usr/local/bin/parcours 755 root:root
for helper in store-backup wait-for-health metrics-export; do expect_file "$store" "/usr/local/lib/parcours/$helper" 755 root:root; done
expect_file "$store" /etc/parcours 750 root:parcours
for config in store.json identification.json loyalty.json; do expect_file "$store" "/etc/parcours/$config" 640 root:parcours; done
expect_file "$store" /etc/parcours/store.env 600 root:root
expect_file "$store" /var/lib/parcours 750 parcours:parcours
expect_file "$store" /var/lib/parcours/backups 750 parcours:parcours
for unit in parcours-store.service parcours-kiosk.service parcours-store-backup.service parcours-store-backup.timer \
            parcours-metrics-export.service parcours-metrics-export.timer pcscd.socket.d/parcours.conf; do
    expect_file "$store" "/etc/systemd/system/$unit" 644 root:root
done
expect_file "$store" /etc/udev/rules.d/60-parcours-readers.rules 644 root:root
expect_file "$store" /etc/modprobe.d/blacklist-parcours-nfc.conf 644 root:root
expect_file "$store" /etc/pam.d/parcours-kiosk 644 root:root
check "store.json and identification.json are valid JSON with the store id" "$PYTHON" -c '
import json, sys
store = json.load(open(sys.argv[1])); ident = json.load(open(sys.argv[2]))
assert store["store"] == {"id": "check-01", "name": "Check \"01\""}, store
assert ident["storeID"] == "check-01" and ident["devices"] == [], ident' "$store/etc/parcours/store.json" "$store/etc/parcours/identification.json"
check "no unit carries a secret (only EnvironmentFile)" bash -c "! grep -E '^Environment=.*(CREDENTIAL|TOKEN_SECRET|LOYALTY_KEY|META_KEY|FILE_KEY|DATABASE_URL)' '$KIT'/units/*"

# Rerun: the site's edits stay, permissions come back, our files are replaced.
sed -i 's/"Check \\"01\\""/"Edited on site"/' "$store/etc/parcours/store.json"
chmod 0644 "$store/etc/parcours/store.env"
echo "# local edit" >> "$store/etc/systemd/system/parcours-store.service"
check "install-store.sh rerun (idempotent)" "$KIT/install-store.sh" --prefix "$store" --binary "$install_binary"
check "rerun kept the edited store.json" grep -q '"Edited on site"' "$store/etc/parcours/store.json"
expect_file "$store" /etc/parcours/store.env 600 root:root
check "rerun replaced the edited unit" cmp "$KIT/units/parcours-store.service" "$store/etc/systemd/system/parcours-store.service"

withhq=$(new_root)
check "install-store.sh with a head-office link from the environment" env PARCOURS_HEADOFFICE_URL=https://hq.example.org \
    PARCOURS_HEADOFFICE_CREDENTIAL=parcours-store-1.check-02.not-a-real-key \
    "$KIT/install-store.sh" --prefix "$withhq" --binary "$install_binary" --store-id check-02 --without-kiosk
check "the credential is in store.env only" grep -qx 'PARCOURS_HEADOFFICE_CREDENTIAL=parcours-store-1.check-02.not-a-real-key' "$withhq/etc/parcours/store.env"
expect_file "$withhq" /etc/parcours/store.env 600 root:root
check "--without-kiosk installs no kiosk unit" test ! -e "$withhq/etc/systemd/system/parcours-kiosk.service"

refuses "a missing --binary" "--binary PATH is required" "$KIT/install-store.sh" --prefix "$(new_root)" --store-id x
refuses "a binary that does not exist" "does not exist" "$KIT/install-store.sh" --prefix "$(new_root)" --binary /nonexistent/parcours --store-id x
refuses "a first install without --store-id" "--store-id is required" "$KIT/install-store.sh" --prefix "$(new_root)" --binary "$install_binary"
refuses "a bad store id" "--store-id must be" "$KIT/install-store.sh" --prefix "$(new_root)" --binary "$install_binary" --store-id 'a b'
refuses "an unknown argument" "unknown argument: --colour" "$KIT/install-store.sh" --colour
if is_root; then
    refuses "installing into / without root" "installing into / needs root" runuser -u nobody -- "$KIT/install-store.sh" --binary "$install_binary" --store-id x
    refuses "installing head office into / without root" "installing into / needs root" runuser -u nobody -- "$KIT/install-headoffice.sh" --binary "$install_binary" --server-name hq.example.org
fi

echo "== install-headoffice.sh into temporary roots"
hq=$(new_root)
check "install-headoffice.sh --prefix (nginx)" env PARCOURS_HQ_DATABASE_URL=postgres://parcours:pw@127.0.0.1:5432/parcours \
    "$KIT/install-headoffice.sh" --prefix "$hq" --binary "$install_binary" --server-name hq.example.org
expect_file "$hq" /usr/local/bin/parcours 755 root:root
expect_file "$hq" /etc/parcours/hq.env 600 root:root
expect_file "$hq" /etc/parcours/tls 700 root:root
expect_file "$hq" /etc/systemd/system/parcours-hq.service 644 root:root
expect_file "$hq" /etc/nginx/sites-available/parcours-hq.conf 644 root:root
check "nginx site enabled" test "$(readlink "$hq/etc/nginx/sites-enabled/parcours-hq.conf")" = ../sites-available/parcours-hq.conf
check "nginx site names the server" grep -q 'server_name hq.example.org;' "$hq/etc/nginx/sites-available/parcours-hq.conf"
check "database URL in hq.env" grep -qx 'PARCOURS_HQ_DATABASE_URL=postgres://parcours:pw@127.0.0.1:5432/parcours' "$hq/etc/parcours/hq.env"
check "install-headoffice.sh rerun (idempotent)" "$KIT/install-headoffice.sh" --prefix "$hq" --binary "$install_binary" --server-name hq.example.org
caddy_root=$(new_root)
mkdir -p "$caddy_root/etc/caddy" && echo ':80 { respond "Debian default" }' > "$caddy_root/etc/caddy/Caddyfile"
check "install-headoffice.sh --proxy caddy" "$KIT/install-headoffice.sh" --prefix "$caddy_root" --binary "$install_binary" --server-name hq.example.org --proxy caddy
check "Debian's Caddyfile set aside, ours imports the site" grep -qx 'import Caddyfile.d/\*.caddy' "$caddy_root/etc/caddy/Caddyfile"
check "install-headoffice.sh --proxy caddy rerun keeps our Caddyfile" "$KIT/install-headoffice.sh" --prefix "$caddy_root" --binary "$install_binary" --server-name hq.example.org --proxy caddy
set_aside=("$caddy_root"/etc/caddy/*dpkg-parcours*)
check "one set-aside Caddyfile" test "${#set_aside[@]}" = 1
refuses "a proxy without --server-name" "--server-name is required" "$KIT/install-headoffice.sh" --prefix "$(new_root)" --binary "$install_binary"
refuses "a bad --proxy" "--proxy must be nginx, caddy or none" "$KIT/install-headoffice.sh" --prefix "$(new_root)" --binary "$install_binary" --proxy apache

echo "== proxy configs"
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
    tls=$scratch/nginx && mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=hq.example.org -days 1 -keyout "$tls/hq.key" -out "$tls/hq.crt" 2>/dev/null
    sed "s|/etc/parcours/tls/|$tls/|" "$hq/etc/nginx/sites-available/parcours-hq.conf" > "$tls/site.conf"
    printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n  access_log off;\n  include %s/site.conf;\n}\n' "$tls" "$tls" "$tls" > "$tls/nginx.conf"
    check "nginx -t on the head-office site" nginx -t -q -c "$tls/nginx.conf" -g "daemon off;"
else
    skip "nginx or openssl not installed (apt-get install nginx-light openssl)"
fi
if command -v caddy >/dev/null; then
    check "caddy validate on the head-office site" env HOME="$scratch" XDG_DATA_HOME="$scratch/caddy-data" XDG_CONFIG_HOME="$scratch/caddy-config" \
        caddy validate --adapter caddyfile --config "$caddy_root/etc/caddy/Caddyfile"
else
    skip "caddy not installed (apt-get install caddy)"
fi

echo "== systemd-analyze verify"
# verify --root resolves every unit and ExecStart inside the root: give it the system's own units, and
# stand-ins for the Debian programs the kiosk runs (cage and chromium, not needed on this machine).
for root in "$store" "$hq"; do
    mkdir -p "$root/usr/lib/systemd" "$root/usr/bin" && cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
    for program in cage chromium; do [ -e "$root/usr/bin/$program" ] || cp /bin/true "$root/usr/bin/$program"; done
done
verify() {  # verify ROOT UNIT: no output at all, since unknown keys and bad values are only warnings
    local output
    output=$(cd "$1" && systemd-analyze verify --root="$1" "$2" 2>&1) || { echo "$output"; return 1; }
    [ -z "$output" ] || { echo "$output"; return 1; }
}
for unit in parcours-store.service parcours-kiosk.service parcours-store-backup.service parcours-store-backup.timer \
            parcours-metrics-export.service parcours-metrics-export.timer pcscd.socket; do
    check "systemd-analyze verify $unit" verify "$store" "$unit"
done
check "systemd-analyze verify parcours-hq.service" verify "$hq" parcours-hq.service
# The sandbox, scored by systemd itself (0 = fully locked down, 10 = none); the units score 1.3-1.7 today.
exposure() { (cd "$1" && systemd-analyze security --offline=yes --threshold=20 --root="$1" "$2" | tail -1); }
for unit in parcours-store.service parcours-store-backup.service; do check "systemd-analyze security $unit at most 2.0" exposure "$store" "$unit"; done
check "systemd-analyze security parcours-hq.service at most 2.0" exposure "$hq" parcours-hq.service

echo "== monitoring"
if command -v promtool >/dev/null; then
    check "promtool check rules prometheus-alerts.yml" promtool check rules "$MONITORING/prometheus-alerts.yml"
    check "promtool test rules prometheus-alerts.test.yml" promtool test rules "$MONITORING/prometheus-alerts.test.yml"
    mkdir -p "$scratch/prometheus" && cp "$MONITORING/prometheus-alerts.yml" "$scratch/prometheus/"
    cp "$MONITORING/prometheus-scrape.example.yml" "$scratch/prometheus/prometheus.yml"
    check "promtool check config on the example scrape config" promtool check config "$scratch/prometheus/prometheus.yml"
else
    skip "promtool not installed (apt-get install prometheus): alert rules unchecked"
fi
check "grafana-chain-dashboard.json sanity" "$PYTHON" "$MONITORING/check-dashboard.py" "$MONITORING/grafana-chain-dashboard.json" "$scratch/dashboard-rules.yml"
if command -v promtool >/dev/null; then
    check "dashboard queries parse as PromQL" promtool check rules "$scratch/dashboard-rules.yml"
fi

# Helpers for running the installed units' commands outside systemd.
# unit_line ROOT UNIT KEY: every value of KEY= in the installed unit.
unit_line() { sed -n "s/^$3=//p" "$1/etc/systemd/system/$2"; }
# in_root ROOT DATA: the unit's absolute paths, moved into the temporary root and data directory.
in_root() { sed -e "s#/etc/parcours#$1/etc/parcours#g" -e "s#/usr/local/#$1/usr/local/#g" -e "s#/var/lib/parcours#$2#g"; }
wait_health() {  # wait_health URL SECONDS PID
    local waited=0
    while [ "$waited" -lt "$2" ]; do
        curl -fsS --max-time 2 "$1" >"$scratch/health" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 1; waited=$((waited + 1))
    done
    return 1
}
stop_gracefully() {  # stop_gracefully PID: SIGTERM as systemd sends it; true if it exited 0 within 20 s
    # PID is runuser; systemd signals the service itself. runuser, signalled, would SIGKILL its child 2 s later
    # whatever it does, so the child gets the signal and runuser passes on its exit status.
    local child; child=$(pgrep -P "$1" | head -1)
    kill -TERM "${child:-$1}"
    local waited=0
    while kill -0 "$1" 2>/dev/null && [ "$waited" -lt 20 ]; do sleep 1; waited=$((waited + 1)); done
    wait "$1"
}
# kiosk_screen: the kiosk unit's ExecStart (cage and Chromium) on a headless wlroots output, as parcours, on the
# running service's kiosk page; then Chromium killed, and cage must exit (Restart=always then restarts both).
kiosk_screen() {
    if ! command -v cage >/dev/null || ! command -v chromium >/dev/null || ! command -v Xwayland >/dev/null; then
        skip "cage, chromium or xwayland not installed: the kiosk command was not run"; return
    fi
    local kiosk screen cage browser waited=0
    kiosk=$(mktemp -d "$scratch/kiosk.XXXX") && mkdir "$kiosk/run" && chown -R parcours "$kiosk" && chmod 0700 "$kiosk/run"
    read -r -a screen <<<"$(unit_line "$store" parcours-kiosk.service ExecStart |
        sed -e "s#/var/lib/parcours-kiosk#$kiosk#g" -e "s#127.0.0.1:8080#127.0.0.1:$port#")"
    ( exec runuser -u parcours -- env -i PATH=/usr/bin:/bin HOME="$kiosk" XDG_RUNTIME_DIR="$kiosk/run" \
        WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman "${screen[@]}" ) >"$kiosk/cage.log" 2>&1 &
    cage=$!; pids+=("$cage")
    while [ "$waited" -lt 90 ]; do  # Chromium can take a minute to start when others build beside it
        browser=$(pgrep -u parcours -o -f "^/usr/lib/chromium/chromium .*--app=http://127.0.0.1:$port/kiosk/") && break
        sleep 1; waited=$((waited + 1))
    done
    if [ -z "${browser:-}" ]; then fail "the kiosk command runs Chromium on the kiosk page"; tail -5 "$kiosk/cage.log" | sed 's/^/    /'; return; fi
    pass "the kiosk command runs Chromium in cage on http://127.0.0.1:$port/kiosk/ (headless output)"
    kill -KILL "$browser"; waited=0
    while kill -0 "$cage" 2>/dev/null && [ "$waited" -lt 15 ]; do sleep 1; waited=$((waited + 1)); done
    if kill -0 "$cage" 2>/dev/null; then fail "cage exits when Chromium dies"; kill "$cage"
    else wait "$cage"; pass "cage exits (status $?) when Chromium dies, so Restart=always brings the screen back"; fi
}

echo "== the head-office node from its unit's ExecStart, as user parcours"
pg="$REPO/config/postgres/pg-cluster"
node="" hq_port="" credential="" database=""
if [ ! -x "$BINARY" ] || ! is_root; then
    skip "no built binary or not root: the head-office node was not started"
elif ! "$pg" status >/dev/null 2>&1; then
    skip "no PostgreSQL cluster running (config/postgres/pg-cluster start, or PARCOURS_PG_DIR for another one): the node was not started"
else
    database="parcours_install_check_$$"
    base_url=$("$pg" url)
    owner=$(echo "$base_url" | sed -E 's#^postgres://([^:]+):.*#\1#')
    if "$pg" psql -q -c "CREATE DATABASE $database OWNER $owner" >"$scratch/out" 2>&1; then
        hq_url="${base_url%/*}/$database"
        hq_port=$(free_port)
        read -r -a command <<<"$(unit_line "$hq" parcours-hq.service ExecStart | in_root "$hq" "$scratch" | sed "s/--port 8090/--port $hq_port/")"
        echo "    ${command[*]}"
        ( cd "$scratch" && exec runuser -u parcours -- env -i PATH=/usr/bin:/bin \
            PARCOURS_HQ_DATABASE_URL="$hq_url" "${command[@]}" ) >"$scratch/hq.log" 2>&1 &
        node=$!; pids+=("$node")
        if wait_health "http://127.0.0.1:$hq_port/health" 60 "$node"; then
            pass "parcours hq serve answers /health on :$hq_port: $(cat "$scratch/health")"
            # The store below syncs with this node, with the credential going through install-store.sh and store.env.
            credential=$(PARCOURS_HQ_DATABASE_URL="$hq_url" "$BINARY" hq store add --id check-01 --name "Install check" |
                         grep -o "parcours-store-1\.check-01\.[^' ]*" | head -1)
            check "hq store add printed a credential for the store" test -n "$credential"
        else
            fail "parcours hq serve answers /health within 60 s"; sed 's/^/    /' "$scratch/hq.log"
        fi
    else
        skip "could not create a throwaway database: $(head -1 "$scratch/out")"
    fi
fi
stop_headoffice() {
    [ -n "$node" ] || return 0
    if stop_gracefully "$node"; then pass "SIGTERM stops the node with exit 0"; else fail "SIGTERM stops the node with exit 0"; sed 's/^/    /' "$scratch/hq.log"; fi
    "$pg" psql -q -c "DROP DATABASE $database" >/dev/null 2>&1 || echo "note: could not drop database $database"
}

echo "== the store service from its unit's ExecStart, as user parcours"
if [ ! -x "$BINARY" ]; then
    skip "no built binary at $BINARY (swift build --product parcours): the service was not started"
elif ! is_root; then
    skip "not root: cannot run the service as parcours"
else
    run_root=$store
    if [ -n "$credential" ]; then
        run_root=$(new_root)
        check "install-store.sh with this head office's URL and credential" env PARCOURS_HEADOFFICE_URL="http://127.0.0.1:$hq_port" \
            PARCOURS_HEADOFFICE_CREDENTIAL="$credential" "$KIT/install-store.sh" --prefix "$run_root" --binary "$BINARY" --store-id check-01
    fi
    data=$(mktemp -d "$scratch/state.XXXX") && chown parcours:parcours "$data" && chmod 0750 "$data"
    port=$(free_port)
    read -r -a command <<<"$(unit_line "$run_root" parcours-store.service ExecStart | in_root "$run_root" "$data")"
    mapfile -t environment < <(unit_line "$run_root" parcours-store.service Environment | in_root "$run_root" "$data"
                               grep -E '^[A-Z_]+=' "$run_root/etc/parcours/store.env")
    echo "    ${command[*]}"
    # PARCOURS_HTTP_PORT: a free port, not 8080. PCSCLITE_CSOCK_NAME: a socket nobody listens on, so the service
    # never talks to a pcscd that someone else runs on this machine (it reports pcscd unavailable instead).
    ( cd "$data" && exec runuser -u parcours -- env -i PATH=/usr/bin:/bin HOME="$data" "${environment[@]}" \
        PARCOURS_HTTP_PORT="$port" PCSCLITE_CSOCK_NAME="$data/no-pcscd.comm" "${command[@]}" ) >"$data/serve.log" 2>&1 &
    serve=$!; pids+=("$serve")
    if wait_health "http://127.0.0.1:$port/health" 60 "$serve"; then
        pass "parcours serve answers /health on :$port: $(cat "$scratch/health")"
        check "/health says database ok" grep -q '"database" *: *"ok"' "$scratch/health"
        check "the service runs as parcours" pgrep -u parcours -f "parcours serve --service-config $run_root/etc/parcours/store.json"
        check "/metrics exposes the outbox gauge" bash -c "curl -fsS http://127.0.0.1:$port/metrics | grep -q '^parcours_outbox_pending_events '"
        mkdir -p "$data/textfile" && chown parcours "$data/textfile"
        check "parcours-metrics-export writes a textfile" runuser -u parcours -- "$store/usr/local/lib/parcours/metrics-export" "http://127.0.0.1:$port" "$data/textfile/parcours.prom"
        check "the textfile says up, no pcscd, no reader" grep -qx 'parcours_store_up 1' "$data/textfile/parcours.prom"
        check "the textfile has the pcscd gauge at 0" grep -qxE 'parcours_pcsc_available 0(\.0)?' "$data/textfile/parcours.prom"
        if [ -n "$credential" ]; then
            waited=0
            until curl -fsS "http://127.0.0.1:$port/health" | grep -q '"headOffice" *: *"ok'; do
                [ "$waited" -lt 30 ] || break; sleep 1; waited=$((waited + 1))
            done
            check "the store syncs with head office (credential from store.env)" bash -c "curl -fsS http://127.0.0.1:$port/health | grep -q '\"headOffice\" *: *\"ok'"
            runuser -u parcours -- "$store/usr/local/lib/parcours/metrics-export" "http://127.0.0.1:$port" "$data/textfile/parcours.prom"
            check "the textfile says the sync is ok" grep -qxE 'parcours_headoffice_sync_ok 1(\.0)?' "$data/textfile/parcours.prom"
        fi
        if command -v promtool >/dev/null; then
            check "promtool check metrics on the textfile" promtool check metrics <"$data/textfile/parcours.prom"
        fi
        # Backups, as parcours-store-backup.service runs them: an old copy is pruned, a recent one kept.
        install -d -o parcours -g parcours "$data/backups"
        touch -d '20 days ago' "$data/backups/store-20000101-000000.sqlite"; touch -d '2 days ago' "$data/backups/store-20000102-000000.sqlite"
        chown parcours:parcours "$data"/backups/*
        read -r -a backup <<<"$(unit_line "$store" parcours-store-backup.service ExecStart | in_root "$store" "$data")"
        check "store-backup from its unit's ExecStart" runuser -u parcours -- env PARCOURS_BIN="$store/usr/local/bin/parcours" \
            PARCOURS_RULES="$store/etc/parcours/loyalty.json" PARCOURS_SECRETS_FILE="$data/secrets.json" "${backup[@]}"
        copy=$(find "$data/backups" -name 'store-2*.sqlite' -newer "$data/backups/store-20000102-000000.sqlite" | head -1)
        check "a new backup exists, owned by parcours" test -n "$copy" -a "$(stat -c %U "${copy:-/}")" = parcours
        check "the backup passes parcours db check" runuser -u parcours -- env PARCOURS_SECRETS_FILE="$data/secrets.json" "$BINARY" db check --database "$copy" --rules "$run_root/etc/parcours/loyalty.json"
        check "the 20-day-old backup was pruned" test ! -e "$data/backups/store-20000101-000000.sqlite"
        check "the 2-day-old backup was kept" test -e "$data/backups/store-20000102-000000.sqlite"
        kiosk_screen
    else
        fail "parcours serve answers /health within 60 s"; sed 's/^/    /' "$data/serve.log"
    fi
    if stop_gracefully "$serve"; then pass "SIGTERM stops the service with exit 0"; else fail "SIGTERM stops the service with exit 0"; sed 's/^/    /' "$data/serve.log"; fi
    check "the database is the service user's" test "$(stat -c %U "$data/store.sqlite" 2>/dev/null)" = parcours
fi

stop_headoffice
echo
if [ "$failures" = 0 ]; then echo "check.sh: all checks passed"; else echo "check.sh: $failures check(s) FAILED"; exit 1; fi

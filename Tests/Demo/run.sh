#!/usr/bin/env bash
# The `make demo` test: config/demo/chain-demo in a short mode (1 seeded day, 20 shoppers per store, a live
# shopper every second), on free ports, a throwaway folder and its own head-office database.
#   1. Wait until it says it is alive, then until head office's report API (signed in as the demo's manager)
#      shows visits for all three stores and at least one visit today (the seed ends yesterday: today's are the
#      live taps, read through pcscd and synced by the stores), and each store's /metrics says pcscd, its readers
#      and a good sync with events pushed.
#   2. SIGINT to its process group, as Ctrl-C in a terminal: it must exit 0, every process it started (stores,
#      head office, shoppers, cardsim, and pcscd or PostgreSQL if it started them) must be gone and its ports free.
#   3. Start it again on the same folder and database (a second `make demo` works), then stop it with SIGTERM.
# Takes the rig lock (PARCOURS_RIG_LOCK, default /tmp/parcours-rig.lock) while it runs: it taps the shared readers.
# Prints "N passed, M failed" last; exit 1 on any failure. Needs the binaries built (make test builds them).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
demo=$top/config/demo/chain-demo
pg=$top/config/postgres/pg-cluster
rig=$top/hardware/rig/pcscd-rig
artifacts=${ARTIFACTS:-$top/test-artifacts}
mkdir -p "$artifacts"
passed=0 failed=0

say() { echo "demo-test: $*"; }
check() { # description command...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); say "ok: $what"; else failed=$((failed + 1)); say "FAILED: $what"; fi
}
diagnosis=$artifacts/demo-stop-diagnosis.log
rm -f "$diagnosis"
finish() { [ -s "$diagnosis" ] && cat "$diagnosis"; echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }

exec 9>"${PARCOURS_RIG_LOCK:-/tmp/parcours-rig.lock}"
flock -w 900 9 || { say "the rig lock stayed taken for 15 min"; failed=1; finish; exit 1; }

free_port() { # a port nobody listens on, from a range the other tests do not pick from
    local port
    while true; do
        port=$((20000 + RANDOM % 20000))
        ss -Hltn "sport = :$port" | grep -q . && continue
        ss -Hltn "sport = :$((port + 1))" | grep -q . && continue
        ss -Hltn "sport = :$((port + 2))" | grep -q . && continue
        ss -Hltn "sport = :$((port + 3))" | grep -q . && continue
        echo "$port"; return
    done
}
hq_port=$(free_port)
export DEMO_HQ_PORT=$hq_port DEMO_STORE_PORT=$((hq_port + 1))
export DEMO_DAYS=1 DEMO_SHOPPERS=20 DEMO_TAP_GAP=1 DEMO_LOYALTY_CARDS=1
export DEMO_DATABASE=parcours_demo_test_$$ DEMO_DIR
DEMO_DIR=$(mktemp -d /tmp/parcours-demo-test.XXXXXX)
ports=("$hq_port" $((hq_port + 1)) $((hq_port + 2)) $((hq_port + 3)))
stores=(paris-01 lyon-01 paris-02)
manager_password=chain-in-a-box
rig_was_running=no; "$rig" status >/dev/null 2>&1 && rig_was_running=yes
pg_was_running=no; "$pg" status >/dev/null 2>&1 && pg_was_running=yes

# Job control: the demo gets a process group of its own (the terminal's Ctrl-C goes to a group), and a
# background job keeps SIGINT (without job control bash starts it with SIGINT ignored, and it could not trap it).
set -m
demo_pid=
cleanup() {
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then kill -TERM -- "-$demo_pid" 2>/dev/null || true; wait "$demo_pid" || true; fi
    if "$pg" status >/dev/null 2>&1; then
        psql "$("$pg" url)" -X -q -c "DROP DATABASE IF EXISTS $DEMO_DATABASE WITH (FORCE)" || true
    fi
    rm -rf "$DEMO_DIR"
}
trap cleanup EXIT

start_demo() { # log
    "$demo" >"$1" 2>&1 &
    demo_pid=$!
    local i
    for ((i = 0; i < 1500; i++)); do   # 150 s: the seed, three stores, a loyalty card, on a loaded 2-core machine
        grep -q 'alive after' "$1" && return 0
        kill -0 "$demo_pid" 2>/dev/null || { say "the demo exited before it was alive:"; tail -30 "$1"; return 1; }
        sleep 0.1
    done
    say "the demo was not alive within 150 s:"; tail -30 "$1"; return 1
}

# Every process the demo started: its descendants (the stores, head office and shoppers are its children in
# sessions of their own, cardsim and curl theirs), and the pcscd or postgres it started, found by their pid files.
started_pids() {
    local queue=("$demo_pid") pid child
    while [ "${#queue[@]}" -gt 0 ]; do
        pid=${queue[0]} queue=("${queue[@]:1}")
        for child in $(pgrep -P "$pid" || true); do echo "$child"; queue+=("$child"); done
    done
    if [ "$rig_was_running" = no ] && [ -f "$top/.parcours/rig/pcscd.pid" ]; then cat "$top/.parcours/rig/pcscd.pid"; fi
    if [ "$pg_was_running" = no ]; then head -1 "${PARCOURS_PG_DIR:-$top/.parcours/postgres}/data/postmaster.pid" 2>/dev/null || true; fi
}

alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
none_alive() { local pid; for pid in "$@"; do alive "$pid" && { ps -o pid,args -p "$pid" >&2; return 1; }; done; return 0; }
ports_free() { local port; for port in "${ports[@]}"; do ss -Hltn "sport = :$port" | grep -q . && { say "port $port still listens"; return 1; }; done; return 0; }

manager_token() {
    curl -fsS --max-time 5 -H 'Content-Type: application/json' \
        --data "{\"id\":\"demo\",\"password\":\"$manager_password\"}" "http://127.0.0.1:$hq_port/v1/manager/sessions" | jq -r .token
}
visits() { # token from to [store]
    local scope=""
    [ -n "${4:-}" ] && scope="&store=$4"
    curl -fsS --max-time 10 -H "Authorization: Bearer $1" \
        "http://127.0.0.1:$hq_port/v1/reports/stores?from=$2&to=$3&by=day$scope" | jq -r .total.visits
}

today=$(date -u +%F)
yesterday=$(date -u -d yesterday +%F)
seeded_and_live() { # waits up to 90 s for visits in every store over the seeded day and live visits today
    local token i s ok
    token=$(manager_token) || return 1
    for ((i = 0; i < 90; i++)); do
        ok=yes
        for s in "${stores[@]}"; do [ "$(visits "$token" "$yesterday" "$yesterday" "$s")" -gt 0 ] || ok=no; done
        [ "$ok" = yes ] && [ "$(visits "$token" "$today" "$today")" -gt 0 ] && { say "today's live visits so far: $(visits "$token" "$today" "$today")"; return 0; }
        sleep 1
    done
    say "visits per store yesterday: $(for s in "${stores[@]}"; do printf '%s=%s ' "$s" "$(visits "$token" "$yesterday" "$yesterday" "$s")"; done)today: $(visits "$token" "$today" "$today")"
    return 1
}

metric() { # port name → its value (first series)
    curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n && !found { print $2 + 0; found = 1 }'
}
store_metrics_ok() {
    local s port
    for s in 0 1 2; do
        port=${ports[$((s + 1))]}
        [ "$(metric "$port" parcours_pcsc_available)" = 1 ] || { say "${stores[$s]}: pcsc_available is not 1"; return 1; }
        [ "$(metric "$port" parcours_readers_seen)" -ge 4 ] || { say "${stores[$s]}: fewer than 4 readers"; return 1; }
        [ "$(metric "$port" parcours_headoffice_configured)" = 1 ] || { say "${stores[$s]}: head office not configured"; return 1; }
        [ "$(metric "$port" parcours_headoffice_sync_ok)" = 1 ] || { say "${stores[$s]}: sync not ok"; return 1; }
        [ "$(metric "$port" parcours_headoffice_sync_consecutive_failures)" = 0 ] || { say "${stores[$s]}: sync failures"; return 1; }
        [ "$(metric "$port" parcours_headoffice_seconds_since_last_sync)" -lt 30 ] || { say "${stores[$s]}: last sync too old"; return 1; }
    done
    # The first store has had live taps by now (its shoppers synced): their events were pushed from this process.
    local pushed=0
    for s in 1 2 3; do pushed=$((pushed + $(metric "${ports[$s]}" parcours_headoffice_events_pushed_total))); done
    [ "$pushed" -gt 0 ] || { say "no store pushed an event since it started"; return 1; }
}

# A shopper writes its line when the whole visit is over (kiosk, feedback, till purchase: several seconds), so the
# visit head office already counts may not be in the log yet: wait up to 30 s for a line naming a tap result.
shoppers_tapped() {
    local log=$DEMO_DIR/logs/shoppers.log i
    for ((i = 0; i < 300; i++)); do
        grep -qE 'kiosk, [a-z ]+: (known|unknown)' "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    say "no shopper line names a tap result within 30 s; the shoppers' log ends:"; tail -20 "$log" >&2 || true
    return 1
}

stop_and_check() { # signal log
    local pids rc=0
    mapfile -t pids < <(started_pids)
    say "the demo runs ${#pids[@]} process(es) of its own; sending $1 to its process group"
    kill "-$1" -- "-$demo_pid"
    wait "$demo_pid" || rc=$?
    demo_pid=
    check "the demo exits 0 after $1" [ "$rc" = 0 ]
    local clean
    clean=$(grep -cE '^demo: stopped (store [a-z0-9-]+|head office|live shoppers) \(exit 0\)' "$2" || true)
    check "every store, head office and the shoppers stopped by themselves (exit 0)" [ "$clean" = 5 ]
    if [ "$clean" != 5 ]; then
        # Kept for the end of the output too: CI shows only the last lines.
        {
            echo "after $1, what the demo said of its processes, and the end of each one's log:"
            grep -E '^demo: (stopped|.* did not stop|.* had already ended)' "$2" || true
            local f; for f in "$DEMO_DIR"/logs/*.log; do echo "--- ${f##*/}"; tail -4 "$f"; done
        } | tee -a "$diagnosis" >&2
    fi
    check "no process the demo started is left" none_alive "${pids[@]}"
    check "its ports are free" ports_free
    if [ "$rig_was_running" = no ]; then check "the rig it started is stopped" bash -c "! '$rig' status >/dev/null"; fi
    if [ "$pg_was_running" = no ]; then check "the cluster it started is stopped" bash -c "! '$pg' status >/dev/null"; fi
}

# --- First run, stopped with SIGINT ------------------------------------------------------------------------------
log1=$artifacts/demo-first.log
started=$(date +%s)
if start_demo "$log1"; then
    passed=$((passed + 1)); say "ok: alive after $(($(date +%s) - started)) s"
    check "the dashboard page is served" curl -fsS -o /dev/null "http://127.0.0.1:$hq_port/dashboard"
    check "the demo printed the dashboard login and each store's kiosk token" \
        bash -c "grep -q 'sign in as .demo., password .$manager_password.' '$log1' && [ \$(grep -c 'kiosk  http://127.0.0.1:.*token: ' '$log1') = 3 ]"
    check "head office's report shows visits in all three stores, and live visits today" seeded_and_live
    check "each store's /metrics: pcscd, readers, a good recent sync, events pushed" store_metrics_ok
    check "the live shoppers tapped" shoppers_tapped
    check "no card number in any log" bash -c "! grep -rqE '4111111111111111|5555555555554444|4012888888881881' '$DEMO_DIR/logs' '$log1'"
    stop_and_check INT "$log1"
else
    failed=$((failed + 1))
fi

# --- Second run on the same folder and database, stopped with SIGTERM --------------------------------------------
log2=$artifacts/demo-second.log
if start_demo "$log2"; then
    passed=$((passed + 1)); say "ok: a second run is alive too"
    stop_and_check TERM "$log2"
else
    failed=$((failed + 1))
fi
finish

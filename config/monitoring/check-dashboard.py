#!/usr/bin/env python3
"""check-dashboard.py DASHBOARD.json [RULES_OUT.yml]: sanity checks of a Grafana dashboard before anyone imports it.

Grafana accepts almost any JSON and shows broken panels later, so this checks what an import needs and what
makes panels empty: the dashboard's own fields, each panel's id, type, title, grid position (inside the 24
columns, no two panels overlapping) and queries (a refId each, an expression, the dashboard's datasource input),
and that every parcours_* series named exists (store service or parcours-metrics-export). With RULES_OUT it also
writes every expression as a recording rule, so `promtool check rules RULES_OUT` parses the PromQL.
"""
import json
import re
import sys

KNOWN_METRICS = {
    # The store service's /metrics (Sources/StoreService/HTTP/StoreMetrics.swift).
    "parcours_taps_total", "parcours_tap_duration_seconds_bucket", "parcours_tap_duration_seconds_sum",
    "parcours_tap_duration_seconds_count", "parcours_http_request_duration_seconds_bucket",
    "parcours_http_request_duration_seconds_sum", "parcours_http_request_duration_seconds_count",
    "parcours_outbox_pending_events",
    # Also the service's (Sources/StoreService/HTTP/ServiceStateMetrics.swift): what /health says, as numbers.
    "parcours_pcsc_available", "parcours_readers_seen", "parcours_reader_present",
    "parcours_headoffice_configured", "parcours_headoffice_sync_ok", "parcours_headoffice_sync_consecutive_failures",
    "parcours_headoffice_seconds_since_last_sync", "parcours_headoffice_events_pushed_total",
    "parcours_headoffice_changes_applied_total",
    # Added by config/monitoring/parcours-metrics-export: whether the service answered at all.
    "parcours_store_up",
}
PANEL_TYPES = {"row", "stat", "timeseries", "table", "gauge", "bargauge", "state-timeline"}
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 64
    path = sys.argv[1]
    try:
        with open(path, encoding="utf-8") as handle:
            dashboard = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        print(f"{path}: not readable JSON: {error}", file=sys.stderr)
        return 1
    problems = []
    for key, kind in (("title", str), ("uid", str), ("schemaVersion", int), ("panels", list), ("templating", dict)):
        if not isinstance(dashboard.get(key), kind):
            problems.append(f"dashboard: {key} missing or not a {kind.__name__}")
    inputs = [i.get("name") for i in dashboard.get("__inputs", []) if i.get("type") == "datasource"]
    if inputs != ["DS_PROMETHEUS"]:
        problems.append(f"dashboard: __inputs must offer one Prometheus datasource DS_PROMETHEUS, got {inputs}")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", str(dashboard.get("uid", ""))):
        problems.append("dashboard: uid must be 1-40 of A-Z a-z 0-9 _ -")

    ids, cells, expressions = set(), {}, []
    for panel in dashboard.get("panels", []):
        name = f"panel {panel.get('id')} ({panel.get('title')!r})"
        if not isinstance(panel.get("id"), int) or panel["id"] in ids:
            problems.append(f"{name}: id missing or not unique")
        ids.add(panel.get("id"))
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{name}: unknown type {panel.get('type')!r}")
        if not panel.get("title"):
            problems.append(f"{name}: no title")
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in "hwxy") or grid["w"] < 1 or grid["h"] < 1 \
                or grid["x"] < 0 or grid["x"] + grid["w"] > 24:
            problems.append(f"{name}: gridPos must have integer h, w, x, y within 24 columns, got {grid}")
            continue
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                if (x, y) in cells:
                    problems.append(f"{name}: overlaps {cells[(x, y)]} at column {x}, row {y}")
                    break
                cells[(x, y)] = name
            else:
                continue
            break
        if panel.get("type") == "row":
            continue
        if panel.get("datasource") != DATASOURCE:
            problems.append(f"{name}: datasource must be {DATASOURCE}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{name}: no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or not all(refs):
            problems.append(f"{name}: refIds missing or repeated: {refs}")
        for target in targets:
            expr = target.get("expr", "")
            if not expr.strip():
                problems.append(f"{name} {target.get('refId')}: empty expression")
                continue
            expressions.append((name, expr))
            for metric in set(re.findall(r"\bparcours_[a-z_]+", expr)):
                if metric not in KNOWN_METRICS:
                    problems.append(f"{name}: {metric} is no metric Parcours exports")

    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if len(sys.argv) == 3:
        # Grafana's variables are not PromQL: give them the values Grafana would.
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            out.write("groups:\n  - name: dashboard-expressions\n    rules:\n")
            for index, (_, expr) in enumerate(expressions):
                promql = expr.replace("$__rate_interval", "5m").replace("$instance", ".*")
                out.write(f"      - record: dashboard:expression{index}\n        expr: {json.dumps(promql)}\n")
    if problems:
        return 1
    print(f"{path}: {len(dashboard['panels'])} panels, {len(expressions)} queries: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

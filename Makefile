# Parcours — two commands for a fresh Debian 12 machine with Swift 6.3:
#   make run    install missing system packages, build, start the virtual reader rig if no reader is present,
#               and run the store service (`parcours serve`: every tap identified and recorded in .parcours/)
#   make test   the same set-up, then the whole test suite (unit tests and the real pcscd + vpcd rig), then the
#               kiosk and till fronts in headless Chromium against a real `parcours serve`, and head office's
#               dashboard against a real `parcours hq serve` with a seeded chain (Tests/Browser/run.sh), then
#               `make demo` in a short mode, stopped with Ctrl-C and SIGTERM (Tests/Demo/run.sh)
#   make hq     head office: the project's own PostgreSQL cluster (config/postgres/pg-cluster) and `parcours hq serve`
#   make demo   a chain in a box: head office, three stores on the rig's readers, a seeded week and live shoppers,
#               until Ctrl-C, which stops everything it started (config/demo/chain-demo)
# Also: make bench (benchmarks, not tests), make fuzz (libFuzzer runs), make rig-start / rig-stop, make pg-stop,
#   make check-install (the install kit and monitoring files: config/install/check.sh, as root).

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
SYSTEM_PACKAGES := libpcsclite-dev libsqlite3-dev pcscd vsmartcard-vpcd pkg-config xxd postgresql
BIN := .build/debug
RIG := hardware/rig/pcscd-rig
PG := config/postgres/pg-cluster

.PHONY: run test bench fuzz deps build rig-start rig-stop hq demo pg-stop clean check-install

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

run: build
	@$(RIG) start
	$(BIN)/parcours serve

# The tests start what they need and stop only what they started: the reader rig and the PostgreSQL cluster.
# The doctor's tests run on their own, after the others: the doctor reads every reader, so it would see the rig
# tests' cards (and they its reads) if both ran at once in the one parallel test process.
test: deps
	$(SWIFT) build --build-tests
	@started=no; $(RIG) status >/dev/null 2>&1 || started=yes; \
	pg_started=no; $(PG) status >/dev/null 2>&1 || pg_started=yes; \
	$(RIG) start || exit 1; \
	$(PG) start || exit 1; \
	PARCOURS_TEST_DATABASE_URL=$$($(PG) url) $(SWIFT) test --skip-build --skip '^DoctorTests\.'; rc=$$?; \
	PARCOURS_TEST_DATABASE_URL=$$($(PG) url) $(SWIFT) test --skip-build --filter '^DoctorTests\.'; doctor=$$?; \
	PARCOURS_TEST_DATABASE_URL=$$($(PG) url) SKIP_BUILD=1 SWIFT=$(SWIFT) Tests/Browser/run.sh; browser=$$?; \
	Tests/Demo/run.sh; demo=$$?; \
	if [ $$started = yes ]; then $(RIG) stop; fi; \
	if [ $$pg_started = yes ]; then $(PG) stop; fi; \
	[ $$rc = 0 ] || exit $$rc; [ $$doctor = 0 ] || exit $$doctor; [ $$browser = 0 ] || exit $$browser; exit $$demo

hq: build
	@$(PG) start
	PARCOURS_HQ_DATABASE_URL=$$($(PG) url) $(BIN)/parcours hq serve

# Until Ctrl-C; it starts the cluster and the rig (6 readers) only if they are not running, and stops only those.
demo: build
	config/demo/chain-demo

pg-stop:
	$(PG) stop

bench: deps
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(SWIFT) build -c release --product parcours-bench
	@started=no; $(RIG) status >/dev/null 2>&1 || started=yes; \
	pg_started=no; $(PG) status >/dev/null 2>&1 || pg_started=yes; \
	$(RIG) start || exit 1; \
	$(PG) start || exit 1; \
	hardware/bench/build-reference-client; \
	PARCOURS_BENCH_DATABASE_URL=$$($(PG) url) .build/release/parcours-bench $(BENCH_ARGS); rc=$$?; \
	if [ $$started = yes ]; then $(RIG) stop; fi; \
	if [ $$pg_started = yes ]; then $(PG) stop; fi; \
	exit $$rc

fuzz: deps
	Tests/Fuzz/run.sh

rig-start: deps
	$(RIG) start

rig-stop:
	$(RIG) stop

# Not part of `make test`: it wants root (owners, running the service as user parcours), creates that system user,
# and takes 15 s on a quiet 2-core machine but up to 90 s when others build beside it (load 20).
check-install:
	config/install/check.sh

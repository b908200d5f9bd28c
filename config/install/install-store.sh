#!/usr/bin/env bash
# Installs Parcours on a store PC (Debian 12): the parcours binary, the store service, the kiosk screen, daily
# backups, metrics export, pcscd and the reader udev/modprobe rules. Idempotent: a rerun replaces what this script
# owns (units, rules, helper scripts, the binary) and keeps what the site edits (config in /etc/parcours, secrets).
# See README "Operations". --prefix DIR writes the same files under DIR without touching this machine (tests).
# shellcheck source=config/install/install-lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "$0")/install-lib.sh"

STORE_ID="" STORE_NAME="" KIOSK=yes NO_APT=no
usage() {
    cat <<USAGE
usage: install-store.sh --binary PATH [--store-id ID] [--store-name NAME] [--prefix DIR] [--without-kiosk] [--no-apt]
  --binary PATH     the parcours binary to install as /usr/local/bin/parcours (build it with
                    swift build -c release --product parcours --static-swift-stdlib)
  --store-id ID     the store's id (1-64 of A-Z a-z 0-9 - _); required the first time, when /etc/parcours/store.json
                    does not exist yet; later runs keep the existing file
  --store-name NAME display name written into a new store.json (default: the id)
  --prefix DIR      install under DIR instead of / (no users created, no apt, no systemctl); default /
  --without-kiosk   no kiosk screen on this PC (a back-office PC or a till-only PC)
  --no-apt          do not apt-get install the Debian packages (they must be there already)
Head-office link: set PARCOURS_HEADOFFICE_URL and PARCOURS_HEADOFFICE_CREDENTIAL in the environment of the first
run, or edit /etc/parcours/store.env (mode 0600) afterwards. Never pass the credential as an argument.
USAGE
}
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
        --binary) [ $# -ge 2 ] || die "--binary needs a path"; BINARY=$2; shift 2 ;;
        --store-id) [ $# -ge 2 ] || die "--store-id needs an id"; STORE_ID=$2; shift 2 ;;
        --store-name) [ $# -ge 2 ] || die "--store-name needs a name"; STORE_NAME=$2; shift 2 ;;
        --without-kiosk) KIOSK=no; shift ;;
        --no-apt) NO_APT=yes; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[ -d "$PREFIX" ] || die "--prefix $PREFIX is not a directory"
PREFIX=$(cd "$PREFIX" && pwd)
require_root_for_real_install
[ -z "$STORE_ID" ] || valid_id "$STORE_ID" || die "--store-id must be 1-64 of A-Z a-z 0-9 - _, got '$STORE_ID'"
if [ ! -e "$(target /etc/parcours/store.json)" ] && [ -z "$STORE_ID" ]; then
    die "--store-id is required: $(target /etc/parcours/store.json) does not exist yet"
fi
# Check the binary before changing anything, so a bad --binary leaves the machine as it was.
check_binary

packages=(pcscd libccid libpcsclite1 libsqlite3-0 curl jq prometheus-node-exporter)
# cage refuses to start without the Xwayland binary, although Chromium itself runs on Wayland.
[ $KIOSK = no ] || packages+=(cage xwayland chromium)
apt_install "${packages[@]}"

ensure_user "$SERVICE_USER" /var/lib/parcours
[ $KIOSK = no ] || ensure_user parcours-kiosk /var/lib/parcours-kiosk video,render,input
announce_ownership

install_binary
put "$INSTALL_DIR/libexec/store-backup" /usr/local/lib/parcours/store-backup 0755 root:root
put "$INSTALL_DIR/libexec/wait-for-health" /usr/local/lib/parcours/wait-for-health 0755 root:root
put "$REPO_DIR/config/monitoring/parcours-metrics-export" /usr/local/lib/parcours/metrics-export 0755 root:root

# Config: readable by the service's group, writable by root only. The service's data: its own, nobody else's.
directory /etc/parcours 0750 "root:$SERVICE_USER"
directory /var/lib/parcours 0750 "$SERVICE_USER:$SERVICE_USER"
directory /var/lib/parcours/backups 0750 "$SERVICE_USER:$SERVICE_USER"

scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
name=${STORE_NAME:-$STORE_ID}
cat > "$scratch/store.json" <<JSON
{
  "// written by install-store.sh; see config/store.example.json and README \"Store service\" for every key": "",
  "store": { "id": $(json_string "$STORE_ID"), "name": $(json_string "$name") },
  "http": { "host": "127.0.0.1", "port": 8080 }
}
JSON
# Only the keys a store must own; every other key keeps its built-in default (config/identification.example.json
# shows them all). No companion-app phones until head office enrols some: the example's sample phone is not here.
cat > "$scratch/identification.json" <<JSON
{
  "//": "written by install-store.sh; every key is documented in config/identification.example.json. Secrets go in /etc/parcours/store.env.",
  "storeID": $(json_string "$STORE_ID"),
  "devices": []
}
JSON
{
    echo "# Parcours store secrets, read by parcours-store.service (EnvironmentFile). Mode 0600, root only."
    echo "# Head office (both or neither; \`parcours hq store add\` prints the credential once):"
    if [ -n "${PARCOURS_HEADOFFICE_URL:-}" ]; then echo "PARCOURS_HEADOFFICE_URL=$PARCOURS_HEADOFFICE_URL"
    else echo "#PARCOURS_HEADOFFICE_URL=https://hq.example.org"; fi
    if [ -n "${PARCOURS_HEADOFFICE_CREDENTIAL:-}" ]; then echo "PARCOURS_HEADOFFICE_CREDENTIAL=$PARCOURS_HEADOFFICE_CREDENTIAL"
    else echo "#PARCOURS_HEADOFFICE_CREDENTIAL=parcours-store-1.<store id>.<key>"; fi
    echo "# Identification secrets shared by the whole chain (see config/identification.example.json). A group left"
    echo "# unset here is generated once into /var/lib/parcours/secrets.json: fine for one store, wrong for a chain."
    echo "#PARCOURS_PAYMENT_TOKEN_SECRET="
    echo "#PARCOURS_LOYALTY_KEYS="
    echo "#PARCOURS_LOYALTY_KEY_CURRENT="
    echo "#PARCOURS_SUN_META_KEY="
    echo "#PARCOURS_SUN_FILE_KEY="
} > "$scratch/store.env"
[[ "${PARCOURS_HEADOFFICE_URL:-}${PARCOURS_HEADOFFICE_CREDENTIAL:-}" != *$'\n'* ]] || die "head-office URL or credential contains a newline"
if [ -e "$(target /etc/parcours/store.json)" ] && [ -n "$STORE_ID" ] &&
   ! grep -q "\"id\": *$(json_string "$STORE_ID")" "$(target /etc/parcours/store.json)"; then
    note "warning: /etc/parcours/store.json exists with another store id; it is kept, --store-id $STORE_ID is ignored"
fi
keep "$scratch/store.json" /etc/parcours/store.json 0640 "root:$SERVICE_USER"
keep "$scratch/identification.json" /etc/parcours/identification.json 0640 "root:$SERVICE_USER"
keep "$REPO_DIR/config/loyalty.json" /etc/parcours/loyalty.json 0640 "root:$SERVICE_USER"
keep "$scratch/store.env" /etc/parcours/store.env 0600 root:root

for unit in parcours-store.service parcours-store-backup.service parcours-store-backup.timer \
            parcours-metrics-export.service parcours-metrics-export.timer; do
    put "$INSTALL_DIR/units/$unit" "/etc/systemd/system/$unit" 0644 root:root
done
if [ $KIOSK = yes ]; then
    put "$INSTALL_DIR/units/parcours-kiosk.service" /etc/systemd/system/parcours-kiosk.service 0644 root:root
    put "$INSTALL_DIR/pam/parcours-kiosk" /etc/pam.d/parcours-kiosk 0644 root:root
fi

# Readers: udev access for group parcours, the kernel NFC stack kept off the ACR122U, pcscd's socket for root
# and group parcours only (hardware/readers/README.md explains each).
put "$REPO_DIR/hardware/readers/60-parcours-readers.rules" /etc/udev/rules.d/60-parcours-readers.rules 0644 root:root
put "$REPO_DIR/hardware/readers/blacklist-parcours-nfc.conf" /etc/modprobe.d/blacklist-parcours-nfc.conf 0644 root:root
put "$REPO_DIR/hardware/readers/pcscd-socket-parcours.conf" /etc/systemd/system/pcscd.socket.d/parcours.conf 0644 root:root

if systemd_running; then
    systemctl daemon-reload
    { udevadm control --reload && udevadm trigger --subsystem-match=usb; } || note "udev reload failed; replug the readers"
    modprobe -r pn533_usb pn533 nfc 2>/dev/null || true
    systemctl enable pcscd.socket parcours-store.service parcours-store-backup.timer parcours-metrics-export.timer
    # The socket's new mode applies only to a fresh socket, and systemd refuses to start a socket whose service is
    # running: stop both, start the socket (pcscd comes back on the first connection; Parcours reconnects).
    systemctl stop pcscd.service pcscd.socket
    systemctl start pcscd.socket
    systemctl restart parcours-store.service
    systemctl start parcours-store-backup.timer parcours-metrics-export.timer
    if [ $KIOSK = yes ]; then
        systemctl set-default graphical.target
        systemctl enable parcours-kiosk.service
        systemctl restart parcours-kiosk.service
    fi
    note "installed and started; check: systemctl status parcours-store; curl -s http://127.0.0.1:8080/health"
elif real_root; then
    note "installed; systemd is not running here, so nothing was enabled or started"
else
    note "installed into $PREFIX"
fi

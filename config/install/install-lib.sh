# shellcheck shell=bash
# Shared by install-store.sh and install-headoffice.sh (sourced, not run). Every helper writes under $PREFIX,
# so the same code installs a real machine (--prefix /) and a temporary root that check.sh inspects.

set -euo pipefail

INSTALL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this file
REPO_DIR=$(cd "$INSTALL_DIR/../.." && pwd)
PREFIX=/
BINARY=""
SERVICE_USER=parcours

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*"; }

# Paths inside the target root: root "/" gives "/etc/…", a prefix "/tmp/x" gives "/tmp/x/etc/…".
target() { echo "${PREFIX%/}$1"; }
real_root() { [ "$PREFIX" = / ]; }

# Ownership by name is resolved on the machine running the script. In a temporary prefix the user may not exist
# (we create no users there): files then stay root's, or the installer's own when it is not root. Said once.
announce_ownership() {
    if [ "$(id -u)" != 0 ]; then
        note "not root: files keep your ownership (a real install makes config root:$SERVICE_USER)"
    elif ! getent group "$SERVICE_USER" >/dev/null; then
        note "group $SERVICE_USER does not exist on this machine: files stay root-owned (a real install creates it)"
    fi
}
owner_of() {  # owner_of USER:GROUP -> what chown may use, or nothing when we may not chown
    [ "$(id -u)" = 0 ] || return 0
    if getent passwd "${1%:*}" >/dev/null && getent group "${1#*:}" >/dev/null; then echo "$1"; else echo root:root; fi
}

# put SOURCE DEST MODE OWNER: install a file, replacing it (files we own: units, rules, scripts).
put() {
    local source=$1 dest; dest=$(target "$2")
    local owner; owner=$(owner_of "$4")
    [ -d "$(dirname "$dest")" ] || install -d -m 0755 "$(dirname "$dest")"
    if [ -n "$owner" ]; then install -m "$3" -o "${owner%:*}" -g "${owner#*:}" "$source" "$dest"
    else install -m "$3" "$source" "$dest"; fi
}

# keep SOURCE DEST MODE OWNER: install a file only if absent (files the site edits: config, secrets); an
# existing file keeps its content but gets the mode and owner back, so a rerun repairs permissions.
keep() {
    local dest; dest=$(target "$2")
    if [ -e "$dest" ]; then
        chmod "$3" "$dest"
        local owner; owner=$(owner_of "$4"); [ -z "$owner" ] || chown "$owner" "$dest"
        note "kept $2 (already there)"
    else
        put "$1" "$2" "$3" "$4"
    fi
}

# directory PATH MODE OWNER
directory() {
    local dest; dest=$(target "$1")
    install -d -m "$2" "$dest"
    local owner; owner=$(owner_of "$3"); [ -z "$owner" ] || chown "$owner" "$dest"
}

# The binary must run on the target: a missing shared library (a debug build linked to /opt/swift's runtime,
# copied to a PC without the toolchain) is refused here rather than by a crash loop at boot.
check_binary() {
    [ -n "$BINARY" ] || die "--binary PATH is required (build it with: swift build -c release --product parcours --static-swift-stdlib)"
    [ -f "$BINARY" ] || die "binary $BINARY does not exist"
    [ -x "$BINARY" ] || die "binary $BINARY is not executable"
    if command -v ldd >/dev/null && ldd "$BINARY" 2>/dev/null | grep -q 'not found'; then
        ldd "$BINARY" | grep 'not found' >&2
        die "binary $BINARY needs libraries this machine lacks (build with --static-swift-stdlib, install the apt packages)"
    fi
}
install_binary() { put "$BINARY" /usr/local/bin/parcours 0755 root:root; }

# ensure_user NAME HOME [GROUPS]: a system user with no login shell. Only on a real root: a temporary prefix
# has no user database of its own to write, so the user is named and skipped.
ensure_user() {
    local name=$1 home=$2 groups=${3:-}
    if ! real_root; then
        note "prefix $PREFIX: not creating system user $name (home $home${groups:+, groups $groups}); a real install does"
        return 0
    fi
    if ! getent passwd "$name" >/dev/null; then
        useradd --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "$name"
        note "created system user $name"
    fi
    if [ -n "$groups" ]; then
        local group
        for group in ${groups//,/ }; do
            getent group "$group" >/dev/null && usermod -a -G "$group" "$name"
        done
    fi
}

require_root_for_real_install() {
    if real_root && [ "$(id -u)" != 0 ]; then
        die "installing into / needs root: run with sudo (or use --prefix DIR to write a temporary root)"
    fi
}

apt_install() {
    if ! real_root; then note "prefix $PREFIX: skipping apt-get install $*"; return 0; fi
    if [ "${NO_APT:-no}" = yes ]; then note "--no-apt: not installing $*"; return 0; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Only a running systemd can be told about new units; a prefix or a container without systemd is left as it is.
systemd_running() { real_root && [ -d /run/systemd/system ]; }

valid_id() { [[ $1 =~ ^[A-Za-z0-9_-]{1,64}$ ]]; }

# json_string TEXT: TEXT as a JSON string literal (backslash and double quote escaped; control characters refused).
json_string() {
    [[ $1 != *[[:cntrl:]]* ]] || die "control characters are not allowed in: $1"
    local text=${1//\\/\\\\}
    printf '"%s"' "${text//\"/\\\"}"
}

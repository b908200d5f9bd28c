#!/usr/bin/env bash
# Installs a Parcours head-office node on Debian 12: the parcours binary, parcours-hq.service on 127.0.0.1:8090,
# and a TLS-terminating reverse proxy in front of it (nginx by default, or Caddy). PostgreSQL is installed on the
# same machine unless --no-postgresql (a database elsewhere); creating the role and database is a manual step
# (README "Operations"). Idempotent; --prefix DIR writes the same files under DIR without touching this machine.
# shellcheck source=config/install/install-lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "$0")/install-lib.sh"

PROXY=nginx SERVER_NAME="" POSTGRESQL=yes NO_APT=no
usage() {
    cat <<USAGE
usage: install-headoffice.sh --binary PATH --server-name NAME [--proxy nginx|caddy|none] [--prefix DIR]
                             [--no-postgresql] [--no-apt]
  --binary PATH       the parcours binary to install as /usr/local/bin/parcours
  --server-name NAME  the DNS name stores use for head office (the TLS certificate's name); not with --proxy none
  --proxy nginx       TLS with your certificate files /etc/parcours/tls/hq.{crt,key} (default)
  --proxy caddy       TLS with a certificate Caddy obtains by ACME (needs a public DNS name and port 80/443 reachable)
  --proxy none        no proxy (a load balancer in front terminates TLS)
  --prefix DIR        install under DIR instead of / (no users created, no apt, no systemctl); default /
  --no-postgresql     PostgreSQL runs elsewhere: do not install it here
  --no-apt            do not apt-get install anything
The database URL goes into /etc/parcours/hq.env (mode 0600): set PARCOURS_HQ_DATABASE_URL in the environment of
the first run, or edit the file afterwards. Never pass it as an argument (it holds the password).
USAGE
}
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
        --binary) [ $# -ge 2 ] || die "--binary needs a path"; BINARY=$2; shift 2 ;;
        --server-name) [ $# -ge 2 ] || die "--server-name needs a DNS name"; SERVER_NAME=$2; shift 2 ;;
        --proxy) [ $# -ge 2 ] || die "--proxy needs nginx, caddy or none"; PROXY=$2; shift 2 ;;
        --no-postgresql) POSTGRESQL=no; shift ;;
        --no-apt) NO_APT=yes; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[ -d "$PREFIX" ] || die "--prefix $PREFIX is not a directory"
PREFIX=$(cd "$PREFIX" && pwd)
require_root_for_real_install
case $PROXY in nginx|caddy|none) ;; *) die "--proxy must be nginx, caddy or none, got '$PROXY'" ;; esac
if [ "$PROXY" != none ]; then
    [ -n "$SERVER_NAME" ] || die "--server-name is required with --proxy $PROXY (the name in the TLS certificate)"
    [[ $SERVER_NAME =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]] || die "--server-name must be a DNS name, got '$SERVER_NAME'"
fi
check_binary
[[ ${PARCOURS_HQ_DATABASE_URL:-} != *$'\n'* ]] || die "PARCOURS_HQ_DATABASE_URL contains a newline"

packages=()
[ $POSTGRESQL = no ] || packages+=(postgresql)
case $PROXY in nginx) packages+=(nginx-light) ;; caddy) packages+=(caddy) ;; esac
[ ${#packages[@]} -eq 0 ] || apt_install "${packages[@]}"

ensure_user "$SERVICE_USER" /var/lib/parcours
announce_ownership
install_binary
directory /etc/parcours 0750 "root:$SERVICE_USER"
directory /var/lib/parcours 0750 "$SERVICE_USER:$SERVICE_USER"

scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
{
    echo "# Parcours head-office secrets, read by parcours-hq.service (EnvironmentFile). Mode 0600, root only."
    if [ -n "${PARCOURS_HQ_DATABASE_URL:-}" ]; then echo "PARCOURS_HQ_DATABASE_URL=$PARCOURS_HQ_DATABASE_URL"
    else echo "#PARCOURS_HQ_DATABASE_URL=postgres://parcours:<password>@127.0.0.1:5432/parcours"; fi
    echo "#PARCOURS_HQ_SEGMENT_REFRESH_SECONDS=3600"
} > "$scratch/hq.env"
keep "$scratch/hq.env" /etc/parcours/hq.env 0600 root:root
put "$INSTALL_DIR/units/parcours-hq.service" /etc/systemd/system/parcours-hq.service 0644 root:root

case $PROXY in
    nginx)
        sed "s/@SERVER_NAME@/$SERVER_NAME/g" "$INSTALL_DIR/proxy/nginx-parcours-hq.conf" > "$scratch/parcours-hq.conf"
        put "$scratch/parcours-hq.conf" /etc/nginx/sites-available/parcours-hq.conf 0644 root:root
        install -d -m 0755 "$(target /etc/nginx/sites-enabled)"
        ln -sfn ../sites-available/parcours-hq.conf "$(target /etc/nginx/sites-enabled/parcours-hq.conf)"
        # nginx reads the key as root before dropping to www-data: root-only is enough.
        directory /etc/parcours/tls 0700 root:root
        [ -e "$(target /etc/parcours/tls/hq.crt)" ] ||
            note "next: put the certificate chain at /etc/parcours/tls/hq.crt and its key at /etc/parcours/tls/hq.key, then systemctl reload nginx"
        ;;
    caddy)
        sed "s/@SERVER_NAME@/$SERVER_NAME/g" "$INSTALL_DIR/proxy/parcours-hq.caddy" > "$scratch/parcours-hq.caddy"
        put "$scratch/parcours-hq.caddy" /etc/caddy/Caddyfile.d/parcours-hq.caddy 0644 root:root
        caddyfile=$(target /etc/caddy/Caddyfile)
        # Debian's Caddyfile serves a welcome page on :80, which would take the port ACME needs: replace it the
        # first time (kept as Caddyfile.dpkg-parcours), and afterwards only make sure our import is there.
        if [ -e "$caddyfile" ] && ! grep -q 'import Caddyfile.d/\*.caddy' "$caddyfile"; then
            mv "$caddyfile" "$caddyfile.dpkg-parcours"
            note "moved Debian's /etc/caddy/Caddyfile to Caddyfile.dpkg-parcours"
        fi
        if [ ! -e "$caddyfile" ]; then
            printf '# Written by install-headoffice.sh: each site is a file in Caddyfile.d/.\nimport Caddyfile.d/*.caddy\n' > "$scratch/Caddyfile"
            put "$scratch/Caddyfile" /etc/caddy/Caddyfile 0644 root:root
        fi
        ;;
esac

if systemd_running; then
    systemctl daemon-reload
    systemctl enable parcours-hq.service
    if grep -q '^PARCOURS_HQ_DATABASE_URL=' /etc/parcours/hq.env; then systemctl restart parcours-hq.service
    else note "set PARCOURS_HQ_DATABASE_URL in /etc/parcours/hq.env, then: systemctl restart parcours-hq"; fi
    case $PROXY in
        nginx) if [ -e /etc/parcours/tls/hq.crt ]; then nginx -t && systemctl reload nginx; fi ;;
        caddy) systemctl reload caddy ;;
    esac
    note "installed; check: systemctl status parcours-hq; curl -s http://127.0.0.1:8090/health"
elif real_root; then
    note "installed; systemd is not running here, so nothing was enabled or started"
else
    note "installed into $PREFIX"
fi

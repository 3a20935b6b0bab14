#!/usr/bin/env bash
# Updates an installed box to a new relais, and puts the old one back by itself
# when the new one does not come up healthy. Works offline from a USB stick.
#
#   sudo scripts/update.sh SOURCE [options]
#
#   SOURCE             a release tarball (scripts/make-release.sh) or a directory:
#                      an unpacked release, or a checkout with dist/ built
#   --roles LIST       the units to restart and watch (default: the relais-*
#                      units enabled on this box)
#   --health-cmd CMD   the health check, run with sh -c after the new version is
#                      installed (default: each unit active, having told systemd it
#                      is ready, and still active --settle seconds later)
#   --timeout S        how long the default check waits for a unit (default 60)
#   --settle S         how long a unit must stay up (default 10)
#   --offline          pass --offline to install.sh (a release that carries its runtime)
#   -h, --help         this text
#
# What is kept: /etc/relais (configs) and /var/lib/relais (floor state) are
# copied aside before the update and put back as they were on a rollback, with
# /opt/relais, /usr/bin/relais, the units and the udev rules. The copy stays in
# /var/backups/relais-update until the next update.
set -euo pipefail

BACKUP=/var/backups/relais-update
SAVED="/opt/relais /usr/bin/relais /etc/relais /var/lib/relais /etc/udev/rules.d/99-relais.rules"
roles=""
health_cmd=""
timeout=60
settle=10
offline=0
source=""

die() {
	echo "update.sh: $*" >&2
	exit 2
}
say() { printf '%-8s %s\n' "$1" "$2"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--roles) roles=${2:?--roles needs a list}; shift 2 ;;
	--health-cmd) health_cmd=${2:?--health-cmd needs a command}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--settle) settle=${2:?--settle needs seconds}; shift 2 ;;
	--offline) offline=1; shift ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (try --help)" ;;
	*) [ -z "$source" ] || die "one SOURCE only"; source=$1; shift ;;
	esac
done
[ -n "$source" ] || die "name the new release: update.sh relais-<version>-linux-<arch>.tar.gz (or a directory)"
[ "$(id -u)" = 0 ] || die "run as root (sudo)"
[ -f /opt/relais/package.json ] || die "relais is not installed here (/opt/relais): run scripts/install.sh first"

systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }
version_of() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1/package.json" | head -1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the new tree -------------------------------------------------------------------
if [ -d "$source" ]; then
	new=$(cd "$source" && pwd)
elif [ -f "$source" ]; then
	tar -xzf "$source" -C "$work" || die "cannot unpack $source: not a release tarball"
	new=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
else
	die "$source does not exist"
fi
{ [ -f "$new/scripts/install.sh" ] && [ -f "$new/dist/src/cli.js" ]; } || die "$source is not a relais release (no scripts/install.sh or dist/src/cli.js)"
old_version=$(version_of /opt/relais)
new_version=$(version_of "$new")
say note "update relais $old_version -> $new_version"

if [ -z "$roles" ]; then
	for unit in /etc/systemd/system/multi-user.target.wants/relais-*.service; do
		[ -e "$unit" ] || [ -L "$unit" ] || continue
		unit=${unit##*/relais-}
		roles="$roles ${unit%.service}"
	done
fi
roles=${roles//,/ }
roles=$(echo "$roles" | xargs)
[ -n "$roles" ] || roles=appliance

stop_units() {
	systemd_running || return 0
	local role
	for role in $roles; do systemctl stop "relais-$role.service" 2>/dev/null || true; done
}
start_units() {
	systemd_running || return 0
	local role
	for role in $roles; do systemctl restart "relais-$role.service" || true; done
}

# --- keep the old one -----------------------------------------------------------------
stop_units
rm -rf "$BACKUP"
mkdir -p "$BACKUP/root"
for path in $SAVED /etc/systemd/system/relais-*.service /etc/systemd/system/relais-appliance.service.d; do
	[ -e "$path" ] || continue
	mkdir -p "$BACKUP/root$(dirname "$path")"
	cp -a "$path" "$BACKUP/root$path"
done
echo "$old_version" >"$BACKUP/version"
say ok "relais $old_version, its configs and state kept in $BACKUP"

rollback() {
	say warn "relais $new_version is not healthy: $1; putting $old_version back"
	stop_units
	local path
	for path in $SAVED /etc/systemd/system/relais-appliance.service.d; do rm -rf "$path"; done
	rm -f /etc/systemd/system/relais-*.service
	cp -a "$BACKUP/root/." /
	systemd_running && systemctl daemon-reload
	start_units
	if health; then
		say ok "relais $old_version is back and healthy"
	else
		say warn "relais $old_version is back, but not healthy either: see journalctl -u relais-*"
	fi
	exit 1
}

# --- health ------------------------------------------------------------------------
unit_healthy() {
	local unit=$1 waited=0
	# Type=notify: "active" only once the service said READY=1.
	until systemctl is-active --quiet "$unit"; do
		[ "$waited" -ge "$timeout" ] && return 1
		systemctl is-failed --quiet "$unit" && [ "$waited" -gt 5 ] && return 1
		sleep 1
		waited=$((waited + 1))
	done
	local restarts
	restarts=$(systemctl show -p NRestarts --value "$unit")
	sleep "$settle"
	systemctl is-active --quiet "$unit" && [ "$(systemctl show -p NRestarts --value "$unit")" = "$restarts" ]
}

health() {
	if [ -n "$health_cmd" ]; then
		sh -c "$health_cmd"
		return
	fi
	systemd_running || {
		echo "update.sh: systemd is not running here: pass --health-cmd" >&2
		return 1
	}
	local role
	for role in $roles; do unit_healthy "relais-$role.service" || return 1; done
}

# --- install the new one ---------------------------------------------------------------
args=(--app "$new" --roles "${roles// /,}")
[ "$offline" = 1 ] && args+=(--offline)
if ! bash "$new/scripts/install.sh" "${args[@]}"; then
	rollback "its install.sh failed"
fi
start_units
if ! health; then
	rollback "the health check failed"
fi
say ok "relais $new_version is installed and healthy (the previous one stays in $BACKUP until the next update)"

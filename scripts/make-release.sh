#!/usr/bin/env bash
# Makes a release tarball that installs with no network at the venue: the built
# dist/, the production node_modules, and the pinned Node runtime and npm for
# the target board, next to the installer and the update script.
#
#   scripts/make-release.sh [--arch x64|arm64] [--out DIR] [--gpio]
#
#   --arch ARCH   the board's CPU (default: this machine's). serialport and
#                 freetype2 carry prebuilt addons for both.
#   --out DIR     where the tarball goes (default: ./release)
#   --gpio        also build onoff's epoll addon (needs a compiler, and --arch
#                 must be this machine's: run it on a Raspberry Pi for a Pi release)
#
# Then, on the box: tar -xzf relais-<version>-linux-<arch>.tar.gz
#   sudo relais-<version>-linux-<arch>/scripts/install.sh --offline --roles appliance
# or, to update an installed box with rollback:
#   sudo relais-<version>-linux-<arch>/scripts/update.sh relais-<version>-linux-<arch>.tar.gz
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=$(cd "$here/.." && pwd)
out=$app/release
arch=""
gpio=0

die() {
	echo "make-release.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=${2:?--arch needs x64 or arm64}; shift 2 ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--gpio) gpio=1; shift ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done

host_arch=$(case "$(uname -m)" in x86_64) echo x64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)
arch=${arch:-$host_arch}
case "$arch" in x64 | arm64) ;; *) die "unknown --arch '$arch' (choose from: x64 arm64)" ;; esac
[ "$gpio" = 1 ] && [ "$arch" != "$host_arch" ] && die "--gpio builds epoll for this machine ($host_arch), not $arch: run it on the target board"
[ -f "$app/dist/src/cli.js" ] || die "no build in $app: run 'npm ci && npm run build' first"
command -v npm >/dev/null || die "npm is needed to make a release"

version=$(node -p "require('$app/package.json').version")
name=relais-$version-linux-$arch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/$name
mkdir -p "$stage"

# The tree install.sh and update.sh read: the same paths as a checkout.
(cd "$app" && find dist -type f ! -name '*.map' -print0 | tar --null -T - -cf -) | tar -xf - -C "$stage"
cp "$app/package.json" "$app/package-lock.json" "$stage/"
mkdir -p "$stage/scripts" "$stage/docs"
cp "$app/scripts/install.sh" "$app/scripts/update.sh" "$app/scripts/prepare.mjs" "$app/scripts/pi-boot.mjs" "$stage/scripts/"
cp -r "$app/systemd" "$app/hardware" "$stage/"
cp "$app/docs/deployment.md" "$stage/docs/"
cp "$app/README.md" "$stage/"

# Production modules for the target CPU; no install scripts (see install.sh).
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --os=linux --cpu="$arch" >/dev/null)
if [ "$gpio" = 1 ]; then
	(cd "$stage" && npm rebuild epoll --foreground-scripts >/dev/null)
fi
bash "$app/scripts/install.sh" --stage-runtime "$stage/runtime" --arch "$arch" >/dev/null
node_version=$(sed -n 's/^NODE_VERSION=//p' "$app/scripts/install.sh")
printf 'relais %s linux-%s node %s gpio %s\n' "$version" "$arch" "$node_version" "$([ "$gpio" = 1 ] && echo yes || echo no)" >"$stage/RELEASE"

mkdir -p "$out"
tar -czf "$out/$name.tar.gz" -C "$work" "$name"
echo "$out/$name.tar.gz"

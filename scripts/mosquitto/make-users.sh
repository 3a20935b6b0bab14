#!/bin/sh
# Makes the Mosquitto password file and ACL for a relais event, and on request
# the same users with the same rights for a NATS cluster.
#
#   make-users.sh [--users FILE] [--passwd FILE] [--acl FILE] [--credentials FILE] [--nats FILE]
#
# --users        "<role> <name> [password]" lines (default: users.example next to this script)
# --passwd       password file to write (default /etc/mosquitto/relais/passwd)
# --acl          ACL file to write (default /etc/mosquitto/relais/acl); "-" for stdout
# --credentials  where drawn passwords are written, mode 0600 (default ./relais-credentials.txt)
# --acl-only     only write the ACL (no mosquitto_passwd needed)
# --nats         also write a NATS authorization file (users, passwords and permissions on the
#                subjects MQTT topics map to), mode 0640; "include" it from the node config
# --nats-only    write only the --nats file (no Mosquitto files, no mosquitto_passwd needed)
#
# The password files are made anew each run: hand out the credentials file again.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
users="$here/users.example"
passwd=/etc/mosquitto/relais/passwd
acl=/etc/mosquitto/relais/acl
credentials=./relais-credentials.txt
acl_only=0
nats=
nats_only=0

die() {
	echo "make-users.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--users) users=${2:?--users needs a file}; shift 2 ;;
	--passwd) passwd=${2:?--passwd needs a file}; shift 2 ;;
	--acl) acl=${2:?--acl needs a file}; shift 2 ;;
	--credentials) credentials=${2:?--credentials needs a file}; shift 2 ;;
	--acl-only) acl_only=1; shift ;;
	--nats) nats=${2:?--nats needs a file}; shift 2 ;;
	--nats-only) nats_only=1; shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done

[ -r "$users" ] || die "cannot read users file '$users'"
[ "$nats_only" = 1 ] && [ -z "$nats" ] && die "--nats-only needs --nats FILE"
[ "$acl_only" = 1 ] && [ -n "$nats" ] && die "--nats needs passwords: drop --acl-only"
if [ "$acl_only" = 0 ] && [ "$nats_only" = 0 ] && ! command -v mosquitto_passwd >/dev/null 2>&1; then
	die "mosquitto_passwd not found: apt-get install mosquitto"
fi

slug_ok() {
	printf '%s' "$1" | grep -Eq '^[a-z0-9]+(-[a-z0-9]+)*$'
}

# Check every line before writing anything, so a typo loses nothing.
lineno=0
while read -r role name password _rest; do
	lineno=$((lineno + 1))
	case "$role" in '' | '#'*) continue ;; esac
	[ -n "${name:-}" ] || die "$users:$lineno: '$role' has no name"
	case "$role" in
	conductor | operator | viewer) ;;
	site) slug_ok "$name" || die "$users:$lineno: site '$name' is not a lowercase slug like saint-camille" ;;
	*) die "$users:$lineno: unknown role '$role' (conductor, operator, viewer or site)" ;;
	esac
	case "$name" in *[!A-Za-z0-9_.-]*) die "$users:$lineno: name '$name' may only use letters, digits, '-', '_' and '.'" ;; esac
	case "${password:-}" in *[\"\\]*) die "$users:$lineno: the password of '$name' may not contain a quote or a backslash" ;; esac
done <"$users"

# Who publishes what: the writers of each topic in the contract's map (src/protocol/topics.ts);
# test/deploy/acl-contract.test.ts checks these lists against it. '+' stands for any site.
CONDUCTOR_WRITES="floor events rundown conductor/availability conductor/state conductor/answers conductor/heartbeat relay/streams"
OPERATOR_WRITES="control site/+/ptz/command site/+/message site/+/message/ack site/+/message/operator/ack"
# A viewer (a speaker screen) may only say it read its message.
VIEWER_WRITES="site/+/message/ack"
SITE_WRITES="availability state intent ptz/result message/operator doctor link-test"

# NATS subjects for topic suffixes: a/b is relais.v1.*.a.b, '+' is '*'. $1 is a prefix for each.
nats_subjects() {
	prefix=$1
	shift
	for t in "$@"; do printf '"relais.v1.*.%s%s"\n' "$prefix" "$t"; done | tr '/+' '.*' | paste -sd, - | sed 's/,/, /g'
}

write_acl() {
	echo "# relais broker ACL, made by scripts/mosquitto/make-users.sh from $(basename "$users")."
	echo "# Topics live under relais/v1/<event>/; '+' stands for any event."
	echo "# Mosquitto drops an unauthorised publish silently (MQTT 3.1.1) or answers"
	echo "# reason code 135 \"not authorized\" (MQTT 5)."
	while read -r role name _rest; do
		case "$role" in '' | '#'*) continue ;; esac
		echo
		case "$role" in
		conductor)
			echo "# conductor: the floor arbiter"
			echo "user $name"
			echo "topic read relais/v1/#"
			for t in $CONDUCTOR_WRITES; do echo "topic write relais/v1/+/$t"; done
			;;
		operator)
			echo "# operator: the régie"
			echo "user $name"
			echo "topic read relais/v1/#"
			for t in $OPERATOR_WRITES; do echo "topic write relais/v1/+/$t"; done
			;;
		viewer)
			echo "# viewer: reads everything, writes only a speaker screen's message read"
			echo "user $name"
			echo "topic read relais/v1/#"
			for t in $VIEWER_WRITES; do echo "topic write relais/v1/+/$t"; done
			;;
		site)
			echo "# site $name: its own topics, and what a box needs to follow the floor"
			echo "user site-$name"
			# Not readwrite site/<site>/#: a box may not command its own cameras (ptz/command is the operator's).
			echo "topic read relais/v1/+/site/$name/#"
			for t in $SITE_WRITES; do echo "topic write relais/v1/+/site/$name/$t"; done
			echo "topic read relais/v1/+/floor"
			echo "topic read relais/v1/+/events"
			echo "topic read relais/v1/+/conductor/#"
			echo "topic read relais/v1/+/site/+/state"
			echo "topic read relais/v1/+/site/+/availability"
			;;
		esac
	done <"$users"
}

# NATS serves MQTT topics as subjects: relais/v1/demo/floor is relais.v1.demo.floor, '+' is '*',
# '#' is '>'. A QoS 1 subscription is a JetStream consumer that delivers on $MQTT.sub.<id>, so
# every user may subscribe there too.
nats_user() { # role name password
	case "$1" in
	conductor)
		# shellcheck disable=SC2086 # the lists split into words on purpose
		pub=$(nats_subjects "" $CONDUCTOR_WRITES)
		sub='"relais.v1.>"' ;;
	operator)
		# shellcheck disable=SC2086
		pub=$(nats_subjects "" $OPERATOR_WRITES)
		sub='"relais.v1.>"' ;;
	viewer)
		# shellcheck disable=SC2086
		pub=$(nats_subjects "" $VIEWER_WRITES)
		sub='"relais.v1.>"' ;;
	site)
		# shellcheck disable=SC2086
		pub=$(nats_subjects "site/$2/" $SITE_WRITES)
		sub="\"relais.v1.*.site.$2.>\", \"relais.v1.*.floor\", \"relais.v1.*.events\", \"relais.v1.*.conductor.>\", \"relais.v1.*.site.*.state\", \"relais.v1.*.site.*.availability\"" ;;
	esac
	user=$2
	[ "$1" = site ] && user="site-$2"
	if [ -n "$pub" ]; then pub="allow: [$pub]"; else pub='deny: [">"]'; fi
	echo "    { user: \"$user\", password: \"$3\", permissions: { publish: { $pub }, subscribe: { allow: [$sub, \"\$MQTT.sub.>\"] } } }"
}

if [ "$nats_only" = 0 ]; then
	if [ "$acl" = "-" ]; then
		write_acl
	else
		mkdir -p "$(dirname "$acl")"
		write_acl >"$acl.tmp"
		mv "$acl.tmp" "$acl"
		echo "wrote ACL $acl"
	fi
fi

[ "$acl_only" = 1 ] && exit 0

# One password per user, given or drawn, for every file this run writes.
old_umask=$(umask)
umask 077
pairs=$(mktemp)
: >"$credentials.tmp"
umask "$old_umask"
trap 'rm -f "$pairs"' EXIT
drawn=0
while read -r role name password _rest; do
	case "$role" in '' | '#'*) continue ;; esac
	if [ -z "${password:-}" ]; then
		password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
		user=$name
		[ "$role" = site ] && user="site-$name"
		echo "$user $password" >>"$credentials.tmp"
		drawn=$((drawn + 1))
	fi
	echo "$role $name $password" >>"$pairs"
done <"$users"

if [ "$nats_only" = 0 ]; then
	mkdir -p "$(dirname "$passwd")"
	tmp_passwd="$passwd.tmp"
	: >"$tmp_passwd"
	chmod 0640 "$tmp_passwd"
	while read -r role name password; do
		user=$name
		[ "$role" = site ] && user="site-$name"
		mosquitto_passwd -b "$tmp_passwd" "$user" "$password"
	done <"$pairs"
	mv "$tmp_passwd" "$passwd"
	echo "wrote password file $passwd"
fi

if [ -n "$nats" ]; then
	mkdir -p "$(dirname "$nats")"
	: >"$nats.tmp"
	chmod 0640 "$nats.tmp"
	{
		echo "# relais users for a NATS cluster, made by scripts/mosquitto/make-users.sh from $(basename "$users")."
		echo "authorization {"
		echo "  users = ["
		while read -r role name password; do nats_user "$role" "$name" "$password"; done <"$pairs"
		echo "  ]"
		echo "}"
	} >>"$nats.tmp"
	mv "$nats.tmp" "$nats"
	echo "wrote NATS authorization $nats"
fi

if [ "$drawn" -gt 0 ]; then
	mv "$credentials.tmp" "$credentials"
	echo "wrote $drawn drawn password(s) to $credentials (mode 0600): hand them to the sites, then delete it"
else
	rm -f "$credentials.tmp"
fi

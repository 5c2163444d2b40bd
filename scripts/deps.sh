#!/bin/sh
# deps.sh: install the Debian packages racebench needs, idempotently.
#
#   scripts/deps.sh            build, run and test (what `make demo` and
#                              `make test` need)
#   scripts/deps.sh --bench    also the tools the benchmarks compare with
#
# Runs `apt-get update` at most once, installs only what is missing and says
# what it installs. Needs root (or sudo) only when something is missing.
set -eu

core="build-essential pkg-config
postgresql-15 libpq-dev
mariadb-server mariadb-client libmariadb-dev libmariadb-dev-compat
redis-server libhiredis-dev
libjansson-dev libcmocka-dev jq procps nftables
clang libclang-rt-14-dev valgrind libxml2-utils
chromium"
bench="postgresql-contrib sysbench hyperfine"

want=$core
for arg in "$@"; do
	case $arg in
	--bench) want="$core $bench" ;;
	-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown option '$arg' (valid: --bench, --help)" >&2; exit 2 ;;
	esac
done

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps.sh: all packages present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps.sh: missing packages:$missing; run as root to install them" >&2
		exit 1
	}
	sudo=sudo
fi

echo "deps.sh: installing:$missing"
# Keep the distribution's services from starting on install: racebench
# runs its own throwaway servers on its own ports.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
	policy=1
fi
cleanup() { [ -z "$policy" ] || $sudo rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
echo "deps.sh: done"

#!/usr/bin/env bash
# run.sh: racebench's test runner (what `make test` calls).
#
#   tests/run.sh            unit tests, then end-to-end tests
#   tests/run.sh --unit     only the cmocka unit tests ($UNIT_BINS)
#   tests/run.sh --e2e [FILE...]   only the end-to-end tests (tests/e2e/*.sh)
#
# End-to-end tests run against throwaway servers this script starts (in a
# temporary directory, through scripts/servers.sh) and stops on exit. Every
# test prints TAP lines ("ok - ...", "not ok - ..."); the last line is the
# summary "N passed, N failed" and the exit status is 1 when any failed.
set -u
cd "$(dirname "$0")/.."
root=$PWD
export RACEBENCH=${RACEBENCH:-$root/racebench}

unit=1 e2e=1
files=()
case ${1:-} in
--unit) e2e=0; shift ;;
--e2e) unit=0; shift; files=("$@") ;;
esac

passed=0 failed=0
failures=()

count() {	# name: reads TAP on stdin, echoes it, counts it
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"not ok"*) failed=$((failed + 1)); failures+=("$1: ${line#not ok }") ;;
		"ok"*) passed=$((passed + 1)) ;;
		esac
	done
}

if [ "$unit" = 1 ]; then
	for bin in ${UNIT_BINS:-}; do
		echo "# unit: $(basename "$bin")"
		out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
		rc=$?
		count "$(basename "$bin")" < <(printf '%s\n' "$out")
		if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
			echo "not ok - $(basename "$bin") exited with $rc"
			failed=$((failed + 1)); failures+=("$(basename "$bin"): exit $rc")
		fi
	done
fi

if [ "$e2e" = 1 ]; then
	[ -x "$RACEBENCH" ] || { echo "run.sh: $RACEBENCH not built (make)" >&2; exit 2; }
	command -v jq >/dev/null || { echo "run.sh: jq missing (scripts/deps.sh)" >&2; exit 2; }
	export RACEBENCH_SERVERS_DIR
	RACEBENCH_SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/racebench-test.XXXXXX")
	chmod 755 "$RACEBENCH_SERVERS_DIR"
	trap 'scripts/servers.sh stop >/dev/null 2>&1' EXIT
	echo "# starting throwaway servers in $RACEBENCH_SERVERS_DIR"
	if ! eval "$(scripts/servers.sh start pg mysql redis 2>/dev/null)"; then
		echo "not ok - throwaway servers start"
		failed=$((failed + 1)); failures+=("servers: did not start")
	else
		export RACEBENCH_PG RACEBENCH_MYSQL RACEBENCH_REDIS
		[ ${#files[@]} -gt 0 ] || files=(tests/e2e/[0-9]*.sh)
		for f in "${files[@]}"; do
			# A test that never runs racebench (a script's, the source's)
			# says so in its head; a sanitizer build has nothing to add.
			why=$(sed -n '1,20s/^# sanitizers: skip, //p' "$f")
			case $RACEBENCH in
			*/build/address* | */build/thread* | */build/undefined*)
				if [ -n "$why" ]; then
					echo "# e2e: $(basename "$f") skipped under a sanitizer build: $why"
					continue
				fi ;;
			esac
			echo "# e2e: $(basename "$f")"
			t0=$SECONDS
			count "$(basename "$f")" < <(bash "$f" 2>&1)
			echo "# e2e: $(basename "$f") took $((SECONDS - t0)) s"
		done
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

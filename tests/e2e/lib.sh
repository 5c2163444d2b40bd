# lib.sh: helpers for end-to-end tests (sourced). Each check prints a TAP line.
# RACEBENCH is the binary; RACEBENCH_PG (and later MYSQL/REDIS) point at the
# throwaway servers tests/run.sh started.
set -u
RB=${RACEBENCH:?}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rb-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check DESC CMD...: ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# jq_true DESC FILE FILTER: ok when the jq filter yields true on FILE.
jq_true() {
	local desc=$1 file=$2 filter=$3 got
	got=$(jq -r "$filter" "$file" 2>&1)
	if [ "$got" = true ]; then
		ok "$desc"
	else
		not_ok "$desc (jq '$filter' gave: $(echo "$got" | head -c 300))"
	fi
}

# run_rb OUTFILE ARGS...: runs racebench, keeps stdout in OUTFILE,
# stderr in OUTFILE.err, and the exit status in $rb_rc.
run_rb() {
	local out=$1
	shift
	"$RB" "$@" >"$out" 2>"$out.err"
	rb_rc=$?
}

# cell FILE DB SCENARIO STRATEGY ISO: the cell's JSON object, for jq filters.
cellf() { echo ".cells[] | select(.db==\"$1\" and .scenario==\"$2\" and .strategy==\"$3\" and .isolation==\"$4\")"; }

psql_rb() { PGOPTIONS="-c client_min_messages=warning" psql "$RACEBENCH_PG" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

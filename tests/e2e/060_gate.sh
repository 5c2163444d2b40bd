# 060_gate.sh: the regression gate end to end: run --expect, check, baselines, exit codes.
# Asserts only what PostgreSQL guarantees at READ COMMITTED: for-update-parent
# is safe; none lets duplicate rows in (most trials; at least one of ten).
. "$(dirname "$0")/lib.sh"

r=$TMP/r.json
run_rb "$TMP/run.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none,for-update-parent -i rc \
	-t 10 --format json --out "$r"
check "a short run saved as JSON" [ "$rb_rc" = 0 ]
jq_true "the saved run has no gate" "$r" 'has("gate") | not'

cat >"$TMP/good.txt" <<'EOF'
# What PostgreSQL guarantees at READ COMMITTED.
pg rc double-tap for-update-parent   verdict == safe, anomalies == 0, anomalous_trials == 0
pg rc double-tap none                verdict == anomaly, anomalies.duplicates > 0
*  *  *          *                   p99 < 60s, throughput > 0
EOF
run_rb "$TMP/c" check "$r" --expect "$TMP/good.txt"
check "check: expectations that hold exit 0" [ "$rb_rc" = 0 ]
check "check: says ok on stdout" grep -q "^gate: ok ($TMP/good.txt: 3 expectations)" "$TMP/c"

cat >"$TMP/none-safe.txt" <<'EOF'
# A team that believes the plain read-then-write is safe.
pg rc * none verdict == safe
EOF
run_rb "$TMP/c" check "$r" --expect "$TMP/none-safe.txt"
check "check: a broken expectation exits 1" [ "$rb_rc" = 1 ]
check "check: the finding names the file line, the cell and the figure" \
	grep -q "^  $TMP/none-safe.txt:2: pg rc double-tap none: verdict anomaly, expected safe$" "$TMP/c"
check "check: the summary says FAILED" grep -q "^gate: FAILED: 1 broken" "$TMP/c"

echo "pg rr * none verdict == anomaly" >"$TMP/unmatched.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/unmatched.txt"
check "check: a pattern that matches no cell exits 1" [ "$rb_rc" = 1 ]
check "check: ... and says so" grep -q "unmatched.txt:1: matched no cell: pg rr \* none" "$TMP/c"

printf '# fine\npg rc * none verdict == anomaly\npg rc * none p99 < 50\n' >"$TMP/bad.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/bad.txt"
check "check: a malformed expectations file exits 2" [ "$rb_rc" = 2 ]
check "check: ... naming its line and the fix" \
	grep -q "racebench: $TMP/bad.txt:3: 'p99 < 50': a latency needs a unit (us, ms, s)" "$TMP/c.err"
echo "pg rc * nonne verdict == safe" >"$TMP/typo.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/typo.txt"
check "check: a misspelt strategy exits 2 with the valid ones" sh -c \
	"[ $rb_rc = 2 ] && grep -q \"typo.txt:1: unknown strategy 'nonne' (valid: none, for-update\" '$TMP/c.err'"

run_rb "$TMP/c" check "$TMP/nope.json" --expect "$TMP/good.txt"
check "check: a missing result exits 2" [ "$rb_rc" = 2 ]
check "check: ... naming it" grep -q "cannot read report '$TMP/nope.json'" "$TMP/c.err"
head -c 200 "$r" >"$TMP/cut.json"
run_rb "$TMP/c" check "$TMP/cut.json" --expect "$TMP/good.txt"
check "check: a truncated result exits 2" [ "$rb_rc" = 2 ]
check "check: ... naming it as not a report" \
	grep -q "'$TMP/cut.json' is not a racebench JSON report: not valid JSON" "$TMP/c.err"
jq 'del(.cells[0].verdict)' "$r" >"$TMP/noverdict.json"
run_rb "$TMP/c" check "$TMP/noverdict.json" --expect "$TMP/good.txt"
check "check: a report missing a field exits 2 naming the field" sh -c \
	"[ $rb_rc = 2 ] && grep -q 'cells\[0\].verdict: missing' '$TMP/c.err'"

# Re-rendering a checked run: the gate's findings in the JSON; reading that back
# and checking again gives the same bytes; the measured figures are untouched.
run_rb "$TMP/c" check "$r" --expect "$TMP/none-safe.txt" --format json --out "$TMP/g.json"
check "check --format json: still exits 1" [ "$rb_rc" = 1 ]
jq_true "the JSON says the gate failed" "$TMP/g.json" '.gate.applied and .gate.failed'
jq_true "the broken cell carries its finding" "$TMP/g.json" \
	"[$(cellf pg double-tap none rc) | .broken[0] | endswith(\"none-safe.txt:2: verdict anomaly, expected safe\")] | all"
jq_true "cells that held carry an empty list" "$TMP/g.json" \
	"[$(cellf pg double-tap for-update-parent rc) | .broken == [] and .broken_count == 0] | all"
run_rb "$TMP/c" check "$TMP/g.json" --expect "$TMP/none-safe.txt" --format json --out "$TMP/g2.json"
check "read back and written again: identical" cmp -s "$TMP/g.json" "$TMP/g2.json"
check "the measured figures are what the run wrote" sh -c "
	jq -S 'del(.gate, .cells[].broken, .cells[].broken_count)' '$TMP/g.json' >'$TMP/a' &&
	jq -S . '$r' >'$TMP/b' && cmp -s '$TMP/a' '$TMP/b'"
run_rb "$TMP/t" check "$r" --expect "$TMP/none-safe.txt" --format table --out - --no-color
check "check --format table --out -: the table on stdout" \
	grep -qE '^pg +double-tap +none +rc +10 ' "$TMP/t"
check "... and the summary on stderr" grep -q "^gate: FAILED: 1 broken" "$TMP/t.err"

# Baselines: a run is within tolerance of itself; a tolerance that asks for
# more throughput than there was cannot hold; a verdict that got worse breaks.
run_rb "$TMP/c" check "$r" --baseline "$r"
check "baseline: a run against itself exits 0" [ "$rb_rc" = 0 ]
check "baseline: ... comparing both cells" grep -q "baseline $r: 2 cells compared" "$TMP/c"
run_rb "$TMP/c" check "$r" --baseline "$r" --tolerance -50%
check "baseline: an impossible tolerance exits 1" [ "$rb_rc" = 1 ]
check "baseline: ... naming the figure against the baseline" \
	grep -qE "^  baseline $r: pg rc double-tap for-update-parent: throughput [0-9.]+ ops/s < [0-9.]+ ops/s \+50%$" "$TMP/c"
jq "($(cellf pg double-tap none rc)) |= (.verdict = \"safe\" | .anomalous_trials = 0)" "$r" >"$TMP/base.json"
run_rb "$TMP/c" check "$r" --baseline "$TMP/base.json"
check "baseline: safe -> anomaly exits 1" [ "$rb_rc" = 1 ]
check "baseline: ... saying what it was" \
	grep -q "baseline $TMP/base.json: pg rc double-tap none: verdict anomaly, was safe" "$TMP/c"
run_rb "$TMP/c" check "$r" --baseline "$TMP/nope.json"
check "baseline: a missing baseline exits 2" sh -c \
	"[ $rb_rc = 2 ] && grep -q \"racebench: --baseline: cannot read report '$TMP/nope.json'\" '$TMP/c.err'"

# run --expect: the gate after a real run; a bad file stops before any database work
# (the server below does not exist: reaching it would exit 3).
run_rb "$TMP/c" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 5 \
	--expect "$TMP/none-safe.txt" --format json --out "$TMP/run.json"
check "run --expect: a broken expectation exits 1" [ "$rb_rc" = 1 ]
check "run --expect: the finding on stderr" \
	grep -q "none-safe.txt:2: pg rc double-tap none: verdict anomaly, expected safe" "$TMP/c.err"
jq_true "run --expect: the report says the gate failed" "$TMP/run.json" '.gate.failed'
run_rb "$TMP/c" run --pg "$RACEBENCH_PG" -s double-tap -S for-update-parent -i rc -t 5 \
	--expect "$TMP/good.txt" --baseline "$r" --tolerance throughput=100%,latency=1000%
check "run --expect: only a matching line, the others unmatched, exits 1" [ "$rb_rc" = 1 ]
check "run --expect: ... the unmatched line named" \
	grep -q "good.txt:3: matched no cell: pg rc double-tap none" "$TMP/c.err"
echo "pg rc * for-update-parent verdict == safe" >"$TMP/fup.txt"
run_rb "$TMP/c" run --pg "$RACEBENCH_PG" -s double-tap -S for-update-parent -i rc -t 5 \
	--expect "$TMP/fup.txt" --baseline "$r" --tolerance throughput=100%,latency=1000% -q
check "run --expect + --baseline that hold exit 0" [ "$rb_rc" = 0 ]
start=$(date +%s)
run_rb "$TMP/c" run --pg "host=127.0.0.1 port=1 connect_timeout=5" -s double-tap -S none -i rc \
	--expect "$TMP/bad.txt"
check "run --expect with a malformed file exits 2, not 3" [ "$rb_rc" = 2 ]
check "... naming the line" grep -q "bad.txt:3: 'p99 < 50'" "$TMP/c.err"
check "... before trying the server" [ $(($(date +%s) - start)) -lt 3 ]
run_rb "$TMP/c" run -s double-tap --tolerance 20%
check "--tolerance without --baseline exits 2" sh -c \
	"[ $rb_rc = 2 ] && grep -q 'only applies with --baseline' '$TMP/c.err'"

# check on a partial report exits as its run did (3), gate not evaluated:
# a CI gate must never pass on a run that did not finish.
jq '.aborted = true | .abort_reason = "interrupted by SIGINT"' "$r" >"$TMP/partial.json"
run_rb "$TMP/c" check "$TMP/partial.json" --expect "$TMP/good.txt"
check "check on a partial report: exit 3" [ "$rb_rc" = 3 ]
check "... saying the gate was not evaluated" grep -q "gate not evaluated: the run did not finish" "$TMP/c.err"
# Each stray byte is refused, naming the line (end to end, through check).
printf 'pg rc * for-update-parent verdict == safe\rpg rc * none verdict == safe\n' >"$TMP/cr.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/cr.txt"
check "check: a bare CR cannot hide an expectation (exit 2, named)" \
	sh -c "[ $rb_rc = 2 ] && grep -q 'cr.txt:1: a carriage return' '$TMP/c.err'"
printf 'pg rc * none verdict == anomaly\0, anomalies > 100000\n' >"$TMP/nul.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/nul.txt"
check "check: a NUL cannot hide a condition (exit 2, named)" \
	sh -c "[ $rb_rc = 2 ] && grep -q 'nul.txt:1: a NUL byte' '$TMP/c.err'"
printf 'pg rc * none verdict == anomaly\r\npg rc * for-update-parent verdict == safe\r\n' >"$TMP/crlf.txt"
run_rb "$TMP/c" check "$r" --expect "$TMP/crlf.txt"
check "check: CRLF line ends are fine (exit 0)" [ "$rb_rc" = 0 ]
timeout 10 "$RB" check "$r" --expect /dev/zero >"$TMP/c" 2>"$TMP/c.err"
check "check --expect /dev/zero: refused at once (exit 2)" \
	sh -c "[ $? = 2 ] && grep -q 'larger than 1 MiB' '$TMP/c.err'"

# 090_explain_pg.sh: racebench explain on the throwaway PostgreSQL: every
# scenario's race reproduces every time at READ COMMITTED, for-update-parent
# shows the block and no anomaly, the output is the same on every run, and
# bad input exits 2 naming what is wrong.
. "$(dirname "$0")/lib.sh"

DB=${EXPLAIN_DB:-pg}
if [ "$DB" = mysql ]; then DSN=(--mysql "$RACEBENCH_MYSQL"); else DSN=(--pg "$RACEBENCH_PG"); fi
SCENARIOS="double-tap duplicate-settlement negative-balance coupon-oversell double-transfer"

# The anomaly each scenario's race must show (a kind of its own invariant).
kind_of() {
	case $1 in
	double-tap | duplicate-settlement) echo duplicates ;;
	negative-balance) echo negative_balance ;;
	coupon-oversell) echo oversold ;;
	double-transfer) echo double_payment ;;
	esac
}

for sc in $SCENARIOS; do
	k=$(kind_of "$sc")
	hits=0 safe=0 blocked=0 fails=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$RB" explain "$sc" "${DSN[@]}" -i rc --format json >"$TMP/n.json" 2>"$TMP/n.err" || fails=$((fails + 1))
		jq -e ".verdict == \"anomaly\" and .check.anomalies.$k > 0 and .isolation == \"rc\"
		       and .strategy == \"none\" and .schedule.name == \"race\"" \
			"$TMP/n.json" >/dev/null 2>&1 && hits=$((hits + 1))
		"$RB" explain "$sc" "${DSN[@]}" -S for-update-parent --format json >"$TMP/f.json" \
			2>"$TMP/f.err" || fails=$((fails + 1))
		jq -e '.verdict == "safe" and .check.anomalous == false
		       and ([.check.anomalies[]] | add) == 0' "$TMP/f.json" >/dev/null 2>&1 &&
			safe=$((safe + 1))
		# The block: a statement reported waiting, then completed after another
		# session's step released it.
		jq -e '([.events[] | select(.kind == "waiting")] | length) > 0 and
		       ([.events[] | select(.kind == "completed" and .released_by != null)] | length) > 0' \
			"$TMP/f.json" >/dev/null 2>&1 && blocked=$((blocked + 1))
	done
	check "$DB $sc: exits 0 every time" [ "$fails" = 0 ]
	check "$DB $sc none rc race: $k in 10 of 10 runs (got $hits)" [ "$hits" = 10 ]
	check "$DB $sc for-update-parent: no anomaly in 10 of 10 runs (got $safe)" [ "$safe" = 10 ]
	check "$DB $sc for-update-parent: a session waits, then completes, in 10 of 10 runs (got $blocked)" \
		[ "$blocked" = 10 ]
done

# The same text, byte for byte, run after run (and the same JSON).
for sc in $SCENARIOS; do
	for s in none for-update-parent; do
		"$RB" explain "$sc" "${DSN[@]}" -S "$s" --no-color >"$TMP/a.txt" 2>&1
		"$RB" explain "$sc" "${DSN[@]}" -S "$s" --no-color >"$TMP/b.txt" 2>&1
		check "$DB $sc $s: two runs print the same timeline" cmp -s "$TMP/a.txt" "$TMP/b.txt"
	done
done
"$RB" explain double-transfer "${DSN[@]}" -S for-update-parent --format json >"$TMP/a.json"
"$RB" explain double-transfer "${DSN[@]}" -S for-update-parent --format json >"$TMP/b.json"
check "$DB double-transfer: two runs write the same JSON" cmp -s "$TMP/a.json" "$TMP/b.json"

# What the timeline says.
"$RB" explain double-tap "${DSN[@]}" -S for-update-parent --no-color >"$TMP/t.txt" 2>&1
check "$DB timeline: one lane per session" grep -qE '^A \(client 0\) +│ B \(client 1\)$' "$TMP/t.txt"
check "$DB timeline: B's lock read waits" grep -qE '│ B2 SELECT id FROM account WHERE id = 0 FOR UPDATE$' "$TMP/t.txt"
check "$DB timeline: the wait is marked" grep -q '│    … waiting$' "$TMP/t.txt"
check "$DB timeline: it completes after A's COMMIT" \
	sh -c "grep -A3 '^A5 COMMIT' '$TMP/t.txt' | grep -q '│ B2 …completed → 1 row: 0'"
check "$DB timeline: the check and the verdict" \
	sh -c "grep -q '^check      duplicates 0, lost_updates 0$' '$TMP/t.txt' && grep -q '^verdict    no anomaly$' '$TMP/t.txt'"
check "$DB timeline: the story names the wait" \
	grep -q '^B waited for a lock held by A at B2 (SELECT ... FROM account FOR UPDATE) until A5 (COMMIT)' "$TMP/t.txt"
check "$DB timeline: plain when piped" sh -c "! grep -q \$'\\033' '$TMP/t.txt'"
check "$DB timeline: 60 characters per lane when piped" \
	sh -c "grep -m1 '│' '$TMP/t.txt' | awk -F '│' '{ exit !(length(\$1) == 61) }'"

# Each schedule of double-transfer breaks what it says it breaks.
"$RB" explain double-transfer "${DSN[@]}" --schedule refund-race --format json >"$TMP/r.json"
jq_true "$DB double-transfer refund-race: paid and refunded, paid once" "$TMP/r.json" \
	'.check.anomalies.paid_and_refunded == 1 and .check.anomalies.double_payment == 0'
"$RB" explain double-transfer "${DSN[@]}" --format json >"$TMP/d.json"
jq_true "$DB double-transfer race: paid twice, never refunded" "$TMP/d.json" \
	'.check.anomalies.double_payment == 1 and .check.anomalies.paid_and_refunded == 0'
"$RB" explain double-transfer "${DSN[@]}" --schedule both --format json >"$TMP/d.json"
jq_true "$DB double-transfer both: paid twice and refunded" "$TMP/d.json" \
	'.check.anomalies.double_payment == 1 and .check.anomalies.paid_and_refunded == 1'
"$RB" explain double-transfer "${DSN[@]}" --schedule serial --format json >"$TMP/s.json"
jq_true "$DB double-transfer serial: no anomaly" "$TMP/s.json" '.verdict == "safe"'
jq_true "$DB double-transfer: three sessions, the refund is client 1" "$TMP/s.json" \
	'.schedule.sessions == [{"name":"A","client":0},{"name":"B","client":1},{"name":"C","client":2}]'
# Serializable: the loser fails with a serialization failure (PostgreSQL) or a
# deadlock (InnoDB), retries, and the anomaly does not happen.
"$RB" explain coupon-oversell "${DSN[@]}" -S serializable --format json >"$TMP/z.json"
jq_true "$DB coupon-oversell serializable: an error, a retry, no anomaly" "$TMP/z.json" \
	'.verdict == "safe" and ([.events[] | select(.error.class == "serialization" or
	  .error.class == "deadlock")] | length) > 0 and ([.events[] | select(.kind == "pause" and
	  .point == "retry")] | length) == 1'

# A schedule of one's own.
cat >"$TMP/mine.spec" <<'EOF'
# B reads while A has written but not committed
scenario negative-balance
summary B reads the balance between A's write and A's COMMIT
sessions A=0 B=1
steps A:tail      # A has deducted
steps B:step B:step B:think A:end B:end
EOF
run_rb "$TMP/m.json" explain --spec "$TMP/mine.spec" "${DSN[@]}" --format json
check "$DB --spec: exits 0" [ "$rb_rc" = 0 ]
jq_true "$DB --spec: its schedule is played, the race reproduces" "$TMP/m.json" \
	'.schedule.name == "mine" and .schedule.steps == ["A:tail","B:step","B:step","B:think","A:end","B:end"]
	 and .check.anomalies.negative_balance == 1'
jq_true "$DB --spec: step runs exactly one statement" "$TMP/m.json" \
	'[.events[] | select(.session == "B")][0:3] | map(.kind) == ["statement","statement","pause"]'

# HTML: a swimlane that is well-formed markup.
run_rb "$TMP/e.html" explain double-tap "${DSN[@]}" -S for-update-parent --format html
check "$DB html: exits 0" [ "$rb_rc" = 0 ]
check "$DB html: a section with the lanes" grep -q '<section class="rb-explain">' "$TMP/e.html"
check "$DB html: the wait is shown" grep -q 'class="wait">… waiting' "$TMP/e.html"
if command -v xmllint >/dev/null; then
	check "$DB html: well-formed" xmllint --noout "$TMP/e.html"
fi
run_rb "$TMP/o.txt" explain double-tap "${DSN[@]}" --out "$TMP/out.json" --format json
check "$DB --out: the file holds the JSON, stdout nothing" \
	sh -c "[ $rb_rc = 0 ] && [ ! -s '$TMP/o.txt' ] && jq -e '.kind == \"explain\"' '$TMP/out.json' >/dev/null"

if [ "$DB" = pg ]; then
	# The tool's schema is gone afterwards.
	check "no racebench_explain schema left" \
		test "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'racebench_explain'")" = 0

	# Listing needs no database.
	run_rb "$TMP/l.txt" explain --list-schedules
	check "--list-schedules: exits 0" [ "$rb_rc" = 0 ]
	check "--list-schedules: every scenario" \
		sh -c "for s in $SCENARIOS; do grep -qx \"\$s\" '$TMP/l.txt' || exit 1; done"
	check "--list-schedules: double-transfer's own schedules" \
		sh -c "grep -q '^  refund-race ' '$TMP/l.txt' && grep -q '^  both ' '$TMP/l.txt'"
	run_rb "$TMP/l1.txt" explain coupon-oversell --list-schedules
	check "--list-schedules SCENARIO: only its schedules, the default marked" \
		sh -c "[ \"\$(grep -c '^  [a-z]' '$TMP/l1.txt')\" = 3 ] && grep -q '^  race .*(default)$' '$TMP/l1.txt'"

	# Bad input: exit 2 and a message naming it.
	printf 'scenario double-tap\nsessions A=0 B=1\nsteps A:think B:think\nsteps A:end B:later\n' >"$TMP/bad.spec"
	run_rb "$TMP/b.txt" explain --spec "$TMP/bad.spec" "${DSN[@]}"
	check "bad spec: exit 2" [ "$rb_rc" = 2 ]
	check "bad spec: names the file and line" \
		grep -q "^racebench: $TMP/bad.spec:4: 'B:later': double-tap has no statement called later (valid points: think, tail, end, step, begin, commit, rollback, or a statement's name)$" "$TMP/b.txt.err"
	printf 'scenario double-tap\nsessions A=0 B=2\nsteps A:end\n' >"$TMP/bad2.spec"
	run_rb "$TMP/b.txt" explain --spec "$TMP/bad2.spec" "${DSN[@]}"
	check "bad spec sessions: exit 2, line 2" \
		sh -c "[ $rb_rc = 2 ] && grep -q 'bad2.spec:2: no session is client 1' '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap --spec "$TMP/nope.spec"
	check "missing spec file: exit 2" \
		sh -c "[ $rb_rc = 2 ] && grep -q \"cannot read schedule '$TMP/nope.spec'\" '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tapp "${DSN[@]}"
	check "unknown scenario: exit 2, the valid ones named" \
		sh -c "[ $rb_rc = 2 ] && grep -q \"unknown scenario 'double-tapp' (valid: double-tap, duplicate-settlement\" '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap --schedule racy "${DSN[@]}"
	check "unknown schedule: exit 2, the valid ones named" \
		sh -c "[ $rb_rc = 2 ] && grep -q \"unknown schedule 'racy' for double-tap (valid: race, uncommitted, serial)\" '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap -S locking "${DSN[@]}"
	check "unknown strategy: exit 2" [ "$rb_rc" = 2 ]
	run_rb "$TMP/b.txt" explain double-tap -S none,atomic "${DSN[@]}"
	check "two strategies: exit 2" \
		sh -c "[ $rb_rc = 2 ] && grep -q 'explain plays one strategy at a time' '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap -S check-after "${DSN[@]}"
	check "a strategy the scenario has not: exit 2 with the reason" \
		sh -c "[ $rb_rc = 2 ] && grep -q 'check-after does not fit double-tap' '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap --trials 3
	check "a run option: exit 2" \
		sh -c "[ $rb_rc = 2 ] && grep -q -- '--trials is not an option of explain' '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain double-tap --format table
	check "unknown format: exit 2" \
		sh -c "[ $rb_rc = 2 ] && grep -q \"unknown format 'table' for explain (valid: text, json, html)\" '$TMP/b.txt.err'"
	run_rb "$TMP/b.txt" explain
	check "no scenario: exit 2" [ "$rb_rc" = 2 ]
	run_rb "$TMP/b.txt" explain double-tap --pg "host=127.0.0.1 port=1 connect_timeout=2"
	check "unreachable server: exit 3" [ "$rb_rc" = 3 ]
fi

# run --explain: the matrix's HTML report carries the timelines too.
"$RB" run --pg "$RACEBENCH_PG" -s double-tap,coupon-oversell -S none,for-update-parent -i rc -t 3 \
	--explain --format html,json --out "$TMP/rx.html" --out "$TMP/rx.json" -q
check "run --explain exits 0" [ $? = 0 ]
check "the HTML report has the step-by-step section" grep -q '<h2>Step by step</h2>' "$TMP/rx.html"
check "... with none and for-update-parent for each scenario (4 timelines)" \
	[ "$(grep -c '<section class="rb-explain">' "$TMP/rx.html")" = 4 ]
check "... and the for-update-parent one shows the wait" grep -q 'waiting' "$TMP/rx.html"

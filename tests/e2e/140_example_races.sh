# 140_example_races.sh: the two races in examples/races/, written as a user
# would, on both databases through run with their expectations files,
# check, load and explain.
. "$(dirname "$0")/lib.sh"

EX=$(cd "$(dirname "$0")/../../examples/races" && pwd)
DBS=(--pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL" --redis "$RACEBENCH_REDIS")

# ---- idempotency-key: none, insert-first, the unique key, a locked parent, serializable
ik=$EX/idempotency-key.race
run_rb "$TMP/ik.txt" run "${DBS[@]}" -s "$ik" --expect "$EX/idempotency-key.expect" -t 20 \
	-S none,atomic,unique,for-update-parent,serializable -f json,table -o "$TMP/ik.json" -o -
check "idempotency-key: the run passes its own expectations file (exit 0)" [ "$rb_rc" = 0 ]
grep -q "gate: ok" "$TMP/ik.txt.err" "$TMP/ik.txt" && ok "idempotency-key: the gate says ok" ||
	not_ok "idempotency-key: the gate says ok ($(tail -3 "$TMP/ik.txt.err"))"
for db in pg mysql; do
	jq_true "$db rc none: retries charge twice in most trials" "$TMP/ik.json" \
		"[$(cellf $db idempotency-key none rc) | .anomalous_trials >= 12 and .anomalies.double_charges > 0] == [true]"
	jq_true "$db: unique and atomic never charge twice, at any level" "$TMP/ik.json" \
		"[.cells[] | select(.db == \"$db\" and (.strategy == \"unique\" or .strategy == \"atomic\")) | .anomalies.double_charges == 0] | (length == 8 and all)"
	jq_true "$db rc unique: the duplicate key is retried onto the seen-before path" "$TMP/ik.json" \
		"[$(cellf $db idempotency-key unique rc) | .retries > 0 and .declined > 0 and .verdict == \"safe\"] == [true]"
	jq_true "$db rc for-update-parent: safe" "$TMP/ik.json" \
		"[$(cellf $db idempotency-key for-update-parent rc) | .verdict == \"safe\"] == [true]"
	jq_true "$db serializable: no double charge" "$TMP/ik.json" \
		"[$(cellf $db idempotency-key serializable ser) | .anomalies.double_charges == 0] == [true]"
done
jq_true "the report carries the race's knob (amount)" "$TMP/ik.json" '.params.knobs.amount == 500'
run_rb "$TMP/ikc.txt" check "$TMP/ik.json" --expect "$EX/idempotency-key.expect"
check "check: the saved report passes the same expectations" [ "$rb_rc" = 0 ]
sed 's/verdict == safe/verdict == anomaly/' "$EX/idempotency-key.expect" >"$TMP/ik-wrong.expect"
run_rb "$TMP/ikw.txt" check "$TMP/ik.json" --expect "$TMP/ik-wrong.expect"
check "check: an expectation the race breaks exits 1" [ "$rb_rc" = 1 ]
grep -q "idempotency-key unique: verdict safe, expected anomaly" "$TMP/ikw.txt" "$TMP/ikw.txt.err" &&
	ok "check: the broken line names the race's cell" ||
	not_ok "check: the broken line names the race's cell ($(head -c 300 "$TMP/ikw.txt"))"
echo "pg rc idempotency-key none double_charges == 0" >"$TMP/kind.expect"
run_rb "$TMP/kind.txt" check "$TMP/ik.json" --expect "$TMP/kind.expect"
check "a bare anomaly kind is not a field: exit 2" [ "$rb_rc" = 2 ]
echo "pg rc idempotency-key none anomalies.double_charges == 0" >"$TMP/kind.expect"
run_rb "$TMP/kind.txt" check "$TMP/ik.json" --expect "$TMP/kind.expect"
check "anomalies.double_charges is a field of the race's cells (breaks: exit 1)" [ "$rb_rc" = 1 ]
echo "pg rc idempotency-key none anomalies.bogus_kind == 0" >"$TMP/kind.expect"
run_rb "$TMP/kind.txt" check "$TMP/ik.json" --expect "$TMP/kind.expect"
check "an anomaly kind no race has: exit 2" [ "$rb_rc" = 2 ]
grep -q "unknown anomaly kind 'bogus_kind'" "$TMP/kind.txt.err" && ok "... naming the kind" ||
	not_ok "... naming the kind ($(cat "$TMP/kind.txt.err"))"

# ---- seat-reservation: the naive pick, a plain locking read, SKIP LOCKED
sr=$EX/seat-reservation.race
run_rb "$TMP/sr.txt" run "${DBS[@]}" -s "$sr" --expect "$EX/seat-reservation.expect" -t 20 \
	-S none,for-update,skip-locked,optimistic -f json -o "$TMP/sr.json"
check "seat-reservation: the run passes its own expectations file (exit 0)" [ "$rb_rc" = 0 ]
for db in pg mysql; do
	jq_true "$db rc none: two buyers get the same seat in most trials" "$TMP/sr.json" \
		"[$(cellf $db seat-reservation none rc) | .anomalous_trials >= 12] == [true]"
	jq_true "$db: skip-locked never sells a seat twice, at any level" "$TMP/sr.json" \
		"[.cells[] | select(.db == \"$db\" and .strategy == \"skip-locked\") | .anomalies.double_booked == 0] | (length == 4 and all)"
	jq_true "$db rc: for-update and skip-locked seat every buyer (none declined, none failed)" "$TMP/sr.json" \
		"[.cells[] | select(.db == \"$db\" and .isolation == \"rc\" and (.strategy == \"for-update\" or .strategy == \"skip-locked\")) | .verdict == \"safe\" and .declined == 0 and .failed == 0] | (length == 2 and all)"
done
# What InnoDB documents: a locking read reads the latest committed row,
# whatever the level; PostgreSQL at REPEATABLE READ refuses a write to a row
# changed since the snapshot (40001) instead.
jq_true "mysql: the plain locking read is safe at every level" "$TMP/sr.json" \
	'[.cells[] | select(.db == "mysql" and .strategy == "for-update") | .verdict == "safe"] | (length == 4 and all)'
jq_true "pg rr for-update: the buyers who waited for the first seat are refused (40001)" "$TMP/sr.json" \
	"[$(cellf pg seat-reservation for-update rr) | .errors.serialization > 0 and .anomalies.double_booked == 0] == [true]"

# ---- load mode on a race file, both databases
for db in pg mysql; do
	url=RACEBENCH_${db^^}
	[ "$db" = mysql ] && url=RACEBENCH_MYSQL
	run_rb "$TMP/load-$db.txt" load "--$db" "${!url}" -s "$sr" -S skip-locked -i rc \
		--keys 20 --set seats=2000 --duration 2 -f json -o "$TMP/load-$db.json"
	check "$db load seat-reservation skip-locked: exit 0" [ "$rb_rc" = 0 ]
	jq_true "$db load: operations committed, no seat sold twice" "$TMP/load-$db.json" \
		'[.cells[] | .committed > 0 and .anomalies.double_booked == 0 and .throughput > 0] == [true]'
	run_rb "$TMP/loadi-$db.txt" load "--$db" "${!url}" -s "$ik" -S atomic -i rc --warmup 0 \
		--keys 1000 --duration 2 -f json -o "$TMP/loadi-$db.json"
	check "$db load idempotency-key atomic: exit 0" [ "$rb_rc" = 0 ]
	jq_true "$db load: every request after the first of its key is answered, never charged" \
		"$TMP/loadi-$db.json" '[.cells[] | .committed > 0 and .declined > 0 and .anomalies.double_charges == 0] == [true]'
done

# ---- explain: the schedules the files define
for db in pg mysql; do
	run_rb "$TMP/ex-$db.txt" explain "$ik" --db "$db" "--$db" "$( [ $db = pg ] && echo "$RACEBENCH_PG" || echo "$RACEBENCH_MYSQL")" \
		--strategy none --schedule race
	check "$db explain idempotency-key none race: exit 0" [ "$rb_rc" = 0 ]
	check "$db explain: the invariant broke (double_charges 1)" grep -q "double_charges 1" "$TMP/ex-$db.txt"
	run_rb "$TMP/exs-$db.txt" explain "$sr" --db "$db" "--$db" "$( [ $db = pg ] && echo "$RACEBENCH_PG" || echo "$RACEBENCH_MYSQL")" \
		--strategy skip-locked --schedule race
	check "$db explain seat-reservation skip-locked race: exit 0" [ "$rb_rc" = 0 ]
	check "$db explain: B skips A's seat and takes the next (seat 2)" grep -q "1 row: 2 | 0" "$TMP/exs-$db.txt"
	check "$db explain: no anomaly" grep -q "double_booked 0" "$TMP/exs-$db.txt"
	check "$db explain: the SQL is shown on one line per statement (no raw newlines)" \
		sh -c "! grep -q '^ SELECT' '$TMP/exs-$db.txt'"
done

# ---- list reads and checks them without a database
run_rb "$TMP/list.txt" list "$ik" "$sr"
check "list FILE FILE: exit 0" [ "$rb_rc" = 0 ]
check "list shows skip-locked as a strategy of seat-reservation" grep -q "skip-locked" "$TMP/list.txt"
check "list shows the knob seats" grep -q "knob seats" "$TMP/list.txt"

# 150_rr_si.sh: the fifth level, rr+si (REPEATABLE READ in a session with
# MariaDB's innodb_snapshot_isolation ON), on the throwaway servers. Races
# are probabilistic: only what the databases guarantee is asserted (never
# an anomaly where a write-write conflict must refuse it), or a robust
# majority, never exact counts.
. "$(dirname "$0")/lib.sh"

: "${RACEBENCH_MYSQL:?}" "${RACEBENCH_PG:?}"
my_sock=${RACEBENCH_MYSQL##*\?socket=}
mysql_rb() { mariadb --no-defaults --socket="$my_sock" -uracebench -N -B "$@"; }
set_options() { mysql_rb -e "SHOW GLOBAL STATUS LIKE 'Com_set_option'" | cut -f2; }

# The built-in races at rr and rr+si, each as written (none), 20 trials.
out=$TMP/my.json
run_rb "$TMP/my.txt" run --mysql "$RACEBENCH_MYSQL" -S none -i rr,rr+si -t 20 --format json --out "$out"
check "mysql -i rr,rr+si exits 0" [ "$rb_rc" = 0 ]
jq_true "every race has an rr and an rr+si cell, and rr+si ran at rr+si" "$out" \
	'(.cells | length) == 10 and ([.cells[].isolation] | unique) == ["rr", "rr+si"]
	 and ([.cells[] | select(.isolation == "rr+si") | .effective_isolation == "rr+si"] | all)'
co_rr=$(cellf mysql coupon-oversell none rr)
co_si=$(cellf mysql coupon-oversell none rr+si)
# InnoDB's classic REPEATABLE READ: the UPDATE writes over the other user's
# committed quantity (a lost update), so coupons are oversold.
jq_true "coupon-oversell none rr: oversold or lost updates in most of 20 trials" "$out" \
	"[$co_rr | .anomalous_trials >= 15 and (.anomalies.oversold + .anomalies.lost_updates) > 0] == [true]"
# innodb_snapshot_isolation ON: the second writer of a row changed since its
# read view gets 1020 and is rolled back ("first updater wins").
jq_true "coupon-oversell none rr+si: never an anomaly" "$out" \
	"[$co_si | .anomalous_trials == 0] == [true]"
jq_true "coupon-oversell none rr+si: the losers fail with class serialization" "$out" \
	"[$co_si | .errors.serialization > 0 and .failures.serialization > 0] == [true]"
jq_true "coupon-oversell none rr+si: the example is MariaDB's 1020" "$out" \
	"[$co_si | .error_examples.serialization | startswith(\"1020: \")] == [true]"
# The other read-modify-writes of one existing row: the same guarantee.
for sc in negative-balance double-transfer; do
	jq_true "$sc none rr+si: never an anomaly (a write-write conflict on one row)" "$out" \
		"[$(cellf mysql "$sc" none rr+si) | .anomalous_trials == 0 and .errors.serialization > 0] == [true]"
done
# Snapshot isolation does not stop two inserts of a row neither could see.
for sc in double-tap duplicate-settlement; do
	jq_true "$sc none rr+si: still duplicates in most of 20 trials (nothing to conflict on)" "$out" \
		"[$(cellf mysql "$sc" none rr+si) | .anomalous_trials >= 15 and .anomalies.duplicates > 0] == [true]"
done

# The session's setting is sent when it changes, not with every
# transaction: as many SETs for 25 trials as for 5.
a=$(set_options)
"$RB" run --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S none -i rr+si -t 5 -q --format json --out /dev/null
b=$(set_options)
"$RB" run --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S none -i rr+si -t 25 -q --format json --out /dev/null
c=$(set_options)
check "rr+si: no SET per transaction ($((b - a)) SETs for 5 trials, $((c - b)) for 25)" \
	[ $((b - a)) -gt 0 -a $((b - a)) = $((c - b)) ]

# A server whose default is ON (as from MariaDB 11.6): rr still means
# InnoDB's classic REPEATABLE READ, because racebench turns it OFF there.
mysql_rb -e "SET GLOBAL innodb_snapshot_isolation = ON"
trap 'mysql_rb -e "SET GLOBAL innodb_snapshot_isolation = OFF"; rm -rf "$TMP"' EXIT
on=$TMP/on.json
run_rb "$TMP/on.txt" run --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S none -i rr,rr+si -t 20 \
	--format json --out "$on"
mysql_rb -e "SET GLOBAL innodb_snapshot_isolation = OFF"
check "default ON: the run exits 0" [ "$rb_rc" = 0 ]
jq_true "default ON: the report shows the server's setting" "$on" \
	'.servers[0].settings.innodb_snapshot_isolation == "1"'
jq_true "default ON: rr still lets the lost update through in most of 20 trials" "$on" \
	"[$co_rr | .anomalous_trials >= 15] == [true]"
jq_true "default ON: rr+si never an anomaly" "$on" "[$co_si | .anomalous_trials == 0] == [true]"

# PostgreSQL has no rr+si: its cells are n/a with the reason, rr runs.
pg=$TMP/pg.json
run_rb "$TMP/pg.txt" run --pg "$RACEBENCH_PG" -s coupon-oversell -S none,atomic -i rr,rr+si -t 3 \
	--format json,table --out "$pg" --out -
check "pg -i rr,rr+si exits 0" [ "$rb_rc" = 0 ]
jq_true "pg rr+si: every cell n/a, with PostgreSQL's reason (its rr refuses with 40001)" "$pg" \
	'[.cells[] | select(.isolation == "rr+si") | .verdict == "n/a" and (.na_reason | test("40001"))]
	 | (length == 2 and all)'
jq_true "pg rr: the cells ran" "$pg" '[.cells[] | select(.isolation == "rr") | .verdict != "n/a"] | (length == 2 and all)'
check "pg rr+si: the table lists the reason once" \
	[ "$(grep -c 'every strategy at rr+si:' "$TMP/pg.txt")" = 1 ]

# The default levels do not include rr+si; -i all does.
run_rb "$TMP/d.txt" run --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S none -t 1 --format json --out "$TMP/d.json"
jq_true "the default levels are ru, rc, rr, ser" "$TMP/d.json" \
	'[.cells[].isolation] == ["ru", "rc", "rr", "ser"]'
run_rb "$TMP/a.txt" run --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S atomic -i all -t 1 --format json --out "$TMP/a.json"
jq_true "-i all: the five levels" "$TMP/a.json" '[.cells[].isolation] == ["ru", "rc", "rr", "ser", "rr+si"]'

# explain: the second writer's 1020, step by step.
"$RB" explain coupon-oversell --mysql "$RACEBENCH_MYSQL" --isolation rr+si --format json >"$TMP/x.json" 2>"$TMP/x.err"
check "explain mysql rr+si exits 0" [ $? = 0 ]
jq_true "explain mysql rr+si: B's UPDATE fails with 1020 (serialization), no anomaly" "$TMP/x.json" \
	'.isolation == "rr+si" and .verdict == "safe"
	 and ([.events[] | select(.error.class == "serialization" and .error.code == "1020")] | length) == 1'
"$RB" explain coupon-oversell --mysql "$RACEBENCH_MYSQL" --isolation rr+si >"$TMP/x.txt" 2>&1
check "explain's text shows the 1020 and the session setting" \
	grep -q 'serialization 1020: Record has changed since last read' "$TMP/x.txt"
check "... and what BEGIN set" grep -q 'innodb_snapshot_isolation ON' "$TMP/x.txt"
"$RB" explain coupon-oversell --pg "$RACEBENCH_PG" --isolation rr+si >"$TMP/p.out" 2>"$TMP/p.err"
rc=$?
check "explain pg rr+si exits 2" [ "$rc" = 2 ]
check "... naming the level and the reason" grep -q 'pg has no level rr+si: .*40001' "$TMP/p.err"

# A bad level names the valid ones, rr+si among them.
run_rb "$TMP/bogus" run --mysql "$RACEBENCH_MYSQL" -i bogus
check "-i bogus exits 2" [ "$rb_rc" = 2 ]
check "-i bogus lists rr+si among the valid levels" \
	grep -q "unknown isolation level 'bogus' (valid: ru, rc, rr, ser, rr+si, all)" "$TMP/bogus.err"

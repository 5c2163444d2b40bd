# 160_isolation.sh: racebench isolation, the anomaly catalogue, on both
# databases: the cells the databases guarantee, the same grid on a second
# run, every report format, the gate and check, and bad input.
. "$(dirname "$0")/lib.sh"

EX=$(cd "$(dirname "$0")/../../examples" && pwd)
DBS=(--pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL")
J=$TMP/iso.json

run_rb "$TMP/iso.txt" isolation "${DBS[@]}" -f json,table -o "$J" -o "$TMP/grid.txt"
check "isolation: exit 0" [ "$rb_rc" = 0 ]
# iso DB LEVEL TEST: the cell's object
iso() { echo ".cells[] | select(.db==\"$1\" and .isolation==\"$2\" and .test==\"$3\")"; }

jq_true "every cell of the catalogue ran: 15 tests at 4 levels on 2 databases" "$J" \
	'[.cells[] | select(.outcome != "n/a")] | length >= 120'
jq_true "no cell is inconclusive" "$J" '[.cells[] | select(.outcome == "inconclusive")] | length == 0'
# What the documentation promises (docs/isolation.md says where):
jq_true "pg rr P4: prevented by 40001 (first updater wins)" "$J" \
	"[$(iso pg rr p4) | .outcome == \"prevented\" and (.how | contains(\"40001\"))] == [true]"
jq_true "mysql rr P4: a lost update (InnoDB's UPDATE reads the latest committed row)" "$J" \
	"[$(iso mysql rr p4) | .outcome == \"anomaly\"] == [true]"
for db in pg mysql; do
	jq_true "$db rr G2-item: write skew allowed" "$J" \
		"[$(iso $db rr g2-item) | .outcome == \"anomaly\"] == [true]"
	jq_true "$db ser G2-item: prevented" "$J" \
		"[$(iso $db ser g2-item) | .outcome == \"prevented\"] == [true]"
	jq_true "$db: G0 prevented at every level" "$J" \
		"[.cells[] | select(.db == \"$db\" and .test == \"g0\" and .outcome != \"n/a\") | .outcome == \"prevented\"] | all"
	jq_true "$db ser: every test prevented" "$J" \
		"[.cells[] | select(.db == \"$db\" and .isolation == \"ser\") | .outcome == \"prevented\"] | (length == 15 and all)"
	jq_true "$db rc: no dirty read (G1a, G1b, G1c prevented)" "$J" \
		"[.cells[] | select(.db == \"$db\" and .isolation == \"rc\" and (.test | test(\"^g1\"))) | .outcome == \"prevented\"] | (length == 3 and all)"
done
jq_true "mysql rr+si P4: prevented by 1020 (innodb_snapshot_isolation)" "$J" \
	"[$(iso mysql rr+si p4) | .outcome == \"prevented\" and (.how | contains(\"1020\"))] == [true]"
jq_true "mysql rr+si G2-item: still write skew (snapshot isolation allows it)" "$J" \
	"[$(iso mysql rr+si g2-item) | .outcome == \"anomaly\"] == [true]"
jq_true "pg rr+si: n/a with a reason, every test" "$J" \
	'[.cells[] | select(.db == "pg" and .isolation == "rr+si") | .outcome == "n/a" and (.na_reason | length > 20)] | (length == 15 and all)'
jq_true "mysql ru G1a: an aborted read (READ UNCOMMITTED reads uncommitted versions)" "$J" \
	"[$(iso mysql ru g1a) | .outcome == \"anomaly\"] == [true]"
jq_true "pg ru G1a: prevented (PostgreSQL runs READ UNCOMMITTED as READ COMMITTED)" "$J" \
	"[$(iso pg ru g1a) | .outcome == \"prevented\"] == [true]"
jq_true "mysql ser P4: InnoDB's shared read locks deadlock (1213)" "$J" \
	"[$(iso mysql ser p4) | .how | contains(\"1213\")] == [true]"
jq_true "each cell carries its reads and its play" "$J" \
	"[$(iso pg rr g-single) | (.reads | length) >= 3 and (.play.events | length) > 5 and .play.schedule.steps[0] == \"T1:begin\"] == [true]"
check "the table is the grid: a row per database and level" grep -q "^pg rr " "$TMP/grid.txt"
check "the table names every test in its head" grep -q "read-only" "$TMP/grid.txt"

# The same grid on every run: outcome and how of every cell.
run_rb "$TMP/iso2.txt" isolation "${DBS[@]}" -f json -o "$TMP/iso2.json"
jq -r '.cells[] | [.db, .isolation, .test, .outcome, .how] | @tsv' "$J" >"$TMP/a.tsv"
jq -r '.cells[] | [.db, .isolation, .test, .outcome, .how] | @tsv' "$TMP/iso2.json" >"$TMP/b.tsv"
check "a second run gives the same grid, cell for cell" cmp -s "$TMP/a.tsv" "$TMP/b.tsv"

# Every report format.
run_rb "$TMP/f.txt" isolation "${DBS[@]}" -T p4,g1a -i rc,rr -f markdown,csv,junit,html \
	-o "$TMP/g.md" -o "$TMP/g.csv" -o "$TMP/g.xml" -o "$TMP/g.html"
check "formats: exit 0" [ "$rb_rc" = 0 ]
check "markdown: the grid" grep -q "^| pg | rr | - | blk+40001 |$" "$TMP/g.md"
check "csv: a row per cell, 8 and a head" [ "$(wc -l <"$TMP/g.csv")" = 9 ]
check "csv: outcome and how" grep -q ",pg,rr,p4,prevented,blocked+40001," "$TMP/g.csv"
if command -v xmllint >/dev/null; then
	check "junit: well-formed" xmllint --noout "$TMP/g.xml"
fi
check "html: each play's swimlane" grep -q 'id="play-' "$TMP/g.html"

# The gate: an example expectations file, check on the saved report.
run_rb "$TMP/gate.txt" isolation "${DBS[@]}" --expect "$EX/isolation-expect.txt" -q -f json -o "$TMP/gated.json"
check "examples/isolation-expect.txt holds (exit 0)" [ "$rb_rc" = 0 ]
run_rb "$TMP/check.txt" check "$J" --expect "$EX/isolation-expect.txt"
check "check on a saved isolation report: exit 0" [ "$rb_rc" = 0 ]
echo "mysql rr P4 outcome == prevented" >"$TMP/bad.expect"
run_rb "$TMP/check2.txt" check "$J" --expect "$TMP/bad.expect"
check "check: a broken isolation expectation exits 1" [ "$rb_rc" = 1 ]
check "... naming the cell and the outcome" \
	grep -q "mysql rr p4: outcome anomaly, expected prevented" "$TMP/check2.txt"
echo "pg rr p4 none outcome == prevented" >"$TMP/bad2.expect"
run_rb "$TMP/check3.txt" check "$J" --expect "$TMP/bad2.expect"
check "an isolation line has no strategy: exit 2" [ "$rb_rc" = 2 ]

# Bad input: exit 2, nothing started.
run_rb "$TMP/b1.txt" isolation "${DBS[@]}" -T p5
check "--test p5: exit 2" [ "$rb_rc" = 2 ]
check "... listing the tests" grep -q "unknown test 'p5' (valid: g0, g1a" "$TMP/b1.txt.err"
run_rb "$TMP/b2.txt" isolation "${DBS[@]}" --strategy none
check "--strategy is not an option of isolation: exit 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/b3.txt" isolation "${DBS[@]}" extra
check "an argument: exit 2" [ "$rb_rc" = 2 ]

# A test of one's own: a race file with a schedule.
cat >"$TMP/mine.race" <<'RACE'
race lost-counter
incident "two increments of a counter, one lost"
setup { create { CREATE TABLE counter (id int PRIMARY KEY, n int) } mysql {
    CREATE TABLE counter (id int PRIMARY KEY, n int) ENGINE=InnoDB } }
reset { clear { DELETE FROM counter } seed { INSERT INTO counter VALUES (1, 0) } }
operation {
    r { SELECT n FROM counter WHERE id = 1 } into n
    let m = n + 1
    w { UPDATE counter SET n = :m WHERE id = 1 }
    note committed_writes = 1
}
check { final { SELECT n FROM counter WHERE id = 1 } into n
    count lost committed_writes != null and n < 2 }
schedule both "both read, then both write" {
    sessions A=0 B=1
    steps A:begin B:begin A:r B:r A:w B:w A:commit B:commit
}
RACE
run_rb "$TMP/mine.txt" isolation --pg "$RACEBENCH_PG" -T "$TMP/mine.race" -i rc,rr -f json -o "$TMP/mine.json"
check "a test file of one's own: exit 0" [ "$rb_rc" = 0 ]
jq_true "... run at every level asked, under its own name" "$TMP/mine.json" \
	'[.cells[] | .test == "lost-counter"] | (length == 2 and all)'

run_rb "$TMP/list.txt" list
check "list names the isolation tests" grep -q "^  read-only " "$TMP/list.txt"

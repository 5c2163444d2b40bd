# 071_report_formats.sh: CSV, Markdown and JUnit of a real run agree with its JSON;
# the JUnit file is well-formed XML (xmllint, from libxml2-utils).
. "$(dirname "$0")/lib.sh"

run_rb "$TMP/run" run --pg "$RACEBENCH_PG" -s double-tap -S none,for-update-parent,atomic \
	-i rc,ser -t 3 --format json,csv,markdown,junit,table \
	--out "$TMP/a.json" --out "$TMP/a.csv" --out "$TMP/a.md" --out "$TMP/a.xml" --out -
check "run with five formats exits 0" [ "$rb_rc" = 0 ]
check "the table went to standard output" grep -qE '^pg +double-tap +none +rc ' "$TMP/run"
cells=$(jq '.cells | length' "$TMP/a.json")
ran=$(jq '[.cells[] | select(.verdict != "n/a")] | length' "$TMP/a.json")
na=$((cells - ran))

# JUnit: well-formed, one case per cell, n/a skipped, and no gate so no failure.
if command -v xmllint >/dev/null; then
	check "JUnit parses (xmllint --noout)" xmllint --noout "$TMP/a.xml"
	check "JUnit has one testcase per cell ($cells)" \
		[ "$(xmllint --xpath 'count(//testcase)' "$TMP/a.xml")" = "$cells" ]
	check "JUnit skips the n/a cells ($na)" \
		[ "$(xmllint --xpath 'count(//testcase/skipped)' "$TMP/a.xml")" = "$na" ]
	check "JUnit: without a gate nothing fails" \
		[ "$(xmllint --xpath 'count(//failure)' "$TMP/a.xml")" = 0 ]
	check "JUnit names a case 'pg double-tap none rc'" \
		[ "$(xmllint --xpath 'count(//testcase[@name="pg double-tap none rc"])' "$TMP/a.xml")" = 1 ]
else
	ok "# SKIP xmllint not installed"
fi

# CSV: a header and one record per cell, all the same width; verdicts as in the JSON.
check "CSV has a header and $cells records" [ "$(wc -l <"$TMP/a.csv")" = $((cells + 1)) ]
widths=$(awk '{
	n = 1; q = 0
	for (i = 1; i <= length($0); i++) {
		ch = substr($0, i, 1)
		if (ch == "\"") q = !q
		else if (ch == "," && !q) n++
	}
	print n
}' "$TMP/a.csv" | sort -u | wc -l)
check "every CSV record has the header's width" [ "$widths" = 1 ]
col() { head -1 "$TMP/a.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
got=$(awk -F, -v s="$(col strategy)" -v i="$(col isolation)" -v v="$(col verdict)" \
	'NR > 1 { print $s " " $i " " $v }' "$TMP/a.csv")
want=$(jq -r '.cells[] | "\(.strategy) \(.isolation) \(.verdict)"' "$TMP/a.json")
check "CSV verdicts match the JSON" [ "$got" = "$want" ]
got=$(awk -F, -v s="$(col anomalous_trials)" 'NR > 1 && $s != "" { t += $s } END { print t + 0 }' "$TMP/a.csv")
want=$(jq '[.cells[].anomalous_trials // 0] | add' "$TMP/a.json")
check "CSV anomalous trials add up as in the JSON ($want)" [ "$got" = "$want" ]

# Markdown: a headline, a table per db+scenario, a row per cell that ran.
check "Markdown headline counts the cells" grep -q "^### racebench: $cells cells" "$TMP/a.md"
check "Markdown has the pg · double-tap table" grep -q '^#### pg · double-tap' "$TMP/a.md"
rows=$(grep -c '^| [a-z]' "$TMP/a.md")
check "Markdown has one row per ran cell ($ran)" [ "$((rows - 1))" = "$ran" ]

# A report that cannot be written (a full disk) is an infrastructure error
# (exit 3), whatever the format and whether it goes to a file or stdout.
for f in table json csv markdown junit html hgrm; do
	"$RB" check "$TMP/a.json" --expect examples/expect-team.txt -f "$f" -o - >/dev/full 2>"$TMP/full.err"
	rc=$?
	check "$f to a full disk: exit 3 and a reason" \
		sh -c "[ $rc = 3 ] && grep -q 'No space left on device' '$TMP/full.err'"
done
"$RB" run --pg "$RACEBENCH_PG" -s double-tap -S atomic -i rc -t 1 -f json -o - >/dev/full 2>"$TMP/full.err"
check "run's report to a full disk: exit 3" [ "$?" = 3 ]
"$RB" check "$TMP/a.json" --expect examples/expect-team.txt >/dev/full 2>"$TMP/full.err"
check "check's summary to a full disk: exit 3" [ "$?" = 3 ]
"$RB" list >/dev/full 2>"$TMP/full.err"
check "list to a full disk: exit 3" [ "$?" = 3 ]
"$RB" explain double-tap --pg "$RACEBENCH_PG" >/dev/full 2>"$TMP/full.err"
check "explain to a full disk: exit 3" [ "$?" = 3 ]

# A run that fails before any cell leaves no report from an earlier run behind.
echo '{"stale": true}' >"$TMP/stale.json"
"$RB" run --pg "host=127.0.0.1 port=1" -s double-tap -S none -i rc -t 1 -f json -o "$TMP/stale.json" \
	--connect-timeout 2 >/dev/null 2>&1
check "an exit 3 before any cell: exit 3 and the stale report is gone" \
	sh -c "[ $? = 3 ] && [ ! -e '$TMP/stale.json' ]"

# hgrm: HdrHistogram's percentile distribution, a block per cell that ran.
"$RB" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic,for-update -i rc --duration 0.5 \
	--warmup 0 --quantity 1000000000 -f hgrm -o "$TMP/a.hgrm" 2>/dev/null
check "hgrm: exit 0, a block per cell" [ "$(grep -c '^# cell: pg coupon-oversell' "$TMP/a.hgrm")" = 2 ]
check "hgrm: HdrHistogram's header and footer" sh -c "grep -q '^       Value     Percentile TotalCount 1/(1-Percentile)' '$TMP/a.hgrm' && grep -q '^#\[Max     = ' '$TMP/a.hgrm' && grep -q '^#\[Buckets = ' '$TMP/a.hgrm'"
check "hgrm: each block ends at percentile 1 with every operation" awk '
	/^# cell:/ { n = 0 } $2 == "1.000000000000" { last = $3 }
	/^#\[Max/ { split($0, a, "Total count *= *"); if (last + 0 != a[2] + 0) bad = 1 }
	END { exit bad }' "$TMP/a.hgrm"

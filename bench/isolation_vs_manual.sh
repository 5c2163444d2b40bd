#!/usr/bin/env bash
# isolation_vs_manual.sh: racebench isolation's grid against the grid measured
# by hand with the independent harness (tests/isolation-manual/), as
# docs/isolation-catalogue.md §3.2 records it: cell for cell, outcome and how.
#
# usage: bench/isolation_vs_manual.sh [REPORT.json]
#        (without a report: runs racebench isolation on throwaway servers)
#
# Prints each cell that differs and a summary; exits 1 when any does.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -le 1 ] || { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 1 ]; then
	report=$1
else
	[ -x ./racebench ] || make -s racebench
	./racebench isolation -q -f json -o "$tmp/iso.json"
	report=$tmp/iso.json
fi
# the hand grid: "db level test mark" per cell (– becomes -, **A** becomes A)
sed -n '/^### 3.2 The grid/,/^### 3.3/p' docs/isolation-catalogue.md | grep '^| ' |
	grep -v '^|---' | sed 's/\*\*//g; s/–/-/g' | awk -F'|' '
	NR == 1 { for (i = 4; i < NF; i++) { t = $i; gsub(/ /, "", t); test[i] = t }; next }
	{ db = $2; lv = $3; gsub(/ /, "", db); gsub(/ /, "", lv)
	  for (i = 4; i < NF; i++) { v = $i; gsub(/ /, "", v); print db, lv, test[i], v } }' |
	sort >"$tmp/hand"
jq -r '.cells[] | select(.outcome != "n/a") |
	[.db, .isolation, .test,
	 (if .outcome == "anomaly" then "A" elif .how == "none" then "-"
	  else (.how | sub("^blocked"; "blk")) end)] | join(" ")' "$report" | sort >"$tmp/mine"
n=$(wc -l <"$tmp/hand")
bad=$(join -j1 <(awk '{ print $1 "/" $2 "/" $3, $4 }' "$tmp/hand") \
	<(awk '{ print $1 "/" $2 "/" $3, $4 }' "$tmp/mine") -a1 -e MISSING -o 0,1.2,2.2 |
	awk '$2 != $3 { print; n++ } END { exit n ? 1 : 0 }') && rc=0 || rc=1
[ -n "$bad" ] && echo "$bad"
echo "$n cells of the hand-measured grid; $(echo -n "$bad" | grep -c . || true) differ from racebench isolation"
exit $rc

#!/usr/bin/env bash
# matrix.sh: runs the default matrix (`racebench run`, both databases and
# Redis on throwaway servers), times it, and prints one Markdown grid per
# scenario: a row per strategy, a column per database and level, each cell
# its verdict and anomalous trials (A 10/10 = anomaly in 10 of 10 trials,
# E = errors reached users, S = safe, - = n/a).
#
# usage: bench/matrix.sh [racebench run options...]     (JSON kept in matrix.json)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x ./racebench ] || make -s racebench

start=$(date +%s.%N)
./racebench run -q --format json --out matrix.json "$@" || true
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
ran=$(jq '[.cells[] | select(.verdict != "n/a")] | length' matrix.json)
echo "matrix: $ran cells ran ($(jq '.cells | length' matrix.json) in all) in ${wall} s wall (racebench says $(jq -r '.wall_seconds * 10 | floor / 10' matrix.json) s)"
echo
for sc in $(jq -r '[.cells[].scenario] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) | .[]' matrix.json); do
	echo "### $sc"
	echo
	dbs=$(jq -r '[.cells[].db] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) | .[]' matrix.json)
	# the levels the run has, in racebench's order (rr+si only when asked for)
	levels=$(jq -r '[.cells[].isolation] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) | .[]' matrix.json)
	head="| strategy |" sep="|---|"
	for d in $dbs; do for l in $levels; do head+=" $d $l |"; sep+="---|"; done; done
	echo "$head"; echo "$sep"
	for st in $(jq -r --arg sc "$sc" '[.cells[] | select(.scenario == $sc) | .strategy] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) | .[]' matrix.json); do
		row="| $st |"
		for d in $dbs; do for l in $levels; do
			row+=" $(jq -r --arg sc "$sc" --arg st "$st" --arg d "$d" --arg l "$l" '
				[.cells[] | select(.scenario == $sc and .strategy == $st and .db == $d and .isolation == $l)][0]
				| if . == null then "" elif .verdict == "n/a" then "-"
				  elif .verdict == "anomaly" then "A \(.anomalous_trials)/\(.trials)"
				  elif .verdict == "errors" then "E" elif .verdict == "safe" then "S"
				  else .verdict end' matrix.json) |"
		done; done
		echo "$row"
	done
	echo
done

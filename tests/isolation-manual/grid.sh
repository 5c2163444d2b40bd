#!/usr/bin/env bash
# grid.sh RESULTS.TSV: the results of iso.sh as a markdown grid, one row per
# database x level, one column per test. A cell is "anomaly" or
# "prevented (how)", how being the errors seen (40001, 40P01, 1213, 1020,
# 1205), "blocked" (a step waited for a lock and then went on) or "none"
# (nothing waited, nothing failed: the reads were served from a snapshot).
set -eu
awk -F'\t' '
{
	key = $1 " " $2
	if (!(key in seenrow)) { seenrow[key] = 1; rows[++nr] = key }
	if (!($3 in seencol)) { seencol[$3] = 1; cols[++nc] = $3 }
	cell[key, $3] = ($4 == "anomaly") ? "**anomaly**" : ($4 == "prevented" ? "prevented (" $5 ")" : $4 " (" $5 ")")
}
END {
	printf "| db | level |"
	for (c = 1; c <= nc; c++) printf " %s |", cols[c]
	printf "\n|---|---|"
	for (c = 1; c <= nc; c++) printf "---|"
	printf "\n"
	for (r = 1; r <= nr; r++) {
		split(rows[r], p, " ")
		printf "| %s | %s |", p[1], p[2]
		for (c = 1; c <= nc; c++) printf " %s |", cell[rows[r], cols[c]]
		printf "\n"
	}
}' "$1"

#!/usr/bin/env bash
# topology_matrix.sh: the measured matrices of docs/topologies.md, on
# throwaway topologies racebench starts itself.
#
#   bench/topology_matrix.sh [--trials N] [--out DIR]   run, then render
#   bench/topology_matrix.sh --render FILE.json[.gz]    render a saved report
#
# Runs `racebench run --topology galera` (every race, strategy and level),
# `--topology pg-replica` (PostgreSQL only), and pg-replica with
# --replica-delay 20, keeps each JSON report in DIR (default
# docs/topologies/), and prints one markdown grid per report: a row per
# race and strategy, a column per level; a cell is "A k/n" (anomalous in k
# of n trials), "ok" (safe), "err k/n" (no anomaly, k of n trials had
# errors: the figure after the slash is trials), or "n/a".
set -euo pipefail
cd "$(dirname "$0")/.."
rb=${RACEBENCH:-./racebench}
trials=10
out=docs/topologies

render() {
	jq -r '
	  def cell: if .verdict == "n/a" then "n/a"
	    elif .verdict == "anomaly" then "A \(.anomalous_trials)/\(.trials)"
	    elif .verdict == "errors" then "err"
	    elif .verdict == "safe" then "ok" else .verdict end;
	  (.servers[0] | "\(.db) on \(.topology // "one server") (\(.product) \(.version))"),
	  "",
	  "| race | strategy | ru | rc | rr | ser |",
	  "| --- | --- | --- | --- | --- | --- |",
	  ([.cells[] | select(.verdict != "n/a" or (.na_reason | test("SERIALIZABLE itself") | not))]
	   | group_by(.scenario + " " + .strategy) | sort_by(.[0].scenario)[]
	   | . as $g
	   | select([.[] | .verdict] | any(. != "n/a"))
	   | "| \($g[0].scenario) | \($g[0].strategy) | " +
	     ([ "ru", "rc", "rr", "ser" ] | map(. as $l | ($g | map(select(.isolation == $l)) | first | if . then cell else "" end)) | join(" | ")) + " |")
	' < <(case $1 in *.gz) zcat "$1" ;; *) cat "$1" ;; esac)
}

if [ "${1:-}" = --render ]; then
	render "$2"
	exit 0
fi
while [ $# -gt 0 ]; do
	case $1 in
	--trials) trials=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "topology_matrix.sh: unknown option '$1' (valid: --trials N, --out DIR, --render FILE)" >&2; exit 2 ;;
	esac
done
mkdir -p "$out"
"$rb" run --topology galera -t "$trials" --no-progress -f json -o "$out/galera.json"
"$rb" run --topology pg-replica -d pg -t "$trials" --no-progress -f json -o "$out/pg-replica.json"
"$rb" run --topology pg-replica --replica-delay 20 -d pg -t "$trials" --no-progress \
	-S none,for-update-parent,read-primary,remote-apply,atomic,unique,optimistic \
	-f json -o "$out/pg-replica-delay20.json"
for f in galera pg-replica pg-replica-delay20; do
	render "$out/$f.json"
	echo
done

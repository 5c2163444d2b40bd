#!/usr/bin/env bash
# compare_matrix.sh: two measured matrices, cell by cell. Every cell must
# keep its verdict class (safe, anomaly, errors, n/a); only a probabilistic
# cell may move: one anomalous in some but not all of its trials, one whose
# failed operations are fewer than its trials (so some trials had none: a
# lease that expired under redis-expiry-fenced in one trial of twenty), or
# one whose class already differed between the runs before the change.
#
# usage: bench/compare_matrix.sh BEFORE.json[,BEFORE2.json] AFTER.json[,AFTER2.json]
#        (a .json.gz is read as well)
#
# Prints one line per cell that moved (and whether it may), then a summary;
# exits 1 when a cell that is not probabilistic changed class.
set -euo pipefail

[ $# -eq 2 ] || { sed -n '2,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
IFS=, read -r -a before <<<"$1"
IFS=, read -r -a after <<<"$2"

# cells FILE: "db scenario strategy isolation class probabilistic" per cell
cells() {
	jq -r '.cells[] | [.db, .scenario, .strategy, .isolation,
		(.verdict | if . == "n/a" then "n/a" elif . == "safe" then "safe"
			    elif . == "anomaly" then "anomaly" else "errors" end),
		(((.anomalous_trials // 0) > 0 and (.anomalous_trials // 0) < (.trials // 0))
		 or ((.failed // 0) > 0 and (.failed // 0) < (.trials // 0)))]
		| @tsv' < <(case $1 in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac)
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${before[@]}"; do cells "$f"; done | sort >"$tmp/b"
for f in "${after[@]}"; do cells "$f"; done | sort >"$tmp/a"

rc=0
awk -F'\t' -v out="$tmp/report" '
	FNR == NR {
		k = $1 " " $2 " " $3 " " $4
		bcls[k] = bcls[k] ? (index(bcls[k], $5) ? bcls[k] : bcls[k] "|" $5) : $5
		if ($6 == "true") prob[k] = 1
		next
	}
	{
		k = $1 " " $2 " " $3 " " $4
		acls[k] = acls[k] ? (index(acls[k], $5) ? acls[k] : acls[k] "|" $5) : $5
		if ($6 == "true") prob[k] = 1
		seen[k] = 1
	}
	END {
		n = 0; kept = 0; pmoved = 0; bad = 0; nnew = 0
		for (k in bcls) {
			n++
			if (!(k in acls)) { printf "MISSING  %s (was %s)\n", k, bcls[k] > out; bad++; continue }
			if (index(bcls[k], "|") || index(acls[k], "|")) prob[k] = 1
			if (bcls[k] == acls[k]) { kept++; continue }
			if (prob[k]) { printf "moved    %-60s %s -> %s (probabilistic)\n", k, bcls[k], acls[k] > out; pmoved++ }
			else { printf "CHANGED  %-60s %s -> %s\n", k, bcls[k], acls[k] > out; bad++ }
		}
		# A cell the before run did not have is fine only as n/a: a
		# strategy added since, which the old races do not define.
		for (k in acls) if (!(k in bcls)) {
			if (acls[k] == "n/a") { printf "new      %s (n/a)\n", k > out; nnew++ }
			else { printf "NEW      %s (%s)\n", k, acls[k] > out; bad++ }
		}
		printf "%d cells compared: %d kept their class, %d probabilistic ones moved, %d changed; %d new n/a cells\n",
			n, kept, pmoved, bad, nnew > "/dev/stderr"
		exit bad ? 1 : 0
	}' "$tmp/b" "$tmp/a" || rc=$?
[ -s "$tmp/report" ] && sort "$tmp/report"
exit $rc

#!/usr/bin/env bash
# run.sh: the hand-run measurement of docs/isolation-catalogue.md, start to end.
# Starts throwaway PostgreSQL 15 and MariaDB 10.11 servers (scripts/servers.sh,
# in a fresh directory of its own), runs every test at every level twice
# (tests/isolation-manual/out/run1, out/run2), compares the two runs and stops
# the servers.
#
# usage: tests/isolation-manual/run.sh [RUNS]    (default 2)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
runs=${1:-2}
dir=$(mktemp -d "${TMPDIR:-/tmp}/iso-servers.XXXXXX")
trap '"$ROOT/scripts/servers.sh" --dir "$dir" stop' EXIT
"$ROOT/scripts/servers.sh" --dir "$dir" start pg mysql >/dev/null

for r in $(seq 1 "$runs"); do
	out=$HERE/out/run$r
	rm -rf "$out"
	mkdir -p "$out"
	{
		echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "psql: $(psql --version)"
		echo "mariadb client: $(mariadb --version)"
		echo "pg server: $(psql -X -A -t "$(cat "$dir/pg.dsn")" -c "SELECT version()")"
		echo "pg settings: $(psql -X -A -t -F= "$(cat "$dir/pg.dsn")" -c "SELECT name, setting FROM pg_settings WHERE name IN ('deadlock_timeout','lock_timeout','default_transaction_isolation','max_pred_locks_per_transaction') ORDER BY name" | paste -sd' ')"
		echo "mariadb server: $(mariadb --no-defaults -N -B --socket="$(sed 's/.*socket=//' "$dir/mysql.dsn")" -uracebench -e "SELECT CONCAT(version(), ' innodb_lock_wait_timeout=', @@global.innodb_lock_wait_timeout, ' innodb_deadlock_detect=', @@innodb_deadlock_detect, ' innodb_snapshot_isolation(global)=', @@global.innodb_snapshot_isolation, ' tx_isolation(global)=', @@global.tx_isolation)")"
	} >"$out/env.txt"
	"$HERE/iso.sh" --servers "$dir" -o "$out" grid pg mysql >"$out/stdout.txt" 2>"$out/stderr.txt"
	echo "run $r: $out/grid.md"
done

if [ "$runs" -ge 2 ]; then
	for r in $(seq 2 "$runs"); do
		if cmp -s "$HERE/out/run1/grid.md" "$HERE/out/run$r/grid.md"; then
			echo "grid of run $r: identical to run 1"
		else
			echo "grid of run $r: DIFFERS from run 1"
			diff "$HERE/out/run1/grid.md" "$HERE/out/run$r/grid.md" || true
		fi
		if cmp -s "$HERE/out/run1/results.tsv" "$HERE/out/run$r/results.tsv"; then
			echo "results of run $r (values read, errors, blocked steps, final tables): identical to run 1"
		else
			echo "results of run $r: details differ from run 1:"
			diff "$HERE/out/run1/results.tsv" "$HERE/out/run$r/results.tsv" || true
		fi
	done
fi

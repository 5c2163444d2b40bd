#!/usr/bin/env bash
# compare_race_c.sh: what interpreting a race file costs. Load mode on the
# built-in races as race files (this checkout's racebench) against the same
# races as C code (racebench built at the commit before the rewrite), on the
# same cells, servers and settings, in alternating rounds (the order of the
# two flips each round, so neither always runs on a warmer server).
#
# usage: bench/compare_race_c.sh [--old BINARY | --old-commit SHA] [--rounds N]
#                                [--duration S] [--markdown] [--matrix] [--instructions]
#
# --old-commit (default 92b8d16, the last commit with C scenarios) is built
# in a temporary worktree. Cells: think and tail 0, so the client's own work
# is as large a share of each operation as it can be; 4 clients, 100 keys,
# knobs high enough that nothing runs out (--quantity, --balance):
#   coupon-oversell atomic rc, negative-balance for-update rc,
#   double-tap none rc, duplicate-settlement for-update-parent rc
# on PostgreSQL and MariaDB. Prints each cell's mean TPS for both and the
# ratio race-file / C; the claim is a ratio of at least 0.95.
# --instructions also counts, under valgrind's callgrind, the instructions
# each client spends per operation (harness, race or C scenario, driver and
# libpq or the MariaDB client: client_op inclusive, over 3000 operations):
# a figure the machine's other work does not move.
# --matrix also times the default matrix (racebench run, default options,
# throwaway servers included) with both binaries, alternately, $rounds times.
# Uses $RACEBENCH_PG and $RACEBENCH_MYSQL when set, else starts throwaway
# servers.
set -euo pipefail
cd "$(dirname "$0")/.."

old= old_commit=92b8d16 rounds=3 duration=5 markdown=0 matrix=0 instructions=0
while [ $# -gt 0 ]; do
	case $1 in
	--old) old=$2; shift 2 ;;
	--old-commit) old_commit=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;; # 0: no throughput rounds
	--duration) duration=$2; shift 2 ;;
	--markdown) markdown=1; shift ;;
	--matrix) matrix=1; shift ;;
	--instructions) instructions=1; shift ;;
	-h|--help) sed -n '2,/^set -/s/^# \{0,1\}//p' "$0" | sed '$d'; exit 0 ;;
	*) echo "compare_race_c.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ -x ./racebench ] || make -s racebench

tmp=$(mktemp -d)
cleanup() {
	[ -z "${own_servers:-}" ] || scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true
	[ -z "${worktree:-}" ] || git worktree remove --force "$worktree" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -z "$old" ]; then
	worktree=$tmp/old
	git worktree add --detach "$worktree" "$old_commit" >/dev/null 2>&1
	make -s -C "$worktree" racebench >/dev/null
	old=$worktree/racebench
fi
if [ -z "${RACEBENCH_PG:-}" ] || [ -z "${RACEBENCH_MYSQL:-}" ]; then
	own_servers=1
	chmod 755 "$tmp"
	eval "$(scripts/servers.sh --dir "$tmp/srv" start pg mysql 2>/dev/null)"
fi

# scenario, strategy, and the knob that keeps it from running out
cells=(
	"coupon-oversell atomic --quantity=1000000000"
	"negative-balance for-update --balance=1000000000000"
	"double-tap none"
	"duplicate-settlement for-update-parent"
)

# The client's own CPU (user + system), from bash's `time`.
TIMEFORMAT='%U %S'

# tps BINARY DB URL SCENARIO STRATEGY [KNOB]: one load run's throughput, and
# racebench's own CPU per operation in microseconds (the whole process:
# set-up, warm-up and check included, over the operations measured and the
# warm-up's, estimated at the same rate). The CPU is the interpreter's cost
# seen directly; the throughput also moves with everything else on the box.
tps() {
	{ time "$1" load "--$2" "$3" -s "$4" -S "$5" ${6:+"$6"} -i rc -c 4 --keys 100 --think 0 \
		--tail 0 --duration "$duration" --warmup 1 -q --format json \
		--out "$tmp/r.json"; } 2>"$tmp/cpu"
	awk -v tps="$(jq -r '.cells[0].throughput' "$tmp/r.json")" -v d="$duration" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / (tps * (d + 1)) }' "$tmp/cpu"
}

if [ "$rounds" -gt 0 ]; then
printf '%-6s %-40s %-5s %12s %12s %7s %9s %9s\n' db cell round "race file" "C" ratio \
	"cpu us/op" "C us/op"
declare -A sum_new sum_old cpu_new cpu_old
for db in pg mysql; do
	url=RACEBENCH_PG
	[ "$db" = mysql ] && url=RACEBENCH_MYSQL
	for c in "${cells[@]}"; do
		read -r sc st knob <<<"$c"
		k="$db $sc $st"
		sum_new[$k]=0 sum_old[$k]=0 cpu_new[$k]=0 cpu_old[$k]=0
		for r in $(seq 1 "$rounds"); do
			if [ $((r % 2)) = 1 ]; then
				read -r a ca <<<"$(tps ./racebench "$db" "${!url}" "$sc" "$st" "$knob")"
				read -r b cb <<<"$(tps "$old" "$db" "${!url}" "$sc" "$st" "$knob")"
			else
				read -r b cb <<<"$(tps "$old" "$db" "${!url}" "$sc" "$st" "$knob")"
				read -r a ca <<<"$(tps ./racebench "$db" "${!url}" "$sc" "$st" "$knob")"
			fi
			printf '%-6s %-40s %-5s %12.1f %12.1f %7.3f %9s %9s\n' "$db" "$sc $st" "$r" "$a" \
				"$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')" "$ca" "$cb"
			cpu_new[$k]=$(awk -v s="${cpu_new[$k]}" -v a="$ca" 'BEGIN { print s + a }')
			cpu_old[$k]=$(awk -v s="${cpu_old[$k]}" -v b="$cb" 'BEGIN { print s + b }')
			sum_new[$k]=$(awk -v s="${sum_new[$k]}" -v a="$a" 'BEGIN { print s + a }')
			sum_old[$k]=$(awk -v s="${sum_old[$k]}" -v b="$b" 'BEGIN { print s + b }')
		done
	done
done

echo
echo "means over $rounds rounds of ${duration}s (4 clients, 100 keys, rc, think 0, tail 0):"
echo "  TPS (race file, C, ratio) and racebench's CPU per operation (race file, C)"
[ "$markdown" = 1 ] && { echo; echo "| db | cell | race file TPS | C TPS | ratio | race file CPU µs/op | C CPU µs/op |"; echo "|---|---|---|---|---|---|---|"; }
worst=
for db in pg mysql; do
	for c in "${cells[@]}"; do
		read -r sc st _ <<<"$c"
		c="$sc $st"
		k="$db $c"
		ratio=$(awk -v a="${sum_new[$k]}" -v b="${sum_old[$k]}" 'BEGIN { printf "%.3f", a / b }')
		na=$(awk -v s="${sum_new[$k]}" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }')
		nb=$(awk -v s="${sum_old[$k]}" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }')
		xa=$(awk -v s="${cpu_new[$k]}" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }')
		xb=$(awk -v s="${cpu_old[$k]}" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }')
		if [ "$markdown" = 1 ]; then
			echo "| $db | $c | $na | $nb | $ratio | $xa | $xb |"
		else
			printf '  %-6s %-40s %10s %10s %7s %9s %9s\n' "$db" "$c" "$na" "$nb" "$ratio" "$xa" "$xb"
		fi
		worst=$(awk -v w="${worst:-9}" -v r="$ratio" 'BEGIN { print (r < w ? r : w) }')
	done
done
echo
echo "lowest ratio race-file / C: $worst (the claim: at least 0.95)"
fi

# instr BINARY DB URL SCENARIO STRATEGY [KNOB]: client_op's instructions per operation.
instr() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$1" load "--$2" "$3" -s "$4" \
		-S "$5" ${6:+"$6"} -i rc -c 4 --keys 100 --think 0 --tail 0 --ops 3000 --warmup 0 \
		-q --format json --out "$tmp/cg.json" >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null |
		awk -v n="$(jq -r '.cells[0].ops' "$tmp/cg.json")" \
			'/harness.c:client_op \[/ && !done { gsub(",", "", $1); printf "%.0f\n", $1 / n; done = 1 }'
}
if [ "$instructions" = 1 ]; then
	echo
	echo "instructions per operation in the client (callgrind, client_op inclusive, 3000 operations):"
	printf '  %-6s %-40s %10s %10s %7s\n' db cell "race file" C ratio
	for db in pg mysql; do
		url=RACEBENCH_PG
		[ "$db" = mysql ] && url=RACEBENCH_MYSQL
		for c in "${cells[@]}"; do
			read -r sc st knob <<<"$c"
			a=$(instr ./racebench "$db" "${!url}" "$sc" "$st" "$knob")
			b=$(instr "$old" "$db" "${!url}" "$sc" "$st" "$knob")
			printf '  %-6s %-40s %10s %10s %7.3f\n' "$db" "$sc $st" "$a" "$b" \
				"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
		done
	done
fi

[ "$matrix" = 1 ] || exit 0

# wall BINARY: the default matrix's wall time, as a user runs it (its own
# throwaway servers, started and stopped inside the time).
wall() {
	local t0 t1
	t0=$(date +%s.%N)
	env -u RACEBENCH_PG -u RACEBENCH_MYSQL -u RACEBENCH_REDIS "$1" run -q --format json \
		--out "$tmp/m.json" >/dev/null || true
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}
echo
printf '%-6s %14s %14s\n' round "race files (s)" "C (s)"
sn=0 so=0
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then a=$(wall ./racebench); b=$(wall "$old"); else b=$(wall "$old"); a=$(wall ./racebench); fi
	printf '%-6s %14s %14s\n' "$r" "$a" "$b"
	sn=$(awk -v s="$sn" -v a="$a" 'BEGIN { print s + a }')
	so=$(awk -v s="$so" -v b="$b" 'BEGIN { print s + b }')
done
echo "default matrix, mean wall time: race files $(awk -v s="$sn" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') s, C $(awk -v s="$so" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') s"

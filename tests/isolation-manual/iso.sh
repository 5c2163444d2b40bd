#!/usr/bin/env bash
# iso.sh: hand-driven measurement of the isolation-anomaly catalogue
# (docs/isolation-catalogue.md) on PostgreSQL and MariaDB, independent of
# racebench's own code.
#
# usage: iso.sh --servers DIR [-o OUTDIR] cell DB LEVEL TEST
#        iso.sh --servers DIR [-o OUTDIR] grid [DB...]
#        iso.sh list
#   DB     pg | mysql
#   LEVEL  pg: ru rc rr ser; mysql: ru rc rr ser rr+si
#   TEST   see `iso.sh list`
#   DIR    a directory made by `scripts/servers.sh --dir DIR start pg mysql`
#
# Every session is a real command-line client (psql / mariadb) fed one step at
# a time through a FIFO; after each step the client is made to print a marker
# (psql `\echo`, MariaDB `SELECT '<marker>'`), so the text between two markers
# is that step's output. A step whose marker has not come after 250 ms is
# asked about from a separate connection (PG: pg_blocking_pids(pid); MariaDB:
# information_schema.INNODB_TRX.trx_state = 'LOCK WAIT'); if its session is
# waiting for a lock the step is logged "blocked" and the next step is
# launched. A step of a session whose previous step is still blocked waits for
# that step first (as PostgreSQL's isolationtester does). When a statement
# fails, the session's transaction is over: the harness sends ROLLBACK at once
# (not a scheduled step) and skips the session's remaining steps.
#
# Output: OUTDIR/DB-LEVEL-TEST.log (the raw transcript: every step, its
# output, blocked/complete events, the final table) and a line in
# OUTDIR/results.tsv: db level test verdict how detail.
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SERVERS=
OUT=$HERE/out/manual
TESTS="g0 g1a g1b g1c otv pmp pmp-write pmp-write-blind p4 g-single g-single-pred g-single-write g2-item g2 read-only"
PG_LEVELS="ru rc rr ser"
MY_LEVELS="ru rc rr ser rr+si"
LAUNCH_MS=250     # wait this long for a step before asking whether it is blocked
SETTLE_MS=200     # after each step, give every blocked step this long to finish
LIMIT_MS=30000    # a step still running after this is reported as hung

die() { echo "iso.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--servers) SERVERS=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 2; }

# ---------------------------------------------------------------- connections

pg_conn() { # psql conninfo for database isomanual
	sed 's/dbname=[^ ]*/dbname=isomanual/' "$SERVERS/pg.dsn"
}
my_sock() { sed 's/.*socket=//' "$SERVERS/mysql.dsn"; }

ctl() { # DB SQL: run SQL on a fresh control connection, print rows
	if [ "$1" = pg ]; then
		psql -X -q -A -t -v ON_ERROR_STOP=1 "$(pg_conn)" -c "$2"
	else
		mariadb --no-defaults --batch -N --socket="$(my_sock)" -uracebench isomanual -e "$2" | tr '\t' '|'
	fi
}

prepare_db() { # create database isomanual on both servers if missing
	local pgadmin
	pgadmin=$(cat "$SERVERS/pg.dsn")
	if [ -s "$SERVERS/pg.dsn" ] && ! psql -X -q -A -t "$pgadmin" -c "SELECT 1 FROM pg_database WHERE datname='isomanual'" | grep -q 1; then
		psql -X -q "$pgadmin" -c "CREATE DATABASE isomanual" >/dev/null
	fi
	if [ -s "$SERVERS/mysql.dsn" ]; then
		mariadb --no-defaults --socket="$(my_sock)" -uracebench -e "CREATE DATABASE IF NOT EXISTS isomanual"
	fi
}

# ---------------------------------------------------------------- the catalogue
# A test is a list of steps: session, label, SQL. BEGIN / COMMIT / ROLLBACK are
# spelled per database by the harness; {label} in SQL is replaced by the first
# value that step returned (P4's read-modify-write). STRUCTURAL names the
# steps that wait at every level (a writer queued behind another writer); it
# is documentation only: "how" lists "blocked" whenever any step waited.

SS=() SL=() SQ=() NSESS=2 STRUCTURAL=""
def() { SS+=("$1"); SL+=("$2"); SQ+=("$3"); }
begin_all() { local i; for i in $(seq 1 "$NSESS"); do def "$i" "b$i" BEGIN; done; }
READ1="SELECT value FROM test WHERE id = 1"
READ2="SELECT value FROM test WHERE id = 2"
READALL="SELECT id, value FROM test ORDER BY id"

t_g0() {
	begin_all
	def 1 u1a "UPDATE test SET value = 11 WHERE id = 1"
	def 2 u2a "UPDATE test SET value = 12 WHERE id = 1"
	def 1 u1b "UPDATE test SET value = 21 WHERE id = 2"
	def 1 c1 COMMIT
	def 2 u2b "UPDATE test SET value = 22 WHERE id = 2"
	def 2 c2 COMMIT
}
c_g0() { # a mixed final state = the two writers' orders differ per row
	case $FINAL in
	"1|11 2|22" | "1|12 2|21") echo anomaly ;;
	*) echo ok ;;
	esac
}

t_g1a() {
	begin_all
	def 1 u1 "UPDATE test SET value = 101 WHERE id = 1"
	def 2 r2a "$READ1"
	def 1 a1 ROLLBACK
	def 2 r2b "$READ1"
	def 2 c2 COMMIT
}
c_g1a() { if [ "${C[2]}" = 1 ] && { [ "$(v r2a)" = 101 ] || [ "$(v r2b)" = 101 ]; }; then echo anomaly; else echo ok; fi; }

t_g1b() {
	begin_all
	def 1 u1a "UPDATE test SET value = 101 WHERE id = 1"
	def 2 r2a "$READ1"
	def 1 u1b "UPDATE test SET value = 11 WHERE id = 1"
	def 1 c1 COMMIT
	def 2 r2b "$READ1"
	def 2 c2 COMMIT
}
c_g1b() { if [ "${C[2]}" = 1 ] && { [ "$(v r2a)" = 101 ] || [ "$(v r2b)" = 101 ]; }; then echo anomaly; else echo ok; fi; }

t_g1c() {
	begin_all
	def 1 u1 "UPDATE test SET value = 11 WHERE id = 1"
	def 2 u2 "UPDATE test SET value = 22 WHERE id = 2"
	def 1 r1 "$READ2"
	def 2 r2 "$READ1"
	def 1 c1 COMMIT
	def 2 c2 COMMIT
}
c_g1c() { if [ "${C[1]}${C[2]}" = 11 ] && [ "$(v r1)" = 22 ] && [ "$(v r2)" = 11 ]; then echo anomaly; else echo ok; fi; }

t_otv() {
	NSESS=3 STRUCTURAL="u2a"
	begin_all
	def 1 u1a "UPDATE test SET value = 11 WHERE id = 1"
	def 1 u1b "UPDATE test SET value = 19 WHERE id = 2"
	def 2 u2a "UPDATE test SET value = 12 WHERE id = 1"
	def 1 c1 COMMIT
	def 3 r3a "$READALL"
	def 2 u2b "UPDATE test SET value = 18 WHERE id = 2"
	def 3 r3b "$READALL"
	def 2 c2 COMMIT
	def 3 r3c "$READALL"
	def 3 c3 COMMIT
}
c_otv() { # writer order per row: T0 (setup) < T1 < T2; once T3 has seen Tk's
	# write, no later (or same) read may show a row as left by an earlier writer
	[ "${C[3]}" = 1 ] || { echo ok; return; }
	local m=0 r row val w
	for r in r3a r3b r3c; do
		[ "${ST[$r]:-}" = done ] || continue
		for row in ${R[$r]}; do
			case $row in 1\|10 | 2\|20) w=0 ;; 1\|11 | 2\|19) w=1 ;; 1\|12 | 2\|18) w=2 ;; *) w=0 ;; esac
			[ "$w" -gt "$m" ] && m=$w
		done
		for row in ${R[$r]}; do
			case $row in 1\|10 | 2\|20) w=0 ;; 1\|11 | 2\|19) w=1 ;; 1\|12 | 2\|18) w=2 ;; *) w=0 ;; esac
			[ "$w" -lt "$m" ] && { echo anomaly; return; }
		done
	done
	echo ok
}

t_pmp() {
	begin_all
	def 1 r1a "SELECT id, value FROM test WHERE value = 30"
	def 2 i2 "INSERT INTO test (id, value) VALUES (3, 30)"
	def 2 c2 COMMIT
	def 1 r1b "SELECT id, value FROM test WHERE value % 3 = 0"
	def 1 c1 COMMIT
}
c_pmp() { if [ "${C[1]}" = 1 ] && [ "${ST[r1a]}" = done ] && [ -z "${R[r1a]}" ] && [[ " ${R[r1b]:-} " == *" 3|30 "* ]]; then echo anomaly; else echo ok; fi; }

t_pmp-write() {
	STRUCTURAL="d2"
	begin_all
	def 2 r2a "SELECT id, value FROM test WHERE value = 20"
	def 1 u1 "UPDATE test SET value = value + 10"
	def 2 d2 "DELETE FROM test WHERE value = 20"
	def 1 c1 COMMIT
	def 2 r2b "SELECT id, value FROM test WHERE value = 20"
	def 2 c2 COMMIT
}
c_pmp-write() { # T2 read (2,20) before T1 wrote, so only "T2 then T1" is a
	# serial explanation: T2 deletes row 2, sees no 20 afterwards, final {(1,20)}
	if [ "${C[1]}${C[2]}" = 11 ] && ! { [ "$FINAL" = "1|20" ] && [ -z "${R[r2b]}" ]; }; then echo anomaly; else echo ok; fi
}

t_pmp-write-blind() { # pmp-write without T2's first read (Hermitage's PG spelling)
	STRUCTURAL="d2"
	begin_all
	def 1 u1 "UPDATE test SET value = value + 10"
	def 2 d2 "DELETE FROM test WHERE value = 20"
	def 1 c1 COMMIT
	def 2 r2b "SELECT id, value FROM test WHERE value = 20"
	def 2 c2 COMMIT
}
c_pmp-write-blind() { # serial: T1;T2 -> final {(2,30)}; T2;T1 -> {(1,20)}; T2
	# sees no row with 20 after its own DELETE in either order
	if [ "${C[1]}${C[2]}" = 11 ] && ! { { [ "$FINAL" = "1|20" ] || [ "$FINAL" = "2|30" ]; } && [ -z "${R[r2b]}" ]; }; then echo anomaly; else echo ok; fi
}

t_p4() {
	STRUCTURAL="u2"
	begin_all
	def 1 r1 "$READ1"
	def 2 r2 "$READ1"
	def 1 u1 "UPDATE test SET value = {r1} + 1 WHERE id = 1"
	def 2 u2 "UPDATE test SET value = {r2} + 2 WHERE id = 1"
	def 1 c1 COMMIT
	def 2 c2 COMMIT
}
c_p4() { # serially 10 + 1 + 2 = 13
	if [ "${C[1]}${C[2]}" = 11 ] && [[ " $FINAL " != *" 1|13 "* ]]; then echo anomaly; else echo ok; fi
}

t_g-single() {
	begin_all
	def 1 r1a "$READ1"
	def 2 r2a "$READ1"
	def 2 r2b "$READ2"
	def 2 u2a "UPDATE test SET value = 12 WHERE id = 1"
	def 2 u2b "UPDATE test SET value = 18 WHERE id = 2"
	def 2 c2 COMMIT
	def 1 r1b "$READ2"
	def 1 c1 COMMIT
}
c_g-single() { # T2 moves 2 from row 2 to row 1: the sum stays 30
	if [ "${C[1]}" = 1 ] && [ -n "$(v r1a)" ] && [ -n "$(v r1b)" ] && [ $(($(v r1a) + $(v r1b))) -ne 30 ]; then echo anomaly; else echo ok; fi
}

t_g-single-pred() {
	begin_all
	def 1 r1a "SELECT id, value FROM test WHERE value % 5 = 0"
	def 2 u2 "UPDATE test SET value = 12 WHERE value = 10"
	def 2 c2 COMMIT
	def 1 r1b "SELECT id, value FROM test WHERE value % 3 = 0"
	def 1 c1 COMMIT
}
c_g-single-pred() {
	if [ "${C[1]}" = 1 ] && [[ " ${R[r1a]:-} " == *" 1|10 "* ]] && [[ " ${R[r1b]:-} " == *" 1|12 "* ]]; then echo anomaly; else echo ok; fi
}

t_g-single-write() {
	begin_all
	def 1 r1a "$READ1"
	def 2 r2a "$READALL"
	def 2 u2a "UPDATE test SET value = 12 WHERE id = 1"
	def 2 u2b "UPDATE test SET value = 18 WHERE id = 2"
	def 2 c2 COMMIT
	def 1 d1 "DELETE FROM test WHERE value = 20"
	def 1 r1b "SELECT id, value FROM test WHERE id = 2"
	def 1 c1 COMMIT
}
c_g-single-write() { # T1 read row 1 before T2 wrote it: if both commit, T1's
	# DELETE must not see T2's writes either, yet it would have to delete a row
	# T2 updated. Any history where both commit has a cycle.
	if [ "${C[1]}${C[2]}" = 11 ] && [ "$(v r1a)" = 10 ]; then echo anomaly; else echo ok; fi
}

t_g2-item() {
	begin_all
	def 1 r1 "SELECT id, value FROM test WHERE id IN (1, 2) ORDER BY id"
	def 2 r2 "SELECT id, value FROM test WHERE id IN (1, 2) ORDER BY id"
	def 1 u1 "UPDATE test SET value = 11 WHERE id = 1"
	def 2 u2 "UPDATE test SET value = 21 WHERE id = 2"
	def 1 c1 COMMIT
	def 2 c2 COMMIT
}
c_g2-item() {
	if [ "${C[1]}${C[2]}" = 11 ] && [ "${R[r1]}" = "1|10 2|20" ] && [ "${R[r2]}" = "1|10 2|20" ]; then echo anomaly; else echo ok; fi
}

t_g2() {
	begin_all
	def 1 r1 "SELECT id, value FROM test WHERE value % 3 = 0"
	def 2 r2 "SELECT id, value FROM test WHERE value % 3 = 0"
	def 1 i1 "INSERT INTO test (id, value) VALUES (3, 30)"
	def 2 i2 "INSERT INTO test (id, value) VALUES (4, 42)"
	def 1 c1 COMMIT
	def 2 c2 COMMIT
}
c_g2() {
	if [ "${C[1]}${C[2]}" = 11 ] && [ "${ST[r1]}" = done ] && [ -z "${R[r1]}" ] && [ "${ST[r2]}" = done ] && [ -z "${R[r2]}" ]; then echo anomaly; else echo ok; fi
}

t_read-only() {
	NSESS=3
	begin_all
	def 1 r1 "$READALL"
	def 2 u2 "UPDATE test SET value = value + 5 WHERE id = 2"
	def 2 c2 COMMIT
	def 3 r3 "$READALL"
	def 3 c3 COMMIT
	def 1 u1 "UPDATE test SET value = 0 WHERE id = 1"
	def 1 c1 COMMIT
}
c_read-only() { # T1 did not see T2 (T1 before T2), T3 saw T2 (T2 before T3),
	# T3 did not see T1 (T3 before T1): a cycle only if all three commit
	if [ "${C[1]}${C[2]}${C[3]}" = 111 ] && [ "${R[r1]}" = "1|10 2|20" ] && [ "${R[r3]}" = "1|10 2|25" ]; then echo anomaly; else echo ok; fi
}

# ---------------------------------------------------------------- sessions

now_ms() { echo $(($(date +%s%N) / 1000000)); }
log() { printf '%6d  %s\n' $(($(now_ms) - T0)) "$*" >>"$LOG"; }

level_sql() {
	case $1 in
	ru) echo "READ UNCOMMITTED" ;;
	rc) echo "READ COMMITTED" ;;
	rr | rr+si) echo "REPEATABLE READ" ;;
	ser) echo "SERIALIZABLE" ;;
	esac
}

spell() { # the harness's spelling of BEGIN / COMMIT / ROLLBACK for DB
	case $2 in
	BEGIN)
		if [ "$1" = pg ]; then echo "BEGIN ISOLATION LEVEL $(level_sql "$LEVEL")"
		else echo "SET TRANSACTION ISOLATION LEVEL $(level_sql "$LEVEL"); START TRANSACTION"; fi ;;
	*) echo "$2" ;;
	esac
}

MARK=0
send() { # session sql: send one statement + marker; sets SENT_MARK
	local i=$1 sql=$2
	MARK=$((MARK + 1))
	SENT_MARK=$MARK
	if [ "$DB" = pg ]; then
		printf '%s;\n\\echo @@END %d@@\n' "$sql" "$MARK" >&"${FD[$i]}"
	else
		printf "%s;\nSELECT '@@END %d@@';\n" "$sql" "$MARK" >&"${FD[$i]}"
	fi
}
is_done() { grep -qxF "@@END $2@@" "$W/s$1.out"; }
output_of() { # session mark: the step's output lines
	awk -v m="@@END $2@@" '$0 == m { printf "%s", buf; exit } /^@@END [0-9]+@@$/ { buf = ""; next } { buf = buf $0 "\n" }' "$W/s$1.out"
}
is_blocked() { # session: is it waiting for a lock right now?
	local n
	if [ "$DB" = pg ]; then
		n=$(ctl pg "SELECT cardinality(pg_blocking_pids(${BPID[$1]}))")
	else
		n=$(ctl mysql "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ${BPID[$1]} AND trx_state = 'LOCK WAIT'")
	fi
	[ "${n:-0}" -gt 0 ]
}

# wait_mark session mark first_check_ms: 0 done, 1 blocked, 2 hung.
# With first_check_ms = 0 it never reports blocked (waits to the limit).
wait_mark() {
	local i=$1 m=$2 first=$3 t0 t next
	t0=$(now_ms)
	next=$first
	while :; do
		is_done "$i" "$m" && return 0
		t=$(($(now_ms) - t0))
		if [ "$first" -gt 0 ] && [ "$t" -ge "$next" ]; then
			is_blocked "$i" && { is_done "$i" "$m" && return 0; return 1; }
			next=$((t + 250))
		fi
		[ "$t" -ge "$LIMIT_MS" ] && return 2
		sleep 0.01
	done
}

start_sessions() {
	local i
	for i in $(seq 1 "$NSESS"); do
		rm -f "$W/s$i.in" "$W/s$i.out"
		mkfifo "$W/s$i.in"
		# the client must not inherit the other sessions' FIFO ends (it
		# would keep them open after the harness closes them)
		(
			for fd in "${FD[@]}"; do eval "exec $fd>&-"; done
			if [ "$DB" = pg ]; then
				exec psql -X -q -A -t -v ON_ERROR_STOP=0 "$(pg_conn)" <"$W/s$i.in" >"$W/s$i.out" 2>&1
			else
				exec mariadb --no-defaults --batch --unbuffered -N --force --socket="$(my_sock)" -uracebench isomanual \
					<"$W/s$i.in" >"$W/s$i.out" 2>&1
			fi
		) &
		CPID[$i]=$!
		exec {fd}>"$W/s$i.in"
		FD[$i]=$fd
		if [ "$DB" = pg ]; then
			printf '\\set VERBOSITY verbose\n\\set SHOW_CONTEXT never\n' >&"$fd"
			send "$i" "SET lock_timeout = '20s'"
			wait_mark "$i" "$SENT_MARK" 0
			send "$i" "SELECT pg_backend_pid()"
		else
			local si=OFF
			[ "$LEVEL" = rr+si ] && si=ON
			send "$i" "SET SESSION innodb_lock_wait_timeout = 5, SESSION innodb_snapshot_isolation = $si"
			wait_mark "$i" "$SENT_MARK" 0
			send "$i" "SELECT CONNECTION_ID()"
		fi
		wait_mark "$i" "$SENT_MARK" 0 || die "session $i did not start"
		BPID[$i]=$(output_of "$i" "$SENT_MARK" | tr -dc 0-9)
		log "T$i connected (backend ${BPID[$i]})"
	done
}

stop_sessions() {
	local i
	for i in $(seq 1 "$NSESS"); do
		if [ "$DB" = pg ]; then printf '\\q\n' >&"${FD[$i]}"; else printf 'quit\n' >&"${FD[$i]}"; fi
		eval "exec ${FD[$i]}>&-"
		wait "${CPID[$i]}" 2>/dev/null
	done
}

# A step finished: record its rows / error; on error end the transaction.
complete() { # step-index
	local k=$1 i=${SS[$1]} l=${SL[$1]} out err
	out=$(output_of "$i" "${SMARK[$k]}")
	if [ "$DB" = pg ]; then
		err=$(printf '%s\n' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n1)
	else
		err=$(printf '%s\n' "$out" | sed -n 's/^ERROR \([0-9]*\) .*/\1/p' | head -n1)
	fi
	PEND[$i]=
	printf '%s\n' "$out" | sed '/^$/d; s/^/            | /' >>"$LOG"
	if [ -n "$err" ]; then
		ST[$l]=error E[$l]=$err
		ERRS+=("$err@T$i.$l")
		log "T$i $l -> ERROR $err"
		send "$i" ROLLBACK
		wait_mark "$i" "$SENT_MARK" 0
		ABORTED[$i]=1
		log "T$i ROLLBACK (harness: the transaction failed)"
	else
		ST[$l]=done
		R[$l]=$(printf '%s\n' "$out" | sed '/^$/d' | tr '\t' '|' | paste -sd' ')
		[ "${SQ[$k]}" = COMMIT ] && C[$i]=1
		log "T$i $l -> ok${R[$l]:+  [${R[$l]}]}"
	fi
}

# After a step: every blocked step gets SETTLE_MS to finish; if it is still
# running and no longer waits for a lock, it is waited for.
settle() {
	local j k rc
	for j in $(seq 1 "$NSESS"); do
		k=${PEND[$j]:-}
		[ -n "$k" ] || continue
		wait_mark "$j" "${SMARK[$k]}" "$SETTLE_MS"
		rc=$?
		case $rc in
		0) log "T$j ${SL[$k]} <... completed>"; complete "$k" ;;
		1) ;;
		2) log "T$j ${SL[$k]} HUNG"; HUNG=1 ;;
		esac
	done
}

v() { printf '%s' "${R[$1]:-}" | awk '{ print $1 }' | sed 's/.*|//'; } # first value a step returned

run_test() { # DB LEVEL TEST
	DB=$1 LEVEL=$2 TEST=$3
	SS=() SL=() SQ=() NSESS=2 STRUCTURAL=""
	declare -F "t_$TEST" >/dev/null || die "unknown test $TEST"
	"t_$TEST"
	declare -gA R=() E=() ST=() BLK=()
	C=() ABORTED=() PEND=() SMARK=() ERRS=() FD=() CPID=() HUNG=0
	local i k l sql rc
	for i in $(seq 1 "$NSESS"); do C[$i]=0 ABORTED[$i]=0 PEND[$i]=; done
	mkdir -p "$OUT"
	LOG=$OUT/$DB-$LEVEL-$TEST.log
	: >"$LOG"
	W=$(mktemp -d "${TMPDIR:-/tmp}/iso.XXXXXX")
	T0=$(now_ms)
	ctl "$DB" "DROP TABLE IF EXISTS test" >/dev/null
	if [ "$DB" = pg ]; then
		ctl pg "CREATE TABLE test (id int PRIMARY KEY, value int)" >/dev/null
	else
		ctl mysql "CREATE TABLE test (id int PRIMARY KEY, value int) ENGINE=InnoDB" >/dev/null
	fi
	ctl "$DB" "INSERT INTO test (id, value) VALUES (1, 10), (2, 20)" >/dev/null
	log "== $DB $LEVEL $TEST: test (id int primary key, value int) = (1,10),(2,20)"
	start_sessions
	for k in "${!SS[@]}"; do
		i=${SS[$k]} l=${SL[$k]}
		if [ -n "${PEND[$i]}" ]; then
			log "T$i $l must wait for T$i ${SL[${PEND[$i]}]} (blocked)"
			wait_mark "$i" "${SMARK[${PEND[$i]}]}" 0
			rc=$?
			if [ $rc -eq 0 ]; then
				log "T$i ${SL[${PEND[$i]}]} <... completed>"
				complete "${PEND[$i]}"
			else
				log "T$i ${SL[${PEND[$i]}]} HUNG"; HUNG=1; break
			fi
			settle
		fi
		if [ "${ABORTED[$i]}" = 1 ]; then
			ST[$l]=skipped
			log "T$i $l: skipped (transaction already failed): ${SQ[$k]}"
			continue
		fi
		sql=$(spell "$DB" "${SQ[$k]}")
		while [[ $sql =~ \{([a-z0-9]+)\} ]]; do
			sql=${sql//\{${BASH_REMATCH[1]}\}/$(v "${BASH_REMATCH[1]}")}
		done
		log "T$i $l: $sql"
		send "$i" "$sql"
		SMARK[$k]=$SENT_MARK
		wait_mark "$i" "$SENT_MARK" "$LAUNCH_MS"
		rc=$?
		case $rc in
		0) complete "$k" ;;
		1) PEND[$i]=$k BLK[$l]=1; log "T$i $l <waiting ...> (blocked)" ;;
		2) log "T$i $l HUNG"; HUNG=1; break ;;
		esac
		settle
	done
	for i in $(seq 1 "$NSESS"); do
		k=${PEND[$i]:-}
		[ -n "$k" ] || continue
		wait_mark "$i" "${SMARK[$k]}" 0 && { log "T$i ${SL[$k]} <... completed>"; complete "$k"; } || HUNG=1
	done
	stop_sessions
	FINAL=$(ctl "$DB" "SELECT id, value FROM test ORDER BY id" | paste -sd' ')
	log "final table: $FINAL"
	rm -rf "$W"

	# verdict and how
	local verdict how="" b e
	verdict=$("c_$TEST")
	for e in "${ERRS[@]}"; do how+="${how:+ }${e%%@*}"; done
	[ ${#BLK[@]} -gt 0 ] && how="blocked${how:+ }$how"
	[ -n "$how" ] || how=none
	how=$(printf '%s\n' $how | awk '!seen[$0]++' | paste -sd+)
	[ "$HUNG" = 1 ] && verdict=inconclusive how=hung
	local detail
	detail="committed=$(for i in $(seq 1 "$NSESS"); do printf 'T%s:%s ' "$i" "${C[$i]}"; done)errors=[${ERRS[*]}] blocked=[${!BLK[*]}] final=[$FINAL]"
	for k in "${!SL[@]}"; do
		l=${SL[$k]}
		[[ ${SQ[$k]} == SELECT* ]] || continue
		if [ "${ST[$l]:-}" = done ]; then detail+=" $l=[${R[$l]}]"; else detail+=" $l=<${ST[$l]:-not run}>"; fi
	done
	if [ "$verdict" = ok ]; then verdict=prevented; fi
	log "RESULT $DB $LEVEL $TEST $verdict ($how) $detail"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$DB" "$LEVEL" "$TEST" "$verdict" "$how" "$detail" >>"$OUT/results.tsv"
	printf '%-5s %-6s %-15s %-10s %s\n' "$DB" "$LEVEL" "$TEST" "$verdict" "$how"
}

# ---------------------------------------------------------------- main

cmd=$1; shift
case $cmd in
list) echo "$TESTS" | tr ' ' '\n' ;;
cell)
	[ -n "$SERVERS" ] || die "--servers DIR is required"
	[ $# -eq 3 ] || die "cell DB LEVEL TEST"
	prepare_db
	run_test "$1" "$2" "$3"
	;;
grid)
	[ -n "$SERVERS" ] || die "--servers DIR is required"
	[ $# -gt 0 ] || set -- pg mysql
	prepare_db
	mkdir -p "$OUT"
	rm -f "$OUT/results.tsv"
	for db in "$@"; do
		if [ "$db" = pg ]; then levels=$PG_LEVELS; else levels=$MY_LEVELS; fi
		for lv in $levels; do
			for t in $TESTS; do run_test "$db" "$lv" "$t"; done
		done
	done
	"$HERE/grid.sh" "$OUT/results.tsv" >"$OUT/grid.md"
	cat "$OUT/grid.md"
	;;
*) die "unknown command $cmd" ;;
esac

# 171_galera.sh: racebench run --topology galera (a throwaway 3-node Galera
# cluster racebench starts and stops itself), the fixes Galera users are told
# to use, and a partition mid-run (load --fault). Races are probabilistic:
# only what the cluster guarantees is asserted (a unique index, a write set
# that certifies, a cluster-wide lock with causal reads), or a robust
# majority, never exact counts. About a minute and a half, most of it two
# cluster start-ups and a node's eviction and rejoin.
# sanitizers: skip, Galera's start-ups and failure detection take most of it; 130 and 172 cover the rest
. "$(dirname "$0")/lib.sh"

chmod 755 "$TMP" # the servers' users must reach their data directories
export TMPDIR=$TMP # racebench's throwaway servers live in $TMP/racebench.*
nft_tables() { command -v nft >/dev/null && nft list tables 2>/dev/null | grep -c racebench_ || echo 0; }
nft_before=$(nft_tables)
not_in() { ! grep -q -- "$1" "$2"; }
# no process of a server racebench started under $TMP, and no directory of it
nothing_left() {
	! ls -d "$TMP"/racebench.* >/dev/null 2>&1 && ! pgrep -f "$TMP/racebench\." >/dev/null &&
		[ "$(nft_tables)" = "$nft_before" ]
}

# --- the matrix's structural cells on three nodes
out=$TMP/g.json
run_rb "$TMP/g.txt" run --topology galera -s double-tap -i rc -t 10 -c 4 \
	-S for-update-parent,advisory,unique,redis-wide,write-parent,sync-wait --format json,table \
	--out "$out" --out "$TMP/g.table"
check "run --topology galera exits 0 (got $rb_rc: $(tail -c 300 "$TMP/g.txt.err"))" [ "$rb_rc" = 0 ]
jq_true "the report names the topology and its three nodes" "$out" \
	'.servers[0].topology == "galera" and .servers[0].throwaway and
	 (.servers[0].dsn | split(",") | length) == 3'
c() { cellf mysql double-tap "$1" rc; }
# FOR UPDATE and GET_LOCK take locks on their own node only: two clients on
# two nodes both hold "the" lock, both find no row, both insert.
jq_true "for-update-parent: duplicates in most of 10 trials (the lock is node-local)" "$out" \
	"[$(c for-update-parent) | .anomalous_trials >= 6 and .anomalies.duplicates > 0] == [true]"
jq_true "advisory: duplicates in most of 10 trials (GET_LOCK is node-local)" "$out" \
	"[$(c advisory) | .anomalous_trials >= 6] == [true]"
# A unique index is checked where the row is applied: cross-node conflicts
# come back as certification failures (1213), never as a second row.
jq_true "unique: never a duplicate" "$out" "[$(c unique) | .anomalies.duplicates == 0] == [true]"
# The parent row written, not locked: the write set carries its key, and the
# second of two conflicting transactions fails certification and is retried.
jq_true "write-parent: never an anomaly" "$out" "[$(c write-parent) | .anomalous_trials == 0] == [true]"
jq_true "write-parent: the losers fail certification with 1213 (deadlock class) and retry" "$out" \
	"[$(c write-parent) | .errors.deadlock > 0 and .retries > 0
	  and (.error_examples.deadlock | startswith(\"1213\"))] == [true]"
# A Redis lock spans the cluster, and the causal read makes the next holder
# wait until its node applied the last holder's commit.
jq_true "sync-wait (redis-wide with causal reads): never an anomaly" "$out" \
	"[$(c sync-wait) | .anomalous_trials == 0] == [true]"
jq_true "redis-wide ran (its stale reads are probabilistic: not asserted)" "$out" \
	"[$(c redis-wide) | .trials == 10] == [true]"
check "the table says which topology" grep -q "throwaway galera topology" "$TMP/g.table"
check "nothing left behind: no server process, directory or nft table" nothing_left

# --- a topology's fix off its topology: an n/a cell with the reason
run_rb "$TMP/na.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -i rc -t 2 -S none,write-parent \
	--format json --out "$TMP/na.json"
check "write-parent on one server: exit 0" [ "$rb_rc" = 0 ]
jq_true "write-parent on one server: n/a, naming --topology galera" "$TMP/na.json" \
	"[$(cellf mysql double-tap write-parent rc) | .verdict == \"n/a\" and (.na_reason | contains(\"--topology galera\"))] == [true]"
run_rb "$TMP/def.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -i rc -t 1 --format json --out "$TMP/def.json"
jq_true "one server, default strategies: no topology fix among the cells" "$TMP/def.json" \
	'[.cells[].strategy] | map(. == "write-parent" or . == "sync-wait") | any | not'

# --- bad input
run_rb "$TMP/b1.txt" run --topology galera --mysql "$RACEBENCH_MYSQL"
check "--topology galera with --mysql: exit 2" [ "$rb_rc" = 2 ]
check "... saying to give one or the other" grep -q "one or the other" "$TMP/b1.txt.err"
run_rb "$TMP/b2.txt" run --mysql "$RACEBENCH_MYSQL,$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 1
check "two URLs that are no Galera cluster: refused (exit 3)" [ "$rb_rc" = 3 ]
check "... naming wsrep_on" grep -q "wsrep_on" "$TMP/b2.txt.err"
run_rb "$TMP/b3.txt" run --mysql "$RACEBENCH_MYSQL,mysql://u:secret@h:99999/d" -S none -t 1
check "a bad second URL: exit 2" [ "$rb_rc" = 2 ]
check "... naming node 2" grep -q "node 2 of 2" "$TMP/b3.txt.err"
check "... without its password" not_in secret "$TMP/b3.txt.err"
run_rb "$TMP/b4.txt" load --topology galera --fault kill:4@1 -s double-tap -S none -i rc --duration 1
check "--fault on a node the cluster lacks: exit 2" [ "$rb_rc" = 2 ]
check "... naming the nodes there are" grep -q "nodes 1 to 3" "$TMP/b4.txt.err"
check "... and the servers it started are gone" nothing_left
run_rb "$TMP/b5.txt" run --topology galera --fault kill:1@1
check "--fault outside load mode: exit 2" [ "$rb_rc" = 2 ]

# --- a partition mid-run: node 3 cut off from the others for a while
out=$TMP/f.json
# double-tap's atomic upsert appends each operation's token to one list: the
# check counts every token a client saw committed that the list lacks.
run_rb "$TMP/f.txt" load --topology galera -s double-tap -S atomic -i rc -c 3 --keys 3 \
	--duration 9 --warmup 0 --fault isolate:3@1,heal:3@7 --format json --out "$out"
check "load with a partition: exit 0, no hang (got $rb_rc: $(tail -c 300 "$TMP/f.txt.err"))" [ "$rb_rc" = 0 ]
jq_true "the cell says what was done to which node" "$out" \
	'.cells[0].faults | contains("isolate node 3") and contains("heal node 3")'
# Cut off, node 3 leaves the primary component and refuses every statement
# with 1047 until it rejoins: its clients see the database gone.
jq_true "node 3's clients saw 1047 (connection class)" "$out" \
	'.cells[0].errors.connection > 0 and (.cells[0].error_examples.connection | startswith("1047"))'
jq_true "the other nodes went on committing" "$out" '.cells[0].committed > 0'
jq_true "no committed write lost (every committed token is in its list)" "$out" \
	'.cells[0].anomalies.lost_updates == 0 and .cells[0].anomalies.duplicates == 0'
check "nothing left behind after the fault run" nothing_left

# 172_pg_replica.sh: racebench run --topology pg-replica (a throwaway
# PostgreSQL primary and streaming hot standby racebench starts and stops
# itself): the read-scaling race (plain reads on the standby, writes on the
# primary), its two fixes, the replication lag knob, a replica of one's own,
# and the primary killed and restarted mid-run. Races are probabilistic:
# what PostgreSQL guarantees is asserted (a lock held to a commit the standby
# has applied), or a robust majority, never exact counts. About 40 s.
. "$(dirname "$0")/lib.sh"

: "${RACEBENCH_PG:?}"
chmod 755 "$TMP" # the postgres user must reach its data directories
export TMPDIR=$TMP
nothing_left() { ! ls -d "$TMP"/racebench.* >/dev/null 2>&1 && ! pgrep -f "$TMP/racebench\." >/dev/null; }
c() { cellf pg "$1" "$2" rc; }

# --- the race and its fixes, 8 clients
out=$TMP/r.json
run_rb "$TMP/r.txt" run --topology pg-replica -s double-tap,duplicate-settlement -i rc -t 10 -c 8 \
	-S none,for-update-parent,read-primary,remote-apply --format json,table --out "$out" \
	--out "$TMP/r.table"
check "run --topology pg-replica exits 0 (got $rb_rc: $(tail -c 300 "$TMP/r.txt.err"))" [ "$rb_rc" = 0 ]
jq_true "the report names the topology, the replica and its apply delay" "$out" \
	'.servers[0].topology == "pg-replica" and (.servers[0].replica | contains("standby"))
	 and .servers[0].settings["standby recovery_min_apply_delay"] == "0"'
for sc in double-tap duplicate-settlement; do
	# The parent row locked on the primary serialises the writers, but the
	# find reads the standby, which may not have replayed the last holder's
	# row yet: how often depends on how fast the client is against the
	# replay (a sanitizer build is slow enough to miss it), so it is shown,
	# not asserted; the 20 ms delay below makes it certain, and is asserted.
	echo "# $sc for-update-parent without a delay: $(jq -r "[$(c $sc for-update-parent) | .anomalous_trials] | first" "$out") of 10 trials anomalous"
	jq_true "$sc read-primary: never an anomaly" "$out" \
		"[$(c $sc read-primary) | .anomalous_trials == 0 and .verdict == \"safe\"] == [true]"
	# COMMIT returns once the standby has applied it, before the lock is
	# released: the next holder's find on the standby sees the row.
	jq_true "$sc remote-apply: never an anomaly" "$out" \
		"[$(c $sc remote-apply) | .anomalous_trials == 0 and .verdict == \"safe\"] == [true]"
done
check "the table says which topology" grep -q "throwaway pg-replica topology" "$TMP/r.table"
check "nothing left behind" nothing_left

# --- replication lag as wide as asked: 20 ms
run_rb "$TMP/d.txt" run --topology pg-replica --replica-delay 20 -s double-tap -i rc -t 6 -c 4 \
	-S for-update-parent,remote-apply --format json --out "$TMP/d.json"
check "--replica-delay 20: exit 0" [ "$rb_rc" = 0 ]
jq_true "--replica-delay 20: the standby applies 20 ms late" "$TMP/d.json" \
	'.servers[0].settings["standby recovery_min_apply_delay"] == "20ms"'
jq_true "--replica-delay 20: for-update-parent has anomalies in most trials" "$TMP/d.json" \
	"[$(c double-tap for-update-parent) | .anomalous_trials >= 4] == [true]"
jq_true "--replica-delay 20: remote-apply never (it waits the delay out)" "$TMP/d.json" \
	"[$(c double-tap remote-apply) | .anomalous_trials == 0] == [true]"

# --- bad input, and a replica of one's own that is not a standby
run_rb "$TMP/b1.txt" run --pg-replica "$RACEBENCH_PG"
check "--pg-replica without --pg: exit 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/b2.txt" run --topology pg-replica --pg "$RACEBENCH_PG"
check "--topology pg-replica with --pg: exit 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/b3.txt" run --replica-delay 5 --pg "$RACEBENCH_PG"
check "--replica-delay without the throwaway: exit 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/b4.txt" run --pg "$RACEBENCH_PG" --pg-replica "$RACEBENCH_PG" -s double-tap -S none -i rc -t 1
check "a 'replica' that is a primary: refused" [ "$rb_rc" = 3 ]
check "... saying it is not a standby" grep -q "not a standby" "$TMP/b4.txt.err"
run_rb "$TMP/b5.txt" run --pg "$RACEBENCH_PG" --pg-replica "host=/nonexistent password=s3cret" -S none -t 1
check "an unreachable replica: exit 3, its password not shown" [ "$rb_rc" = 3 ]
check "... its password not shown" bash -c "! grep -q s3cret '$TMP/b5.txt.err'"

# --- the primary killed, then restarted, mid-run
out=$TMP/f.json
run_rb "$TMP/f.txt" load --topology pg-replica -s double-tap -S atomic -i rc -c 3 --keys 3 \
	--duration 5 --warmup 0 --fault kill:1@1.5,restart:1@3 --format json --out "$out"
check "load with the primary killed: exit 0, no hang (got $rb_rc: $(tail -c 300 "$TMP/f.txt.err"))" [ "$rb_rc" = 0 ]
jq_true "the cell says what was done" "$out" \
	'.cells[0].faults | contains("kill node 1") and contains("restart node 1")'
jq_true "clients saw the primary go (connection errors)" "$out" '.cells[0].errors.connection > 0'
jq_true "clients committed operations around the fault" "$out" '.cells[0].committed > 0'
jq_true "no committed write lost" "$out" \
	'.cells[0].anomalies.lost_updates == 0 and .cells[0].anomalies.duplicates == 0'
check "nothing left behind after the fault run" nothing_left

# 030_ownership_pg.sh: racebench touches only its own schema.
. "$(dirname "$0")/lib.sh"

psql_rb -c "DROP TABLE IF EXISTS public.interest_asset; DROP SCHEMA IF EXISTS racebench CASCADE;
	CREATE TABLE public.interest_asset (id int, assets text);
	INSERT INTO public.interest_asset VALUES (1, 'users data')"
run_rb "$TMP/o.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2
check "run next to a user's table exits 0" [ "$rb_rc" = 0 ]
check "the user's table is untouched" [ "$(psql_rb -c 'SELECT assets FROM public.interest_asset')" = "users data" ]
check "the tool's schema is dropped at the end" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'racebench'")" = 0 ]

run_rb "$TMP/k.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --keep-schema --schema rb_kept
check "--keep-schema keeps it, with its owner marker" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'rb_kept' AND tablename = 'racebench_owner'")" = 1 ]
run_rb "$TMP/k2.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema rb_kept
check "a schema racebench created is reused and dropped" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'rb_kept'")" = 0 ]

psql_rb -c "CREATE SCHEMA racebench; CREATE TABLE racebench.mine (x int); INSERT INTO racebench.mine VALUES (42)"
run_rb "$TMP/r.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2
check "a schema racebench did not create is refused (exit 2)" [ "$rb_rc" = 2 ]
check "the refusal says why and what to do" grep -q 'was not created by racebench.*--force-schema' "$TMP/r.txt.err"
check "the user's schema is intact" [ "$(psql_rb -c 'SELECT x FROM racebench.mine')" = 42 ]
run_rb "$TMP/f.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --force-schema
check "--force-schema takes a schema racebench did not create (exit 0)" [ "$rb_rc" = 0 ]
check "... and drops it at the end, as its own" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'racebench'")" = 0 ]

# A user's schema that happens to hold a racebench_owner table (a copy, a
# restored dump) is not racebench's: the mark is on both sides.
psql_rb -c "CREATE SCHEMA rb_lookalike; CREATE TABLE rb_lookalike.racebench_owner (x int);
	CREATE TABLE rb_lookalike.orders (id int); INSERT INTO rb_lookalike.orders VALUES (7)"
run_rb "$TMP/l.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema rb_lookalike
check "a schema with a look-alike marker table is refused (exit 2)" [ "$rb_rc" = 2 ]
check "... and intact" [ "$(psql_rb -c 'SELECT id FROM rb_lookalike.orders')" = 7 ]
psql_rb -c "COMMENT ON SCHEMA rb_lookalike IS 'racebench:other:0123456789abcdef01234567';
	COMMENT ON TABLE rb_lookalike.racebench_owner IS 'racebench:other:0123456789abcdef01234567'"
run_rb "$TMP/l.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema rb_lookalike
check "a mark naming another schema (a copy) is refused too" [ "$rb_rc" = 2 ]
psql_rb -c "DROP SCHEMA rb_lookalike CASCADE"
run_rb "$TMP/k.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --keep-schema --schema rb_kept2
check "the mark is on the schema and on the marker table, and they agree" [ "$(psql_rb -c "
	SELECT obj_description('rb_kept2'::regnamespace, 'pg_namespace') =
	       obj_description('rb_kept2.racebench_owner'::regclass, 'pg_class')
	   AND obj_description('rb_kept2'::regnamespace, 'pg_namespace') LIKE 'racebench:rb_kept2:%'")" = t ]
run_rb "$TMP/k.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema rb_kept2
psql_rb -c "CREATE SCHEMA IF NOT EXISTS public"
run_rb "$TMP/p.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema public --force-schema
check "public with --force-schema once is refused (exit 2)" [ "$rb_rc" = 2 ]
check "... and public is still there with the user's table" \
	[ "$(psql_rb -c 'SELECT assets FROM public.interest_asset')" = "users data" ]
psql_rb -c "DROP TABLE public.interest_asset"

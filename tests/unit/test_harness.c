/*
 * test_harness.c: the harness's bookkeeping with no database running, on
 * the fake driver and lock service (drivers/fake.h): retries, error
 * classes, reconnects, guards, and the matrix's cells. What a real
 * database does is tested end to end, on real servers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/harness.h"
#include "../../core/matrix.h"
#include "../../drivers/fake.h"
#include "../../scenarios/race.h"

/*
 * ---- a race of the tests' own, as a race file: read, think, write; the
 * check counts what the fake answers. The fake names statements by name.
 */
static const char test_race_text[] =
	"race test-race\n"
	"parent acct fence fence\n"
	"reset { reset { RESET } }\n"
	"operation {\n"
	"    read { READ :key } into v\n"
	"    think\n"
	"    write { WRITE :key }\n"
	"}\n"
	"strategy optimistic { after write { if affected == 0 { conflict } } }\n"
	"strategy unique n/a \"nothing here is created twice\"\n"
	"check { tally { TALLY } into n\n count lost_updates n }\n";

static const struct scenario *test_scenario_p;

static int setup_race(void **state)
{
	struct rb_err e;
	struct race *r = race_parse(test_race_text, sizeof(test_race_text) - 1, "test.race", &e);

	(void)state;
	if (!r) {
		print_error("test.race: %s\n", e.msg);
		return -1;
	}
	race_finish(r);
	test_scenario_p = race_scenario(r);
	return 0;
}

static int teardown_race(void **state)
{
	(void)state;
	race_free((struct race *)test_scenario_p->data);
	return 0;
}

#define test_scenario (*test_scenario_p)

/* ---- one cell on a pool of the fake ---- */

static struct run_cfg cfg_for(int clients, int trials, int retries)
{
	struct run_cfg c = { 0 };

	c.clients = clients;
	c.trials = trials;
	c.retries = retries;
	c.seed = 1;
	c.sc.clients = clients;
	c.sc.keys = 1;
	c.lock.url = "fake";
	c.lock.prefix = "test";
	c.lock_wait_ms = 10;
	c.lock_ttl_ms = 1000;
	c.lease_ms = 1;
	c.locks = &lock_service_fake;
	return c;
}

/* Runs one cell of strategy s at rc on a pool of the fake; 0 or -1. */
static int cell(const struct run_cfg *cfg, enum strategy s, struct cell_result *out)
{
	struct db_opts dbo = { .dsn = "fake" };
	struct db_conn *admin = NULL;
	struct rb_err e;
	struct pool *p;
	int rc;

	memset(out, 0, sizeof(*out));
	assert_int_equal(driver_fake.xConnect(&dbo, &admin, &e), 0);
	p = pool_open(&driver_fake, &dbo, &test_scenario, cfg, &e);
	assert_non_null(p);
	rc = pool_cell(p, &admin, s, RB_ISO_RC, out, &e);
	pool_close(p);
	driver_fake.xClose(admin);
	return rc;
}

static void a_clean_run(void **state)
{
	struct run_cfg cfg = cfg_for(2, 3, 10);
	struct cell_result c;

	(void)state;
	fake_reset();
	assert_int_equal(cell(&cfg, ST_NONE, &c), 0);
	assert_int_equal(c.trials, 3);
	assert_int_equal(c.ops, 6);
	assert_int_equal(c.done, 6);
	assert_int_equal(c.failed + c.retries, 0);
	assert_int_equal(c.verdict, V_SAFE);
	assert_int_equal(fake_calls("BEGIN"), 6);
	assert_int_equal(fake_calls("COMMIT"), 6);
	assert_int_equal(fake_calls("reset"), 3);
	assert_int_equal(fake_calls("tally"), 3);
}

/* serializable retries serialization failures; each is an error, none a failure. */
static void retries_counted(void **state)
{
	struct run_cfg cfg = cfg_for(1, 1, 10);
	struct cell_result c;

	(void)state;
	fake_reset();
	fake_fail("write", 1, 2, RB_CLS_SERIALIZATION, 0);
	assert_int_equal(cell(&cfg, ST_SERIALIZABLE, &c), 0);
	assert_int_equal(c.ops, 1);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.retries, 2);
	assert_int_equal(c.errors[RB_CLS_SERIALIZATION], 2);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.verdict, V_SAFE);
	assert_int_equal(fake_calls("ROLLBACK"), 2);
	assert_int_equal(fake_calls("write"), 3);
}

/* Beyond --retries the failure reaches the user: errors, not safe. */
static void retries_exhausted(void **state)
{
	struct run_cfg cfg = cfg_for(1, 1, 3);
	struct cell_result c;

	(void)state;
	fake_reset();
	fake_fail("write", 1, 0, RB_CLS_DEADLOCK, 0);
	assert_int_equal(cell(&cfg, ST_SERIALIZABLE, &c), 0);
	assert_int_equal(c.retries, 3);
	assert_int_equal(c.errors[RB_CLS_DEADLOCK], 4);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.failures[RB_CLS_DEADLOCK], 1);
	assert_int_equal(c.verdict, V_ERRORS);
}

/* A strategy that does not retry fails at once, in the error's own class. */
static void no_retry_without_the_strategy(void **state)
{
	static const enum rb_class classes[] = { RB_CLS_DEADLOCK,     RB_CLS_SERIALIZATION,
						 RB_CLS_LOCK_TIMEOUT, RB_CLS_UNIQUE,
						 RB_CLS_CHECK,	      RB_CLS_OTHER };

	(void)state;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		struct run_cfg cfg = cfg_for(1, 1, 10);
		struct cell_result c;

		fake_reset();
		fake_fail("read", 1, 1, classes[i], 0);
		assert_int_equal(cell(&cfg, ST_NONE, &c), 0);
		assert_int_equal(c.retries, 0);
		assert_int_equal(c.errors[classes[i]], 1);
		assert_int_equal(c.failures[classes[i]], 1);
		assert_int_equal(c.failed, 1);
		assert_int_equal(c.verdict, V_ERRORS);
		assert_non_null(strstr(c.examples[classes[i]], "failed as told"));
	}
}

/* A lost connection: one error, one class; the next trial runs on a new one. */
static void reconnects(void **state)
{
	struct run_cfg cfg = cfg_for(1, 3, 10);
	struct cell_result c;
	long long others = 0;

	(void)state;
	fake_reset();
	fake_fail("read", 1, 1, RB_CLS_CONNECTION, 1);
	assert_int_equal(cell(&cfg, ST_SERIALIZABLE, &c), 0);
	assert_int_equal(c.errors[RB_CLS_CONNECTION], 1);
	assert_int_equal(c.failures[RB_CLS_CONNECTION], 1);
	for (int k = 0; k < RB_CLS__COUNT; k++)
		if (k != RB_CLS_CONNECTION)
			others += c.errors[k];
	assert_int_equal(others, 0);
	assert_int_equal(c.retries, 0); /* never retried on a dead connection */
	assert_int_equal(c.done, 2);
	/* admin, one client, and the client's new connection */
	assert_int_equal(fake_calls("CONNECT"), 3);
}

/* An optimistic version miss is retried, and counted as a conflict when it lasts. */
static void conflicts(void **state)
{
	struct run_cfg cfg = cfg_for(1, 1, 2);
	struct cell_result c;

	(void)state;
	fake_reset();
	fake_answer("write", 1, 1, NULL, 0);
	fake_answer("write", 2, 0, NULL, 1);
	assert_int_equal(cell(&cfg, ST_OPTIMISTIC, &c), 0);
	assert_int_equal(c.retries, 1);
	assert_int_equal(c.done, 1);
	fake_reset();
	fake_answer("write", 1, 0, NULL, 0);
	assert_int_equal(cell(&cfg, ST_OPTIMISTIC, &c), 0);
	assert_int_equal(c.retries, 2);
	assert_int_equal(c.failures[FR_CONFLICT], 1);
	assert_int_equal(c.verdict, V_ERRORS);
}

/* Guards: the database's named lock in the transaction, Redis locks around it. */
static void guards(void **state)
{
	struct run_cfg cfg = cfg_for(2, 2, 10);
	struct cell_result c;

	(void)state;
	fake_reset();
	assert_int_equal(cell(&cfg, ST_ADVISORY, &c), 0);
	assert_int_equal(fake_calls("LOCK"), 4);
	fake_reset();
	assert_int_equal(cell(&cfg, ST_REDIS_WIDE, &c), 0);
	assert_int_equal(fake_calls("ACQUIRE"), 4);
	assert_int_equal(fake_calls("RELEASE"), 4);
	assert_true(c.has_lock);
	/* redlock without xAcquireMajority (the fake, explain) takes xAcquire, wide */
	fake_reset();
	assert_int_equal(cell(&cfg, ST_REDLOCK, &c), 0);
	assert_int_equal(fake_calls("ACQUIRE"), 4);
	assert_int_equal(fake_calls("RELEASE"), 4);
	assert_true(c.has_lock);
	assert_true(c.counts_holders);
	/* redis-late reads the parent first: the snapshot before the lock */
	fake_reset();
	assert_int_equal(cell(&cfg, ST_REDIS_LATE, &c), 0);
	assert_int_equal(fake_calls("peek"), 4);
	/* a fenced write that finds a newer token is refused: fenced, rolled back */
	fake_reset();
	fake_answer("fence", 1, 0, NULL, 0);
	assert_int_equal(cell(&cfg, ST_REDIS_EXPIRY_FENCED, &c), 0);
	assert_int_equal(c.failures[FR_FENCED], 4);
	assert_int_equal(fake_calls("write"), 0);
	/* a lock not granted in time is the user's failure, counted as a time-out */
	fake_reset();
	fake_fail("ACQUIRE", 1, 1, RB_CLS_NONE, 0);
	assert_int_equal(cell(&cfg, ST_REDIS_WIDE, &c), 0);
	assert_int_equal(c.failures[FR_LOCK_ACQUIRE], 1);
	assert_int_equal(c.lock_timeouts, 1);
	assert_int_equal(fake_calls("BEGIN"), 3);
}

/* The invariant's count makes the verdict; an anomaly in some trials is an anomaly. */
static void verdicts(void **state)
{
	struct run_cfg cfg = cfg_for(1, 4, 10);
	struct cell_result c;

	(void)state;
	fake_reset();
	fake_answer("tally", 2, 3, "5", 0);
	assert_int_equal(cell(&cfg, ST_NONE, &c), 0);
	assert_int_equal(c.trials, 4);
	assert_int_equal(c.anomalous_trials, 2);
	assert_int_equal(c.anomalies[0], 10);
	assert_int_equal(c.verdict, V_ANOMALY);
	/* a reset the database refuses (twice: the admin is not revived) aborts the cell */
	fake_reset();
	fake_fail("reset", 2, 0, RB_CLS_OTHER, 0);
	assert_int_equal(cell(&cfg, ST_NONE, &c), -1);
	assert_int_equal(c.verdict, V_ABORTED);
	assert_int_equal(c.trials, 1);
}

/* The matrix over the fake: which cells run, which are n/a and why, in order. */
static void matrix_cells(void **state)
{
	static const struct driver *const drv[] = { &driver_fake, NULL };
	const struct scenario *scs[] = { test_scenario_p, NULL };
	struct matrix_plan plan = { 0 };
	struct run_result r = { 0 };
	const char *dsn[1] = { "fake" };
	int throwaway[1] = { 0 };
	struct matrix m;
	struct rb_err e;
	int ran = 0, na = 0;

	(void)state;
	fake_reset();
	plan.dbs = 1;
	plan.scenarios = 1;
	plan.strategies = (1u << ST_NONE) | (1u << ST_SERIALIZABLE) | (1u << ST_UNIQUE);
	plan.isolations = RB_ISO_DEFAULTS;
	plan.cfg = cfg_for(2, 2, 10);
	plan.schema = "test";
	plan.driver_list = drv;
	plan.scenario_list = scs;
	plan.quiet = 1;
	matrix_init(&m, &plan, &r, 0, NULL);
	assert_int_equal(matrix_count_cells(&plan), 5); /* none x4, serializable at ser */
	assert_int_equal(matrix_run(&m, dsn, throwaway, &e), 0);
	assert_int_equal(r.ncells, 12);
	for (int i = 0; i < r.ncells; i++) {
		const struct cell_result *c = &r.cells[i];

		assert_true(c->iso != RB_ISO_RR_SI); /* not a default level */
		if (c->verdict == V_NA) {
			na++;
			assert_non_null(c->na_reason);
			if (!strcmp(c->strategy, "unique"))
				assert_string_equal(c->na_reason, "nothing here is created twice");
			else
				assert_string_equal(c->strategy, "serializable");
		} else {
			ran++;
			assert_int_equal(c->trials, 2);
			assert_int_equal(c->verdict, V_SAFE);
		}
	}
	assert_int_equal(ran, 5);
	assert_int_equal(na, 7);
	assert_string_equal(r.cells[0].strategy, "none");
	assert_int_equal(r.cells[0].iso, RB_ISO_RU);
	assert_int_equal(r.cells[7].eff_iso, RB_ISO_SER);
	assert_string_equal(r.servers[0].info.product, "Fake");
	result_release(&r);
	matrix_release(&m);
}

/*
 * All five levels, on a server that lacks rr+si: its cells are n/a with
 * the driver's reason (before a strategy's own level, after a strategy
 * that does not fit), the rest run, and the progress total loses the
 * cells the server turned out not to have.
 */
static void matrix_level_na(void **state)
{
	static const struct driver *const drv[] = { &driver_fake, NULL };
	static const char why[] = "this fake has no snapshot isolation";
	const struct scenario *scs[] = { test_scenario_p, NULL };
	struct matrix_plan plan = { 0 };
	struct run_result r = { 0 };
	const char *dsn[1] = { "fake" };
	int throwaway[1] = { 0 };
	struct matrix m;
	struct rb_err e;
	int ran = 0, na_level = 0;

	(void)state;
	fake_reset();
	plan.dbs = 1;
	plan.scenarios = 1;
	plan.strategies = (1u << ST_NONE) | (1u << ST_SERIALIZABLE) | (1u << ST_UNIQUE);
	plan.isolations = (1u << RB_ISO__COUNT) - 1;
	plan.cfg = cfg_for(2, 2, 10);
	plan.schema = "test";
	plan.driver_list = drv;
	plan.scenario_list = scs;
	plan.quiet = 1;

	/* a server that has it: none runs at all five */
	matrix_init(&m, &plan, &r, 0, NULL);
	m.total_cells = matrix_count_cells(&plan);
	assert_int_equal(m.total_cells, 6);
	assert_int_equal(matrix_run(&m, dsn, throwaway, &e), 0);
	assert_int_equal(r.ncells, 15);
	for (int i = 0; i < r.ncells; i++)
		ran += r.cells[i].verdict != V_NA;
	assert_int_equal(ran, 6);
	assert_int_equal(m.total_cells, 6);
	result_release(&r);
	matrix_release(&m);

	fake_level(RB_ISO_RR_SI, why);
	memset(&r, 0, sizeof(r));
	ran = 0;
	matrix_init(&m, &plan, &r, 0, NULL);
	/* unknown without a server: counted, then taken off */
	m.total_cells = matrix_count_cells(&plan);
	assert_int_equal(m.total_cells, 6);
	assert_int_equal(matrix_run(&m, dsn, throwaway, &e), 0);
	assert_int_equal(m.total_cells, 5);
	assert_int_equal(r.ncells, 15);
	for (int i = 0; i < r.ncells; i++) {
		const struct cell_result *c = &r.cells[i];

		if (c->verdict != V_NA) {
			ran++;
			assert_true(c->iso != RB_ISO_RR_SI);
			continue;
		}
		if (c->iso != RB_ISO_RR_SI)
			continue;
		if (!strcmp(c->strategy, "unique")) {
			assert_string_equal(c->na_reason, "nothing here is created twice");
		} else {
			assert_string_equal(c->na_reason, why);
			na_level++;
		}
	}
	assert_int_equal(ran, 5);
	assert_int_equal(na_level, 2); /* none and serializable */
	assert_int_equal(fake_calls("BEGIN") > 0, 1);
	result_release(&r);
	matrix_release(&m);
	fake_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_clean_run),
		cmocka_unit_test(retries_counted),
		cmocka_unit_test(retries_exhausted),
		cmocka_unit_test(no_retry_without_the_strategy),
		cmocka_unit_test(reconnects),
		cmocka_unit_test(conflicts),
		cmocka_unit_test(guards),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(matrix_cells),
		cmocka_unit_test(matrix_level_na),
	};

	return cmocka_run_group_tests_name("harness", tests, setup_race, teardown_race);
}

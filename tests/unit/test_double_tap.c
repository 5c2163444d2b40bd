/* test_double_tap.c: the double-tap checker's arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../scenarios/double_tap.h"

static void counts_items(void **state)
{
	(void)state;
	assert_int_equal(dt_count_items(NULL), 0);
	assert_int_equal(dt_count_items(""), 0);
	assert_int_equal(dt_count_items("52"), 1);
	assert_int_equal(dt_count_items("52,418,3,17"), 4);
}

/* The incident: two taps, both inserted: one duplicate, nothing lost. */
static void two_rows_one_duplicate(void **state)
{
	struct dt_row rows[] = { { 0, "7" }, { 0, "9" } };
	long long committed[] = { 2 }, dup, lost;

	(void)state;
	dt_tally(rows, 2, 1, committed, &dup, &lost);
	assert_int_equal(dup, 1);
	assert_int_equal(lost, 0);
}

/* Odd keys start with one item; two updates that read it, one survives. */
static void overwritten_list_is_lost_update(void **state)
{
	struct dt_row rows[] = { { 0, "1" }, { 1, "0,5" } };
	long long committed[] = { 1, 2 }, dup, lost;

	(void)state;
	dt_tally(rows, 2, 2, committed, &dup, &lost);
	assert_int_equal(dup, 0);
	assert_int_equal(lost, 1);
}

static void clean_trial_has_no_anomaly(void **state)
{
	struct dt_row rows[] = { { 0, "1,2,3" }, { 1, "0,4,5" }, { 2, "6" } };
	long long committed[] = { 3, 2, 1 }, dup, lost;

	(void)state;
	dt_tally(rows, 3, 3, committed, &dup, &lost);
	assert_int_equal(dup, 0);
	assert_int_equal(lost, 0);
}

/* A key nobody touched and a key whose taps all failed: nothing expected. */
static void untouched_keys(void **state)
{
	struct dt_row rows[] = { { 1, "0" } };
	long long committed[] = { 0, 0, 0 }, dup, lost;

	(void)state;
	dt_tally(rows, 1, 3, committed, &dup, &lost);
	assert_int_equal(dup, 0);
	assert_int_equal(lost, 0);
	/* ...but an odd key whose seed row vanished lost its seed item */
	dt_tally(rows, 0, 3, committed, &dup, &lost);
	assert_int_equal(lost, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_items),
		cmocka_unit_test(two_rows_one_duplicate),
		cmocka_unit_test(overwritten_list_is_lost_update),
		cmocka_unit_test(clean_trial_has_no_anomaly),
		cmocka_unit_test(untouched_keys),
	};

	return cmocka_run_group_tests_name("double_tap", tests, NULL, NULL);
}

/* test_tally.c: the scenario checkers' arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../scenarios/tally.h"

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

/* duplicate-settlement: two pending settlements for product 0; product 1's
 * total misses one item of 100. */
static void settlement_tally(void **state)
{
	struct ds_row rows[] = {
		{ 0, 100, 100 },
		{ 0, 100, 100 },
		{ 1, 200, 300 },
	};
	long long dup, lost;

	(void)state;
	ds_tally(rows, 3, 100, &dup, &lost);
	assert_int_equal(dup, 1);
	assert_int_equal(lost, 1);
	ds_tally(rows, 1, 100, &dup, &lost);
	assert_int_equal(dup, 0);
	assert_int_equal(lost, 0);
	/* a partial amount still counts as one lost item */
	rows[0].items = 150;
	ds_tally(rows, 1, 100, &dup, &lost);
	assert_int_equal(lost, 1);
}

static void balance_tally(void **state)
{
	long long neg, over, lost;

	(void)state;
	/* 100 of money, price 30: three purchases allowed. Eight went through. */
	nb_tally(100, 30, 100 - 8 * 30, 8, 8 * 30, &neg, &over, &lost);
	assert_int_equal(neg, 1);
	assert_int_equal(over, 5);
	assert_int_equal(lost, 0);
	/* three purchases, money conserved: clean */
	nb_tally(100, 30, 10, 3, 90, &neg, &over, &lost);
	assert_int_equal(neg + over + lost, 0);
	/* two purchases recorded but the balance only moved once: 30 lost */
	nb_tally(100, 30, 70, 2, 60, &neg, &over, &lost);
	assert_int_equal(neg, 0);
	assert_int_equal(over, 0);
	assert_int_equal(lost, 1);
}

static void coupon_tally(void **state)
{
	long long over, lost;

	(void)state;
	/* 4 coupons; 8 issued, and each wrote back 3 */
	co_tally(4, 3, 8, &over, &lost);
	assert_int_equal(over, 4);
	assert_int_equal(lost, 7);
	co_tally(4, 0, 4, &over, &lost);
	assert_int_equal(over + lost, 0);
	/* check-after rolled the extra issues back but the quantity is wrong */
	co_tally(4, 3, 4, &over, &lost);
	assert_int_equal(over, 0);
	assert_int_equal(lost, 3);
}

static void transfer_tally(void **state)
{
	long long dbl, both;

	(void)state;
	tr_tally(3, 0, &dbl, &both);
	assert_int_equal(dbl, 2);
	assert_int_equal(both, 0);
	tr_tally(1, 1, &dbl, &both);
	assert_int_equal(dbl, 0);
	assert_int_equal(both, 1);
	tr_tally(0, 1, &dbl, &both);
	assert_int_equal(dbl + both, 0);
	tr_tally(1, 0, &dbl, &both);
	assert_int_equal(dbl + both, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_items),
		cmocka_unit_test(two_rows_one_duplicate),
		cmocka_unit_test(overwritten_list_is_lost_update),
		cmocka_unit_test(clean_trial_has_no_anomaly),
		cmocka_unit_test(untouched_keys),
		cmocka_unit_test(settlement_tally),
		cmocka_unit_test(balance_tally),
		cmocka_unit_test(coupon_tally),
		cmocka_unit_test(transfer_tally),
	};

	return cmocka_run_group_tests_name("tally", tests, NULL, NULL);
}

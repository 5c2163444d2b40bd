/* test_hist.c: the histogram against known distributions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../base/hist.h"
#include "../../base/util.h"

static struct hist *new_hist(void)
{
	struct hist *h = malloc(sizeof(*h));

	hist_reset(h);
	return h;
}

/* |got - want| <= want / 512 (the promised precision), or exact when small. */
static void assert_close(uint64_t got, uint64_t want)
{
	uint64_t diff = got > want ? got - want : want - got;

	if (diff * 512 > want) {
		print_error("got %llu, want %llu\n", (unsigned long long)got,
			    (unsigned long long)want);
		fail();
	}
}

static void empty_is_zero(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_int_equal(hist_percentile(h, 99.9), 0);
	assert_true(hist_mean(h) == 0.0);
	free(h);
}

static void small_values_exact(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	for (uint64_t v = 1; v <= 1000; v++)
		hist_record(h, v);
	assert_int_equal(hist_percentile(h, 50), 500);
	assert_int_equal(hist_percentile(h, 90), 900);
	assert_int_equal(hist_percentile(h, 99), 990);
	assert_int_equal(hist_percentile(h, 99.9), 999);
	assert_int_equal(hist_percentile(h, 100), 1000);
	assert_int_equal(h->min, 1);
	free(h);
}

static void uniform_large(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	for (uint64_t v = 1; v <= 1000000; v++)
		hist_record(h, v);
	assert_close(hist_percentile(h, 50), 500000);
	assert_close(hist_percentile(h, 90), 900000);
	assert_close(hist_percentile(h, 99), 990000);
	assert_close(hist_percentile(h, 99.9), 999000);
	assert_int_equal(hist_percentile(h, 100), 1000000);
	assert_true(hist_mean(h) > 500000.0 && hist_mean(h) < 500001.0);
	free(h);
}

/* A bimodal latency: 99 % fast at 800 us, 1 % stalls at 250 ms. */
static void bimodal_tail(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	for (int i = 0; i < 9900; i++)
		hist_record(h, 800);
	for (int i = 0; i < 100; i++)
		hist_record(h, 250000);
	assert_int_equal(hist_percentile(h, 50), 800);
	assert_int_equal(hist_percentile(h, 99), 800);
	assert_close(hist_percentile(h, 99.5), 250000);
	assert_int_equal(hist_percentile(h, 100), 250000);
	free(h);
}

/* Every bucket's reported value bounds its members within the precision. */
static void buckets_bound_values(void **state)
{
	struct rng r;

	(void)state;
	rng_seed(&r, 42);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = rng_next(&r) >> (rng_next(&r) % 64);
		uint64_t hi;

		if (v >> HIST_MAX_BITS)
			continue;
		hi = hist_bucket_high(hist_index(v));
		assert_true(hi >= v);
		assert_true((hi - v) * 512 <= v || v < 1024);
		assert_true(hist_index(v) < HIST_BUCKETS);
	}
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
}

static void merge_equals_single(void **state)
{
	struct hist *a = new_hist(), *b = new_hist(), *all = new_hist();
	struct rng r;

	(void)state;
	rng_seed(&r, 7);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = 1 + rng_next(&r) % 5000000;

		hist_record(i % 2 ? a : b, v);
		hist_record(all, v);
	}
	hist_merge(a, b);
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->min, all->min);
	assert_int_equal(a->max, all->max);
	for (double q = 1; q < 100; q += 7.5)
		assert_int_equal(hist_percentile(a, q), hist_percentile(all, q));
	free(a);
	free(b);
	free(all);
}

static void huge_values_clamp(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	hist_record(h, 10);
	hist_record(h, (uint64_t)1 << 40);
	assert_int_equal(hist_percentile(h, 100), (uint64_t)1 << 40);
	assert_int_equal(hist_percentile(h, 50), 10);
	free(h);
}

/* The coarse histogram kept with a cell: every value within 1/64 of its bucket's top. */
static void lite_bounds_values(void **state)
{
	struct hist *h = calloc(1, sizeof(*h));
	struct hist_lite *l = calloc(1, sizeof(*l));
	uint64_t total = 0;

	(void)state;
	assert_non_null(h);
	assert_non_null(l);
	for (uint64_t v = 1; v < 5000000; v = v * 21 / 20 + 1)
		hist_record(h, v);
	hist_lite_from(h, l);
	assert_int_equal(l->count, h->count);
	assert_int_equal(l->max, h->max);
	for (unsigned i = 0; i < HLITE_BUCKETS; i++)
		total += l->b[i];
	assert_int_equal(total, h->count);
	for (uint64_t v = 1; v < 5000000; v = v * 21 / 20 + 1) {
		struct hist one;
		struct hist_lite lone;
		unsigned i;

		hist_reset(&one);
		hist_record(&one, v);
		hist_lite_from(&one, &lone);
		for (i = 0; i < HLITE_BUCKETS && !lone.b[i]; i++)
			;
		assert_true(i < HLITE_BUCKETS);
		/* its bucket holds v: capped at max (v itself) and no more than 1/64 above */
		assert_true(hist_lite_high(i) >= v || hist_lite_high(i) >= one.max);
		assert_true(i == 0 || hist_lite_high(i - 1) < v);
		assert_true((double)hist_lite_high(i) <= (double)v * (1.0 + 1.0 / 64) + 1);
	}
	free(h);
	free(l);
}

/*
 * A schedule lag or a latency is a difference of clock readings; taken
 * the wrong way round it must read 0, never 1.8e16 microseconds (what an
 * open loop once wrote as lag_us.max).
 */
static void time_differences_never_wrap(void **state)
{
	struct hist h;

	(void)state;
	assert_int_equal(ns_between(1000, 3000), 2000);
	assert_int_equal(ns_between(3000, 1000), 0);
	assert_int_equal(ns_between(UINT64_MAX, 0), 0);
	hist_reset(&h);
	hist_record(&h, ns_between(5000000, 4999000) / 1000);
	assert_int_equal(h.max, 0);
	assert_true(hist_mean(&h) < 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_is_zero),	cmocka_unit_test(small_values_exact),
		cmocka_unit_test(uniform_large),	cmocka_unit_test(bimodal_tail),
		cmocka_unit_test(buckets_bound_values), cmocka_unit_test(merge_equals_single),
		cmocka_unit_test(huge_values_clamp),	cmocka_unit_test(lite_bounds_values),
		cmocka_unit_test(time_differences_never_wrap),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}

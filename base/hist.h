/* hist.h: fixed-memory log-linear latency histogram (HdrHistogram's idea). */
#ifndef RB_HIST_H
#define RB_HIST_H

#include <stdint.h>

/*
 * Values (microseconds in racebench) below 2^HIST_SUB_BITS are counted
 * exactly; above that each power of two is split into 2^(HIST_SUB_BITS-1)
 * equal buckets, so a reported value is within 1/512 (0.2 %) of the true
 * one. Values at or above 2^HIST_MAX_BITS are counted in the last bucket
 * (max still records them exactly). Memory is fixed: 48 KiB per histogram.
 */
#define HIST_SUB_BITS 10
#define HIST_MAX_BITS 32
#define HIST_BUCKETS \
	((1u << HIST_SUB_BITS) + (HIST_MAX_BITS - HIST_SUB_BITS) * (1u << (HIST_SUB_BITS - 1)))

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint32_t b[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_record(struct hist *h, uint64_t v);
/* Adds src's counts to dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The smallest recorded value v such that at least q percent of the values
 * are <= v, reported as the highest value its bucket stands for (never more
 * than max). q in [0, 100]; an empty histogram gives 0.
 */
uint64_t hist_percentile(const struct hist *h, double q);
double hist_mean(const struct hist *h);

/* Exposed for tests: bucket index of v and the highest value of bucket i. */
unsigned hist_index(uint64_t v);
uint64_t hist_bucket_high(unsigned i);

/*
 * A histogram coarse enough to keep with every cell of a report (7 KiB):
 * values within 1/64 (1.6 %) of the true one, HdrHistogram's "two
 * significant digits". Made from a full one when a cell ends; what the
 * .hgrm report writes.
 */
#define HLITE_SUB_BITS 7
#define HLITE_BUCKETS \
	((1u << HLITE_SUB_BITS) + (HIST_MAX_BITS - HLITE_SUB_BITS) * (1u << (HLITE_SUB_BITS - 1)))

struct hist_lite {
	uint64_t count, sum, min, max;
	uint32_t b[HLITE_BUCKETS];
};

void hist_lite_from(const struct hist *h, struct hist_lite *out);
/* The highest value bucket i of a hist_lite stands for. */
uint64_t hist_lite_high(unsigned i);

#endif

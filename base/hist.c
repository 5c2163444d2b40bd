/* hist.c: log-linear histogram. */
#include "hist.h"

#include <math.h>
#include <string.h>

#define SUB  (1u << HIST_SUB_BITS)
#define HALF (1u << (HIST_SUB_BITS - 1))

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned hist_index(uint64_t v)
{
	unsigned e, shift;

	if (v < SUB)
		return (unsigned)v;
	if (v >> HIST_MAX_BITS)
		return HIST_BUCKETS - 1;
	e = 63u - (unsigned)__builtin_clzll(v); /* HIST_SUB_BITS..MAX-1 */
	shift = e - (HIST_SUB_BITS - 1);
	return SUB + (e - HIST_SUB_BITS) * HALF + (unsigned)((v >> shift) - HALF);
}

uint64_t hist_bucket_high(unsigned i)
{
	unsigned level, shift;
	uint64_t sub;

	if (i < SUB)
		return i;
	level = (i - SUB) / HALF;
	sub = HALF + (i - SUB) % HALF;
	shift = level + 1;
	return ((sub + 1) << shift) - 1;
}

/* The same layout with sub bits s (2^s exact values, then 2^(s-1) buckets a power of two). */
static unsigned index_s(uint64_t v, unsigned s)
{
	unsigned e;

	if (v < (1u << s))
		return (unsigned)v;
	if (v >> HIST_MAX_BITS)
		return (1u << s) + (HIST_MAX_BITS - s) * (1u << (s - 1)) - 1;
	e = 63u - (unsigned)__builtin_clzll(v);
	return (1u << s) + (e - s) * (1u << (s - 1)) +
	       (unsigned)((v >> (e - (s - 1))) - (1u << (s - 1)));
}

static uint64_t high_s(unsigned i, unsigned s)
{
	unsigned half = 1u << (s - 1);

	if (i < (1u << s))
		return i;
	return ((uint64_t)(half + (i - (1u << s)) % half + 1) << ((i - (1u << s)) / half + 1)) - 1;
}

void hist_lite_from(const struct hist *h, struct hist_lite *out)
{
	memset(out, 0, sizeof(*out));
	out->count = h->count;
	out->sum = h->sum;
	out->min = h->min;
	out->max = h->max;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		uint64_t v = hist_bucket_high(i);
		unsigned j;

		if (!h->b[i])
			continue;
		j = index_s(v < h->max ? v : h->max, HLITE_SUB_BITS);
		out->b[j] = out->b[j] + h->b[i] < out->b[j] ? UINT32_MAX : out->b[j] + h->b[i];
	}
}

uint64_t hist_lite_high(unsigned i)
{
	return high_s(i, HLITE_SUB_BITS);
}

void hist_record(struct hist *h, uint64_t v)
{
	unsigned i = hist_index(v);

	if (h->b[i] != UINT32_MAX)
		h->b[i]++;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		uint64_t s = (uint64_t)dst->b[i] + src->b[i];

		dst->b[i] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

uint64_t hist_percentile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 100)
		return h->max;
	/* the epsilon keeps 99.9 % of 1000 at rank 999, not 1000 */
	rank = (uint64_t)ceil(q / 100.0 * (double)h->count - 1e-9);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t hi = hist_bucket_high(i);

			if (hi > h->max)
				hi = h->max;
			return hi < h->min ? h->min : hi;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

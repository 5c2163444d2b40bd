/*
 * hgrm.c: each cell's latency distribution in HdrHistogram's
 * percentile-distribution text format (what HistogramLogProcessor and
 * HdrHistogram's plotter write and read, and many dashboards import):
 * value (milliseconds), percentile, total count, 1/(1-percentile), at
 * percentile levels that halve the distance to 100 every five lines, then
 * the mean, standard deviation, max and count. One block per cell that
 * ran, each after a "#" line naming it; the plotter takes one block at a
 * time (docs/report-schema.md shows how to split a file).
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "../base/util.h"

#define TICKS_PER_HALF 5 /* HdrHistogram's default percentileTicksPerHalfDistance */
#define UNIT	       1000.0 /* recorded in microseconds, written in milliseconds */

static void line(FILE *f, uint64_t v, double level, uint64_t cum)
{
	if (level >= 100.0)
		fprintf(f, "%12.3f %1.12f %10" PRIu64 "\n", (double)v / UNIT, 1.0, cum);
	else
		fprintf(f, "%12.3f %1.12f %10" PRIu64 " %14.2f\n", (double)v / UNIT, level / 100.0,
			cum, 1.0 / (1.0 - level / 100.0));
}

/* The next reporting level after level: HdrHistogram's PercentileIterator. */
static double next_level(double level)
{
	double ticks = TICKS_PER_HALF * pow(2.0, floor(log2(100.0 / (100.0 - level))) + 1);

	return level + 100.0 / ticks;
}

static void block(FILE *f, const struct hist_lite *h)
{
	uint64_t cum = 0;
	double level = 0, mean = h->count ? (double)h->sum / (double)h->count : 0, var = 0;

	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	for (unsigned i = 0; i < HLITE_BUCKETS && cum < h->count; i++) {
		uint64_t v;

		if (!h->b[i])
			continue;
		v = hist_lite_high(i);
		if (v > h->max)
			v = h->max;
		cum += h->b[i];
		var += (double)h->b[i] * ((double)v - mean) * ((double)v - mean);
		if (cum >= h->count) {
			/* the last recorded value: its level, then 100 % */
			if (level < 100.0 && level <= 100.0 * (double)cum / (double)h->count)
				line(f, v, level, cum);
			line(f, v, 100.0, cum);
			break;
		}
		while (level <= 100.0 * (double)cum / (double)h->count && level < 100.0) {
			line(f, v, level, cum);
			level = next_level(level);
		}
	}
	fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / UNIT,
		h->count ? sqrt(var / (double)h->count) / UNIT : 0.0);
	fprintf(f, "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n", (double)h->max / UNIT,
		h->count);
	fprintf(f, "#[Buckets = %12u, SubBuckets     = %12u]\n", HIST_MAX_BITS - HLITE_SUB_BITS + 1,
		1u << HLITE_SUB_BITS);
}

int report_hgrm(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	int n = 0;

	(void)o;
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		char iso[32];

		if (c->verdict == V_NA || !c->lat_hist.count)
			continue;
		report_iso_label(iso, sizeof(iso), c, ">");
		fprintf(f, "%s# cell: %s %s %s %s (%s, %d clients; verdict %s), latency in ms\n",
			n++ ? "\n" : "", c->db, c->scenario, c->strategy, iso,
			r->mode ? r->mode : "race", r->clients, verdict_name(c->verdict));
		block(f, &c->lat_hist);
	}
	if (!n)
		fprintf(f, "# no cell measured a latency (every cell n/a, or none ran)\n");
	return ferror(f) ? -1 : 0;
}

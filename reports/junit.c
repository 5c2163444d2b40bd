/*
 * junit.c: JUnit XML for CI dashboards: one <testsuite> per database and
 * scenario, one <testcase> per cell ("pg double-tap none rc"; for racebench
 * isolation a suite per database and test, a case per level, "pg p4 rr"). A cell fails
 * only when it broke an expectation of the regression gate: an anomaly the
 * run did not gate is a finding, not a test failure. n/a cells are skipped,
 * aborted cells are errors; every case carries its figures in <system-out>.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include "../base/util.h"
#include "../core/isolation.h"

#include <string.h>
#include <time.h>

struct tally {
	int tests, failures, errors, skipped;
	double seconds;
};

static void tally_cell(struct tally *t, const struct cell_result *c)
{
	t->tests++;
	if (c->verdict == V_NA)
		t->skipped++;
	else if (c->verdict == V_ABORTED)
		t->errors++;
	else if (c->nbroken > 0)
		t->failures++;
	if (c->verdict != V_NA)
		t->seconds += c->seconds;
}

static int gate_case(const struct run_result *r)
{
	for (int i = 0; i < r->ncells; i++)
		if (r->cells[i].nbroken > 0)
			return 0;
	return r->gated && r->gate_failed;
}

static void open_suite(FILE *f, const char *name, const struct tally *t, const char *when)
{
	fputs("  <testsuite name=\"", f);
	xml_escape(f, name, 1);
	fprintf(f,
		"\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\" "
		"timestamp=\"%s\">\n",
		t->tests, t->failures, t->errors, t->skipped, t->seconds, when);
}

static void property(FILE *f, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	xml_escape(f, name, 1);
	fputs("\" value=\"", f);
	xml_escape(f, value, 1);
	fputs("\"/>\n", f);
}

static void properties(FILE *f, const struct run_result *r, const char *db)
{
	char buf[160];

	fputs("    <properties>\n", f);
	property(f, "mode", r->mode);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->seed);
	property(f, "seed", buf);
	snprintf(buf, sizeof(buf), "%d", r->clients);
	property(f, "clients", buf);
	snprintf(buf, sizeof(buf), "%d", r->trials);
	property(f, "trials", buf);
	snprintf(buf, sizeof(buf), "%d", r->keys);
	property(f, "keys", buf);
	for (int i = 0; i < r->nservers; i++) {
		const struct run_server *s = &r->servers[i];

		if (strcmp(s->db, db))
			continue;
		snprintf(buf, sizeof(buf), "%s %s", s->info.product, s->info.version);
		property(f, "server", buf);
	}
	fputs("    </properties>\n", f);
}

static void lat_line(FILE *f, const char *what, const struct lat_summary *l)
{
	char p50[24], p90[24], p99[24], p999[24], max[24];

	fmt_us(p50, sizeof(p50), l->p50);
	fmt_us(p90, sizeof(p90), l->p90);
	fmt_us(p99, sizeof(p99), l->p99);
	fmt_us(p999, sizeof(p999), l->p999);
	fmt_us(max, sizeof(max), l->max);
	fprintf(f, "%s: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s, mean %.0fus (%llu samples)\n",
		what, p50, p90, p99, p999, max, l->mean, (unsigned long long)l->count);
}

/* The figures of a cell, as text for <system-out>; every free text is escaped. */
static void figures(FILE *f, const struct run_result *r, const struct cell_result *c)
{
	char buf[512];

	fprintf(f, "verdict: %s\n", verdict_name(c->verdict));
	if (c->eff_iso != c->iso)
		fprintf(f, "isolation: %s (transactions ran at %s)\n", rb_iso_name(c->iso),
			rb_iso_name(c->eff_iso));
	if (!strcmp(r->mode, "load"))
		fprintf(f, "throughput: %.1f ops/s\n", c->throughput);
	else
		fprintf(f, "trials: %lld, anomalous: %lld (%.0f%%)\n", c->trials,
			c->anomalous_trials, 100.0 * cell_rate(c));
	report_kinds_text(buf, sizeof(buf), c, " ");
	fputs("anomalies: ", f);
	xml_escape(f, *buf ? buf : "none", 0);
	fprintf(f, "\noperations: %lld, committed %lld, declined %lld, failed %lld, retries %lld\n",
		c->ops, c->done, c->declined, c->failed, c->retries);
	report_errors_text(buf, sizeof(buf), c, " ");
	fputs("errors: ", f);
	xml_escape(f, *buf ? buf : "none", 0);
	report_failures_text(buf, sizeof(buf), c, " ");
	fputs("\nfailures: ", f);
	xml_escape(f, *buf ? buf : "none", 0);
	fputc('\n', f);
	lat_line(f, "latency", &c->lat);
	if (c->has_lock) {
		lat_line(f, "lock acquire wait", &c->lock_wait);
		fprintf(f, "lock acquire time-outs: %lld, leases expired: %lld\n", c->lock_timeouts,
			c->lease_expired);
	}
	if (c->has_lag)
		lat_line(f, "schedule lag", &c->lag);
	fprintf(f, "cell time: %.3f s, throughput %.1f ops/s\n", c->seconds, c->throughput);
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		if (!c->examples[k][0])
			continue;
		fprintf(f, "example %s error: ", rb_class_name((enum rb_class)k));
		xml_escape(f, c->examples[k], 0);
		fputc('\n', f);
	}
}

static void broken_list(FILE *f, const struct cell_result *c)
{
	for (int k = 0; k < c->nbroken && k < MAX_BROKEN; k++) {
		xml_escape(f, c->broken[k], 0);
		fputc('\n', f);
	}
	if (c->nbroken > MAX_BROKEN)
		fprintf(f, "(and %d more)\n", c->nbroken - MAX_BROKEN);
}

static void testcase(FILE *f, const struct run_result *r, const struct cell_result *c)
{
	char name[256];

	if (report_is_isolation(r)) /* racebench isolation: a test at a level */
		snprintf(name, sizeof(name), "%s %s %s", c->db, c->scenario, rb_iso_name(c->iso));
	else
		snprintf(name, sizeof(name), "%s %s %s %s", c->db, c->scenario, c->strategy,
			 rb_iso_name(c->iso));
	fputs("    <testcase name=\"", f);
	xml_escape(f, name, 1);
	fputs("\" classname=\"racebench.", f);
	xml_escape(f, c->db, 1);
	fputc('.', f);
	xml_escape(f, c->scenario, 1);
	fprintf(f, "\" time=\"%.3f\">\n", c->verdict == V_NA ? 0.0 : c->seconds);
	if (c->verdict == V_NA) {
		fputs("      <skipped message=\"n/a: ", f);
		xml_escape(f, c->na_reason, 1);
		fputs("\"/>\n    </testcase>\n", f);
		return;
	}
	if (c->verdict == V_ABORTED) {
		fputs("      <error type=\"aborted\" message=\"", f);
		xml_escape(f, c->abort_msg, 1);
		fputs("\">", f);
		xml_escape(f, c->abort_msg, 0);
		fputc('\n', f);
		broken_list(f, c);
		fputs("</error>\n", f);
	} else if (c->nbroken > 0) {
		fprintf(f, "      <failure type=\"gate\" message=\"%d expectation%s broken: ",
			c->nbroken, c->nbroken == 1 ? "" : "s");
		xml_escape(f, c->broken[0], 1);
		fputs("\">", f);
		broken_list(f, c);
		fputs("</failure>\n", f);
	}
	fputs("      <system-out>", f);
	if (report_is_isolation(r)) {
		fprintf(f, "outcome: %s\nhow: ", isolation_outcome(c->verdict));
		xml_escape(f, c->how, 0);
		fputs("\n", f);
		if (c->detail[0]) {
			xml_escape(f, c->detail, 0);
			fputc('\n', f);
		}
	} else {
		figures(f, r, c);
	}
	fputs("</system-out>\n    </testcase>\n", f);
}

/* The run itself as a case, when it aborted or its gate failed outside any cell. */
static void run_suite(FILE *f, const struct run_result *r, const char *when)
{
	struct tally t = { 0 };

	t.tests = r->aborted + gate_case(r);
	t.errors = r->aborted;
	t.failures = gate_case(r);
	t.seconds = r->wall_seconds;
	open_suite(f, "racebench", &t, when);
	if (r->aborted) {
		fprintf(f,
			"    <testcase name=\"run\" classname=\"racebench\" time=\"%.3f\">\n"
			"      <error type=\"aborted\" message=\"",
			r->wall_seconds);
		xml_escape(f, r->abort_msg, 1);
		fputs("\">run aborted, the report is partial: ", f);
		xml_escape(f, r->abort_msg, 0);
		fputs("</error>\n    </testcase>\n", f);
	}
	if (gate_case(r))
		fputs("    <testcase name=\"gate\" classname=\"racebench\" time=\"0.000\">\n"
		      "      <failure type=\"gate\" message=\"the regression gate failed\"/>\n"
		      "    </testcase>\n",
		      f);
	fputs("  </testsuite>\n", f);
}

int report_junit(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	struct tally all = { 0 };
	char when[32];
	struct tm tm;

	(void)o;
	/* JUnit's schema wants a local-style timestamp without a zone; it is UTC. */
	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	for (int i = 0; i < r->ncells; i++)
		tally_cell(&all, &r->cells[i]);
	all.tests += r->aborted + gate_case(r);
	all.errors += r->aborted;
	all.failures += gate_case(r);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<testsuites name=\"racebench\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
		"skipped=\"%d\" time=\"%.3f\" timestamp=\"%s\">\n",
		all.tests, all.failures, all.errors, all.skipped, r->wall_seconds, when);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *g = &r->cells[i];
		struct tally t = { 0 };
		char name[160];

		if (!report_group_starts(r, i))
			continue;
		for (int j = i; j < r->ncells; j++)
			if (report_same_group(&r->cells[j], g))
				tally_cell(&t, &r->cells[j]);
		snprintf(name, sizeof(name), "%s %s", g->db, g->scenario);
		open_suite(f, name, &t, when);
		properties(f, r, g->db);
		for (int j = i; j < r->ncells; j++)
			if (report_same_group(&r->cells[j], g))
				testcase(f, r, &r->cells[j]);
		fputs("  </testsuite>\n", f);
	}
	if (r->aborted || gate_case(r))
		run_suite(f, r, when);
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

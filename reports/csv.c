/*
 * csv.c: one row per cell under a header row (RFC 4180 quoting, LF line
 * ends). The columns are fixed, whatever scenarios ran, so files from
 * different runs stack; docs/report-schema.md lists them. Figures that do
 * not apply to a cell (n/a, no lock, no lag, no gate) are empty fields.
 */
#include "report.h"

#include "../base/util.h"
#include "../core/isolation.h"

#include <inttypes.h>
#include <string.h>

/* Writes one field, quoted when it holds a comma, quote, line break or edge space. */
static void field(FILE *f, int first, const char *s)
{
	size_t len = strlen(s);

	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\r\n") && !(len && (s[0] == ' ' || s[len - 1] == ' '))) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void field_ll(FILE *f, long long v)
{
	fprintf(f, ",%lld", v);
}

static void field_u64(FILE *f, uint64_t v)
{
	fprintf(f, ",%" PRIu64, v);
}

static void empty(FILE *f, int n)
{
	while (n-- > 0)
		fputc(',', f);
}

/* A class or reason name as a column suffix: "lock-timeout" -> "lock_timeout". */
static void head_name(FILE *f, const char *prefix, const char *name)
{
	fprintf(f, ",%s", prefix);
	for (; *name; name++)
		fputc(*name == '-' ? '_' : *name, f);
}

#define LAT_COLS 7

static void head_lat(FILE *f, const char *prefix)
{
	static const char *const names[LAT_COLS] = { "count",	 "p50_us", "p90_us", "p99_us",
						     "p99_9_us", "max_us", "mean_us" };

	for (int i = 0; i < LAT_COLS; i++)
		fprintf(f, ",%s_%s", prefix, names[i]);
}

static void lat_fields(FILE *f, const struct lat_summary *l)
{
	field_u64(f, l->count);
	field_u64(f, l->p50);
	field_u64(f, l->p90);
	field_u64(f, l->p99);
	field_u64(f, l->p999);
	field_u64(f, l->max);
	fprintf(f, ",%.1f", l->mean);
}

static void header(FILE *f)
{
	fputs("started_at,mode,seed,clients,keys,db,scenario,strategy,isolation,"
	      "effective_isolation,verdict,trials,anomalous_trials,reproduction_rate,"
	      "anomalies_total",
	      f);
	for (int k = 1; k <= SC_MAX_KINDS; k++)
		fprintf(f, ",anomaly_kind_%d,anomaly_count_%d", k, k);
	fputs(",ops,committed,declined,failed,retries,errors_total", f);
	for (int k = 1; k < RB_CLS__COUNT; k++)
		head_name(f, "errors_", rb_class_name((enum rb_class)k));
	for (int k = 1; k < FR__COUNT; k++)
		head_name(f, "failures_", fail_reason_name(k));
	head_lat(f, "latency");
	head_lat(f, "lock_wait");
	fputs(",lock_acquire_timeouts,lock_leases_expired", f);
	head_lat(f, "lag");
	fputs(",seconds,throughput,gate_broken,gate_findings,na_reason,abort_reason\n", f);
}

static void row(FILE *f, const struct run_result *r, const struct cell_result *c, const char *when)
{
	int ran = c->verdict != V_NA;
	char buf[MAX_BROKEN * 210 + 32];

	fprintf(f, "%s", when);
	field(f, 0, r->mode);
	/* the cell's point: a sweep's rows differ by it (n/a cells: the run's) */
	fprintf(f, ",%llu,%d,%d", (unsigned long long)r->seed, c->clients ? c->clients : r->clients,
		c->keys ? c->keys : r->keys);
	field(f, 0, c->db);
	field(f, 0, c->scenario);
	field(f, 0, c->strategy);
	field(f, 0, rb_iso_name(c->iso));
	field(f, 0, rb_iso_name(c->eff_iso));
	field(f, 0, verdict_name(c->verdict));
	if (ran) {
		field_ll(f, c->trials);
		field_ll(f, c->anomalous_trials);
		fprintf(f, ",%.4f", cell_rate(c));
		field_ll(f, report_total_anomalies(c));
		for (int k = 0; k < SC_MAX_KINDS; k++) {
			if (k < c->nkinds) {
				field(f, 0, c->kinds[k]);
				field_ll(f, c->anomalies[k]);
			} else {
				empty(f, 2);
			}
		}
		field_ll(f, c->ops);
		field_ll(f, c->done);
		field_ll(f, c->declined);
		field_ll(f, c->failed);
		field_ll(f, c->retries);
		field_ll(f, report_total_errors(c));
		for (int k = 1; k < RB_CLS__COUNT; k++)
			field_ll(f, c->errors[k]);
		for (int k = 1; k < FR__COUNT; k++)
			field_ll(f, c->failures[k]);
		lat_fields(f, &c->lat);
	} else {
		empty(f,
		      4 + 2 * SC_MAX_KINDS + 6 + (RB_CLS__COUNT - 1) + (FR__COUNT - 1) + LAT_COLS);
	}
	if (ran && c->has_lock) {
		lat_fields(f, &c->lock_wait);
		field_ll(f, c->lock_timeouts);
		field_ll(f, c->lease_expired);
	} else {
		empty(f, LAT_COLS + 2);
	}
	if (ran && c->has_lag)
		lat_fields(f, &c->lag);
	else
		empty(f, LAT_COLS);
	if (ran)
		fprintf(f, ",%.3f,%.1f", c->seconds, c->throughput);
	else
		empty(f, 2);
	buf[0] = '\0';
	if (r->gated && ran) {
		size_t len = 0;
		int shown = c->nbroken < MAX_BROKEN ? c->nbroken : MAX_BROKEN;

		field_ll(f, c->nbroken);
		for (int i = 0; i < shown; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						i ? " | " : "", c->broken[i]);
		if (c->nbroken > shown)
			snprintf(buf + len, sizeof(buf) - len, " | (%d more)", c->nbroken - shown);
	} else {
		empty(f, 1);
	}
	field(f, 0, buf);
	field(f, 0, c->verdict == V_NA && c->na_reason ? c->na_reason : "");
	field(f, 0, c->verdict == V_ABORTED ? c->abort_msg : "");
	fputc('\n', f);
}

/* racebench isolation: a row per database, level and test. */
static void iso_csv(FILE *f, const struct run_result *r, const char *when)
{
	fputs("started_at,mode,db,isolation,test,outcome,how,detail,anomalies_total,seconds,"
	      "gate_broken,gate_findings\n",
	      f);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		char findings[MAX_BROKEN * BROKEN_LEN] = "";

		for (int b = 0; b < c->nbroken && b < MAX_BROKEN; b++)
			str_printf(findings + strlen(findings), sizeof(findings) - strlen(findings),
				   "%s%s", b ? "; " : "", c->broken[b]);
		field(f, 1, when);
		field(f, 0, "isolation");
		field(f, 0, c->db);
		field(f, 0, rb_iso_name(c->iso));
		field(f, 0, c->scenario);
		field(f, 0, isolation_outcome(c->verdict));
		field(f, 0, c->how);
		field(f, 0, c->verdict == V_ABORTED ? c->abort_msg
			    : c->verdict == V_NA     ? (c->na_reason ? c->na_reason : "")
						     : c->detail);
		field_ll(f, report_total_anomalies(c));
		fprintf(f, ",%.6f", c->seconds);
		field_ll(f, c->nbroken);
		field(f, 0, findings);
		fputc('\n', f);
	}
}

int report_csv(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	char when[32];

	(void)o;
	report_time_utc(when, sizeof(when), r->started_at);
	if (report_is_isolation(r)) {
		iso_csv(f, r, when);
		return ferror(f) ? -1 : 0;
	}
	header(f);
	for (int i = 0; i < r->ncells; i++)
		row(f, r, &r->cells[i], when);
	return ferror(f) ? -1 : 0;
}

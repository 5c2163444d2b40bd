/* table.c: the terminal table, one row per cell. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

enum col {
	C_DB,
	C_SCENARIO,
	C_STRATEGY,
	C_ISO,
	C_CLIENTS, /* a sweep's point */
	C_KEYS,
	C_TRIALS,
	C_ANOMALOUS,
	C_ANOMALIES,
	C_ERRORS,
	C_RETRIES,
	C_FAILED,
	C_OPS_S, /* load mode: what a load run exists for */
	C_ERR_S, /* load mode, when some operation failed */
	C_P50,
	C_P99,
	C_LOCK_P50,
	C_LOCK_P99,
	C_LOCK_TO,
	C_LEASES, /* only when a cell took a lock */
	C_LAG_P50,
	C_LAG_P99, /* only in open-loop load runs */
	C_VERDICT,
	C__COUNT
};

static const char *const heads[C__COUNT] = { "db",	 "scenario",  "strategy",  "iso",
					     "clients",	 "keys",
					     "trials",	 "anomalous", "anomalies", "errors",
					     "retries",	 "failed",    "ops/s",	   "err/s",
					     "p50",	 "p99",
					     "lock p50", "lock p99",  "lock t/o",  "expired",
					     "lag p50",	 "lag p99",   "verdict" };
/* Numbers read better right-aligned. */
static const int right[C__COUNT] = {
	[C_TRIALS] = 1,	 [C_ANOMALOUS] = 1, [C_RETRIES] = 1,  [C_FAILED] = 1,
	[C_OPS_S] = 1,	 [C_ERR_S] = 1,	    [C_CLIENTS] = 1, [C_KEYS] = 1,
	[C_P50] = 1,	 [C_P99] = 1,	    [C_LOCK_P50] = 1, [C_LOCK_P99] = 1,
	[C_LOCK_TO] = 1, [C_LEASES] = 1,    [C_LAG_P50] = 1,  [C_LAG_P99] = 1,
};

#define CELL_W 96

static const char *short_class(int c)
{
	static const char *const names[RB_CLS__COUNT] = {
		"",	  "deadlock", "serialization", "lock-timeout",
		"unique", "check",    "connection",    "other"
	};
	return names[c];
}

static void append(char *buf, size_t n, const char *fmt, const char *name, long long v)
{
	size_t len = strlen(buf);

	snprintf(buf + len, n - len, fmt, len ? " " : "", name, v);
}

static void fill_row(const struct cell_result *c, char row[C__COUNT][CELL_W])
{
	snprintf(row[C_DB], CELL_W, "%s", c->db);
	snprintf(row[C_SCENARIO], CELL_W, "%s", c->scenario);
	snprintf(row[C_STRATEGY], CELL_W, "%s", c->strategy);
	if (c->eff_iso != c->iso && c->verdict != V_NA)
		snprintf(row[C_ISO], CELL_W, "%s>%s", rb_iso_name(c->iso), rb_iso_name(c->eff_iso));
	else
		snprintf(row[C_ISO], CELL_W, "%s", rb_iso_name(c->iso));
	snprintf(row[C_VERDICT], CELL_W, "%s", verdict_name(c->verdict));
	if (c->verdict == V_NA)
		return;
	snprintf(row[C_CLIENTS], CELL_W, "%d", c->clients);
	snprintf(row[C_KEYS], CELL_W, "%d", c->keys);
	snprintf(row[C_TRIALS], CELL_W, "%lld", c->trials);
	snprintf(row[C_ANOMALOUS], CELL_W, "%lld (%.0f%%)", c->anomalous_trials,
		 100.0 * cell_rate(c));
	for (int k = 0; k < c->nkinds; k++)
		if (c->anomalies[k])
			append(row[C_ANOMALIES], CELL_W, "%s%s=%lld", c->kinds[k], c->anomalies[k]);
	if (!row[C_ANOMALIES][0])
		strcpy(row[C_ANOMALIES], "-");
	for (int k = 1; k < RB_CLS__COUNT; k++)
		if (c->errors[k])
			append(row[C_ERRORS], CELL_W, "%s%s=%lld", short_class(k), c->errors[k]);
	if (!row[C_ERRORS][0])
		strcpy(row[C_ERRORS], "-");
	snprintf(row[C_RETRIES], CELL_W, "%lld", c->retries);
	snprintf(row[C_FAILED], CELL_W, "%lld", c->failed);
	/* Reasons that are not error classes would be invisible otherwise. */
	for (int k = RB_CLS__COUNT; k < FR__COUNT; k++)
		if (c->failures[k]) {
			size_t len = strlen(row[C_FAILED]);

			snprintf(row[C_FAILED] + len, CELL_W - len, " %s=%lld", fail_reason_name(k),
				 c->failures[k]);
		}
	/*
	 * Load mode: operations a second over the measured interval, and the
	 * failed ones among them at the same rate (throughput counts every
	 * operation, failed or not: the rate clients were served at).
	 */
	snprintf(row[C_OPS_S], CELL_W, "%.0f", c->throughput);
	if (c->failed && c->ops)
		snprintf(row[C_ERR_S], CELL_W, "%.0f",
			 c->throughput * (double)c->failed / (double)c->ops);
	else
		strcpy(row[C_ERR_S], "-");
	fmt_us(row[C_P50], CELL_W, c->lat.p50);
	fmt_us(row[C_P99], CELL_W, c->lat.p99);
	if (c->has_lock) {
		fmt_us(row[C_LOCK_P50], CELL_W, c->lock_wait.p50);
		fmt_us(row[C_LOCK_P99], CELL_W, c->lock_wait.p99);
		snprintf(row[C_LOCK_TO], CELL_W, "%lld", c->lock_timeouts);
		snprintf(row[C_LEASES], CELL_W, "%lld", c->lease_expired);
	}
	if (c->has_lag) {
		fmt_us(row[C_LAG_P50], CELL_W, c->lag.p50);
		fmt_us(row[C_LAG_P99], CELL_W, c->lag.p99);
	}
}

static const char *verdict_color(enum verdict v)
{
	switch (v) {
	case V_SAFE: return "\033[32m";
	case V_ANOMALY: return "\033[1;31m";
	case V_ERRORS: return "\033[33m";
	case V_ABORTED: return "\033[1;35m";
	default: return "\033[2m";
	}
}

/* Hidden columns (w < 0) are skipped. */
static void print_row(FILE *f, char row[C__COUNT][CELL_W], const int *w, const char *color)
{
	for (int i = 0; i < C__COUNT; i++) {
		const char *sep = i + 1 < C__COUNT ? "  " : "";

		if (w[i] < 0)
			continue;
		if (i == C_VERDICT && color)
			fprintf(f, "%s%s\033[0m", color, row[i]);
		else if (i + 1 == C__COUNT)
			fprintf(f, "%s", row[i]);
		else if (right[i])
			fprintf(f, "%*s%s", w[i], row[i], sep);
		else
			fprintf(f, "%-*s%s", w[i], row[i], sep);
	}
	fputc('\n', f);
}

/*
 * Lists each reason for n/a cells once per database and race, with the
 * strategy it is about, or the strategies and the levels when it is a
 * level the database lacks.
 */
static void print_na(FILE *f, const struct run_result *r)
{
	char who[256], isos[64];
	int shown = 0;

	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!report_na_first(r, i, who, sizeof(who), isos, sizeof(isos)))
			continue;
		if (!shown++)
			fprintf(f, "\nn/a cells:\n");
		if (!strcmp(who, c->strategy))
			fprintf(f, "  %s %s %s: %s\n", c->db, c->scenario, who, c->na_reason);
		else
			fprintf(f, "  %s %s %s at %s: %s\n", c->db, c->scenario, who, isos,
				c->na_reason);
	}
}

static int same_na(const struct cell_result *a, const struct cell_result *b)
{
	return a->verdict == V_NA && b->verdict == V_NA && !strcmp(a->db, b->db) &&
		!strcmp(a->scenario, b->scenario) && !strcmp(a->strategy, b->strategy);
}

/*
 * n/a cells of one (db, scenario, strategy) share a row: the first shows
 * the levels it stands for ("all" when they are every level the run has,
 * the SQL standard's four at least); the others are hidden.
 */
static void fold_na(const struct run_result *r, char (*rows)[C__COUNT][CELL_W], char *hidden)
{
	unsigned run = 0;

	for (int i = 0; i < r->ncells; i++)
		run |= 1u << r->cells[i].iso;
	for (int i = 0; i < r->ncells; i++) {
		char *iso = rows[i + 1][C_ISO];
		unsigned mine = 0;
		int n = 0;

		if (r->cells[i].verdict != V_NA || hidden[i])
			continue;
		iso[0] = '\0';
		for (int j = i; j < r->ncells; j++) {
			size_t len = strlen(iso);

			if (!same_na(&r->cells[i], &r->cells[j]))
				continue;
			snprintf(iso + len, CELL_W - len, "%s%s", n++ ? "," : "",
				 rb_iso_name(r->cells[j].iso));
			mine |= 1u << r->cells[j].iso;
			hidden[j] = j != i;
		}
		if (mine == run && (mine & RB_ISO_DEFAULTS) == RB_ISO_DEFAULTS)
			strcpy(iso, "all");
	}
}

/* racebench isolation: the grid, its legend, the servers. */
static int iso_table(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	struct iso_grid g;
	char buf[64];
	int w0 = 5, counts[V_ABORTED + 1] = { 0 };
	int w[ISO_MAX_TESTS];

	report_iso_grid(r, &g);
	for (int k = 0; k < g.nrows; k++) {
		int len = snprintf(buf, sizeof(buf), "%s %s", g.db[k],
				   rb_iso_name((enum rb_iso)g.iso[k]));

		if (len > w0)
			w0 = len;
	}
	for (int t = 0; t < g.ncols; t++) {
		w[t] = (int)strlen(g.test[t]);
		for (int k = 0; k < g.nrows; k++) {
			if (g.cell[k][t] < 0)
				continue;
			report_iso_text(&r->cells[g.cell[k][t]], buf, sizeof(buf));
			if ((int)strlen(buf) > w[t])
				w[t] = (int)strlen(buf);
		}
	}
	fprintf(f, "%-*s", w0, "");
	for (int t = 0; t < g.ncols; t++)
		fprintf(f, "  %-*s", t + 1 < g.ncols ? w[t] : 0, g.test[t]);
	fputc('\n', f);
	for (int k = 0; k < g.nrows; k++) {
		snprintf(buf, sizeof(buf), "%s %s", g.db[k], rb_iso_name((enum rb_iso)g.iso[k]));
		fprintf(f, "%-*s", w0, buf);
		for (int t = 0; t < g.ncols; t++) {
			const struct cell_result *c = g.cell[k][t] >= 0 ? &r->cells[g.cell[k][t]] : NULL;

			int pad = t + 1 < g.ncols ? w[t] : 0; /* no trailing blanks */

			if (!c) {
				fprintf(f, "  %-*s", pad, "");
				continue;
			}
			counts[c->verdict]++;
			report_iso_text(c, buf, sizeof(buf));
			fprintf(f, "  %s%-*s%s", o->color ? verdict_color(c->verdict) : "", pad, buf,
				o->color ? "\033[0m" : "");
		}
		fputc('\n', f);
	}
	/* a level a database lacks: its reason once, not in every cell */
	for (int k = 0; k < g.nrows; k++) {
		const struct cell_result *c = NULL;

		for (int t = 0; t < g.ncols && !c; t++)
			if (g.cell[k][t] >= 0 && r->cells[g.cell[k][t]].verdict == V_NA)
				c = &r->cells[g.cell[k][t]];
		if (c && c->na_reason)
			fprintf(f, "%s %s: n/a: %s\n", c->db, rb_iso_name(c->iso), c->na_reason);
	}
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (c->verdict == V_ABORTED)
			fprintf(f, "%s %s %s inconclusive: %s\n", c->db, rb_iso_name(c->iso),
				c->scenario, c->abort_msg);
		for (int b = 0; b < c->nbroken && b < MAX_BROKEN; b++)
			fprintf(f, "%s %s %s broke %s\n", c->db, rb_iso_name(c->iso), c->scenario,
				c->broken[b]);
	}
	fputc('\n', f);
	for (int i = 0; report_iso_legend(i); i++)
		fprintf(f, "%s\n", report_iso_legend(i));
	fputc('\n', f);
	for (int i = 0; i < r->nservers; i++) {
		const struct run_server *s = &r->servers[i];

		char note[400];

		report_server_note(s, note, sizeof(note));
		fprintf(f, "%s: %s %s%s\n", s->db, s->info.product, s->info.version, note);
	}
	fprintf(f, "%d cells: %d prevented, %d anomaly", r->ncells, counts[V_SAFE],
		counts[V_ANOMALY]);
	if (counts[V_NA])
		fprintf(f, ", %d n/a", counts[V_NA]);
	if (counts[V_ABORTED])
		fprintf(f, ", %d inconclusive", counts[V_ABORTED]);
	fprintf(f, " in %.1f s\n", r->wall_seconds);
	if (r->aborted)
		fprintf(f, "run aborted, report is partial: %s\n", r->abort_msg);
	return ferror(f) ? -1 : 0;
}

int report_table(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	char(*rows)[C__COUNT][CELL_W] = xcalloc((size_t)r->ncells + 1, sizeof(*rows));
	char *hidden = xcalloc((size_t)r->ncells + 1, 1);
	int w[C__COUNT] = { 0 }, counts[V_ABORTED + 1] = { 0 };
	const char *prev = NULL, *prev_db = NULL;

	if (report_is_isolation(r)) {
		free(rows);
		free(hidden);
		return iso_table(f, r, o);
	}
	for (int i = 0; i < C__COUNT; i++) {
		snprintf(rows[0][i], CELL_W, "%s", heads[i]);
		w[i] = (int)strlen(heads[i]);
	}
	for (int i = 0; i < r->ncells; i++)
		fill_row(&r->cells[i], rows[i + 1]);
	fold_na(r, rows, hidden);
	for (int i = 0; i < r->ncells; i++) {
		counts[r->cells[i].verdict]++;
		for (int j = 0; j < C__COUNT; j++) {
			int len = (int)strlen(rows[i + 1][j]);

			if (len > w[j])
				w[j] = len;
		}
	}
	/* The lock and lag columns only when they say something: the race table stays compact. */
	if (!report_any_lock(r))
		w[C_LOCK_P50] = w[C_LOCK_P99] = w[C_LOCK_TO] = w[C_LEASES] = -1;
	if (!report_any_lag(r))
		w[C_LAG_P50] = w[C_LAG_P99] = -1;
	/* Throughput is load mode's figure; a race's trials are too short to mean one. */
	if (!r->mode || strcmp(r->mode, "load")) {
		w[C_OPS_S] = w[C_ERR_S] = -1;
	} else {
		int failed = 0;

		for (int i = 0; i < r->ncells; i++)
			failed |= r->cells[i].verdict != V_NA && r->cells[i].failed > 0;
		if (!failed)
			w[C_ERR_S] = -1;
		w[C_TRIALS] = -1; /* always 1 in load mode */
	}
	if (!report_is_sweep(r))
		w[C_CLIENTS] = w[C_KEYS] = -1;
	else if (r->nsweep_clients <= 1)
		w[C_CLIENTS] = -1;
	else if (r->nsweep_keys <= 1)
		w[C_KEYS] = -1;
	print_row(f, rows[0], w, NULL);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (hidden[i])
			continue;
		/* A blank line between scenarios (and databases) keeps a long matrix readable. */
		if (prev && (strcmp(prev, c->scenario) || strcmp(prev_db, c->db)))
			fputc('\n', f);
		prev = c->scenario;
		prev_db = c->db;
		print_row(f, rows[i + 1], w, o->color ? verdict_color(c->verdict) : NULL);
		if (c->verdict == V_ABORTED)
			fprintf(f, "    aborted: %s\n", c->abort_msg);
		if (c->faults[0])
			fprintf(f, "    faults: %s\n", c->faults);
		for (int b = 0; b < c->nbroken && b < MAX_BROKEN; b++)
			fprintf(f, "    broke %s\n", c->broken[b]);
		if (c->nbroken > MAX_BROKEN)
			fprintf(f, "    ... and %d more\n", c->nbroken - MAX_BROKEN);
	}
	print_na(f, r);

	fputc('\n', f);
	for (int i = 0; i < r->nservers; i++) {
		const struct run_server *s = &r->servers[i];

		char note[400];

		report_server_note(s, note, sizeof(note));
		fprintf(f, "%s: %s %s%s\n", s->db, s->info.product, s->info.version, note);
	}
	if (r->mode && !strcmp(r->mode, "load")) {
		char list[128];

		if (r->nsweep_clients > 1) {
			report_list_text(list, sizeof(list), r->sweep_clients, r->nsweep_clients);
			fprintf(f, "load: a sweep over clients %s, ", list);
		} else {
			fprintf(f, "load: %d clients, ", r->clients);
		}
		if (r->rate > 0)
			fprintf(f, "open loop at %g ops/s (%s arrivals), ", r->rate, r->arrival);
		else
			fprintf(f, "closed loop, ");
		if (r->ops_target)
			fprintf(f, "%lld operations per cell", r->ops_target);
		else
			fprintf(f, "%g s per cell", r->duration_s);
		fprintf(f, " after a %g s warm-up", r->warmup_s);
	} else {
		fprintf(f, "%d clients, %d trials per cell", r->clients, r->trials);
	}
	if (r->nsweep_keys > 1) {
		char list[128];

		report_list_text(list, sizeof(list), r->sweep_keys, r->nsweep_keys);
		fprintf(f, ", think %.3g ms, tail %.3g ms, keys %s, seed %llu\n", r->think_ms,
			r->tail_ms, list, (unsigned long long)r->seed);
	} else {
		fprintf(f, ", think %.3g ms, tail %.3g ms, %d key%s, seed %llu\n", r->think_ms,
			r->tail_ms, r->keys, r->keys == 1 ? "" : "s", (unsigned long long)r->seed);
	}
	fprintf(f, "%d cells: %d safe, %d anomaly, %d errors, %d n/a", r->ncells, counts[V_SAFE],
		counts[V_ANOMALY], counts[V_ERRORS], counts[V_NA]);
	if (counts[V_ABORTED])
		fprintf(f, ", %d aborted", counts[V_ABORTED]);
	fprintf(f, " in %.1f s\n", r->wall_seconds);
	if (r->aborted)
		fprintf(f, "run aborted, report is partial: %s\n", r->abort_msg);
	free(rows);
	free(hidden);
	return ferror(f) ? -1 : 0;
}

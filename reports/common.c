/* common.c: helpers shared by the renderers, and the registry of formats. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include "../base/util.h"
#include "../drivers/driver.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

const struct report_format report_formats[] = {
	{ "table", "txt", report_table },
	{ "json", "json", report_json },
	{ "csv", "csv", report_csv },
	{ "markdown", "md", report_markdown },
	{ "junit", "xml", report_junit },
	{ "html", "html", report_html },
	{ "hgrm", "hgrm", report_hgrm },
	{ NULL, NULL, NULL },
};

int report_format_find(const char *name)
{
	for (int i = 0; report_formats[i].name; i++)
		if (!strcmp(report_formats[i].name, name))
			return i;
	return -1;
}

int utf8_len(const unsigned char *p)
{
	int len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

void xml_escape(FILE *f, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return;
	while (*p) {
		int len = utf8_len(p);

		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f || !len) {
				fputs("\xef\xbf\xbd", f); /* U+FFFD */
				len = 1;
			} else {
				fwrite(p, 1, (size_t)len, f);
			}
			p += len;
			continue;
		}
		p++;
	}
}

void report_count_verdicts(const struct run_result *r, int *counts)
{
	memset(counts, 0, (V_ABORTED + 1) * sizeof(*counts));
	for (int i = 0; i < r->ncells; i++)
		if ((unsigned)r->cells[i].verdict <= V_ABORTED)
			counts[r->cells[i].verdict]++;
}

int report_any_lock(const struct run_result *r)
{
	for (int i = 0; i < r->ncells; i++)
		if (r->cells[i].has_lock && r->cells[i].verdict != V_NA)
			return 1;
	return 0;
}

int report_any_lag(const struct run_result *r)
{
	for (int i = 0; i < r->ncells; i++)
		if (r->cells[i].has_lag && r->cells[i].verdict != V_NA)
			return 1;
	return 0;
}

int report_same_group(const struct cell_result *a, const struct cell_result *b)
{
	return !strcmp(a->db, b->db) && !strcmp(a->scenario, b->scenario);
}

int report_group_starts(const struct run_result *r, int i)
{
	for (int j = 0; j < i; j++)
		if (report_same_group(&r->cells[j], &r->cells[i]))
			return 0;
	return 1;
}

/* n/a cells of one database and race for the same reason. */
static int same_na(const struct cell_result *a, const struct cell_result *b)
{
	return a->verdict == V_NA && b->verdict == V_NA && report_same_group(a, b) &&
		!strcmp(a->na_reason ? a->na_reason : "", b->na_reason ? b->na_reason : "");
}

/* Whether a cell before j in from..j-1 matching keep() has j's strategy. */
static int strategy_seen(const struct run_result *r, int from, int j, const struct cell_result *g,
			 int (*keep)(const struct cell_result *, const struct cell_result *))
{
	for (int k = from; k < j; k++)
		if (keep(&r->cells[k], g) && !strcmp(r->cells[k].strategy, r->cells[j].strategy))
			return 1;
	return 0;
}

int report_na_first(const struct run_result *r, int i, char *who, size_t wn, char *isos, size_t n)
{
	const struct cell_result *c = &r->cells[i];
	unsigned levels = 0;
	int mine = 0, ran = 0;
	size_t len = 0, wlen = 0;

	if (c->verdict != V_NA)
		return 0;
	for (int j = 0; j < i; j++)
		if (same_na(&r->cells[j], c))
			return 0;
	if (wn)
		who[0] = '\0';
	for (int j = i; j < r->ncells; j++) {
		if (!same_na(&r->cells[j], c))
			continue;
		levels |= 1u << r->cells[j].iso;
		if (strategy_seen(r, i, j, c, same_na))
			continue;
		mine++;
		if (wlen + 1 < wn)
			wlen += (size_t)snprintf(who + wlen, wn - wlen, "%s%s", wlen ? ", " : "",
						 r->cells[j].strategy);
	}
	/* "every strategy": none ran at those levels (others are n/a for reasons of their own) */
	for (int j = 0; j < r->ncells; j++)
		ran |= report_same_group(&r->cells[j], c) && r->cells[j].verdict != V_NA &&
			(levels >> r->cells[j].iso & 1);
	if (mine > 1 && !ran && wn)
		str_copy(who, "every strategy", wn);
	if (n)
		isos[0] = '\0';
	for (int l = 0; l < RB_ISO__COUNT && len + 1 < n; l++)
		if (levels >> l & 1)
			len += (size_t)snprintf(isos + len, n - len, "%s%s", len ? ", " : "",
						rb_iso_name((enum rb_iso)l));
	return 1;
}

void report_iso_label(char *buf, size_t n, const struct cell_result *c, const char *sep)
{
	if (c->eff_iso != c->iso && c->verdict != V_NA)
		snprintf(buf, n, "%s%s%s", rb_iso_name(c->iso), sep, rb_iso_name(c->eff_iso));
	else
		snprintf(buf, n, "%s", rb_iso_name(c->iso));
}

/* Appends "name=v" to buf, sep between items; a full buffer just stops growing. */
static void add_item(char *buf, size_t n, const char *sep, const char *name, long long v)
{
	size_t len = strlen(buf);

	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s%s=%lld", len ? sep : "", name, v);
}

void report_kinds_text(char *buf, size_t n, const struct cell_result *c, const char *sep)
{
	buf[0] = '\0';
	for (int k = 0; k < c->nkinds; k++)
		if (c->anomalies[k])
			add_item(buf, n, sep, c->kinds[k], c->anomalies[k]);
}

void report_errors_text(char *buf, size_t n, const struct cell_result *c, const char *sep)
{
	buf[0] = '\0';
	for (int k = 1; k < RB_CLS__COUNT; k++)
		if (c->errors[k])
			add_item(buf, n, sep, rb_class_name((enum rb_class)k), c->errors[k]);
}

void report_failures_text(char *buf, size_t n, const struct cell_result *c, const char *sep)
{
	buf[0] = '\0';
	for (int k = 1; k < FR__COUNT; k++)
		if (c->failures[k])
			add_item(buf, n, sep, fail_reason_name(k), c->failures[k]);
}

long long report_total_errors(const struct cell_result *c)
{
	long long t = 0;

	for (int k = 1; k < RB_CLS__COUNT; k++)
		t += c->errors[k];
	return t;
}

long long report_total_anomalies(const struct cell_result *c)
{
	long long t = 0;

	for (int k = 0; k < c->nkinds; k++)
		t += c->anomalies[k];
	return t;
}

void report_time_utc(char *buf, size_t n, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- racebench isolation's grid ---- */

int report_is_isolation(const struct run_result *r)
{
	return r->mode && !strcmp(r->mode, "isolation");
}

void report_iso_grid(const struct run_result *r, struct iso_grid *g)
{
	memset(g, 0, sizeof(*g));
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		int row = -1, col = -1;

		for (int k = 0; k < g->nrows && row < 0; k++)
			if (!strcmp(g->db[k], c->db) && g->iso[k] == (int)c->iso)
				row = k;
		if (row < 0 && g->nrows < ISO_MAX_ROWS) {
			row = g->nrows++;
			g->db[row] = c->db;
			g->iso[row] = (int)c->iso;
			for (int k = 0; k < ISO_MAX_TESTS; k++)
				g->cell[row][k] = -1;
		}
		for (int k = 0; k < g->ncols && col < 0; k++)
			if (!strcmp(g->test[k], c->scenario))
				col = k;
		if (col < 0 && g->ncols < ISO_MAX_TESTS) {
			col = g->ncols++;
			g->test[col] = c->scenario;
		}
		if (row >= 0 && col >= 0)
			g->cell[row][col] = i;
	}
}

void report_iso_text(const struct cell_result *c, char *buf, size_t n)
{
	if (c->verdict == V_ANOMALY)
		snprintf(buf, n, "A");
	else if (c->verdict == V_NA)
		snprintf(buf, n, "n/a");
	else if (c->verdict == V_ABORTED)
		snprintf(buf, n, "?");
	else if (!strcmp(c->how, "none") || !c->how[0])
		snprintf(buf, n, "-");
	else if (!strncmp(c->how, "blocked", 7))
		snprintf(buf, n, "blk%s", c->how + 7);
	else
		snprintf(buf, n, "%s", c->how);
}

/*
 * The grid's legend: the symbols, then each driver's own error codes (the
 * driver knows what its codes mean; a new database brings its line).
 */
int report_is_sweep(const struct run_result *r)
{
	return r->nsweep_clients > 1 || r->nsweep_keys > 1;
}

void report_list_text(char *buf, size_t n, const int *v, int count)
{
	buf[0] = '\0';
	for (int i = 0; i < count; i++)
		str_printf(buf + strlen(buf), n - strlen(buf), "%s%d", i ? "," : "", v[i]);
}

void report_server_note(const struct run_server *s, char *out, size_t n)
{
	if (*s->topology)
		str_printf(out, n, " (%s%s topology%s%s)", s->throwaway ? "throwaway " : "",
			   s->topology, *s->replica ? "; replica " : "", s->replica);
	else
		str_copy(out, s->throwaway ? " (throwaway server)" : "", n);
}

const char *report_iso_legend(int i)
{
	static const char *const head[] = {
		"A     anomaly: the test's invariant broke, every session it needs committed",
		"-     prevented, and nothing waited or failed: reads came from committed data or a "
		"snapshot",
		"blk   a statement waited for a lock (what the preventing was: the codes after it, or "
		"the wait)",
	};
	static const char *const tail = "?     inconclusive: the play could not finish (see the JSON report)";
	int nh = (int)(sizeof head / sizeof head[0]);

	if (i < 0)
		return NULL;
	if (i < nh)
		return head[i];
	i -= nh;
	for (int d = 0; drivers[d]; d++) {
		if (!drivers[d]->error_legend)
			continue;
		if (i-- == 0)
			return drivers[d]->error_legend;
	}
	return i == 0 ? tail : NULL;
}

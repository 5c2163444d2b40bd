/*
 * html.c: one self-contained HTML page for talks and training: verdict
 * tiles, then per database and scenario a heat-map of the reproduction
 * rate (strategy x isolation level), latency percentiles and errors by
 * class as inline SVG drawn here, then the full per-cell table. No script,
 * no external resource; large type and strong contrast for a projector.
 * The markup is also well-formed XML, so xmllint can check it.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include "../base/util.h"
#include "timeline.h"
#include "../core/isolation.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS 64 /* strategies in one group: ST__COUNT today */

static const char *const verdict_fill[V_ABORTED + 1] = {
	[V_NA] = "#e6e6e6",	[V_SAFE] = "#1e7b34",	 [V_ANOMALY] = "#b71c1c",
	[V_ERRORS] = "#f2b01e", [V_ABORTED] = "#5e2a84",
};
static const char *const verdict_ink[V_ABORTED + 1] = {
	[V_NA] = "#555555",	[V_SAFE] = "#ffffff",	 [V_ANOMALY] = "#ffffff",
	[V_ERRORS] = "#1a1a1a", [V_ABORTED] = "#ffffff",
};

/* Okabe-Ito: told apart with the common kinds of colour blindness. */
static const char *const class_fill[RB_CLS__COUNT] = {
	"#000000", "#d55e00", "#0072b2", "#e69f00", "#cc79a7", "#009e73", "#3d3d3d", "#9a9a9a",
};

static void esc(FILE *f, const char *s)
{
	xml_escape(f, s, 0);
}

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{margin:0;padding:28px 40px 60px;background:#ffffff;color:#111111;"
	"font-family:'DejaVu Sans','Segoe UI',Helvetica,Arial,sans-serif;font-size:20px;"
	"line-height:1.4}\n"
	"h1{font-size:44px;margin:0 0 4px;letter-spacing:-0.5px}\n"
	"h1 .sub{font-weight:normal;color:#444444}\n"
	"h2{font-size:32px;margin:48px 0 12px;padding-bottom:6px;border-bottom:4px solid #111111}\n"
	"h3{font-size:24px;margin:22px 0 8px}\n"
	".meta{font-size:20px;color:#333333;margin:0 0 18px}\n"
	".meta span{white-space:nowrap}\n"
	".tiles{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0 16px}\n"
	".tile{min-width:170px;padding:12px 22px;border-radius:10px;font-size:22px;"
	"font-weight:bold}\n"
	".tile .n{display:block;font-size:52px;line-height:1.1}\n"
	".banner{font-size:24px;font-weight:bold;padding:12px 20px;border-radius:8px;"
	"margin:10px 0}\n"
	".bad{background:#b71c1c;color:#ffffff}\n"
	".good{background:#1e7b34;color:#ffffff}\n"
	".warn{background:#5e2a84;color:#ffffff}\n"
	".row{display:flex;flex-wrap:wrap;gap:36px;align-items:flex-start}\n"
	"figure{margin:0 0 18px}\n"
	"figcaption{font-size:24px;font-weight:bold;margin:0 0 8px}\n"
	"svg{max-width:100%;height:auto;display:block}\n"
	"svg text{font-family:inherit}\n"
	".notes{flex:1;min-width:360px;font-size:20px}\n"
	".notes ul{margin:0;padding-left:24px}\n"
	".notes li{margin:0 0 8px}\n"
	".key{font-size:17px;color:#333333;margin:6px 0 0}\n"
	".scroll{overflow-x:auto}\n"
	"table{border-collapse:collapse;font-size:16px;margin-top:8px}\n"
	"th,td{padding:6px 10px;border-bottom:1px solid #c8c8c8;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#111111;color:#ffffff;position:sticky;top:0}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.cost{font-size:20px;margin-bottom:24px}\n"
	"tr.na td{color:#666666}\n"
	"td.id{white-space:nowrap}\n"
	"td.broke{color:#b71c1c;font-weight:bold;white-space:nowrap}\n"
	"tr.note td{border-bottom:1px solid #c8c8c8;color:#7a1010;padding-top:0}\n"
	"tr.grp td{font-size:20px;font-weight:bold;background:#eeeeee;padding-top:10px}\n"
	".v{display:inline-block;padding:2px 10px;border-radius:6px;font-weight:bold;"
	"white-space:nowrap}\n"
	"footer{margin-top:40px;font-size:17px;color:#333333}\n"
	"code{font-family:'DejaVu Sans Mono',monospace;font-size:0.9em}\n";

static void verdict_badge(FILE *f, enum verdict v)
{
	fprintf(f, "<span class=\"v\" style=\"background:%s;color:%s\">%s</span>", verdict_fill[v],
		verdict_ink[v], verdict_name(v));
}

static void head(FILE *f, const struct run_result *r)
{
	char when[32];

	report_time_utc(when, sizeof(when), r->started_at);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<title>racebench ",
	      f);
	esc(f, r->mode);
	fprintf(f, " report %s</title>\n<style>\n%s</style>\n</head>\n<body>\n", when, css);
}

static void tiles(FILE *f, const struct run_result *r)
{
	static const enum verdict order[] = { V_ANOMALY, V_ERRORS, V_SAFE, V_ABORTED, V_NA };
	int counts[V_ABORTED + 1];

	report_count_verdicts(r, counts);
	fputs("<div class=\"tiles\">\n", f);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum verdict v = order[i];

		if (!counts[v] && (v == V_ABORTED || v == V_NA))
			continue;
		fprintf(f,
			"<div class=\"tile\" style=\"background:%s;color:%s\">"
			"<span class=\"n\">%d</span>%s</div>\n",
			verdict_fill[v], verdict_ink[v], counts[v], verdict_name(v));
	}
	fputs("</div>\n", f);
}

static void header(FILE *f, const struct run_result *r)
{
	char when[32];
	struct tm tm;
	int broken = 0;

	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<header>\n<h1>racebench <span class=\"sub\">", f);
	esc(f, r->mode);
	/* Each item unbroken, so a wrapped line never splits a version or a date. */
	fputs(" report</span></h1>\n<p class=\"meta\">", f);
	for (int i = 0; i < r->nservers; i++) {
		fputs("<span>", f);
		esc(f, r->servers[i].info.product);
		fputc(' ', f);
		esc(f, r->servers[i].info.version);
		fputs("</span> · ", f);
	}
	if (r->nsweep_clients > 1) {
		char list[128];

		report_list_text(list, sizeof(list), r->sweep_clients, r->nsweep_clients);
		fprintf(f, "<span>a sweep over clients %s</span> · ", list);
	} else {
		fprintf(f, "<span>%d clients</span> · ", r->clients);
	}
	if (!strcmp(r->mode, "load"))
		fprintf(f, "<span>%s loop</span> · ", r->rate > 0 ? "open" : "closed");
	else
		fprintf(f, "<span>%d trials per cell</span> · ", r->trials);
	if (r->nsweep_keys > 1) {
		char list[128];

		report_list_text(list, sizeof(list), r->sweep_keys, r->nsweep_keys);
		fprintf(f, "<span>keys %s</span> · ", list);
	} else {
		fprintf(f, "<span>%d key%s</span> · ", r->keys, r->keys == 1 ? "" : "s");
	}
	fprintf(f, "<span>seed %llu</span> · <span>%s</span> · <span>%.1f s</span></p>\n",
		(unsigned long long)r->seed, when, r->wall_seconds);
	tiles(f, r);
	for (int i = 0; i < r->ncells; i++)
		broken += r->cells[i].nbroken;
	if (r->gated && r->gate_failed)
		fprintf(f,
			"<div class=\"banner bad\">Regression gate failed: %d expectation%s "
			"broken</div>\n",
			broken, broken == 1 ? "" : "s");
	else if (r->gated)
		fputs("<div class=\"banner good\">Regression gate passed</div>\n", f);
	if (r->aborted) {
		fputs("<div class=\"banner warn\">Run aborted, the report is partial: ", f);
		esc(f, r->abort_msg);
		fputs("</div>\n", f);
	}
	fputs("</header>\n", f);
}

/* The strategies of group g in run order, and the levels any of them used. */
static int group_axes(const struct run_result *r, const struct cell_result *g, const char **rows,
		      unsigned *isos)
{
	int n = 0;

	*isos = 0;
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		int seen = 0;

		if (!report_same_group(c, g))
			continue;
		*isos |= 1u << c->iso;
		for (int k = 0; k < n && !seen; k++)
			seen = !strcmp(rows[k], c->strategy);
		if (!seen && n < MAX_ROWS)
			rows[n++] = c->strategy;
	}
	return n;
}

/*
 * The heat-map's cell of (strategy, level); in a sweep, the worst of its
 * points (the highest anomaly rate, then the worst verdict): a strategy
 * that is wrong at some point is wrong.
 */
static const struct cell_result *find_cell(const struct run_result *r, const struct cell_result *g,
					   const char *strategy, int iso)
{
	const struct cell_result *worst = NULL;

	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!report_same_group(c, g) || (int)c->iso != iso || strcmp(c->strategy, strategy))
			continue;
		if (!worst || cell_rate(c) > cell_rate(worst) ||
		    (cell_rate(c) == cell_rate(worst) && c->verdict == V_ERRORS &&
		     worst->verdict == V_SAFE))
			worst = c;
		if (!report_is_sweep(r))
			break;
	}
	return worst;
}

/* Light rose at a rare anomaly to deep red at every trial: the eye reads the rate. */
static void anomaly_fill(char *buf, size_t n, double rate)
{
	static const int lo[3] = { 0xf6, 0xb3, 0xa8 }, hi[3] = { 0xa0, 0x10, 0x10 };
	double t = rate < 0 ? 0 : rate > 1 ? 1 : rate;
	int c[3];

	for (int i = 0; i < 3; i++)
		c[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
	snprintf(buf, n, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void cell_tooltip(FILE *f, const struct cell_result *c)
{
	char buf[512];

	fputs("<title>", f);
	esc(f, c->db);
	fputc(' ', f);
	esc(f, c->scenario);
	fputc(' ', f);
	esc(f, c->strategy);
	fprintf(f, " %s: %s", rb_iso_name(c->iso), verdict_name(c->verdict));
	if (c->verdict == V_NA) {
		fputs(" (", f);
		esc(f, c->na_reason);
		fputc(')', f);
	} else {
		fprintf(f, ", %lld/%lld trials anomalous", c->anomalous_trials, c->trials);
		report_kinds_text(buf, sizeof(buf), c, " ");
		if (*buf) {
			fputs(", ", f);
			esc(f, buf);
		}
		report_errors_text(buf, sizeof(buf), c, " ");
		if (*buf) {
			fputs(", errors ", f);
			esc(f, buf);
		}
	}
	fputs("</title>", f);
}

#define HM_LABEL 270
#define HM_CW	 140
#define HM_CH	 66
#define HM_TOP	 46

static void heat_cell(FILE *f, const struct run_result *r, const struct cell_result *c, int x,
		      int y)
{
	char fill[16], big[32], small[64];
	const char *ink;

	if (!c) {
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
			"stroke=\"#cccccc\" stroke-dasharray=\"4 4\"/>\n",
			x + 3, y + 3, HM_CW - 6, HM_CH - 6);
		return;
	}
	snprintf(fill, sizeof(fill), "%s", verdict_fill[c->verdict]);
	ink = verdict_ink[c->verdict];
	small[0] = '\0';
	switch (c->verdict) {
	case V_NA: snprintf(big, sizeof(big), "n/a"); break;
	case V_ABORTED: snprintf(big, sizeof(big), "aborted"); break;
	default:
		if (!strcmp(r->mode, "load")) {
			snprintf(big, sizeof(big), "%lld", report_total_anomalies(c));
			snprintf(small, sizeof(small), "%.0f ops/s", c->throughput);
		} else {
			snprintf(big, sizeof(big), "%.0f%%", 100.0 * cell_rate(c));
			snprintf(small, sizeof(small), "%lld/%lld", c->anomalous_trials, c->trials);
		}
		if (c->verdict == V_ANOMALY) {
			anomaly_fill(fill, sizeof(fill), cell_rate(c));
			ink = cell_rate(c) >= 0.35 ? "#ffffff" : "#1a1a1a";
		} else if (c->verdict == V_ERRORS) {
			snprintf(small, sizeof(small), "%lld failed", c->failed);
		} else {
			snprintf(small, sizeof(small), "safe");
		}
	}
	if (c->eff_iso != c->iso && c->verdict != V_NA) {
		size_t len = strlen(small);

		snprintf(small + len, sizeof(small) - len, "%sran %s", len ? " · " : "",
			 rb_iso_name(c->eff_iso));
	}
	fputs("<g>", f);
	cell_tooltip(f, c);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\"/>",
		x + 3, y + 3, HM_CW - 6, HM_CH - 6, fill);
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"%d\" "
		"font-weight=\"bold\" fill=\"%s\">%s</text>",
		x + HM_CW / 2, y + (*small ? 32 : 41),
		c->verdict == V_NA || c->verdict == V_ABORTED ? 20 : 26, ink, big);
	if (*small)
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" "
			"fill=\"%s\">%s</text>",
			x + HM_CW / 2, y + 53, ink, small);
	fputs("</g>\n", f);
}

static void heatmap(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	const char *rows[MAX_ROWS];
	unsigned isos;
	int nrows = group_axes(r, g, rows, &isos), ncols = 0, w, h, col = 0;

	for (int l = 0; l < RB_ISO__COUNT; l++)
		ncols += isos >> l & 1;
	w = HM_LABEL + ncols * HM_CW + 8;
	h = HM_TOP + nrows * HM_CH + 8;
	fprintf(f, "<figure>\n<figcaption>%s</figcaption>\n",
		!strcmp(r->mode, "load") ? "Anomalies by strategy and isolation level"
					 : "Reproduction rate: anomalous trials");
	fprintf(f,
		"<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"reproduction rate by strategy and isolation level\">\n",
		w, h, w, h);
	for (int l = 0; l < RB_ISO__COUNT; l++) {
		if (!(isos >> l & 1))
			continue;
		fprintf(f,
			"<text x=\"%d\" y=\"32\" text-anchor=\"middle\" font-size=\"24\" "
			"font-weight=\"bold\">%s</text>\n",
			HM_LABEL + col * HM_CW + HM_CW / 2, rb_iso_name((enum rb_iso)l));
		col++;
	}
	for (int i = 0; i < nrows; i++) {
		int y = HM_TOP + i * HM_CH;

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"22\">",
			HM_LABEL - 14, y + HM_CH / 2 + 8);
		esc(f, rows[i]);
		fputs("</text>\n", f);
		col = 0;
		for (int l = 0; l < RB_ISO__COUNT; l++) {
			if (!(isos >> l & 1))
				continue;
			heat_cell(f, r, find_cell(r, g, rows[i], l), HM_LABEL + col * HM_CW, y);
			col++;
		}
	}
	fputs("</svg>\n<p class=\"key\">ru read uncommitted · rc read committed · "
	      "rr repeatable read · ser serializable",
	      f);
	if (isos >> RB_ISO_RR_SI & 1)
		fputs(" · rr+si repeatable read with snapshot isolation (a write to a row changed "
		      "since the snapshot fails)",
		      f);
	fputs("</p>\n</figure>\n", f);
}

/*
 * What a reader should know next to the heat-map: broken expectations,
 * aborts, lost Redis leases, n/a strategies, what the errors said.
 */
static void notes(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	char isos[64], who[256];
	int shown = 0;

	fputs("<div class=\"notes\">\n", f);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		int na = report_na_first(r, i, who, sizeof(who), isos, sizeof(isos));
		int lock =
			c->has_lock && c->verdict != V_NA && (c->lease_expired || c->lock_timeouts);

		if (!report_same_group(c, g) ||
		    (!na && !lock && !c->nbroken && c->verdict != V_ABORTED))
			continue;
		if (!shown++)
			fputs("<h3>Notes</h3>\n<ul>\n", f);
		for (int k = 0; k < c->nbroken && k < MAX_BROKEN; k++) {
			fputs("<li><b>Expectation broken</b>, ", f);
			esc(f, c->strategy);
			fprintf(f, " %s: <code>", rb_iso_name(c->iso));
			esc(f, c->broken[k]);
			fputs("</code></li>\n", f);
		}
		if (c->nbroken > MAX_BROKEN)
			fprintf(f, "<li>… and %d more broken expectations</li>\n",
				c->nbroken - MAX_BROKEN);
		if (c->verdict == V_ABORTED) {
			fputs("<li><b>Aborted</b>, ", f);
			esc(f, c->strategy);
			fprintf(f, " %s: ", rb_iso_name(c->iso));
			esc(f, c->abort_msg);
			fputs("</li>\n", f);
		}
		if (lock) {
			fputs("<li><b>Redis lock</b>, ", f);
			esc(f, c->strategy);
			fprintf(f,
				" %s: %lld lease%s expired mid-transaction, %lld acquire "
				"time-out%s</li>\n",
				rb_iso_name(c->iso), c->lease_expired,
				c->lease_expired == 1 ? "" : "s", c->lock_timeouts,
				c->lock_timeouts == 1 ? "" : "s");
		}
		if (na) {
			fputs("<li><b>n/a</b> ", f);
			esc(f, who);
			fprintf(f, " (%s): ", isos);
			esc(f, c->na_reason);
			fputs("</li>\n", f);
		}
	}
	/* One message per error class tells what the server said. */
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		for (int i = 0; i < r->ncells; i++) {
			const struct cell_result *c = &r->cells[i];

			if (!report_same_group(c, g) || c->verdict == V_NA || !c->examples[k][0])
				continue;
			if (!shown++)
				fputs("<h3>Notes</h3>\n<ul>\n", f);
			fprintf(f, "<li><b>%s</b> error, e.g. ", rb_class_name((enum rb_class)k));
			esc(f, c->strategy);
			fprintf(f, " %s: <code>", rb_iso_name(c->iso));
			esc(f, c->examples[k]);
			fputs("</code></li>\n", f);
			break;
		}
	}
	if (shown)
		fputs("</ul>\n", f);
	fputs("</div>\n", f);
}

/* Cells with figures worth a bar: ran, with at least one sample. */
static int charted(const struct cell_result *c, const struct cell_result *g)
{
	return report_same_group(c, g) && c->verdict != V_NA && c->lat.count > 0;
}

#define BAR_LABEL 300
#define BAR_PLOT  700
#define BAR_TEXT  330
#define BAR_ROW	  36
#define BAR_TOP	  64

static void bar_label(FILE *f, const struct cell_result *c, int y, int sweep)
{
	char iso[32];

	report_iso_label(iso, sizeof(iso), c, "→");
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"20\">", BAR_LABEL - 12,
		y + BAR_ROW / 2 + 7);
	esc(f, c->strategy);
	fprintf(f, " <tspan font-weight=\"bold\">%s</tspan>", iso);
	if (sweep) /* a sweep's rows differ by their point */
		fprintf(f, " c%d k%d", c->clients, c->keys);
	fputs("</text>\n", f);
}

static double log_x(uint64_t v, double lo, double hi)
{
	double lv = log10(v < 1 ? 1.0 : (double)v);

	if (lv < lo)
		lv = lo;
	return BAR_LABEL + (lv - lo) / (hi - lo) * BAR_PLOT;
}

/* An axis label for us microseconds: "200us", "5ms", "1s". */
static void tick_label(char *buf, size_t n, double us)
{
	if (us < 1000)
		snprintf(buf, n, "%.0fus", us);
	else if (us < 1e6)
		snprintf(buf, n, "%.0fms", us / 1000);
	else
		snprintf(buf, n, "%.0fs", us / 1e6);
}

/*
 * Gridlines at 1, 2 and 5 times each power of ten between 10^lo and 10^hi;
 * the 2 and 5 get a label only when the axis spans few decades.
 */
static void log_axis(FILE *f, double lo, double hi, int bottom)
{
	static const int steps[3] = { 1, 2, 5 };

	for (int d = (int)lo; d <= (int)hi; d++) {
		for (int s = 0; s < 3 && (d < (int)hi || s == 0); s++) {
			double v = steps[s] * pow(10, d), x = log_x((uint64_t)v, lo, hi);
			char label[16];

			fprintf(f,
				"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>",
				x, BAR_TOP - 6, x, bottom, s ? "#dddddd" : "#999999");
			if (s && hi - lo > 3)
				continue;
			tick_label(label, sizeof(label), v);
			fprintf(f,
				"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"17\" "
				"fill=\"%s\">%s</text>",
				x, BAR_TOP - 12, s ? "#555555" : "#111111", label);
		}
		fputc('\n', f);
	}
}

/* The series a latency row can show: the operation, a Redis lock's wait, open-loop lag. */
enum series {
	S_OP,
	S_LOCK,
	S_LAG,
	S__COUNT
};

static const char *const series_fill[S__COUNT][3] = {
	[S_OP] = { "#0b2f6b", "#3f73c8", "#a8c5f0" },
	[S_LOCK] = { "#7a3b00", "#d9822b", "#f6cfa3" },
	[S_LAG] = { "#333333", "#7a7a7a", "#c8c8c8" },
};
static const char *const series_name[S__COUNT] = { "", "lock wait", "schedule lag" };

static const struct lat_summary *series_lat(const struct cell_result *c, enum series s)
{
	if (s == S_LOCK)
		return c->has_lock ? &c->lock_wait : NULL;
	if (s == S_LAG)
		return c->has_lag ? &c->lag : NULL;
	return &c->lat;
}

/* Nested bars, the widest percentile at the back, like a bullet chart. */
static void lat_bars(FILE *f, const struct lat_summary *l, enum series s, int y, double lo,
		     double hi)
{
	static const int bh[3] = { 26, 18, 10 };
	const uint64_t v[3] = { l->p99, l->p90, l->p50 };
	char p50[24], p99[24];

	for (int p = 0; p < 3; p++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
			BAR_LABEL, y + (BAR_ROW - bh[p]) / 2, log_x(v[p], lo, hi) - BAR_LABEL,
			bh[p], series_fill[s][2 - p]);
	fmt_us(p50, sizeof(p50), l->p50);
	fmt_us(p99, sizeof(p99), l->p99);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"19\">p50 %s · p99 %s</text>",
		BAR_LABEL + BAR_PLOT + 14, y + BAR_ROW / 2 + 7, p50, p99);
}

static void latency_chart(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	uint64_t lo_v = UINT64_MAX, hi_v = 1;
	int n = 0, w = BAR_LABEL + BAR_PLOT + BAR_TEXT, h, row = 0, x = BAR_LABEL;
	int used[S__COUNT] = { 0 };
	double lo, hi;

	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!charted(c, g))
			continue;
		for (int s = 0; s < S__COUNT; s++) {
			const struct lat_summary *l = series_lat(c, (enum series)s);

			if (!l)
				continue;
			n++;
			used[s] = 1;
			if (l->p50 < lo_v)
				lo_v = l->p50;
			if (l->p99 > hi_v)
				hi_v = l->p99;
		}
	}
	if (!n)
		return;
	/*
	 * Whole decades, the fastest p50 at least a third of a decade in, and
	 * two decades at least: bars differ visibly, orders of magnitude read
	 * at a glance.
	 */
	lo = floor(log10(lo_v < 1 ? 1.0 : (double)lo_v) - 0.3);
	hi = ceil(log10((double)hi_v));
	if (hi - lo < 2)
		lo = hi - 2;
	if (lo < 0)
		lo = 0;
	if (hi - lo < 2)
		hi = lo + 2;
	h = BAR_TOP + n * BAR_ROW + 10;
	fprintf(f,
		"<figure>\n<figcaption>Latency per operation: p50, p90, p99%s%s "
		"(log scale)</figcaption>\n",
		used[S_LOCK] ? "; Redis lock wait" : "", used[S_LAG] ? "; schedule lag" : "");
	fprintf(f,
		"<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"latency percentiles per strategy\">\n",
		w, h, w, h);
	for (int p = 0; p < 3; p++) {
		static const char *const names[3] = { "p50", "p90", "p99" };

		fprintf(f,
			"<rect x=\"%d\" y=\"4\" width=\"22\" height=\"22\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"23\" font-size=\"20\">%s</text>\n",
			x, series_fill[S_OP][p], x + 30, names[p]);
		x += 110;
	}
	for (int s = S_LOCK; s < S__COUNT; s++) {
		if (!used[s])
			continue;
		fprintf(f,
			"<rect x=\"%d\" y=\"4\" width=\"22\" height=\"22\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"23\" font-size=\"20\">%s</text>\n",
			x, series_fill[s][1], x + 30, series_name[s]);
		x += 30 + (int)strlen(series_name[s]) * 12 + 28;
	}
	log_axis(f, lo, hi, h - 6);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!charted(c, g))
			continue;
		for (int s = 0; s < S__COUNT; s++) {
			const struct lat_summary *l = series_lat(c, (enum series)s);
			int y = BAR_TOP + row * BAR_ROW;

			if (!l)
				continue;
			row++;
			if (s == S_OP)
				bar_label(f, c, y, report_is_sweep(r));
			else
				fprintf(f,
					"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"18\" "
					"fill=\"#444444\">%s</text>\n",
					BAR_LABEL - 12, y + BAR_ROW / 2 + 6, series_name[s]);
			fputs("<g>", f);
			cell_tooltip(f, c);
			lat_bars(f, l, (enum series)s, y, lo, hi);
			fputs("</g>\n", f);
		}
	}
	fputs("</svg>\n</figure>\n", f);
}

static void errors_chart(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	long long max = 0;
	int n = 0, w = BAR_LABEL + BAR_PLOT + BAR_TEXT, h, row = 0, x = BAR_LABEL, used = 0;

	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		long long t = report_total_errors(c);

		if (!report_same_group(c, g) || c->verdict == V_NA || !t)
			continue;
		n++;
		if (t > max)
			max = t;
		for (int k = 1; k < RB_CLS__COUNT; k++)
			used |= (c->errors[k] > 0) << k;
	}
	fputs("<figure>\n<figcaption>Errors by class (retried or not)</figcaption>\n", f);
	if (!n) {
		fputs("<p>No database errors in any cell.</p>\n</figure>\n", f);
		return;
	}
	h = BAR_TOP + n * BAR_ROW + 10;
	fprintf(f,
		"<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"errors by class per cell\">\n",
		w, h, w, h);
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		const char *name = rb_class_name((enum rb_class)k);

		if (!(used >> k & 1))
			continue;
		fprintf(f,
			"<rect x=\"%d\" y=\"4\" width=\"22\" height=\"22\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"23\" font-size=\"20\">%s</text>\n",
			x, class_fill[k], x + 30, name);
		x += 30 + (int)strlen(name) * 12 + 28;
	}
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];
		long long t = report_total_errors(c);
		double at = BAR_LABEL;
		int y = BAR_TOP + row * BAR_ROW;

		if (!report_same_group(c, g) || c->verdict == V_NA || !t)
			continue;
		row++;
		bar_label(f, c, y, report_is_sweep(r));
		fputs("<g>", f);
		cell_tooltip(f, c);
		for (int k = 1; k < RB_CLS__COUNT; k++) {
			double bw = (double)c->errors[k] / (double)max * BAR_PLOT;

			if (!c->errors[k])
				continue;
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"%s\" "
				"stroke=\"#ffffff\" stroke-width=\"1\"/>",
				at, y + 5, bw, class_fill[k]);
			if (bw >= 44)
				fprintf(f,
					"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
					"font-size=\"16\" font-weight=\"bold\" fill=\"%s\">%lld</text>",
					at + bw / 2, y + 24,
					k == RB_CLS_LOCK_TIMEOUT ? "#1a1a1a" : "#ffffff",
					c->errors[k]);
			at += bw;
		}
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" font-size=\"19\">%lld error%s · %lld retries · "
			"%lld failed</text></g>\n",
			BAR_LABEL + BAR_PLOT + 14, y + BAR_ROW / 2 + 7, t, t == 1 ? "" : "s",
			c->retries, c->failed);
	}
	fputs("</svg>\n</figure>\n", f);
}

static void group(FILE *f, const struct run_result *r, const struct cell_result *g, int n)
{
	fprintf(f, "<section id=\"g%d\">\n<h2>", n);
	esc(f, g->db);
	fputs(" · ", f);
	esc(f, g->scenario);
	fputs("</h2>\n<div class=\"row\">\n", f);
	heatmap(f, r, g);
	notes(f, r, g);
	fputs("</div>\n", f);
	html_load_charts(f, r, g);
	latency_chart(f, r, g);
	errors_chart(f, r, g);
	fputs("</section>\n", f);
}

static void td_num(FILE *f, const char *s)
{
	fprintf(f, "<td class=\"num\">%s</td>", s);
}

static void td_us(FILE *f, uint64_t us)
{
	char buf[24];

	fmt_us(buf, sizeof(buf), us);
	td_num(f, buf);
}

static void td_text(FILE *f, const char *s)
{
	fputs("<td>", f);
	esc(f, *s ? s : "-");
	fputs("</td>", f);
}

/* "1.20ms / 9.10ms" */
static void td_pair(FILE *f, const struct lat_summary *l)
{
	char a[24], b[24], buf[56];

	fmt_us(a, sizeof(a), l->p50);
	fmt_us(b, sizeof(b), l->p99);
	snprintf(buf, sizeof(buf), "%s / %s", a, b);
	td_num(f, buf);
}

static void table_row(FILE *f, const struct run_result *r, const struct cell_result *c, int lock,
		      int lag, int cols)
{
	char buf[512];

	fprintf(f, "<tr%s>", c->verdict == V_NA ? " class=\"na\"" : "");
	fputs("<td class=\"id\">", f);
	esc(f, c->strategy);
	report_iso_label(buf, sizeof(buf), c, "→");
	fputs("</td><td class=\"id\">", f);
	esc(f, buf);
	fputs("</td><td>", f);
	verdict_badge(f, c->verdict);
	fputs("</td>", f);
	if (c->verdict == V_NA) {
		fprintf(f, "<td colspan=\"%d\">", cols - 3);
		esc(f, c->na_reason);
		fputs("</td></tr>\n", f);
		return;
	}
	snprintf(buf, sizeof(buf), "%lld/%lld (%.0f%%)", c->anomalous_trials, c->trials,
		 100.0 * cell_rate(c));
	td_num(f, buf);
	report_kinds_text(buf, sizeof(buf), c, " ");
	td_text(f, buf);
	report_errors_text(buf, sizeof(buf), c, " ");
	td_text(f, buf);
	report_failures_text(buf, sizeof(buf), c, " ");
	td_text(f, buf);
	snprintf(buf, sizeof(buf), "%lld", c->retries);
	td_num(f, buf);
	snprintf(buf, sizeof(buf), "%lld", c->failed);
	td_num(f, buf);
	td_us(f, c->lat.p50);
	td_us(f, c->lat.p90);
	td_us(f, c->lat.p99);
	td_us(f, c->lat.max);
	snprintf(buf, sizeof(buf), "%.0f", c->throughput);
	td_num(f, buf);
	if (lock && c->has_lock) {
		td_pair(f, &c->lock_wait);
		snprintf(buf, sizeof(buf), "%lld", c->lock_timeouts);
		td_num(f, buf);
		snprintf(buf, sizeof(buf), "%lld", c->lease_expired);
		td_num(f, buf);
	} else if (lock) {
		fputs("<td></td><td></td><td></td>", f);
	}
	if (lag && c->has_lag)
		td_pair(f, &c->lag);
	else if (lag)
		fputs("<td></td>", f);
	if (r->gated && c->nbroken)
		fprintf(f, "<td class=\"broke\">%d broken</td>", c->nbroken);
	else if (r->gated)
		fputs("<td>ok</td>", f);
	fputs("</tr>\n", f);
	/* Long texts get a row of their own under the cell, so the columns stay narrow. */
	for (int k = 0; k < c->nbroken && k < MAX_BROKEN; k++) {
		fprintf(f, "<tr class=\"note\"><td></td><td colspan=\"%d\">broken: ", cols - 1);
		esc(f, c->broken[k]);
		fputs("</td></tr>\n", f);
	}
	if (c->nbroken > MAX_BROKEN)
		fprintf(f,
			"<tr class=\"note\"><td></td><td colspan=\"%d\">and %d more broken "
			"expectations</td></tr>\n",
			cols - 1, c->nbroken - MAX_BROKEN);
	if (c->verdict == V_ABORTED) {
		fprintf(f, "<tr class=\"note\"><td></td><td colspan=\"%d\">aborted: ", cols - 1);
		esc(f, c->abort_msg);
		fputs("</td></tr>\n", f);
	}
}

/* Every cell with every figure, a heading row per database and scenario. */
static void full_table(FILE *f, const struct run_result *r)
{
	int lock = report_any_lock(r), lag = report_any_lag(r);
	int cols = 14 + (lock ? 3 : 0) + (lag ? 1 : 0) + (r->gated ? 1 : 0);

	fputs("<section id=\"cells\">\n<h2>Every cell</h2>\n<div class=\"scroll\">\n<table>\n"
	      "<thead><tr><th>strategy</th><th>iso</th><th>verdict</th><th>anomalous trials</th>"
	      "<th>anomalies</th><th>errors</th><th>failures</th><th>retries</th><th>failed</th>"
	      "<th>p50</th><th>p90</th><th>p99</th><th>max</th><th>ops/s</th>",
	      f);
	if (lock)
		fputs("<th>lock wait p50 / p99</th><th>lock time-outs</th><th>leases expired</th>",
		      f);
	if (lag)
		fputs("<th>schedule lag p50 / p99</th>", f);
	if (r->gated)
		fputs("<th>gate</th>", f);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *g = &r->cells[i];

		if (!report_group_starts(r, i))
			continue;
		fprintf(f, "<tr class=\"grp\"><td colspan=\"%d\">", cols);
		esc(f, g->db);
		fputs(" · ", f);
		esc(f, g->scenario);
		fputs("</td></tr>\n", f);
		for (int j = i; j < r->ncells; j++)
			if (report_same_group(&r->cells[j], g))
				table_row(f, r, &r->cells[j], lock, lag, cols);
	}
	fputs("</tbody>\n</table>\n</div>\n</section>\n", f);
}

static void footer(FILE *f, const struct run_result *r)
{
	fputs("<footer>\n<h3>Servers and parameters</h3>\n<ul>\n", f);
	for (int i = 0; i < r->nservers; i++) {
		const struct run_server *s = &r->servers[i];

		fputs("<li>", f);
		esc(f, s->db);
		fputs(": ", f);
		esc(f, s->info.product);
		fputc(' ', f);
		esc(f, s->info.version);
		{
			char note[400];

			report_server_note(s, note, sizeof(note));
			esc(f, note);
		}
		if (*s->dsn) {
			fputs(" <code>", f);
			esc(f, s->dsn);
			fputs("</code>", f);
		}
		for (int k = 0; k < s->info.nsettings; k++) {
			fputs(k ? ", " : "; ", f);
			esc(f, s->info.settings[k].name);
			fputc('=', f);
			esc(f, s->info.settings[k].value);
		}
		fputs("</li>\n", f);
	}
	fprintf(f,
		"<li>clients %d, trials %d, keys %d, retries %d, think %.3g ms, tail %.3g ms, "
		"seed %llu</li>\n",
		r->clients, r->trials, r->keys, r->retries, r->think_ms, r->tail_ms,
		(unsigned long long)r->seed);
	if (r->knobs.n) {
		fputs("<li>knobs:", f);
		for (int i = 0; i < r->knobs.n; i++) {
			fprintf(f, "%s ", i ? "," : "");
			xml_escape(f, r->knobs.k[i].name, 0);
			fprintf(f, " %lld", r->knobs.k[i].value);
		}
		fputs("</li>\n", f);
	}
	if (!strcmp(r->mode, "load")) {
		fputs("<li>load: ", f);
		if (r->duration_s > 0)
			fprintf(f, "duration %.3g s", r->duration_s);
		else
			fprintf(f, "%lld ops", r->ops_target);
		if (r->rate > 0) {
			fprintf(f, ", open loop at %.6g ops/s (", r->rate);
			esc(f, r->arrival ? r->arrival : "fixed");
			fputs(" arrivals)", f);
		} else {
			fputs(", closed loop", f);
		}
		fprintf(f, ", warm-up %.3g s</li>\n", r->warmup_s);
	}
	fputs("</ul>\n<p>Made by racebench " RACEBENCH_VERSION ". Reproduction rate = "
	      "anomalous trials / trials. Latency is per operation as its user "
	      "sees it, retries included (open loop: from the operation's scheduled start).</p>\n</footer>\n",
	      f);
}

/*
 * racebench isolation: the grid (a row per database and level, a column per
 * test; anomalies red, prevented green with how), the legend, then each
 * cell's play, step by step, under its name.
 */
static void iso_html(FILE *f, const struct run_result *r)
{
	struct iso_grid g;
	char buf[64], when[32];
	struct tm tm;

	report_iso_grid(r, &g);
	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<header>\n<h1>racebench <span class=\"sub\">isolation</span></h1>\n"
	      "<p class=\"meta\">",
	      f);
	for (int i = 0; i < r->nservers; i++) {
		fputs("<span>", f);
		esc(f, r->servers[i].info.product);
		fputc(' ', f);
		esc(f, r->servers[i].info.version);
		fputs("</span> · ", f);
	}
	fprintf(f, "<span>%d cells</span> · <span>%s</span> · <span>%.1f s</span></p>\n",
		r->ncells, when, r->wall_seconds);
	if (r->gated)
		fprintf(f, "<div class=\"banner %s\">Regression gate %s</div>\n",
			r->gate_failed ? "bad" : "good", r->gate_failed ? "failed" : "passed");
	if (r->aborted) {
		fputs("<div class=\"banner warn\">Run aborted, the report is partial: ", f);
		esc(f, r->abort_msg);
		fputs("</div>\n", f);
	}
	fputs("</header>\n<h2>The grid</h2>\n<div class=\"scroll\"><table>\n<tr><th>db</th>"
	      "<th>level</th>",
	      f);
	for (int t = 0; t < g.ncols; t++) {
		fputs("<th>", f);
		esc(f, g.test[t]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (int k = 0; k < g.nrows; k++) {
		fputs("<tr><td class=\"id\">", f);
		esc(f, g.db[k]);
		fprintf(f, "</td><td class=\"id\">%s</td>", rb_iso_name((enum rb_iso)g.iso[k]));
		for (int t = 0; t < g.ncols; t++) {
			const struct cell_result *c = g.cell[k][t] >= 0 ? &r->cells[g.cell[k][t]] : NULL;

			if (!c) {
				fputs("<td></td>", f);
				continue;
			}
			report_iso_text(c, buf, sizeof(buf));
			fprintf(f,
				"<td><a href=\"#play-%d\"><span class=\"v\" "
				"style=\"background:%s;color:%s\" title=\"",
				g.cell[k][t], verdict_fill[c->verdict], verdict_ink[c->verdict]);
			xml_escape(f, c->detail, 1);
			fputs("\">", f);
			esc(f, buf);
			fputs("</span></a></td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n<ul class=\"key\">\n", f);
	for (int i = 0; report_iso_legend(i); i++) {
		fputs("<li><code>", f);
		esc(f, report_iso_legend(i));
		fputs("</code></li>\n", f);
	}
	fputs("</ul>\n<h2>Step by step</h2>\n<p>Each test played at each level (racebench "
	      "isolation uses racebench explain's engine: a statement that waits for a lock is "
	      "shown waiting, and the server is asked, never a timer).</p>\n",
	      f);
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		fprintf(f, "<h3 id=\"play-%d\">", i);
		esc(f, c->db);
		fprintf(f, " %s ", rb_iso_name(c->iso));
		esc(f, c->scenario);
		fprintf(f, ": %s", isolation_outcome(c->verdict));
		if (c->how[0] && strcmp(c->how, "none")) {
			fputs(" (", f);
			esc(f, c->how);
			fputc(')', f);
		}
		fputs("</h3>\n", f);
		for (int b = 0; b < c->nbroken && b < MAX_BROKEN; b++) {
			fputs("<p class=\"banner bad\">broke ", f);
			esc(f, c->broken[b]);
			fputs("</p>\n", f);
		}
		if (c->play >= 0 && c->play < r->nexplains)
			timeline_html_section(f, &r->explains[c->play]);
		else if (c->verdict == V_ABORTED)
			esc(f, c->abort_msg);
	}
}

int report_html(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	(void)o;
	if (report_is_isolation(r)) {
		head(f, r);
		iso_html(f, r);
		fputs("</body>\n</html>\n", f);
		return ferror(f) ? -1 : 0;
	}
	head(f, r);
	header(f, r);
	for (int i = 0, n = 0; i < r->ncells; i++)
		if (report_group_starts(r, i))
			group(f, r, &r->cells[i], ++n);
	full_table(f, r);
	if (r->nexplains) {
		fputs("<section class=\"timelines\">\n<h2>Step by step</h2>\n<p>Each race played "
		      "in a fixed interleaving (racebench explain), so the reason is visible.</p>\n",
		      f);
		for (int i = 0; i < r->nexplains; i++)
			timeline_html_section(f, &r->explains[i]);
		fputs("</section>\n", f);
	}
	footer(f, r);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

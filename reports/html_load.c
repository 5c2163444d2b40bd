/*
 * html_load.c: the HTML report's load-mode charts, for a projector. A
 * sweep (--clients and/or --keys lists) gets, per database and race and
 * per value of the dimension not on the x axis, throughput against the
 * swept dimension and p99 against it, one line per strategy and level, on
 * log scales; a point where the strategy let an anomaly through is drawn
 * as a red cross on a dashed line (wrong, not a winner); and a table of
 * each safe strategy's cost relative to the fastest safe one at each
 * point. A load run at one point gets the same comparison as bars.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

#define CW    880 /* a chart's width: two side by side fit 1920 */
#define CH    520
#define PL    110 /* plot margins: left (y labels), right, top, bottom */
#define PR    30
#define PT    50
#define PB    70
#define NPAL  8
#define MAXS  48 /* series a chart draws */
#define WRONG "#c62828"

/* Eight hues that stay apart on a projector and in grey. */
static const char *const palette[NPAL] = { "#1f4e9c", "#e07b00", "#2e7d32", "#6a1b9a",
					   "#00838f", "#8d6e00", "#ad1457", "#37474f" };
static const char *const dashes[3] = { "", "10 6", "3 5" };

static int same_series(const struct cell_result *a, const struct cell_result *b)
{
	return !strcmp(a->db, b->db) && !strcmp(a->scenario, b->scenario) &&
	       !strcmp(a->strategy, b->strategy) && a->iso == b->iso;
}

static int in_group(const struct cell_result *c, const struct cell_result *g)
{
	return c->verdict != V_NA && !strcmp(c->db, g->db) && !strcmp(c->scenario, g->scenario);
}

/* The series of group g: the first cell of each (strategy, level). */
static int series_of(const struct run_result *r, const struct cell_result *g, int *first)
{
	int n = 0;

	for (int i = 0; i < r->ncells && n < MAXS; i++) {
		int seen = 0;

		if (!in_group(&r->cells[i], g))
			continue;
		for (int k = 0; k < n && !seen; k++)
			seen = same_series(&r->cells[first[k]], &r->cells[i]);
		if (!seen)
			first[n++] = i;
	}
	return n;
}

/* The cell of series s at x (the swept dimension) and other (the panel's), or NULL. */
static const struct cell_result *point(const struct run_result *r, const struct cell_result *s,
				       int by_clients, int x, int other)
{
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (c->verdict == V_NA || !same_series(c, s))
			continue;
		if ((by_clients ? c->clients : c->keys) == x &&
		    (by_clients ? c->keys : c->clients) == other)
			return c;
	}
	return NULL;
}

static double figure(const struct cell_result *c, int p99)
{
	return p99 ? (double)c->lat.p99 : c->throughput;
}

static double ylog(double v, double lo, double hi)
{
	double lv = log10(v > 0 ? v : lo);

	if (lv < log10(lo))
		lv = log10(lo);
	return PT + (CH - PT - PB) * (1.0 - (lv - log10(lo)) / (log10(hi) - log10(lo)));
}

static double xlog(int v, int lo, int hi)
{
	if (hi <= lo)
		return PL + (CW - PL - PR) / 2.0;
	return PL + (CW - PL - PR) * (log((double)v) - log((double)lo)) /
			    (log((double)hi) - log((double)lo));
}

static void y_label(char *buf, size_t n, double v, int p99)
{
	if (p99)
		fmt_us(buf, n, (uint64_t)v);
	else if (v >= 1000)
		snprintf(buf, n, "%gk", v / 1000);
	else
		snprintf(buf, n, "%g", v);
}

/* One chart: a figure of every series against the swept dimension. */
static void chart(FILE *f, const struct run_result *r, const int *first, int ns, int by_clients,
		  const int *xs, int nx, int other, int p99)
{
	double lo = 1e300, hi = 0;
	char label[32];

	for (int s = 0; s < ns; s++)
		for (int k = 0; k < nx; k++) {
			const struct cell_result *c = point(r, &r->cells[first[s]], by_clients, xs[k], other);
			double v = c ? figure(c, p99) : 0;

			if (v > 0 && v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
	if (hi <= 0)
		return;
	lo = pow(10, floor(log10(lo)));
	hi = pow(10, ceil(log10(hi)));
	if (hi <= lo)
		hi = lo * 10;
	fprintf(f,
		"<figure><figcaption>%s against %s%s%d</figcaption>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
		"%d\" role=\"img\">\n",
		p99 ? "p99 latency (log)" : "Throughput, ops/s (log)", by_clients ? "clients" : "keys",
		by_clients ? " · keys " : " · clients ", other, CW, CH, CW, CH);
	/* gridlines: 1, 2 and 5 times each power of ten */
	for (double d = lo; d <= hi * 1.0001; d *= 10)
		for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) {
			double v = d * m, y = ylog(v, lo, hi);

			if (v > hi * 1.0001)
				break;
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>", PL,
				y, CW - PR, y, m == 1 ? "#999999" : "#e0e0e0");
			if (m != 1 && log10(hi / lo) > 2)
				continue;
			y_label(label, sizeof(label), v, p99);
			fprintf(f,
				"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"18\">%s</text>",
				PL - 10, y + 6, label);
		}
	for (int k = 0; k < nx; k++) {
		double x = xlog(xs[k], xs[0], xs[nx - 1]);

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"18\">%d</text>\n",
			x, PT, x, CH - PB, x, CH - PB + 26, xs[k]);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"18\">%s</text>\n",
		PL + (CW - PL - PR) / 2, CH - 14, by_clients ? "clients" : "keys");
	for (int s = 0; s < ns; s++) {
		const struct cell_result *head = &r->cells[first[s]];
		const char *color = palette[s % NPAL], *dash = dashes[(s / NPAL) % 3];
		double px = 0, py = 0;
		int have = 0, pwrong = 0;

		for (int k = 0; k < nx; k++) {
			const struct cell_result *c = point(r, head, by_clients, xs[k], other);
			double x, y;
			int wrong;

			if (!c || figure(c, p99) <= 0) {
				have = 0;
				continue;
			}
			x = xlog(xs[k], xs[0], xs[nx - 1]);
			y = ylog(figure(c, p99), lo, hi);
			wrong = c->verdict == V_ANOMALY;
			if (have)
				fprintf(f,
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					"stroke=\"%s\" stroke-width=\"4\"%s%s%s/>",
					px, py, x, y, wrong || pwrong ? WRONG : color,
					*dash || wrong || pwrong ? " stroke-dasharray=\"" : "",
					wrong || pwrong ? "4 6" : dash,
					*dash || wrong || pwrong ? "\"" : "");
			fputs("<g>", f);
			if (wrong)
				fprintf(f,
					"<path d=\"M%.1f %.1fl14 14m0 -14l-14 14\" stroke=\"%s\" "
					"stroke-width=\"5\"/>",
					x - 7, y - 7, WRONG);
			else
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\"/>", x, y,
					color);
			fputs("<title>", f);
			xml_escape(f, c->strategy, 0);
			fprintf(f, " %s at %d clients, %d keys: %.0f ops/s, p99 ", rb_iso_name(c->iso),
				c->clients, c->keys, c->throughput);
			fmt_us(label, sizeof(label), c->lat.p99);
			fprintf(f, "%s, %s</title></g>\n", label, verdict_name(c->verdict));
			px = x, py = y, have = 1, pwrong = wrong;
		}
	}
	fputs("</svg></figure>\n", f);
}

/* The colour key: one entry a series, wrong ones said so. */
static void legend(FILE *f, const struct run_result *r, const int *first, int ns)
{
	fputs("<p class=\"key\">", f);
	for (int s = 0; s < ns; s++) {
		const struct cell_result *c = &r->cells[first[s]];
		int wrong = 0;

		for (int i = 0; i < r->ncells; i++)
			wrong |= same_series(&r->cells[i], c) && r->cells[i].verdict == V_ANOMALY;
		fprintf(f,
			"<span style=\"white-space:nowrap;margin-right:22px\"><svg width=\"34\" "
			"height=\"14\" style=\"display:inline;vertical-align:middle\"><line x1=\"0\" "
			"y1=\"7\" x2=\"34\" y2=\"7\" stroke=\"%s\" stroke-width=\"5\"/></svg> ",
			palette[s % NPAL]);
		xml_escape(f, c->strategy, 0);
		fprintf(f, " %s%s</span> ", rb_iso_name(c->iso), wrong ? " (wrong: an anomaly)" : "");
	}
	fprintf(f,
		"<br/><span style=\"color:%s;font-weight:bold\">&#x2715; dashed red</span>: "
		"the strategy let an anomaly through at that point: fast, but wrong.</p>\n",
		WRONG);
}

/* Each safe strategy's throughput relative to the fastest safe one, at each point. */
static void cost_table(FILE *f, const struct run_result *r, const int *first, int ns,
		       int by_clients, const int *xs, int nx, int other)
{
	fprintf(f, "<div class=\"scroll\"><table class=\"cost\"><tr><th>cost against the fastest safe "
		   "strategy (its throughput &#xF7; this one's)</th>");
	for (int k = 0; k < nx; k++)
		fprintf(f, "<th>%s %d</th>", by_clients ? "clients" : "keys", xs[k]);
	fputs("</tr>\n", f);
	for (int s = 0; s < ns; s++) {
		const struct cell_result *head = &r->cells[first[s]];

		fputs("<tr><td class=\"id\">", f);
		xml_escape(f, head->strategy, 0);
		fprintf(f, " %s</td>", rb_iso_name(head->iso));
		for (int k = 0; k < nx; k++) {
			const struct cell_result *c = point(r, head, by_clients, xs[k], other);
			double best = 0;

			for (int t = 0; t < ns; t++) {
				const struct cell_result *o =
					point(r, &r->cells[first[t]], by_clients, xs[k], other);

				if (o && o->verdict == V_SAFE && o->throughput > best)
					best = o->throughput;
			}
			if (!c)
				fputs("<td class=\"num\">-</td>", f);
			else if (c->verdict == V_ANOMALY)
				fprintf(f, "<td class=\"num\" style=\"color:%s;font-weight:bold\">wrong</td>",
					WRONG);
			else if (c->verdict != V_SAFE)
				fputs("<td class=\"num\">errors</td>", f);
			else if (best > 0 && c->throughput > 0)
				fprintf(f, "<td class=\"num\">&#xD7;%.2f</td>", best / c->throughput);
			else
				fputs("<td class=\"num\">-</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

/* A load run at one point: the strategies' throughput as bars, wrong ones marked. */
static void bars(FILE *f, const struct run_result *r, const int *first, int ns)
{
	double hi = 0, best = 0;
	int row = 44, top = 40, w = CW * 2 - 120, h = top + row * ns + 20, label = 380;

	for (int s = 0; s < ns; s++) {
		const struct cell_result *c = &r->cells[first[s]];

		if (c->throughput > hi)
			hi = c->throughput;
		if (c->verdict == V_SAFE && c->throughput > best)
			best = c->throughput;
	}
	if (hi <= 0)
		return;
	fprintf(f,
		"<figure><figcaption>Throughput, ops/s, and each safe strategy's cost against "
		"the fastest safe one</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		w, h, w, h);
	for (int s = 0; s < ns; s++) {
		const struct cell_result *c = &r->cells[first[s]];
		int y = top + row * s, wrong = c->verdict == V_ANOMALY;
		double bw = (w - label - 360) * c->throughput / hi;
		char p99[24];

		fprintf(f, "<g><text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"20\">", label - 12,
			y + 26);
		xml_escape(f, c->strategy, 0);
		fprintf(f, " %s</text>", rb_iso_name(c->iso));
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"30\" fill=\"%s\"%s/>", label,
			y + 6, bw > 1 ? bw : 1, wrong ? WRONG : palette[0],
			wrong ? " fill-opacity=\"0.35\" stroke=\"#c62828\" stroke-width=\"3\" "
				"stroke-dasharray=\"8 5\""
			      : "");
		fmt_us(p99, sizeof(p99), c->lat.p99);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"20\">%.0f ops/s · p99 %s · ",
			label + (bw > 1 ? bw : 1) + 12, y + 28, c->throughput, p99);
		if (wrong)
			fprintf(f, "<tspan fill=\"%s\" font-weight=\"bold\">wrong: an anomaly</tspan>",
				WRONG);
		else if (c->verdict != V_SAFE)
			fputs("errors", f);
		else
			fprintf(f, "&#xD7;%.2f", best > 0 && c->throughput > 0 ? best / c->throughput : 0);
		fputs("</text><title>", f);
		xml_escape(f, c->strategy, 0);
		fprintf(f, " %s: %.0f ops/s, %s</title></g>\n", rb_iso_name(c->iso), c->throughput,
			verdict_name(c->verdict));
	}
	fputs("</svg></figure>\n", f);
}

void html_load_charts(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	int first[MAXS], ns, by_clients = r->nsweep_clients > 1;
	const int *xs = by_clients ? r->sweep_clients : r->sweep_keys;
	const int *os = by_clients ? r->sweep_keys : r->sweep_clients;
	int nx = by_clients ? r->nsweep_clients : r->nsweep_keys;
	int no = by_clients ? r->nsweep_keys : r->nsweep_clients;
	int one_other = by_clients ? r->keys : r->clients;

	if (!r->mode || strcmp(r->mode, "load"))
		return;
	ns = series_of(r, g, first);
	if (!ns)
		return;
	if (!report_is_sweep(r)) {
		bars(f, r, first, ns);
		return;
	}
	if (no < 1) {
		os = &one_other;
		no = 1;
	}
	for (int p = 0; p < no; p++) {
		fputs("<div class=\"row\">\n", f);
		chart(f, r, first, ns, by_clients, xs, nx, os[p], 0);
		chart(f, r, first, ns, by_clients, xs, nx, os[p], 1);
		fputs("</div>\n", f);
		legend(f, r, first, ns);
		cost_table(f, r, first, ns, by_clients, xs, nx, os[p]);
	}
}

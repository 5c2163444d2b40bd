/*
 * markdown.c: GitHub-flavoured Markdown for a pull-request comment or a CI
 * job summary: a headline of verdict counts, then one compact table per
 * database and scenario; n/a strategies summarised with their reasons.
 */
#include "report.h"

#include "../core/isolation.h"

#include "../base/util.h"

#include <ctype.h>
#include <string.h>

static const char *const marks[V_ABORTED + 1] = {
	[V_NA] = "➖", [V_SAFE] = "✅", [V_ANOMALY] = "❌", [V_ERRORS] = "⚠️", [V_ABORTED] = "⛔",
};

static int word_char(char ch)
{
	return isalnum((unsigned char)ch);
}

/*
 * Writes s as literal text inside a table cell or a list item: Markdown's
 * active characters are escaped, HTML's are entities, a line break is a
 * space, control characters and bytes that are not UTF-8 are U+FFFD. An
 * underscore inside a word ("lost_updates") is left alone, since GitHub
 * never reads it as emphasis.
 */
static void md_text(FILE *f, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		int len = utf8_len((const unsigned char *)p);

		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\n':
		case '\r':
		case '\t': fputc(' ', f); break;
		case '_':
			if (p > s && word_char(p[-1]) && word_char(p[1]))
				fputc('_', f);
			else
				fputs("\\_", f);
			break;
		case '\\':
		case '`':
		case '*':
		case '|':
		case '[':
		case ']':
		case '#':
		case '~':
			fputc('\\', f);
			fputc(*p, f);
			break;
		default:
			if ((unsigned char)*p < 0x20 || *p == 0x7f || !len) {
				fputs("\xef\xbf\xbd", f); /* U+FFFD */
			} else {
				fwrite(p, 1, (size_t)len, f);
				p += len - 1;
			}
		}
	}
}

static void headline(FILE *f, const struct run_result *r)
{
	static const enum verdict order[] = { V_ANOMALY, V_ERRORS, V_ABORTED, V_SAFE, V_NA };
	int counts[V_ABORTED + 1], broken = 0, broken_cells = 0;
	char when[32];

	report_count_verdicts(r, counts);
	fprintf(f, "### racebench: %d cell%s", r->ncells, r->ncells == 1 ? "" : "s");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (counts[order[i]])
			fprintf(f, " · %s %d %s", marks[order[i]], counts[order[i]],
				verdict_name(order[i]));
	fputs("\n\n", f);
	if (r->gated) {
		for (int i = 0; i < r->ncells; i++) {
			broken += r->cells[i].nbroken;
			broken_cells += r->cells[i].nbroken > 0;
		}
		if (r->gate_failed)
			fprintf(f, "**Gate failed:** %d expectation%s broken in %d cell%s.\n\n",
				broken, broken == 1 ? "" : "s", broken_cells,
				broken_cells == 1 ? "" : "s");
		else
			fputs("**Gate passed:** every expectation held.\n\n", f);
	}
	if (r->aborted) {
		fputs("> **Run aborted, the report is partial:** ", f);
		md_text(f, r->abort_msg);
		fputs("\n\n", f);
	}
	report_time_utc(when, sizeof(when), r->started_at);
	fprintf(f, "%s mode · %d clients · ", r->mode, r->clients);
	if (!strcmp(r->mode, "load"))
		fprintf(f, "%s loop", r->rate > 0 ? "open" : "closed");
	else
		fprintf(f, "%d trials per cell", r->trials);
	fprintf(f, " · %d key%s · seed %llu · %s · %.1f s\n\n", r->keys, r->keys == 1 ? "" : "s",
		(unsigned long long)r->seed, when, r->wall_seconds);
}

/* "-" for nothing, else the text escaped. */
static void md_cell(FILE *f, const char *s)
{
	fputs(" | ", f);
	if (*s)
		md_text(f, s);
	else
		fputc('-', f);
}

static void cell_row(FILE *f, const struct run_result *r, const struct cell_result *c, int lock,
		     int lag)
{
	char buf[512], a[24], b[24];

	report_iso_label(buf, sizeof(buf), c, "→");
	fputs("| ", f);
	md_text(f, c->strategy);
	fputs(" | ", f);
	md_text(f, buf);
	fprintf(f, " | %s %s", marks[c->verdict], verdict_name(c->verdict));
	if (!strcmp(r->mode, "load"))
		fprintf(f, " | %.0f", c->throughput);
	else
		fprintf(f, " | %lld/%lld (%.0f%%)", c->anomalous_trials, c->trials,
			100.0 * cell_rate(c));
	report_kinds_text(buf, sizeof(buf), c, ", ");
	md_cell(f, buf);
	report_errors_text(buf, sizeof(buf), c, ", ");
	md_cell(f, buf);
	fprintf(f, " | %lld | %lld", c->retries, c->failed);
	report_failures_text(buf, sizeof(buf), c, ", ");
	if (c->failed && *buf) {
		fputs(" (", f);
		md_text(f, buf);
		fputc(')', f);
	}
	fmt_us(a, sizeof(a), c->lat.p50);
	fmt_us(b, sizeof(b), c->lat.p99);
	fprintf(f, " | %s | %s", a, b);
	if (lock) {
		if (c->has_lock) {
			fmt_us(a, sizeof(a), c->lock_wait.p50);
			fmt_us(b, sizeof(b), c->lock_wait.p99);
			fprintf(f, " | %s / %s | %lld | %lld", a, b, c->lock_timeouts,
				c->lease_expired);
		} else {
			fputs(" | - | - | -", f);
		}
	}
	if (lag) {
		if (c->has_lag) {
			fmt_us(a, sizeof(a), c->lag.p50);
			fmt_us(b, sizeof(b), c->lag.p99);
			fprintf(f, " | %s / %s", a, b);
		} else {
			fputs(" | -", f);
		}
	}
	fputs(" |\n", f);
}

/* Lock / lag columns appear in a group's table only when one of its cells has them. */
static void group_flags(const struct run_result *r, const struct cell_result *g, int *lock,
			int *lag, int *ran)
{
	*lock = *lag = *ran = 0;
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!report_same_group(c, g) || c->verdict == V_NA)
			continue;
		(*ran)++;
		*lock |= c->has_lock;
		*lag |= c->has_lag;
	}
}

static void group(FILE *f, const struct run_result *r, const struct cell_result *g)
{
	int lock, lag, ran, shown = 0;
	char isos[64], who[256];

	group_flags(r, g, &lock, &lag, &ran);
	fputs("#### ", f);
	md_text(f, g->db);
	fputs(" · ", f);
	md_text(f, g->scenario);
	fputs("\n\n", f);
	if (ran) {
		fprintf(f,
			"| strategy | iso | verdict | %s | anomalies | errors | retries | failed "
			"| p50 | p99 |%s%s\n",
			!strcmp(r->mode, "load") ? "ops/s" : "anomalous trials",
			lock ? " lock wait p50 / p99 | lock time-outs | leases expired |" : "",
			lag ? " schedule lag p50 / p99 |" : "");
		fprintf(f, "|---|---|---|--:|---|---|--:|--:|--:|--:|%s%s\n",
			lock ? "--:|--:|--:|" : "", lag ? "--:|" : "");
		for (int i = 0; i < r->ncells; i++)
			if (report_same_group(&r->cells[i], g) && r->cells[i].verdict != V_NA)
				cell_row(f, r, &r->cells[i], lock, lag);
		fputc('\n', f);
	}
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!report_same_group(c, g))
			continue;
		if (c->verdict == V_ABORTED) {
			fputs("- ⛔ **aborted** ", f);
			md_text(f, c->strategy);
			fprintf(f, " %s: ", rb_iso_name(c->iso));
			md_text(f, c->abort_msg);
			fputc('\n', f);
			shown++;
		}
		for (int k = 0; k < c->nbroken && k < MAX_BROKEN; k++) {
			fputs("- ❌ **expectation broken** ", f);
			md_text(f, c->strategy);
			fprintf(f, " %s: ", rb_iso_name(c->iso));
			md_text(f, c->broken[k]);
			fputc('\n', f);
			shown++;
		}
		if (c->nbroken > MAX_BROKEN) {
			fprintf(f, "- ❌ … and %d more broken expectations\n",
				c->nbroken - MAX_BROKEN);
			shown++;
		}
		if (report_na_first(r, i, who, sizeof(who), isos, sizeof(isos))) {
			fputs("- ➖ n/a ", f);
			md_text(f, who);
			fprintf(f, " (%s): ", isos);
			md_text(f, c->na_reason);
			fputc('\n', f);
			shown++;
		}
	}
	/* One example message per error class is enough to tell what happened. */
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		for (int i = 0; i < r->ncells; i++) {
			const struct cell_result *c = &r->cells[i];

			if (!report_same_group(c, g) || c->verdict == V_NA || !c->examples[k][0])
				continue;
			fprintf(f, "- %s error, e.g. (", rb_class_name((enum rb_class)k));
			md_text(f, c->strategy);
			fprintf(f, " %s): ", rb_iso_name(c->iso));
			md_text(f, c->examples[k]);
			fputc('\n', f);
			shown++;
			break;
		}
	}
	if (shown)
		fputc('\n', f);
}

static void details(FILE *f, const struct run_result *r)
{
	fputs("<details><summary>Servers and parameters</summary>\n\n", f);
	for (int i = 0; i < r->nservers; i++) {
		const struct run_server *s = &r->servers[i];

		fputs("- ", f);
		md_text(f, s->db);
		fputs(": ", f);
		md_text(f, s->info.product);
		fputc(' ', f);
		md_text(f, s->info.version);
		{
			char note[400];

			report_server_note(s, note, sizeof(note));
			md_text(f, note);
		}
		for (int k = 0; k < s->info.nsettings; k++) {
			fputs(k ? ", " : "; ", f);
			md_text(f, s->info.settings[k].name);
			fputc('=', f);
			md_text(f, s->info.settings[k].value);
		}
		fputc('\n', f);
	}
	fprintf(f, "- clients %d, trials %d, keys %d, retries %d, think %.3g ms, tail %.3g ms\n",
		r->clients, r->trials, r->keys, r->retries, r->think_ms, r->tail_ms);
	if (r->knobs.n) {
		fputs("- knobs:", f);
		for (int i = 0; i < r->knobs.n; i++)
			fprintf(f, "%s %s %lld", i ? "," : "", r->knobs.k[i].name,
				r->knobs.k[i].value);
		fputc('\n', f);
	}
	if (!strcmp(r->mode, "load")) {
		fputs("- load: ", f);
		if (r->duration_s > 0)
			fprintf(f, "duration %.3g s", r->duration_s);
		else
			fprintf(f, "%lld ops", r->ops_target);
		if (r->rate > 0)
			fprintf(f, ", open loop at %.6g ops/s (%s arrivals)", r->rate,
				r->arrival ? r->arrival : "fixed");
		else
			fputs(", closed loop", f);
		fprintf(f, ", warm-up %.3g s\n", r->warmup_s);
	}
	fputs("\n</details>\n", f);
}

/* racebench isolation: the grid, the cells that need a word, the legend, the servers. */
static void iso_markdown(FILE *f, const struct run_result *r)
{
	struct iso_grid g;
	char buf[64];

	report_iso_grid(r, &g);
	fprintf(f, "## racebench isolation\n\n| db | level |");
	for (int t = 0; t < g.ncols; t++)
		fprintf(f, " %s |", g.test[t]);
	fprintf(f, "\n|---|---|");
	for (int t = 0; t < g.ncols; t++)
		fprintf(f, "---|");
	fputc('\n', f);
	for (int k = 0; k < g.nrows; k++) {
		fprintf(f, "| %s | %s |", g.db[k], rb_iso_name((enum rb_iso)g.iso[k]));
		for (int t = 0; t < g.ncols; t++) {
			if (g.cell[k][t] < 0) {
				fprintf(f, " |");
				continue;
			}
			report_iso_text(&r->cells[g.cell[k][t]], buf, sizeof(buf));
			fprintf(f, strcmp(buf, "A") ? " %s |" : " **%s** |", buf);
		}
		fputc('\n', f);
	}
	fprintf(f, "\n");
	for (int i = 0; report_iso_legend(i); i++) {
		fputs("- ", f);
		md_text(f, report_iso_legend(i));
		fputc('\n', f);
	}
	fprintf(f, "\n| db | level | test | outcome | how | what waited, what failed |\n"
		   "|---|---|---|---|---|---|\n");
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!c->detail[0] && c->verdict != V_ABORTED && !c->nbroken)
			continue;
		fprintf(f, "| %s | %s | %s | %s | %s", c->db, rb_iso_name(c->iso), c->scenario,
			isolation_outcome(c->verdict), c->how);
		md_cell(f, c->verdict == V_ABORTED ? c->abort_msg : c->detail);
		fputs(" |\n", f);
	}
	fputc('\n', f);
	for (int i = 0; i < r->nservers; i++)
		fprintf(f, "- %s: %s %s\n", r->servers[i].db, r->servers[i].info.product,
			r->servers[i].info.version);
	fprintf(f, "- %d cells in %.1f s\n", r->ncells, r->wall_seconds);
	for (int i = 0; i < r->ncells; i++)
		for (int b = 0; b < r->cells[i].nbroken && b < MAX_BROKEN; b++) {
			fprintf(f, "- **broke** %s %s %s: ", r->cells[i].db, rb_iso_name(r->cells[i].iso),
				r->cells[i].scenario);
			md_text(f, r->cells[i].broken[b]);
			fputc('\n', f);
		}
}

int report_markdown(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	(void)o;
	if (report_is_isolation(r)) {
		iso_markdown(f, r);
		return ferror(f) ? -1 : 0;
	}
	headline(f, r);
	for (int i = 0; i < r->ncells; i++)
		if (report_group_starts(r, i))
			group(f, r, &r->cells[i]);
	details(f, r);
	return ferror(f) ? -1 : 0;
}

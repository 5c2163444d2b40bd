/*
 * timeline.c: an explain run as a swimlane (text for a terminal or a
 * slide), as JSON for tools, and as an HTML section for the report page.
 * Nothing here measures time or names a server process: the output of one
 * schedule is the same on every run.
 */
#define _POSIX_C_SOURCE 200809L
#include "timeline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "report.h"

#define RULE	  "\xe2\x94\x80" /* ─ */
#define BAR	  "\xe2\x94\x82" /* │ */
#define CROSS	  "\xe2\x94\xbc" /* ┼ */
#define ARROW	  "\xe2\x86\x92" /* → */
#define ELLIPSIS  "\xe2\x80\xa6" /* … */
#define CROSSMARK "\xe2\x9c\x97" /* ✗ */
#define DOT	  "\xc2\xb7"	 /* · */
#define SQUARE	  "\xe2\x96\xa0" /* ■ */

enum style {
	ST_PLAIN,
	ST_HEAD,
	ST_OK,
	ST_WAIT,
	ST_DONE,
	ST_ERR,
	ST_DIM
};

static const char *const ansi[] = {
	[ST_PLAIN] = "",	[ST_HEAD] = "\033[1m", [ST_OK] = "",	     [ST_WAIT] = "\033[33m",
	[ST_DONE] = "\033[32m", [ST_ERR] = "\033[31m", [ST_DIM] = "\033[2m",
};

/* Characters on screen: UTF-8 continuation bytes take no column. */
static int cols(const char *s, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Bytes of s that fit in w columns (never splitting a character). */
static size_t fit(const char *s, int w)
{
	size_t i = 0;
	int n = 0;

	while (s[i]) {
		size_t k = i + 1;

		while (((unsigned char)s[k] & 0xc0) == 0x80)
			k++;
		if (n + 1 > w)
			break;
		n++;
		i = k;
	}
	return i;
}

struct lines {
	int n, cap;
	char **line;
	enum style *style;
};

static void push(struct lines *l, const char *s, size_t len, enum style st)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->line = xrealloc(l->line, (size_t)l->cap * sizeof(*l->line));
		l->style = xrealloc(l->style, (size_t)l->cap * sizeof(*l->style));
	}
	l->line[l->n] = xmalloc(len + 1);
	memcpy(l->line[l->n], s, len);
	l->line[l->n][len] = '\0';
	l->style[l->n++] = st;
}

static void lines_free(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	free(l->style);
	memset(l, 0, sizeof(*l));
}

/*
 * Word-wraps text into lines of at most w columns; lines after the first
 * start with indent spaces (the first carries its own prefix in text).
 */
static void wrap(struct lines *l, const char *text, int w, int indent, enum style st)
{
	char buf[4096];
	const char *p = text;
	int first = 1;

	while (*p) {
		int room = first ? w : w - indent, used = 0;
		size_t o = 0;
		const char *q = p, *brk = NULL;

		if (!first) {
			memset(buf, ' ', (size_t)indent);
			o = (size_t)indent;
		} else {
			/* The first line keeps its own leading blanks (an indent). */
			while (*q == ' ' && used < room) {
				buf[o++] = ' ';
				q++;
				room--;
			}
		}
		/* Take words while they fit; a word longer than a line is cut. */
		while (*q) {
			const char *we = q;
			int wc;

			while (*we && *we != ' ')
				we++;
			wc = cols(q, (size_t)(we - q));
			if (used + (used ? 1 : 0) + wc > room) {
				if (!used) {
					size_t k = fit(q, room);

					memcpy(buf + o, q, k);
					o += k;
					brk = q + k;
				}
				break;
			}
			if (used) {
				buf[o++] = ' ';
				used++;
			}
			memcpy(buf + o, q, (size_t)(we - q));
			o += (size_t)(we - q);
			used += wc;
			q = we;
			while (*q == ' ')
				q++;
			brk = q;
		}
		if (!brk || brk == p) {
			/* Nothing fitted (a tiny room): take one character anyway. */
			size_t k = 1;

			while (p[k] && ((unsigned char)p[k] & 0xc0) == 0x80)
				k++;
			memcpy(buf + o, p, k);
			o += k;
			brk = p + k;
		}
		push(l, buf, o, st);
		p = brk;
		while (*p == ' ')
			p++;
		first = 0;
		if (o >= sizeof(buf) - 8)
			break;
	}
	if (first)
		push(l, "", 0, st);
}

static const char *sname(const struct explain_result *r, int s)
{
	return s >= 0 && s < r->sched.nsessions ? r->sched.sess[s].name : "?";
}

static void error_text(char *buf, size_t n, const struct ex_event *e)
{
	snprintf(buf, n, "%s %s%s%s: %s", CROSSMARK, rb_class_name(e->cls), e->code[0] ? " " : "",
		 e->code, e->msg ? e->msg : "");
}

/* The lines one event puts in its session's lane. */
static void event_lines(struct lines *l, const struct explain_result *r, const struct ex_event *e,
			int w)
{
	char buf[4096], pre[32];
	int indent;

	ex_label(pre, sizeof(pre) - 1, sname(r, e->session), e->step);
	strcat(pre, " ");
	indent = (int)strlen(pre);
	switch (e->kind) {
	case EXE_STMT:
	case EXE_WAIT:
		snprintf(buf, sizeof(buf), "%s%s", pre, e->text);
		wrap(l, buf, w, indent, ST_HEAD);
		if (e->kind == EXE_WAIT) {
			snprintf(buf, sizeof(buf), "%*s%s waiting", indent, "", ELLIPSIS);
			wrap(l, buf, w, indent + 2, ST_WAIT);
		} else if (e->failed) {
			char err[1024];

			error_text(err, sizeof(err), e);
			snprintf(buf, sizeof(buf), "%*s%s", indent, "", err);
			wrap(l, buf, w, indent + 2, ST_ERR);
		} else {
			snprintf(buf, sizeof(buf), "%*s%s %s", indent, "", ARROW, e->result);
			wrap(l, buf, w, indent + 2, ST_OK);
		}
		break;
	case EXE_DONE:
		if (e->failed) {
			char err[1024];

			error_text(err, sizeof(err), e);
			snprintf(buf, sizeof(buf), "%s%scompleted %s", pre, ELLIPSIS, err);
			wrap(l, buf, w, indent + 2, ST_ERR);
		} else {
			snprintf(buf, sizeof(buf), "%s%scompleted %s %s", pre, ELLIPSIS, ARROW,
				 e->result);
			wrap(l, buf, w, indent + 2, ST_DONE);
		}
		break;
	case EXE_PAUSE:
		snprintf(buf, sizeof(buf), "%s %s", DOT, e->text);
		wrap(l, buf, w, 2, ST_DIM);
		break;
	case EXE_END:
		snprintf(buf, sizeof(buf), "%s %s", SQUARE,
			 strncmp(e->text, "end: ", 5) ? e->text : e->text + 5);
		wrap(l, buf, w, 2, ST_HEAD);
		break;
	case EXE_NOTE: break;
	}
}

/* One row: text in lane `lane`, the other lanes empty; no trailing blanks. */
static void row(FILE *f, int n, int w, int lane, const char *text, enum style st, int color)
{
	char out[8192];
	size_t o = 0;

	for (int i = 0; i < n && o + 64 < sizeof(out); i++) {
		int used = 0;

		if (i)
			o += (size_t)snprintf(out + o, sizeof(out) - o, " %s ", BAR);
		if (i == lane) {
			if (color && *ansi[st])
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s\033[0m",
						      ansi[st], text);
			else
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", text);
			used = cols(text, strlen(text));
		}
		if (i < n - 1)
			for (; used < w && o + 1 < sizeof(out); used++)
				out[o++] = ' ';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	fprintf(f, "%s\n", out);
}

/* The lane names side by side. */
static void header(FILE *f, const struct explain_result *r, int w, int color)
{
	int n = r->sched.nsessions;
	char out[2048], name[64];
	size_t o = 0;

	for (int i = 0; i < n && o + 64 < sizeof(out); i++) {
		int used;

		if (i)
			o += (size_t)snprintf(out + o, sizeof(out) - o, " %s ", BAR);
		used = snprintf(name, sizeof(name), "%s (client %d)", r->sched.sess[i].name,
				r->sched.sess[i].client);
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s%s",
				      color ? ansi[ST_HEAD] : "", name, color ? "\033[0m" : "");
		for (; i < n - 1 && used < w && o + 1 < sizeof(out); used++)
			out[o++] = ' ';
	}
	out[o] = '\0';
	fprintf(f, "%s\n", out);
}

static void rule(FILE *f, int n, int w)
{
	for (int i = 0; i < n; i++) {
		if (i)
			fprintf(f, "%s%s%s", RULE, CROSS, RULE);
		for (int k = 0; k < w; k++)
			fputs(RULE, f);
	}
	fputc('\n', f);
}

/* A paragraph wrapped to width, each line after the first indented. */
static void para(FILE *f, const char *text, int width, int indent, const char *color)
{
	struct lines l = { 0 };

	wrap(&l, text, width, indent, ST_PLAIN);
	for (int i = 0; i < l.n; i++)
		fprintf(f, "%s%s%s\n", color, l.line[i], *color ? "\033[0m" : "");
	lines_free(&l);
}

/* "  label      value", the value wrapped under itself. */
static void field(FILE *f, const char *label, const char *value, int width)
{
	char buf[1024];
	struct lines l = { 0 };

	snprintf(buf, sizeof(buf), "%s", value ? value : "");
	wrap(&l, buf, width - 13, 0, ST_PLAIN);
	for (int i = 0; i < l.n; i++)
		fprintf(f, "  %-10s %s\n", i ? "" : label, l.line[i]);
	lines_free(&l);
}

static void iso_text(char *buf, size_t n, const struct explain_result *r)
{
	if (r->eff_iso != r->iso)
		snprintf(buf, n, "%s (%s runs at %s)", rb_iso_sql(r->iso), r->strategy,
			 rb_iso_sql(r->eff_iso));
	else
		snprintf(buf, n, "%s", rb_iso_sql(r->iso));
}

static void check_text(char *buf, size_t n, const struct explain_result *r, const char *sep)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int k = 0; k < r->nkinds && o < n; k++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s %lld", k ? sep : "", r->kinds[k],
				      r->anomalies[k]);
}

int timeline_text(FILE *f, const struct explain_result *r, const struct timeline_opts *o)
{
	int n = r->sched.nsessions, w = o->lane < 24 ? 24 : o->lane;
	int width = n * w + 3 * (n - 1);
	const struct strategy_info *si = strategy_info((enum strategy)strategy_parse(r->strategy));
	char buf[1024], steps[512], iso[256];

	fprintf(f, "%sracebench explain%s: %s on %s %s\n", o->color ? ansi[ST_HEAD] : "",
		o->color ? "\033[0m" : "", r->scenario, r->product, r->version);
	field(f, "incident", r->incident, width);
	field(f, "operation", r->operation, width);
	snprintf(buf, sizeof(buf), "%s: %s", r->strategy, si ? si->summary : "");
	field(f, "strategy", buf, width);
	iso_text(iso, sizeof(iso), r);
	field(f, "isolation", iso, width);
	snprintf(buf, sizeof(buf), "%s: %s", r->sched.name, r->sched.summary);
	field(f, "schedule", buf, width);
	ex_steps_text(&r->sched, steps, sizeof(steps));
	field(f, "steps", steps, width);
	fputc('\n', f);

	header(f, r, w, o->color);
	rule(f, n, w);
	for (int i = 0; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];
		struct lines l = { 0 };

		if (e->kind == EXE_NOTE) {
			snprintf(buf, sizeof(buf), "-- %s", e->text);
			para(f, buf, width, 3, o->color ? ansi[ST_DIM] : "");
			continue;
		}
		event_lines(&l, r, e, w);
		for (int k = 0; k < l.n; k++)
			row(f, n, w, e->session, l.line[k], l.style[k], o->color);
		lines_free(&l);
	}
	rule(f, n, w);
	check_text(buf, sizeof(buf), r, ", ");
	fprintf(f, "check      %s\n", buf);
	fprintf(f, "verdict    %s%s%s\n",
		o->color ? (r->anomalous ? ansi[ST_ERR] : ansi[ST_DONE]) : "",
		r->anomalous ? "ANOMALY" : "no anomaly", o->color ? "\033[0m" : "");
	fputc('\n', f);
	for (int i = 0; i < r->nstory; i++) {
		snprintf(buf, sizeof(buf), "%s", r->story[i]);
		para(f, buf, width, 0, "");
	}
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static const char *kind_name(enum ex_kind k)
{
	switch (k) {
	case EXE_STMT: return "statement";
	case EXE_WAIT: return "waiting";
	case EXE_DONE: return "completed";
	case EXE_PAUSE: return "pause";
	case EXE_END: return "end";
	default: return "note";
	}
}

static json_t *knobs_json(const struct knob_set *k)
{
	json_t *o = json_object();

	for (int i = 0; i < k->n; i++)
		json_object_set_new(o, k->k[i].name, json_integer(k->k[i].value));
	return o;
}

json_t *timeline_json_object(const struct explain_result *r)
{
	json_t *root = json_object(), *sched = json_object(), *sess = json_array();
	json_t *steps = json_array(), *events = json_array(), *anom = json_object();
	json_t *story = json_array();

	json_object_set_new(root, "racebench", json_string(RACEBENCH_VERSION));
	json_object_set_new(root, "kind", json_string("explain"));
	json_object_set_new(root, "schema_version", json_integer(TIMELINE_JSON_SCHEMA));
	json_object_set_new(root, "db", json_string(r->db));
	json_object_set_new(root, "server",
			    json_pack("{s:s, s:s}", "product", r->product, "version", r->version));
	json_object_set_new(root, "scenario", json_string(r->scenario));
	json_object_set_new(root, "strategy", json_string(r->strategy));
	json_object_set_new(root, "isolation", json_string(rb_iso_name(r->iso)));
	json_object_set_new(root, "effective_isolation", json_string(rb_iso_name(r->eff_iso)));
	json_object_set_new(
		root, "knobs",
		knobs_json(&r->knobs));
	json_object_set_new(sched, "name", json_string(r->sched.name));
	json_object_set_new(sched, "summary", json_string(r->sched.summary));
	for (int i = 0; i < r->sched.nsessions; i++)
		json_array_append_new(sess,
				      json_pack("{s:s, s:i}", "name", r->sched.sess[i].name,
						"client", r->sched.sess[i].client));
	for (int i = 0; i < r->sched.nitems; i++) {
		char step[48];

		snprintf(step, sizeof(step), "%s:%s", r->sched.sess[r->sched.items[i].session].name,
			 ex_item_point(&r->sched.items[i]));
		json_array_append_new(steps, json_string(step));
	}
	json_object_set_new(sched, "sessions", sess);
	json_object_set_new(sched, "steps", steps);
	json_object_set_new(root, "schedule", sched);
	for (int i = 0; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];
		json_t *j = json_pack("{s:i, s:s}", "seq", i, "kind", kind_name(e->kind));

		if (e->session >= 0)
			json_object_set_new(j, "session", json_string(sname(r, e->session)));
		if (e->kind == EXE_STMT || e->kind == EXE_WAIT || e->kind == EXE_DONE) {
			json_object_set_new(j, "step", json_integer(e->step));
			json_object_set_new(j, "sql", json_string(e->text));
			if (e->lock)
				json_object_set_new(j, "lock",
						    json_string(e->lock == 2 ? lock_service->name
									     : "advisory"));
		} else if (e->kind == EXE_PAUSE) {
			json_object_set_new(j, "point", json_string(e->text));
		} else if (e->kind == EXE_END) {
			json_object_set_new(
				j, "outcome",
				json_string(strncmp(e->text, "end: ", 5) ? e->text : e->text + 5));
		} else {
			json_object_set_new(j, "text", json_string(e->text));
		}
		if (e->failed)
			json_object_set_new(j, "error",
					    json_pack("{s:s, s:s, s:s}", "class",
						      rb_class_name(e->cls), "code", e->code,
						      "message", e->msg ? e->msg : ""));
		else if (e->result)
			json_object_set_new(j, "result", json_string(e->result));
		if (e->kind == EXE_DONE)
			json_object_set_new(j, "released_by",
					    e->waker >= 0 ? json_integer(e->waker) : json_null());
		json_array_append_new(events, j);
	}
	json_object_set_new(root, "events", events);
	for (int k = 0; k < r->nkinds; k++)
		json_object_set_new(anom, r->kinds[k], json_integer(r->anomalies[k]));
	json_object_set_new(root, "check",
			    json_pack("{s:o, s:b}", "anomalies", anom, "anomalous", r->anomalous));
	json_object_set_new(root, "verdict", json_string(r->anomalous ? "anomaly" : "safe"));
	for (int i = 0; i < r->nstory; i++)
		json_array_append_new(story, json_string(r->story[i]));
	json_object_set_new(root, "story", story);
	return root;
}

int timeline_json(FILE *f, const struct explain_result *r)
{
	json_t *root = timeline_json_object(r);
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', f);
	json_decref(root);
	return rc < 0 || ferror(f) ? -1 : 0;
}

/* ---- HTML ------------------------------------------------------------------ */

static const char html_css[] =
	".rb-explain{font:16px/1.4 system-ui,sans-serif;color:#111;margin:24px 0}\n"
	".rb-explain h2{font-size:24px;margin:0 0 8px}\n"
	".rb-explain dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0 0 "
	"16px}\n"
	".rb-explain dt{font-weight:600}\n"
	".rb-explain dd{margin:0}\n"
	".rb-explain table{border-collapse:collapse;table-layout:fixed;width:100%}\n"
	".rb-explain th{text-align:left;border-bottom:2px solid #333;padding:4px 8px}\n"
	".rb-explain td{vertical-align:top;padding:3px 8px;border-left:1px solid #ccc}\n"
	".rb-explain td:first-child{border-left:none}\n"
	".rb-explain code{font:14px/1.35 "
	"ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}\n"
	".rb-explain .res{display:block;color:#1b5e20}\n"
	".rb-explain .wait{display:block;color:#8a5a00;font-weight:600}\n"
	".rb-explain .done{color:#1b5e20;font-weight:600}\n"
	".rb-explain .err{display:block;color:#b71c1c;font-weight:600}\n"
	".rb-explain .pause{color:#666}\n"
	".rb-explain .end{font-weight:700}\n"
	".rb-explain .note td{color:#666;font-style:italic}\n"
	".rb-explain .verdict{font-size:20px;font-weight:700;margin:12px 0}\n"
	".rb-explain .anomaly{color:#b71c1c}\n"
	".rb-explain .safe{color:#1e7b34}\n";

static void esc(FILE *f, const char *s)
{
	xml_escape(f, s, 0);
}

static void html_error(FILE *f, const struct ex_event *e)
{
	fprintf(f, "<span class=\"err\">%s ", CROSSMARK);
	esc(f, rb_class_name(e->cls));
	if (e->code[0]) {
		fputc(' ', f);
		esc(f, e->code);
	}
	fputs(": ", f);
	esc(f, e->msg);
	fputs("</span>", f);
}

static void html_event(FILE *f, const struct explain_result *r, const struct ex_event *e)
{
	char label[32];

	fprintf(f, "<b>%s</b> ", ex_label(label, sizeof(label), sname(r, e->session), e->step));
	switch (e->kind) {
	case EXE_STMT:
	case EXE_WAIT:
		fputs("<code>", f);
		esc(f, e->text);
		fputs("</code>", f);
		if (e->kind == EXE_WAIT) {
			fprintf(f, "<span class=\"wait\">%s waiting</span>", ELLIPSIS);
		} else if (e->failed) {
			html_error(f, e);
		} else {
			fprintf(f, "<span class=\"res\">%s ", ARROW);
			esc(f, e->result);
			fputs("</span>", f);
		}
		break;
	case EXE_DONE:
		fprintf(f, "<span class=\"done\">%scompleted</span>", ELLIPSIS);
		if (e->failed) {
			html_error(f, e);
		} else {
			fprintf(f, "<span class=\"res\">%s ", ARROW);
			esc(f, e->result);
			fputs("</span>", f);
		}
		break;
	default: break;
	}
}

int timeline_html_section(FILE *f, const struct explain_result *r)
{
	const struct strategy_info *si = strategy_info((enum strategy)strategy_parse(r->strategy));
	int n = r->sched.nsessions;
	char buf[1024];

	fprintf(f, "<section class=\"rb-explain\">\n<style>\n%s</style>\n<h2>explain: ", html_css);
	esc(f, r->scenario);
	fputs(" on ", f);
	esc(f, r->product);
	fputc(' ', f);
	esc(f, r->version);
	fputs("</h2>\n<dl>\n<dt>incident</dt><dd>", f);
	esc(f, r->incident);
	fputs("</dd>\n<dt>operation</dt><dd>", f);
	esc(f, r->operation);
	fputs("</dd>\n<dt>strategy</dt><dd>", f);
	esc(f, r->strategy);
	fputs(": ", f);
	esc(f, si ? si->summary : "");
	fputs("</dd>\n<dt>isolation</dt><dd>", f);
	iso_text(buf, sizeof(buf), r);
	esc(f, buf);
	fputs("</dd>\n<dt>schedule</dt><dd>", f);
	esc(f, r->sched.name);
	fputs(": ", f);
	esc(f, r->sched.summary);
	fputs("</dd>\n<dt>steps</dt><dd><code>", f);
	ex_steps_text(&r->sched, buf, sizeof(buf));
	esc(f, buf);
	fputs("</code></dd>\n</dl>\n<table>\n<thead><tr>", f);
	for (int i = 0; i < n; i++) {
		fputs("<th>", f);
		esc(f, r->sched.sess[i].name);
		fprintf(f, " (client %d)</th>", r->sched.sess[i].client);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int i = 0; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];

		if (e->kind == EXE_NOTE) {
			fprintf(f, "<tr class=\"note\"><td colspan=\"%d\">", n);
			esc(f, e->text);
			fputs("</td></tr>\n", f);
			continue;
		}
		fputs("<tr>", f);
		for (int k = 0; k < n; k++) {
			fputs("<td>", f);
			if (k == e->session) {
				if (e->kind == EXE_PAUSE) {
					fprintf(f, "<span class=\"pause\">%s ", DOT);
					esc(f, e->text);
					fputs("</span>", f);
				} else if (e->kind == EXE_END) {
					fprintf(f, "<span class=\"end\">%s ", SQUARE);
					esc(f,
					    strncmp(e->text, "end: ", 5) ? e->text : e->text + 5);
					fputs("</span>", f);
				} else {
					html_event(f, r, e);
				}
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<p>check: ", f);
	check_text(buf, sizeof(buf), r, ", ");
	esc(f, buf);
	fprintf(f, "</p>\n<p class=\"verdict %s\">%s</p>\n<ol>\n",
		r->anomalous ? "anomaly" : "safe", r->anomalous ? "ANOMALY" : "no anomaly");
	for (int i = 0; i < r->nstory; i++) {
		fputs("<li>", f);
		esc(f, r->story[i]);
		fputs("</li>\n", f);
	}
	fputs("</ol>\n</section>\n", f);
	return ferror(f) ? -1 : 0;
}

int timeline_html(FILE *f, const struct explain_result *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<title>racebench explain: ",
	      f);
	esc(f, r->scenario);
	fputs("</title>\n</head>\n<body>\n", f);
	if (timeline_html_section(f, r) < 0)
		return -1;
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

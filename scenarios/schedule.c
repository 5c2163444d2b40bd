/* schedule.c: the schedule language: sessions, steps, spec files. */
#define _POSIX_C_SOURCE 200809L
#include "schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

static const char *const point_names[EX_POINT__COUNT] = {
	[EX_THINK] = "think",
	[EX_TAIL] = "tail",
	[EX_END] = "end",
	[EX_STEP] = "step",
	[EX_STMT] = "statement",
};

const char *ex_point_name(enum ex_point p)
{
	return (unsigned)p < EX_POINT__COUNT ? point_names[p] : "?";
}

static int bad(struct rb_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct rb_err *e, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rb_err_input(e, "%s", msg);
}

/* The next whitespace-separated word of *p into w (at most n-1 bytes); 0 at the end. */
static int next_word(const char **p, char *w, size_t n)
{
	const char *s = *p;
	size_t len = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	while (s[len] && !isspace((unsigned char)s[len]))
		len++;
	if (len >= n)
		len = n - 1;
	memcpy(w, s, len);
	w[len] = '\0';
	while (*s && !isspace((unsigned char)*s))
		s++;
	*p = s;
	return 1;
}

static int good_name(const char *s, size_t len)
{
	if (len == 0 || len > EX_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* A statement's name as a race file spells it: letters, digits, '_' and '-'. */
static int good_stmt(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EX_STMT_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int find_session(const struct ex_schedule *s, const char *name, size_t len)
{
	for (int i = 0; i < s->nsessions; i++)
		if (strlen(s->sess[i].name) == len && !strncmp(s->sess[i].name, name, len))
			return i;
	return -1;
}

static void session_list(const struct ex_schedule *s, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->nsessions && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", s->sess[i].name);
}

int ex_parse_sessions(struct ex_schedule *s, const char *text, struct rb_err *e)
{
	const char *p = text;
	char w[64], *eq, *end;
	int seen = 0;

	s->nsessions = 0;
	while (next_word(&p, w, sizeof(w))) {
		long client;

		eq = strchr(w, '=');
		if (!eq || !good_name(w, (size_t)(eq - w)))
			return bad(e,
				   "'%s' is not a session (NAME=CLIENT, e.g. A=0; a name is "
				   "1 to %d letters, digits or _)",
				   w, EX_NAME_MAX);
		errno = 0;
		client = strtol(eq + 1, &end, 10);
		if (!eq[1] || *end || errno || client < 0 || client >= EX_MAX_SESSIONS)
			return bad(e, "'%s': the client must be a number from 0 to %d", w,
				   EX_MAX_SESSIONS - 1);
		if (find_session(s, w, (size_t)(eq - w)) >= 0)
			return bad(e, "'%s': session %.*s named twice", w, (int)(eq - w), w);
		if (seen & (1 << client))
			return bad(e, "'%s': client %ld is already a session", w, client);
		if (s->nsessions == EX_MAX_SESSIONS)
			return bad(e, "at most %d sessions", EX_MAX_SESSIONS);
		seen |= 1 << client;
		memcpy(s->sess[s->nsessions].name, w, (size_t)(eq - w));
		s->sess[s->nsessions].name[eq - w] = '\0';
		s->sess[s->nsessions].client = (int)client;
		s->nsessions++;
	}
	if (!s->nsessions)
		return bad(e, "no sessions (e.g. sessions A=0 B=1)");
	/* The pool runs clients 0..n-1, every one of them: each needs a lane. */
	for (int c = 0; c < s->nsessions; c++)
		if (!(seen & (1 << c)))
			return bad(e,
				   "no session is client %d: with %d sessions the clients "
				   "are 0 to %d, each once",
				   c, s->nsessions, s->nsessions - 1);
	return 0;
}

int ex_parse_steps(struct ex_schedule *s, const char *text, struct rb_err *e)
{
	const char *p = text;
	char w[64], names[64];

	while (next_word(&p, w, sizeof(w))) {
		char *colon = strchr(w, ':');
		int sess, pt = -1;

		if (!colon)
			return bad(e, "'%s' is not a step (SESSION:POINT, e.g. A:think)", w);
		sess = find_session(s, w, (size_t)(colon - w));
		if (sess < 0) {
			session_list(s, names, sizeof(names));
			return bad(e, "'%s': no session %.*s (sessions: %s)", w, (int)(colon - w),
				   w, names);
		}
		for (int i = 0; i < EX_STMT; i++)
			if (!strcmp(colon + 1, point_names[i]))
				pt = i;
		if (pt < 0 && !good_stmt(colon + 1))
			return bad(e,
				   "'%s': unknown point '%s' (valid: think, tail, end, step, or a "
				   "statement's name)",
				   w, colon + 1);
		if (s->nitems == EX_MAX_ITEMS)
			return bad(e, "more than %d steps", EX_MAX_ITEMS);
		memset(&s->items[s->nitems], 0, sizeof(s->items[0]));
		s->items[s->nitems].session = sess;
		s->items[s->nitems].point = pt < 0 ? EX_STMT : (enum ex_point)pt;
		if (pt < 0)
			str_copy(s->items[s->nitems].stmt, colon + 1, sizeof(s->items[0].stmt));
		s->nitems++;
	}
	return 0;
}

/* The schedule's name from a file name: its base name without extension. */
static void name_from_file(char *out, size_t n, const char *file)
{
	const char *b = strrchr(file, '/'), *dot;
	size_t len;

	b = b ? b + 1 : file;
	dot = strrchr(b, '.');
	len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	if (len >= n)
		len = n - 1;
	memcpy(out, b, len);
	out[len] = '\0';
}

int ex_spec_parse(struct ex_schedule *s, const char *text, const char *file, struct rb_err *e)
{
	char line[1024], word[32];
	struct rb_err why;
	const char *p = text;
	int lineno = 0, have_sessions = 0, have_scenario = 0, have_summary = 0;

	memset(s, 0, sizeof(*s));
	name_from_file(s->name, sizeof(s->name), file);
	while (*p) {
		const char *eol = strchr(p, '\n'), *rest;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *hash;

		lineno++;
		if (len >= sizeof(line))
			return bad(e, "%s:%d: line longer than %zu characters", file, lineno,
				   sizeof(line) - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (eol ? 1 : 0);
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		rest = line;
		if (!next_word(&rest, word, sizeof(word)))
			continue;
		while (*rest && isspace((unsigned char)*rest))
			rest++;
		if (!strcmp(word, "scenario")) {
			char extra[64];
			const char *q = rest;

			if (have_scenario)
				return bad(e, "%s:%d: a second 'scenario' line", file, lineno);
			if (!next_word(&q, s->scenario, sizeof(s->scenario)) ||
			    next_word(&q, extra, sizeof(extra)))
				return bad(e,
					   "%s:%d: 'scenario' takes one name (e.g. scenario "
					   "double-tap)",
					   file, lineno);
			have_scenario = 1;
		} else if (!strcmp(word, "summary")) {
			size_t l = strlen(rest);

			if (have_summary)
				return bad(e, "%s:%d: a second 'summary' line", file, lineno);
			while (l && isspace((unsigned char)rest[l - 1]))
				l--;
			snprintf(s->summary, sizeof(s->summary), "%.*s", (int)l, rest);
			have_summary = 1;
		} else if (!strcmp(word, "sessions")) {
			if (have_sessions)
				return bad(e, "%s:%d: a second 'sessions' line", file, lineno);
			if (ex_parse_sessions(s, rest, &why) < 0)
				return bad(e, "%s:%d: %s", file, lineno, why.msg);
			have_sessions = 1;
		} else if (!strcmp(word, "steps")) {
			int first = s->nitems;

			if (!have_sessions)
				return bad(e, "%s:%d: 'steps' before the 'sessions' line", file,
					   lineno);
			if (ex_parse_steps(s, rest, &why) < 0)
				return bad(e, "%s:%d: %s", file, lineno, why.msg);
			for (int k = first; k < s->nitems; k++)
				s->items[k].line = lineno;
		} else {
			return bad(e,
				   "%s:%d: unknown line '%s' (valid: scenario, summary, "
				   "sessions, steps; # starts a comment)",
				   file, lineno, word);
		}
	}
	if (!have_sessions)
		return bad(e, "%s: no 'sessions' line (e.g. sessions A=0 B=1)", file);
	if (!s->nitems)
		return bad(e, "%s: no steps (e.g. steps A:think B:think A:end B:end)", file);
	if (!have_summary)
		snprintf(s->summary, sizeof(s->summary), "the schedule in %s", file);
	return 0;
}

int ex_spec_load(struct ex_schedule *s, const char *file, struct rb_err *e)
{
	struct rb_err why;
	char *text;
	size_t len;
	int rc;

	if (read_text_file("schedule", file, EX_SPEC_LIMIT, &text, &len, &why) < 0)
		return bad(e, "--spec: %s", why.msg);
	rc = strlen(text) != len ? bad(e, "%s: contains a NUL byte: not a text file", file)
				 : ex_spec_parse(s, text, file, e);
	free(text);
	return rc;
}

int ex_schedule_load(struct ex_schedule *s, const struct scenario *sc, const struct sc_schedule *d,
		     struct rb_err *e)
{
	struct rb_err why;

	memset(s, 0, sizeof(*s));
	str_copy(s->name, d->name, sizeof(s->name));
	str_copy(s->summary, d->summary, sizeof(s->summary));
	str_copy(s->scenario, sc->name, sizeof(s->scenario));
	if (ex_parse_sessions(s, d->sessions, &why) < 0 || ex_parse_steps(s, d->steps, &why) < 0)
		return bad(e, "%s's schedule %s: %s", sc->name, d->name, why.msg);
	return 0;
}

const struct sc_schedule *ex_schedule_find(const struct scenario *sc, const char *name)
{
	if (!sc->schedules || !sc->schedules[0].name)
		return NULL;
	if (!name)
		return &sc->schedules[0];
	for (int i = 0; sc->schedules[i].name; i++)
		if (!strcmp(sc->schedules[i].name, name))
			return &sc->schedules[i];
	return NULL;
}

void ex_schedule_names(const struct scenario *sc, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; sc->schedules && sc->schedules[i].name && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", sc->schedules[i].name);
}

int ex_schedule_check(const struct ex_schedule *s, const struct scenario *sc, const char *what,
		      struct rb_err *e)
{
	for (int k = 0; k < s->nitems; k++) {
		const struct ex_item *it = &s->items[k];

		char where[300];

		if (it->point != EX_STMT || !sc->xHasStatement || sc->xHasStatement(sc, it->stmt))
			continue;
		if (it->line)
			snprintf(where, sizeof(where), "%s:%d", what, it->line);
		else
			snprintf(where, sizeof(where), "%s", what);
		return bad(e,
			   "%s: '%s:%s': %s has no statement called %s (valid points: think, "
			   "tail, end, step, begin, commit, rollback, or a statement's name)",
			   where, s->sess[it->session].name, it->stmt, sc->name, it->stmt);
	}
	return 0;
}

const char *ex_label(char *buf, size_t n, const char *session, int step)
{
	size_t len = strlen(session);
	int digit = len && isdigit((unsigned char)session[len - 1]);

	snprintf(buf, n, "%s%s%d", session, digit ? "." : "", step);
	return buf;
}

const char *ex_item_point(const struct ex_item *it)
{
	return it->point == EX_STMT ? it->stmt : ex_point_name(it->point);
}

void ex_steps_text(const struct ex_schedule *s, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->nitems && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s:%s", i ? " " : "",
				      s->sess[s->items[i].session].name,
				      ex_item_point(&s->items[i]));
}

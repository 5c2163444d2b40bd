/*
 * race_parse.c: a race file's text into a race (race.h). The grammar is in
 * docs/race-files.md. Every mistake stops the reading with FILE:LINE:COL,
 * what was expected there and what was found; nothing is guessed.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "race.h"
#include "schedule.h"

enum tok {
	T_EOF,
	T_WORD,
	T_NUM,
	T_STR,
	T_PUNCT, /* one or two characters in w */
};

struct ref {
	int var;
	int line, col;
};

struct parser {
	const char *text, *p, *end, *file;
	int line;
	const char *line_start;
	/* the current token */
	enum tok t;
	char w[256];
	long long num;
	int tline, tcol;
	struct race *r;
	struct rb_err *e;
	int failed;
	int declared[RACE_MAX_VARS]; /* by let, into, a knob, or built in */
	int nrefs, caprefs;
	struct ref *refs;
	int in_check; /* count is allowed */
	int in_setup; /* setup or reset: note is not */
	int sched_line[9], sched_col[9]; /* where each schedule is declared */
	/* the SQL block last read: its copy, and where the copy starts in the text */
	const char *sql_copy, *sql_src;
};

static const char *const builtin_vars[RV__BUILTIN] = {
	[RV_KEY] = "key",     [RV_CLIENT] = "client", [RV_TOKEN] = "token",
	[RV_CLIENTS] = "clients", [RV_KEYS] = "keys",	  [RV_ROWS] = "rows",
	[RV_AFFECTED] = "affected", [RV_COMMITTED] = "committed",
};

/* Words that start a step or a declaration: never a statement's or a variable's name. */
static const char *const reserved[] = { "let",	   "if",       "else",	"for",	   "think",
					"done",	   "declined", "conflict", "broken", "fail",
					"count",   "into",     "before",	"after",   "at",
					"operation", "recheck", "null",	"and",	   "or",
					"not",	   "max",      "min",	"abs",	   "rollback",
					"note",	   "begin",    "commit", NULL };

/* ---- memory owned by the race ---- */

void *race_alloc(struct race *r, size_t n)
{
	void *p = xcalloc(1, n);

	if (r->nallocs == r->capallocs) {
		r->capallocs = r->capallocs ? 2 * r->capallocs : 64;
		r->allocs = xrealloc(r->allocs, (size_t)r->capallocs * sizeof(*r->allocs));
	}
	r->allocs[r->nallocs++] = p;
	return p;
}

static void *ralloc(struct race *r, size_t n)
{
	return race_alloc(r, n);
}

static char *rstrdup(struct race *r, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ralloc(r, n), s, n);
}

void race_free(struct race *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nallocs; i++)
		free(r->allocs[i]);
	free(r->allocs);
	free(r);
}

/* ---- errors ---- */

static int perr_at(struct parser *ps, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr_at(struct parser *ps, int line, int col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (ps->failed)
		return -1;
	ps->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rb_err_input(ps->e, "%s:%d:%d: %s", ps->file, line, col, msg);
}

/* What the current token is, for "found ..." */
static void found(const struct parser *ps, char *out, size_t n)
{
	switch (ps->t) {
	case T_EOF: snprintf(out, n, "the end of the file"); break;
	case T_STR: snprintf(out, n, "the text \"%.40s\"", ps->w); break;
	case T_NUM: snprintf(out, n, "the number %lld", ps->num); break;
	default: snprintf(out, n, "'%.40s'", ps->w); break;
	}
}

static int expected(struct parser *ps, const char *what)
{
	char f[96];

	found(ps, f, sizeof(f));
	return perr_at(ps, ps->tline, ps->tcol, "expected %s, found %s", what, f);
}

/* ---- the lexer ---- */

static void advance_char(struct parser *ps)
{
	if (*ps->p == '\n') {
		ps->line++;
		ps->line_start = ps->p + 1;
	}
	ps->p++;
}

static int at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

static void skip_space(struct parser *ps)
{
	while (!at_end(ps)) {
		if (*ps->p == '#') {
			while (!at_end(ps) && *ps->p != '\n')
				advance_char(ps);
		} else if (isspace((unsigned char)*ps->p)) {
			advance_char(ps);
		} else {
			break;
		}
	}
}

static int word_char(int c)
{
	return isalnum(c) || c == '_';
}

/* Reads the next token into ps. */
static int next(struct parser *ps)
{
	const char *s;

	skip_space(ps);
	ps->tline = ps->line;
	ps->tcol = (int)(ps->p - ps->line_start) + 1;
	ps->w[0] = '\0';
	if (at_end(ps)) {
		ps->t = T_EOF;
		return 0;
	}
	s = ps->p;
	if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) {
		ps->t = T_PUNCT;
		snprintf(ps->w, sizeof(ps->w), "\\x%02x", (unsigned char)*s);
		return perr_at(ps, ps->tline, ps->tcol,
			       "a control character (byte 0x%02x): not a text file",
			       (unsigned char)*s);
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		size_t n = 0;

		/* Names may hold '-' between letters: for-update, double-tap. */
		while (!at_end(ps) && (word_char((unsigned char)*ps->p) ||
				       (*ps->p == '-' && ps->p + 1 < ps->end &&
					isalpha((unsigned char)ps->p[1])))) {
			if (n + 1 < sizeof(ps->w))
				ps->w[n++] = *ps->p;
			advance_char(ps);
		}
		ps->w[n] = '\0';
		ps->t = T_WORD;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		long long v = 0;
		size_t n = 0;

		while (!at_end(ps) && isdigit((unsigned char)*ps->p)) {
			if (v > (9223372036854775807LL - 9) / 10)
				return perr_at(ps, ps->tline, ps->tcol, "a number too large");
			v = v * 10 + (*ps->p - '0');
			if (n + 1 < sizeof(ps->w))
				ps->w[n++] = *ps->p;
			advance_char(ps);
		}
		ps->w[n] = '\0';
		if (!at_end(ps) && word_char((unsigned char)*ps->p))
			return perr_at(ps, ps->tline, ps->tcol,
				       "'%s%c...' is neither a number nor a name", ps->w, *ps->p);
		ps->num = v;
		ps->t = T_NUM;
		return 0;
	}
	if (*s == '"') {
		size_t n = 0;

		advance_char(ps);
		for (;;) {
			int c;

			if (at_end(ps) || *ps->p == '\n')
				return perr_at(ps, ps->tline, ps->tcol,
					       "a text opened with \" is not closed on its line");
			c = (unsigned char)*ps->p;
			if (c == '"') {
				advance_char(ps);
				break;
			}
			if (c == '\\' && ps->p + 1 < ps->end && (ps->p[1] == '"' || ps->p[1] == '\\')) {
				advance_char(ps);
				c = (unsigned char)*ps->p;
			}
			if (n + 1 >= sizeof(ps->w))
				return perr_at(ps, ps->tline, ps->tcol,
					       "a text longer than %zu characters", sizeof(ps->w) - 1);
			ps->w[n++] = (char)c;
			advance_char(ps);
		}
		ps->w[n] = '\0';
		ps->t = T_STR;
		return 0;
	}
	ps->t = T_PUNCT;
	ps->w[0] = *s;
	ps->w[1] = '\0';
	advance_char(ps);
	if (!at_end(ps) && strchr("=!<>|", ps->w[0]) && (*ps->p == '=' || (ps->w[0] == '|' && *ps->p == '|'))) {
		ps->w[1] = *ps->p;
		ps->w[2] = '\0';
		advance_char(ps);
	}
	return 0;
}

static int is_punct(const struct parser *ps, const char *p)
{
	return ps->t == T_PUNCT && !strcmp(ps->w, p);
}

static int is_word(const struct parser *ps, const char *w)
{
	return ps->t == T_WORD && !strcmp(ps->w, w);
}

static int want_punct(struct parser *ps, const char *p)
{
	char what[16];

	if (is_punct(ps, p))
		return next(ps);
	snprintf(what, sizeof(what), "'%s'", p);
	return expected(ps, what);
}

/* A name: a word that is not a reserved word. Copied into out. */
static int want_name(struct parser *ps, const char *what, char *out, size_t n)
{
	if (ps->t != T_WORD)
		return expected(ps, what);
	for (int i = 0; reserved[i]; i++)
		if (!strcmp(ps->w, reserved[i]))
			return expected(ps, what);
	if (strlen(ps->w) >= n)
		return perr_at(ps, ps->tline, ps->tcol, "the name '%.40s...' is longer than %zu",
			       ps->w, n - 1);
	str_copy(out, ps->w, n);
	return next(ps);
}

/* A text in "...": adjacent texts are one ("a" "b" is "ab"). */
static int want_text(struct parser *ps, const char *what, char **out)
{
	char buf[2048];
	size_t n = 0;

	if (ps->t != T_STR)
		return expected(ps, what);
	buf[0] = '\0';
	while (ps->t == T_STR) {
		n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, "%s", ps->w);
		if (n >= sizeof(buf))
			return perr_at(ps, ps->tline, ps->tcol, "a text longer than %zu characters",
				       sizeof(buf) - 1);
		if (next(ps) < 0)
			return -1;
	}
	*out = rstrdup(ps->r, buf);
	return 0;
}

/*
 * A SQL block: the current token is '{'; the raw text up to the matching
 * '}' (quotes, comments and nested braces respected) goes to out, and the
 * token after it is read.
 */
static int sql_block(struct parser *ps, char **out, int *line)
{
	const char *start;
	int depth = 1, l = ps->tline, c = ps->tcol;
	char q = 0;

	if (!is_punct(ps, "{"))
		return expected(ps, "'{' and a SQL statement");
	*line = l;
	start = ps->p;
	while (!at_end(ps)) {
		char ch = *ps->p;

		if (q) {
			if (ch == q)
				q = 0;
		} else if (ch == '\'' || ch == '"' || ch == '`') {
			q = ch;
		} else if (ch == '-' && ps->p + 1 < ps->end && ps->p[1] == '-') {
			while (!at_end(ps) && *ps->p != '\n')
				advance_char(ps);
			continue;
		} else if (ch == '{') {
			depth++;
		} else if (ch == '}' && --depth == 0) {
			size_t n = (size_t)(ps->p - start);
			char *sql = ralloc(ps->r, n + 1);

			memcpy(sql, start, n);
			sql[n] = '\0';
			*out = sql;
			ps->sql_copy = sql;
			ps->sql_src = start;
			advance_char(ps);
			return next(ps);
		} else if ((unsigned char)ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
			return perr_at(ps, ps->line, (int)(ps->p - ps->line_start) + 1,
				       "a control character (byte 0x%02x) in SQL", (unsigned char)ch);
		}
		advance_char(ps);
	}
	return perr_at(ps, l, c, "'{' opens a SQL statement that no '}' closes");
}

/* ---- names and variables ---- */

static int var_slot(struct parser *ps, const char *name)
{
	struct race *r = ps->r;

	for (int i = 0; i < r->nvars; i++)
		if (!strcmp(r->vars[i], name))
			return i;
	if (r->nvars == RACE_MAX_VARS)
		return perr_at(ps, ps->tline, ps->tcol, "more than %d names", RACE_MAX_VARS);
	str_copy(r->vars[r->nvars], name, sizeof(r->vars[0]));
	return r->nvars++;
}

static int declare(struct parser *ps, const char *name)
{
	int v;

	if (name[0] == '\0')
		return -1;
	v = var_slot(ps, name);
	if (v < 0)
		return -1;
	if (v < RV__BUILTIN)
		return perr_at(ps, ps->tline, ps->tcol, "'%s' is racebench's own name: choose another",
			       name);
	ps->declared[v] = 1;
	return v;
}

/* A use of a name, checked at the end (it may be set further down the file). */
static int use(struct parser *ps, const char *name, int line, int col)
{
	int v = var_slot(ps, name);

	if (v < 0)
		return -1;
	if (ps->nrefs == ps->caprefs) {
		ps->caprefs = ps->caprefs ? 2 * ps->caprefs : 64;
		ps->refs = xrealloc(ps->refs, (size_t)ps->caprefs * sizeof(*ps->refs));
	}
	ps->refs[ps->nrefs++] = (struct ref){ v, line, col };
	return v;
}

/* ---- SQL: pieces, placeholders ---- */

/* Where q, a pointer into the SQL block last read, stands in the file. */
static void sql_pos(const struct parser *ps, const char *q, int *line, int *col)
{
	const char *s = ps->sql_src + (q - ps->sql_copy), *ls = ps->text;

	*line = 1;
	for (const char *p = ps->text; p < s; p++)
		if (*p == '\n') {
			(*line)++;
			ls = p + 1;
		}
	*col = (int)(s - ls) + 1;
}

/* One statement's text with :name placeholders into a piece with '?'s. */
static int compile_piece(struct parser *ps, const char *stmt_name, const char *sql, size_t n,
			 struct rpiece *pc)
{
	char *out = ralloc(ps->r, n + 1);
	size_t o = 0;
	char q = 0;

	memset(pc, 0, sizeof(*pc));
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];

		if (q) {
			if (c == q)
				q = 0;
			out[o++] = c;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			q = c;
			out[o++] = c;
			continue;
		}
		if (c == ':' && i + 1 < n && sql[i + 1] == ':') { /* a PostgreSQL cast */
			out[o++] = c;
			out[o++] = sql[++i];
			continue;
		}
		if (c == ':' && i + 1 < n && (isalpha((unsigned char)sql[i + 1]) || sql[i + 1] == '_')) {
			char name[32];
			size_t k = 0;
			int v;

			int l, col;

			sql_pos(ps, sql + i, &l, &col);
			while (i + 1 < n && word_char((unsigned char)sql[i + 1]) && k + 1 < sizeof(name))
				name[k++] = sql[++i];
			name[k] = '\0';
			if (pc->nparams == RACE_MAX_PARAMS)
				return perr_at(ps, l, col, "statement %s: more than %d parameters",
					       stmt_name, RACE_MAX_PARAMS);
			v = use(ps, name, l, col);
			if (v < 0)
				return -1;
			pc->params[pc->nparams++] = v;
			out[o++] = '?';
			continue;
		}
		if (c == '?') {
			int l, col;

			sql_pos(ps, sql + i, &l, &col);
			return perr_at(ps, l, col,
				       "statement %s: a '?' in SQL; name a value with :name instead",
				       stmt_name);
		}
		out[o++] = c;
	}
	out[o] = '\0';
	pc->st.name = rstrdup(ps->r, stmt_name);
	for (int d = 0; d < DIALECT__COUNT; d++)
		pc->st.sql[d] = out;
	return 0;
}

/* A spelling (maybe "stmt; stmt") into pieces for dialect d. */
static int compile_spelling(struct parser *ps, struct rsql *s, int d, const char *sql, int line)
{
	const char *p = sql;
	char q = 0;

	s->npieces[d] = 0;
	while (*p) {
		const char *start = p;
		size_t n;
		int blank = 1;

		for (; *p && (q || *p != ';'); p++) {
			if (q) {
				if (*p == q)
					q = 0;
			} else if (*p == '\'' || *p == '"' || *p == '`') {
				q = *p;
			}
			if (!isspace((unsigned char)*p))
				blank = 0;
		}
		n = (size_t)(p - start);
		if (*p == ';')
			p++;
		if (blank)
			continue;
		if (s->npieces[d] == RACE_MAX_STMTS)
			return perr_at(ps, line, 1, "statement %s: more than %d statements in one {}",
				       s->name, RACE_MAX_STMTS);
		if (compile_piece(ps, s->name, start, n, &s->piece[d][s->npieces[d]]) < 0)
			return -1;
		s->npieces[d]++;
	}
	if (!s->npieces[d])
		return perr_at(ps, line, 1, "statement %s: an empty {}", s->name);
	return 0;
}

/* Whether the text after the current token starts a name (a word, not ',' or a keyword's end). */
static int next_is_name(const struct parser *ps)
{
	const char *p = ps->p;

	while (p < ps->end && (*p == ' ' || *p == '\t'))
		p++;
	return p < ps->end && (isalpha((unsigned char)*p) || *p == '_');
}

/* After NAME: { SQL } [DIALECT { SQL }]... [into a, b | into set a] */
static int parse_sql(struct parser *ps, const char *name, int line, struct rsql **out)
{
	struct rsql *s = ralloc(ps->r, sizeof(*s));
	char *sql;
	int l;

	str_copy(s->name, name, sizeof(s->name));
	s->line = line;
	s->col = ps->tcol;
	/*
	 * NAME { SQL } [DIALECT { SQL }]...: a shared spelling, replaced where
	 * a dialect has its own. NAME DIALECT { SQL } [DIALECT { SQL }]...: no
	 * shared one; running on a database with no spelling is refused
	 * before anything starts (race_spelt).
	 */
	if (!(ps->t == T_WORD && dialect_parse(ps->w) >= 0)) {
		if (sql_block(ps, &sql, &l) < 0 || compile_spelling(ps, s, 0, sql, l) < 0)
			return -1;
		s->shared = 1;
		/* the shared spelling stands for every dialect, until one has its own */
		for (int d = 1; d < DIALECT__COUNT; d++) {
			s->npieces[d] = s->npieces[0];
			memcpy(s->piece[d], s->piece[0], sizeof(s->piece[0]));
		}
	}
	while (ps->t == T_WORD && dialect_parse(ps->w) >= 0) {
		int d = dialect_parse(ps->w);

		if (s->has[d])
			return perr_at(ps, ps->tline, ps->tcol, "statement %s: %s spelt twice", name,
				       ps->w);
		if (next(ps) < 0 || sql_block(ps, &sql, &l) < 0 || compile_spelling(ps, s, d, sql, l) < 0)
			return -1;
		s->has[d] = 1;
	}

	if (is_word(ps, "into")) {
		do {
			char v[32];
			int slot;

			if (next(ps) < 0)
				return -1;
			/* into set NAME: the whole result, "(1,10),(2,20)" */
			if (!s->ninto && is_word(ps, "set") && next_is_name(ps)) {
				if (next(ps) < 0 ||
				    want_name(ps, "a name after 'into set'", v, sizeof(v)) < 0)
					return -1;
				slot = declare(ps, v);
				if (slot < 0)
					return -1;
				s->into_set = slot + 1;
				break;
			}
			if (want_name(ps, "a name after 'into'", v, sizeof(v)) < 0)
				return -1;
			if (s->ninto == RACE_MAX_INTO)
				return perr_at(ps, ps->tline, ps->tcol, "more than %d names after into",
					       RACE_MAX_INTO);
			slot = declare(ps, v);
			if (slot < 0)
				return -1;
			s->into[s->ninto++] = slot;
		} while (is_punct(ps, ","));
	}
	*out = s;
	return 0;
}

/* ---- expressions ---- */

static struct rexpr *node(struct parser *ps, enum rx_op op, struct rexpr *a, struct rexpr *b)
{
	struct rexpr *x = ralloc(ps->r, sizeof(*x));

	x->op = op;
	x->a = a;
	x->b = b;
	return x;
}

static struct rexpr *parse_expr(struct parser *ps);

static struct rexpr *parse_primary(struct parser *ps)
{
	struct rexpr *x;

	if (ps->t == T_NUM) {
		x = node(ps, RX_NUM, NULL, NULL);
		x->num = ps->num;
		return next(ps) < 0 ? NULL : x;
	}
	if (ps->t == T_STR) {
		x = node(ps, RX_STR, NULL, NULL);
		x->str = rstrdup(ps->r, ps->w);
		return next(ps) < 0 ? NULL : x;
	}
	if (is_punct(ps, "(")) {
		if (next(ps) < 0 || !(x = parse_expr(ps)) || want_punct(ps, ")") < 0)
			return NULL;
		return x;
	}
	if (is_word(ps, "null")) {
		x = node(ps, RX_NULL, NULL, NULL);
		return next(ps) < 0 ? NULL : x;
	}
	if (is_word(ps, "max") || is_word(ps, "min") || is_word(ps, "abs")) {
		enum rx_op op = is_word(ps, "max") ? RX_MAX : is_word(ps, "min") ? RX_MIN : RX_ABS;
		struct rexpr *a, *b = NULL;

		if (next(ps) < 0 || want_punct(ps, "(") < 0 || !(a = parse_expr(ps)))
			return NULL;
		if (op != RX_ABS && (want_punct(ps, ",") < 0 || !(b = parse_expr(ps))))
			return NULL;
		if (want_punct(ps, ")") < 0)
			return NULL;
		return node(ps, op, a, b);
	}
	if (ps->t == T_WORD) {
		char name[32];
		int line = ps->tline, col = ps->tcol, v;

		if (want_name(ps, "a value", name, sizeof(name)) < 0)
			return NULL;
		v = use(ps, name, line, col);
		if (v < 0)
			return NULL;
		x = node(ps, RX_VAR, NULL, NULL);
		x->var = v;
		return x;
	}
	expected(ps, "a value (a number, \"text\", a name, null or '(')");
	return NULL;
}

static struct rexpr *parse_unary(struct parser *ps)
{
	struct rexpr *a;

	if (is_punct(ps, "-")) {
		if (next(ps) < 0 || !(a = parse_unary(ps)))
			return NULL;
		return node(ps, RX_NEG, a, NULL);
	}
	if (is_word(ps, "not")) {
		if (next(ps) < 0 || !(a = parse_unary(ps)))
			return NULL;
		return node(ps, RX_NOT, a, NULL);
	}
	return parse_primary(ps);
}

/* Binary operators by precedence, tightest last. */
static const struct {
	const char *tok;
	enum rx_op op;
	int prec;
	int word;
} binops[] = {
	{ "or", RX_OR, 1, 1 },	{ "and", RX_AND, 2, 1 }, { "==", RX_EQ, 3, 0 },
	{ "!=", RX_NE, 3, 0 },	{ "<", RX_LT, 3, 0 },	 { "<=", RX_LE, 3, 0 },
	{ ">", RX_GT, 3, 0 },	{ ">=", RX_GE, 3, 0 },	 { "||", RX_CAT, 4, 0 },
	{ "+", RX_ADD, 5, 0 },	{ "-", RX_SUB, 5, 0 },	 { "*", RX_MUL, 6, 0 },
	{ "/", RX_DIV, 6, 0 },	{ "%", RX_MOD, 6, 0 },
};

static int binop_at(const struct parser *ps)
{
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (binops[i].word ? is_word(ps, binops[i].tok) : is_punct(ps, binops[i].tok))
			return (int)i;
	return -1;
}

static struct rexpr *parse_binary(struct parser *ps, int min_prec)
{
	struct rexpr *a = parse_unary(ps);

	while (a) {
		int k = binop_at(ps);
		struct rexpr *b;

		if (is_punct(ps, "="))
			return perr_at(ps, ps->tline, ps->tcol,
				       "'=' compares nothing here; did you mean '=='?"),
			       NULL;
		if (k < 0 || binops[k].prec < min_prec)
			break;
		if (next(ps) < 0 || !(b = parse_binary(ps, binops[k].prec + 1)))
			return NULL;
		a = node(ps, binops[k].op, a, b);
	}
	return a;
}

static struct rexpr *parse_expr(struct parser *ps)
{
	return parse_binary(ps, 1);
}

/* ---- steps ---- */

static void block_add(struct parser *ps, struct rblock *b, struct rstep *s)
{
	if (b->n == b->cap) {
		struct rstep **grown;

		b->cap = b->cap ? 2 * b->cap : 8;
		grown = ralloc(ps->r, (size_t)b->cap * sizeof(*grown));
		if (b->n)
			memcpy(grown, b->s, (size_t)b->n * sizeof(*grown));
		b->s = grown;
	}
	b->s[b->n++] = s;
}

static int parse_block(struct parser *ps, struct rblock *b, const char *what);

static struct rstep *step_new(struct parser *ps, enum rs_kind k)
{
	struct rstep *s = ralloc(ps->r, sizeof(*s));

	s->kind = k;
	s->line = ps->tline;
	return s;
}

static int kind_slot(struct parser *ps, const char *kind)
{
	struct race *r = ps->r;

	for (int i = 0; i < r->nkinds; i++)
		if (!strcmp(r->kinds[i], kind))
			return i;
	if (r->nkinds == SC_MAX_KINDS)
		return perr_at(ps, ps->tline, ps->tcol, "more than %d anomaly kinds", SC_MAX_KINDS);
	str_copy(r->kinds[r->nkinds], kind, sizeof(r->kinds[0]));
	return r->nkinds++;
}

static int parse_if(struct parser *ps, struct rblock *b)
{
	struct rstep *s = step_new(ps, RS_IF);

	if (next(ps) < 0 || !(s->expr = parse_expr(ps)) || parse_block(ps, &s->then, "if") < 0)
		return -1;
	block_add(ps, b, s);
	if (!is_word(ps, "else"))
		return 0;
	if (next(ps) < 0)
		return -1;
	if (is_word(ps, "if"))
		return parse_if(ps, &s->els);
	return parse_block(ps, &s->els, "else");
}

static int parse_for(struct parser *ps, struct rblock *b)
{
	struct rstep *s;

	if (next(ps) < 0)
		return -1;
	if (is_word(ps, "key")) {
		s = step_new(ps, RS_FOR_KEY);
		if (next(ps) < 0 || parse_block(ps, &s->then, "for key") < 0)
			return -1;
		block_add(ps, b, s);
		return 0;
	}
	if (is_word(ps, "row")) {
		char name[32];
		int line;

		s = step_new(ps, RS_FOR_ROWS);
		if (next(ps) < 0)
			return -1;
		line = ps->tline;
		if (want_name(ps, "a statement's name after 'for row'", name, sizeof(name)) < 0 ||
		    parse_sql(ps, name, line, &s->sql) < 0)
			return -1;
		if (!s->sql->ninto)
			return expected(ps, "'into' and the names each row's values go to");
		if (parse_block(ps, &s->then, "for row") < 0)
			return -1;
		block_add(ps, b, s);
		return 0;
	}
	return expected(ps, "'key' or 'row' after 'for'");
}

static void note_slot(struct race *r, int var)
{
	for (int i = 0; i < r->nnoted; i++)
		if (r->noted[i] == var)
			return;
	r->noted[r->nnoted++] = var;
}

/* One step into b; returns 0, -1. */
static int parse_step(struct parser *ps, struct rblock *b)
{
	static const struct {
		const char *w;
		enum op_status st;
	} outcomes[] = { { "done", OP_DONE },
			 { "declined", OP_DECLINED },
			 { "conflict", OP_CONFLICT },
			 { "broken", OP_BROKEN },
			 { "rollback", OP_ROLLBACK } };
	struct rstep *s;
	char name[32];

	if (ps->t != T_WORD)
		return expected(ps, "a step (a statement's name, let, if, for, think, done, "
				    "declined, conflict, broken, rollback, fail, note, count)");
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (is_word(ps, outcomes[i].w)) {
			s = step_new(ps, RS_OUTCOME);
			s->outcome = outcomes[i].st;
			block_add(ps, b, s);
			return next(ps);
		}
	if (is_word(ps, "think")) {
		block_add(ps, b, step_new(ps, RS_THINK));
		return next(ps);
	}
	if (is_word(ps, "if"))
		return parse_if(ps, b);
	if (is_word(ps, "for"))
		return parse_for(ps, b);
	if (is_word(ps, "let")) {
		s = step_new(ps, RS_LET);
		if (next(ps) < 0 || want_name(ps, "a name after 'let'", name, sizeof(name)) < 0)
			return -1;
		if ((s->var = declare(ps, name)) < 0 || want_punct(ps, "=") < 0 ||
		    !(s->expr = parse_expr(ps)))
			return -1;
		block_add(ps, b, s);
		return 0;
	}
	if (is_word(ps, "fail")) {
		s = step_new(ps, RS_FAIL);
		if (next(ps) < 0 || !(s->expr = parse_expr(ps)))
			return -1;
		block_add(ps, b, s);
		return 0;
	}
	if (is_word(ps, "note")) {
		if (ps->in_check || ps->in_setup)
			return perr_at(ps, ps->tline, ps->tcol,
				       "'note' belongs in the operation (what a session saw, kept "
				       "for the check when it commits)");
		s = step_new(ps, RS_NOTE);
		if (next(ps) < 0 || want_name(ps, "a name after 'note'", name, sizeof(name)) < 0)
			return -1;
		if ((s->var = declare(ps, name)) < 0 || want_punct(ps, "=") < 0 ||
		    !(s->expr = parse_expr(ps)))
			return -1;
		note_slot(ps->r, s->var);
		block_add(ps, b, s);
		return 0;
	}
	if (is_word(ps, "count")) {
		if (!ps->in_check)
			return perr_at(ps, ps->tline, ps->tcol, "'count' belongs in the check block");
		s = step_new(ps, RS_COUNT);
		if (next(ps) < 0 || want_name(ps, "an anomaly kind after 'count'", name, sizeof(name)) < 0 ||
		    (s->var = kind_slot(ps, name)) < 0 || !(s->expr = parse_expr(ps)))
			return -1;
		block_add(ps, b, s);
		return 0;
	}
	s = step_new(ps, RS_SQL);
	if (want_name(ps, "a step (a statement's name, let, if, for, think, done, declined, "
			  "conflict, broken, rollback, fail, note, count)",
		      name, sizeof(name)) < 0 ||
	    parse_sql(ps, name, s->line, &s->sql) < 0)
		return -1;
	block_add(ps, b, s);
	return 0;
}

static int parse_block(struct parser *ps, struct rblock *b, const char *what)
{
	char buf[64];
	int line = ps->tline, col = ps->tcol;

	snprintf(buf, sizeof(buf), "'{' to open the %s block", what);
	if (!is_punct(ps, "{"))
		return expected(ps, buf);
	if (next(ps) < 0)
		return -1;
	while (!is_punct(ps, "}")) {
		if (ps->t == T_EOF)
			return perr_at(ps, line, col, "the %s block opened here is not closed", what);
		if (parse_step(ps, b) < 0)
			return -1;
	}
	return next(ps);
}

/* ---- declarations ---- */

/* "none, for-update" into a set of strategies. */
static int parse_strategies(struct parser *ps, unsigned *set)
{
	*set = 0;
	do {
		int s;

		if (*set && next(ps) < 0)
			return -1;
		if (ps->t != T_WORD)
			return expected(ps, "a strategy's name");
		s = strategy_parse(ps->w);
		if (s < 0)
			return perr_at(ps, ps->tline, ps->tcol,
				       "unknown strategy '%s' (see racebench list)", ps->w);
		*set |= 1u << s;
		if (next(ps) < 0)
			return -1;
	} while (is_punct(ps, ","));
	return 0;
}

static int parse_schema(struct parser *ps)
{
	struct race *r = ps->r;
	struct rschema *sc;
	int line = ps->tline, col = ps->tcol;

	if (r->nschemas == RACE_MAX_SCHEMAS)
		return perr_at(ps, line, col, "more than %d schema blocks", RACE_MAX_SCHEMAS);
	sc = &r->schemas[r->nschemas++];
	if (next(ps) < 0)
		return -1;
	if (!is_word(ps, "for"))
		return expected(ps, "'for' and the strategies the schema object is for");
	if (next(ps) < 0 || parse_strategies(ps, &sc->strategies) < 0 || want_punct(ps, "{") < 0)
		return -1;
	while (!is_punct(ps, "}")) {
		struct rsql **slot;
		int l = ps->tline;

		if (is_word(ps, "add"))
			slot = &sc->add;
		else if (is_word(ps, "drop"))
			slot = &sc->drop;
		else
			return expected(ps, "'add { SQL }' or 'drop { SQL }'");
		if (*slot)
			return perr_at(ps, ps->tline, ps->tcol, "'%s' given twice", ps->w);
		if (next(ps) < 0 || parse_sql(ps, *slot == sc->add ? "add" : "drop", l, slot) < 0)
			return -1;
	}
	if (!sc->add || !sc->drop)
		return perr_at(ps, line, col, "a schema block needs both 'add { SQL }' and "
					      "'drop { SQL }'");
	return next(ps);
}

static int parse_mods(struct parser *ps, struct rmods *m)
{
	if (want_punct(ps, "{") < 0)
		return -1;
	while (!is_punct(ps, "}")) {
		char name[32];
		int line = ps->tline;

		if (ps->t == T_EOF)
			return expected(ps, "'}' to close the strategy block");
		if (is_word(ps, "operation")) {
			m->own_op = 1;
			if (next(ps) < 0 || parse_block(ps, &m->op, "operation") < 0)
				return -1;
		} else if (is_word(ps, "recheck")) {
			m->has_recheck = 1;
			if (next(ps) < 0 || parse_block(ps, &m->recheck, "recheck") < 0)
				return -1;
		} else if (is_word(ps, "before") || is_word(ps, "after")) {
			int before = is_word(ps, "before");
			int *n = before ? &m->nbefore : &m->nafter;

			if (*n == 8)
				return perr_at(ps, line, ps->tcol, "more than 8 '%s' blocks", ps->w);
			if (next(ps) < 0 ||
			    want_name(ps, "a statement's name", before ? m->before_name[*n] : m->after_name[*n],
				      sizeof(name)) < 0 ||
			    parse_block(ps, before ? &m->before[*n] : &m->after[*n],
					before ? "before" : "after") < 0)
				return -1;
			(*n)++;
		} else if (is_word(ps, "at")) {
			if (next(ps) < 0)
				return -1;
			if (is_word(ps, "start")) {
				if (next(ps) < 0 || parse_block(ps, &m->at_start, "at start") < 0)
					return -1;
			} else if (is_word(ps, "end")) {
				if (next(ps) < 0 || parse_block(ps, &m->at_end, "at end") < 0)
					return -1;
			} else {
				return expected(ps, "'start' or 'end' after 'at'");
			}
		} else {
			if (m->nrepl == 16)
				return perr_at(ps, line, ps->tcol, "more than 16 statements spelt anew");
			if (want_name(ps, "a statement to spell anew, operation, recheck, before, "
					  "after or at",
				      name, sizeof(name)) < 0 ||
			    parse_sql(ps, name, line, &m->repl[m->nrepl]) < 0)
				return -1;
			m->nrepl++;
		}
	}
	return next(ps);
}

static int parse_strategy(struct parser *ps)
{
	struct race *r = ps->r;
	unsigned set;
	int line, col;
	char *reason = NULL;
	struct rmods *m;

	if (next(ps) < 0)
		return -1;
	line = ps->tline;
	col = ps->tcol;
	if (parse_strategies(ps, &set) < 0)
		return -1;
	for (int s = 0; s < ST__COUNT; s++)
		if ((set >> s & 1) && (r->mods[s].defined || r->mods[s].na))
			return perr_at(ps, line, col, "strategy %s defined twice",
				       strategy_name((enum strategy)s));
	if (is_word(ps, "n")) {
		/* "n/a" lexes as n / a */
		if (next(ps) < 0 || !is_punct(ps, "/") || next(ps) < 0 || !is_word(ps, "a") ||
		    next(ps) < 0)
			return expected(ps, "n/a \"REASON\"");
		if (want_text(ps, "the reason in \"...\" after n/a", &reason) < 0)
			return -1;
		for (int s = 0; s < ST__COUNT; s++)
			if (set >> s & 1)
				r->mods[s].na = reason;
		return 0;
	}
	m = ralloc(r, sizeof(*m));
	if (parse_mods(ps, m) < 0)
		return -1;
	m->defined = 1;
	for (int s = 0; s < ST__COUNT; s++)
		if (set >> s & 1)
			r->mods[s] = *m;
	return 0;
}

static int parse_schedule(struct parser *ps)
{
	struct race *r = ps->r;
	struct sc_schedule *d;
	char name[32], buf[512];
	char *sessions = NULL, *steps = NULL;

	if (r->nschedules == 8)
		return perr_at(ps, ps->tline, ps->tcol, "more than 8 schedules");
	d = &r->schedules[r->nschedules];
	ps->sched_line[r->nschedules] = ps->tline;
	ps->sched_col[r->nschedules] = ps->tcol;
	if (next(ps) < 0 || want_name(ps, "the schedule's name", name, sizeof(name)) < 0)
		return -1;
	d->name = rstrdup(r, name);
	if (ps->t == T_STR) {
		char *summary;

		if (want_text(ps, "", &summary) < 0)
			return -1;
		d->summary = summary;
	} else {
		d->summary = "";
	}
	if (!is_punct(ps, "{"))
		return expected(ps, "'{' and the schedule's sessions and steps lines");
	/* sessions and steps lines are read raw: "A=0 B=1", "A:think B:end" */
	for (;;) {
		const char *eol;
		size_t n;
		int is_sessions;

		skip_space(ps);
		if (at_end(ps))
			return expected(ps, "'}' to close the schedule");
		if (*ps->p == '}') {
			advance_char(ps);
			break;
		}
		is_sessions = !strncmp(ps->p, "sessions", 8) && isspace((unsigned char)ps->p[8]);
		if (!is_sessions && !(!strncmp(ps->p, "steps", 5) && isspace((unsigned char)ps->p[5]))) {
			if (next(ps) < 0)
				return -1;
			return expected(ps, "'sessions A=0 B=1' or 'steps A:think ...' lines");
		}
		ps->p += is_sessions ? 8 : 5;
		eol = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
		if (!eol)
			eol = ps->end;
		n = (size_t)(eol - ps->p);
		if (memchr(ps->p, '}', n))
			n = (size_t)((const char *)memchr(ps->p, '}', n) - ps->p);
		snprintf(buf, sizeof(buf), "%s%s%.*s", is_sessions || !steps ? "" : steps,
			 is_sessions || !steps ? "" : " ", (int)n, ps->p);
		if (is_sessions)
			sessions = rstrdup(r, buf);
		else
			steps = rstrdup(r, buf);
		ps->p += n;
	}
	if (!sessions || !steps)
		return perr_at(ps, ps->tline, ps->tcol, "schedule %s needs a sessions line and a "
							"steps line",
			       name);
	d->sessions = sessions;
	d->steps = steps;
	r->nschedules++;
	return next(ps);
}

static int parse_knob(struct parser *ps)
{
	struct race *r = ps->r;
	struct rknob *k;
	char name[32];
	char *help = NULL;

	if (r->nknobs == RACE_MAX_KNOBS)
		return perr_at(ps, ps->tline, ps->tcol, "more than %d knobs", RACE_MAX_KNOBS);
	k = &r->knobs[r->nknobs];
	k->line = ps->tline;
	k->col = ps->tcol;
	if (next(ps) < 0 || want_name(ps, "the knob's name", name, sizeof(name)) < 0)
		return -1;
	for (int i = 0; i < r->nknobs; i++)
		if (!strcmp(r->knobs[i].name, name))
			return perr_at(ps, ps->tline, ps->tcol, "knob %s declared twice", name);
	str_copy(k->name, name, sizeof(k->name));
	if ((k->var = declare(ps, name)) < 0 || want_punct(ps, "=") < 0 || !(k->dflt = parse_expr(ps)))
		return -1;
	if (ps->t == T_STR && want_text(ps, "", &help) < 0)
		return -1;
	str_copy(k->help, help ? help : "", sizeof(k->help));
	/* then, in any order: explain EXPR, min EXPR, max EXPR */
	for (;;) {
		struct rexpr **slot = is_word(ps, "explain") ? &k->explain
				      : is_word(ps, "min")   ? &k->min
				      : is_word(ps, "max")   ? &k->max
							     : NULL;

		if (!slot)
			break;
		if (*slot)
			return perr_at(ps, ps->tline, ps->tcol, "knob %s: a second '%s'", name, ps->w);
		if (next(ps) < 0 || !(*slot = parse_expr(ps)))
			return -1;
	}
	r->nknobs++;
	return 0;
}

/* One top-level declaration. */
static int parse_decl(struct parser *ps, int *seen_race)
{
	struct race *r = ps->r;

	if (ps->t != T_WORD)
		return expected(ps, "a declaration (race, incident, summary, notes, knob, parent, "
				    "setup, reset, operation, check, schema, strategy, schedule)");
	if (!*seen_race && !is_word(ps, "race"))
		return expected(ps, "'race NAME' first");
	if (is_word(ps, "race")) {
		if (*seen_race)
			return perr_at(ps, ps->tline, ps->tcol, "a second 'race' line");
		*seen_race = 1;
		if (next(ps) < 0 || want_name(ps, "the race's name", r->name, sizeof(r->name)) < 0)
			return -1;
		return 0;
	}
	if (is_word(ps, "incident") || is_word(ps, "summary") || is_word(ps, "notes")) {
		char **slot = is_word(ps, "incident") ? &r->incident
			      : is_word(ps, "summary")	? &r->summary
							: &r->notes;

		if (*slot)
			return perr_at(ps, ps->tline, ps->tcol, "a second '%s' line", ps->w);
		if (next(ps) < 0)
			return -1;
		return want_text(ps, "a text in \"...\"", slot);
	}
	if (is_word(ps, "knob"))
		return parse_knob(ps);
	if (is_word(ps, "parent")) {
		if (r->parent[0])
			return perr_at(ps, ps->tline, ps->tcol, "a second 'parent' line");
		if (next(ps) < 0 || want_name(ps, "the parent table's name", r->parent, sizeof(r->parent)) < 0)
			return -1;
		if (is_word(ps, "fence")) {
			if (next(ps) < 0 ||
			    want_name(ps, "the fence column's name", r->fence, sizeof(r->fence)) < 0)
				return -1;
		}
		return 0;
	}
	if (is_word(ps, "setup") || is_word(ps, "reset") || is_word(ps, "operation") ||
	    is_word(ps, "check")) {
		struct rblock *b = is_word(ps, "setup")	    ? &r->setup
				   : is_word(ps, "reset")     ? &r->reset
				   : is_word(ps, "operation") ? &r->op
							      : &r->check;
		char what[16];
		int rc;

		str_copy(what, ps->w, sizeof(what));
		if (b->n)
			return perr_at(ps, ps->tline, ps->tcol, "a second '%s' block", what);
		ps->in_check = !strcmp(what, "check");
		ps->in_setup = !strcmp(what, "setup") || !strcmp(what, "reset");
		rc = next(ps) < 0 ? -1 : parse_block(ps, b, what);
		ps->in_check = ps->in_setup = 0;
		if (rc == 0 && !b->n)
			return perr_at(ps, ps->tline, ps->tcol, "the %s block is empty", what);
		return rc;
	}
	if (is_word(ps, "schema"))
		return parse_schema(ps);
	if (is_word(ps, "strategy"))
		return parse_strategy(ps);
	if (is_word(ps, "schedule"))
		return parse_schedule(ps);
	return expected(ps, "a declaration (race, incident, summary, notes, knob, parent, setup, "
			    "reset, operation, check, schema, strategy, schedule)");
}

/* ---- after the text: what must hold of the whole ---- */

static int block_has_sql(const struct rblock *b, const char *name)
{
	for (int i = 0; i < b->n; i++) {
		const struct rstep *s = b->s[i];

		if ((s->kind == RS_SQL || s->kind == RS_FOR_ROWS) && !strcmp(s->sql->name, name))
			return 1;
		if ((s->kind == RS_IF || s->kind == RS_FOR_KEY || s->kind == RS_FOR_ROWS) &&
		    (block_has_sql(&s->then, name) || block_has_sql(&s->els, name)))
			return 1;
	}
	return 0;
}

int race_has_statement(const struct race *r, const char *name)
{
	if (!strcmp(name, "begin") || !strcmp(name, "commit") || !strcmp(name, "rollback") ||
	    block_has_sql(&r->op, name))
		return 1;
	for (int s = 0; s < ST__COUNT; s++) {
		const struct rmods *m = &r->mods[s];

		if (block_has_sql(&m->op, name) || block_has_sql(&m->at_start, name) ||
		    block_has_sql(&m->at_end, name) || block_has_sql(&m->recheck, name))
			return 1;
		for (int k = 0; k < m->nbefore; k++)
			if (block_has_sql(&m->before[k], name))
				return 1;
		for (int k = 0; k < m->nafter; k++)
			if (block_has_sql(&m->after[k], name))
				return 1;
	}
	return 0;
}

/* Each schedule's sessions and steps read, and every statement a step names exists. */
static int check_schedules(struct parser *ps)
{
	struct race *r = ps->r;
	struct ex_schedule *s = xcalloc(1, sizeof(*s));
	int rc = 0;

	for (int i = 0; i < r->nschedules && rc == 0; i++) {
		const struct sc_schedule *d = &r->schedules[i];
		struct rb_err why;

		memset(s, 0, sizeof(*s));
		if (ex_parse_sessions(s, d->sessions, &why) < 0 ||
		    ex_parse_steps(s, d->steps, &why) < 0) {
			rc = perr_at(ps, ps->sched_line[i], ps->sched_col[i], "schedule %s: %s",
				     d->name, why.msg);
			break;
		}
		for (int k = 0; k < s->nitems; k++)
			if (s->items[k].point == EX_STMT && !race_has_statement(r, s->items[k].stmt)) {
				rc = perr_at(ps, ps->sched_line[i], ps->sched_col[i],
					     "schedule %s: step %s:%s names no statement of the "
					     "race (nor think, tail, end, step, begin, commit, "
					     "rollback)",
					     d->name, s->sess[s->items[k].session].name,
					     s->items[k].stmt);
				break;
			}
	}
	free(s);
	return rc;
}

static int finish(struct parser *ps)
{
	struct race *r = ps->r;

	for (int i = 0; i < ps->nrefs; i++)
		if (!ps->declared[ps->refs[i].var])
			return perr_at(ps, ps->refs[i].line, ps->refs[i].col,
				       "unknown name '%s' (not a knob, not set by let or into, not "
				       "one of key, client, token, clients, keys, rows, affected, "
				       "committed)",
				       r->vars[ps->refs[i].var]);
	if (!r->op.n)
		return perr_at(ps, ps->line, 1, "no operation block: what do the clients do?");
	if (!r->check.n || !r->nkinds)
		return perr_at(ps, ps->line, 1,
			       "no invariant: a check block with at least one 'count KIND EXPR'");
	for (int s = 0; s < ST__COUNT; s++) {
		const struct rmods *m = &r->mods[s];

		for (int k = 0; k < m->nrepl; k++)
			if (!block_has_sql(&r->op, m->repl[k]->name))
				return perr_at(ps, m->repl[k]->line, 1,
					       "strategy %s spells %s anew, but the operation has "
					       "no statement of that name",
					       strategy_name((enum strategy)s), m->repl[k]->name);
		for (int k = 0; k < m->nbefore + m->nafter; k++) {
			const char *n = k < m->nbefore ? m->before_name[k]
						       : m->after_name[k - m->nbefore];

			if (!block_has_sql(&r->op, n))
				return perr_at(ps, ps->line, 1,
					       "strategy %s: 'before/after %s', but the operation "
					       "has no statement of that name",
					       strategy_name((enum strategy)s), n);
		}
		if (m->has_recheck && s != ST_CHECK_AFTER)
			return perr_at(ps, ps->line, 1,
				       "strategy %s has a recheck block: only check-after rechecks",
				       strategy_name((enum strategy)s));
	}
	r->schedules[r->nschedules].name = NULL;
	return check_schedules(ps);
}

/* ---- a race's statements for one database ---- */

static const struct rsql *unspelt_sql(const struct rsql *s, enum dialect d)
{
	return s && !s->npieces[d] ? s : NULL;
}

static const struct rsql *unspelt_block(const struct rblock *b, enum dialect d)
{
	const struct rsql *u = NULL;

	for (int i = 0; i < b->n && !u; i++) {
		const struct rstep *st = b->s[i];

		u = unspelt_sql(st->sql, d);
		if (!u)
			u = unspelt_block(&st->then, d);
		if (!u)
			u = unspelt_block(&st->els, d);
	}
	return u;
}

int race_spelt(const struct race *r, enum dialect d, struct rb_err *e)
{
	const struct rsql *u = unspelt_block(&r->setup, d);

	if (!u)
		u = unspelt_block(&r->reset, d);
	if (!u)
		u = unspelt_block(&r->op, d);
	if (!u)
		u = unspelt_block(&r->check, d);
	for (int s = 0; s < ST__COUNT && !u; s++) {
		const struct rmods *m = &r->mods[s];

		u = unspelt_block(&m->op, d);
		for (int i = 0; i < m->nrepl && !u; i++)
			u = unspelt_sql(m->repl[i], d);
		for (int i = 0; i < m->nbefore && !u; i++)
			u = unspelt_block(&m->before[i], d);
		for (int i = 0; i < m->nafter && !u; i++)
			u = unspelt_block(&m->after[i], d);
		if (!u)
			u = unspelt_block(&m->at_start, d);
		if (!u)
			u = unspelt_block(&m->at_end, d);
		if (!u)
			u = unspelt_block(&m->recheck, d);
	}
	for (int i = 0; i < r->nschemas && !u; i++) {
		u = unspelt_sql(r->schemas[i].add, d);
		if (!u)
			u = unspelt_sql(r->schemas[i].drop, d);
	}
	if (!u)
		return 0;
	return rb_err_input(e,
			    "%s:%d:%d: statement %s has no spelling for %s, which this run uses "
			    "(give it %s { ... }, or one spelling for every database before the "
			    "first dialect)",
			    r->file, u->line, u->col, u->name, dialect_name(d), dialect_name(d));
}

struct race *race_parse(const char *text, size_t len, const char *file, struct rb_err *e)
{
	struct parser ps = { 0 };
	struct race *r = xcalloc(1, sizeof(*r));
	int seen_race = 0;

	ps.text = ps.p = ps.line_start = text;
	ps.end = text + len;
	ps.file = file;
	ps.line = 1;
	ps.r = r;
	ps.e = e;
	r->file = rstrdup(r, file);
	for (int i = 0; i < RV__BUILTIN; i++) {
		str_copy(r->vars[i], builtin_vars[i], sizeof(r->vars[0]));
		ps.declared[i] = 1;
	}
	r->nvars = RV__BUILTIN;
	/* Binary junk is refused where it starts: the first NUL or control byte. */
	for (size_t i = 0, line = 1, col = 1; i < len; i++, col++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			line++;
			col = 0;
		} else if (ch == 0 || ((ch < 0x20 || ch == 0x7f) && ch != '\t' && ch != '\r')) {
			if (ch == 0)
				perr_at(&ps, (int)line, (int)col, "a NUL byte: not a text file");
			else
				perr_at(&ps, (int)line, (int)col,
					"a control character (byte 0x%02x): not a text file", ch);
			goto fail;
		}
	}
	if (next(&ps) < 0)
		goto fail;
	if (ps.t == T_EOF) {
		perr_at(&ps, 1, 1, "an empty file: expected 'race NAME' and the race's blocks");
		goto fail;
	}
	while (ps.t != T_EOF)
		if (parse_decl(&ps, &seen_race) < 0)
			goto fail;
	if (finish(&ps) < 0)
		goto fail;
	free(ps.refs);
	return r;
fail:
	free(ps.refs);
	race_free(r);
	return NULL;
}

struct race *race_load(const char *path, struct rb_err *e)
{
	char *text;
	size_t len;
	struct race *r;

	if (read_text_file("race file", path, RACE_FILE_LIMIT, &text, &len, e) < 0)
		return NULL;
	r = race_parse(text, len, path, e);
	free(text);
	return r;
}

/* common.c: what every driver shares: isolation names, helpers, registry. */
#define _POSIX_C_SOURCE 200809L
#include "driver.h"

#include <ctype.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const dialect_names[DIALECT__COUNT] = { "pg", "mysql" };

const char *dialect_name(enum dialect d)
{
	return (unsigned)d < DIALECT__COUNT ? dialect_names[d] : "?";
}

int dialect_parse(const char *name)
{
	for (int d = 0; d < DIALECT__COUNT; d++)
		if (!strcmp(name, dialect_names[d]))
			return d;
	return -1;
}

long long db_int(struct db_conn *c, int row, int col, long long dflt)
{
	const char *v;

	if (row >= db_rows(c))
		return dflt;
	v = db_value(c, row, col);
	return v ? strtoll(v, NULL, 10) : dflt;
}

/* Fills tmpl's %S with schema and %T with mark into out. */
static void schema_fill(const char *tmpl, const char *schema, const char *mark, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = tmpl; *p && o + 1 < n; p++) {
		const char *v = NULL;

		if (p[0] == '%' && p[1] == 'S')
			v = schema;
		else if (p[0] == '%' && p[1] == 'T')
			v = mark;
		if (!v) {
			out[o++] = *p;
			continue;
		}
		o += (size_t)snprintf(out + o, n - o, "%s", v);
		if (o >= n)
			o = n - 1;
		p++;
	}
	out[o] = '\0';
}

/*
 * Whether schema exists, and whether it carries racebench's mark on both
 * sides (see struct schema_sql).
 */
static int schema_state(struct db_conn *c, const char *schema, const struct schema_sql *q,
			int *exists, int *ours, struct rb_err *e)
{
	struct db_param p[3] = { P_TEXT(schema), P_TEXT(schema), P_TEXT(schema) };
	const char *own, *table;
	char prefix[96];

	if (db_query(c, &q->state, p, 3, e) < 0)
		return -1;
	*exists = db_int(c, 0, 0, 0) > 0;
	own = db_value(c, 0, 1);
	table = db_value(c, 0, 2);
	snprintf(prefix, sizeof(prefix), "racebench:%s:", schema);
	*ours = *exists && own && table && !strncmp(own, prefix, strlen(prefix)) &&
		strlen(own) > strlen(prefix) && !strcmp(own, table);
	return 0;
}

/* A mark no one else's schema carries: this schema's name and a random token. */
static void schema_mark(const char *schema, char *out, size_t n)
{
	unsigned char b[12] = { 0 };
	char hex[25];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof(b), f) : 0;

	if (f)
		fclose(f);
	if (got < sizeof(b)) {
		/* No /dev/urandom: the clock and the pid, still unique enough per run. */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)clock();

		memcpy(b, &t, sizeof(t));
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	snprintf(out, n, "racebench:%s:%s", schema, hex);
}

/*
 * Drops and recreates the schema when its mark says racebench made it;
 * refuses one of that name without the mark unless forced.
 */
int db_schema_create(struct db_conn *c, const char *schema, int force, const struct schema_sql *q,
		     struct rb_err *e)
{
	char sql[2048], mark[128];
	int exists, ours;

	if (schema_state(c, schema, q, &exists, &ours, e) < 0)
		return -1;
	if (exists && !ours && !force)
		return rb_err_input(
			e,
			"%s \"%s\" exists and was not created by racebench; "
			"use --schema NAME for another one, or --force-schema to drop it",
			q->kind, schema);
	if (exists) {
		schema_fill(q->drop, schema, "", sql, sizeof(sql));
		if (db_exec(c, sql, e) < 0)
			return -1;
	}
	schema_mark(schema, mark, sizeof(mark));
	schema_fill(q->make, schema, mark, sql, sizeof(sql));
	return db_exec(c, sql, e);
}

/* Drops the schema only when it is there and carries racebench's mark. */
int db_schema_drop(struct db_conn *c, const char *schema, const struct schema_sql *q,
		   struct rb_err *e)
{
	char sql[256];
	int exists, ours;

	if (schema_state(c, schema, q, &exists, &ours, e) < 0)
		return -1;
	if (!exists || !ours)
		return 0;
	schema_fill(q->drop, schema, "", sql, sizeof(sql));
	return db_exec(c, sql, e);
}

static int name_in(const char *const *globs, const char *name)
{
	for (int i = 0; globs && globs[i]; i++)
		if (fnmatch(globs[i], name, 0) == 0)
			return 1;
	return 0;
}

int db_schema_allowed(const struct driver *d, const char *dsn, const char *schema, int force,
		      struct rb_err *e)
{
	char db[256] = "";

	if (name_in(d->reserved, schema))
		return rb_err_input(e,
				    "--schema: '%s' belongs to %s itself; racebench never creates "
				    "or drops it, --force-schema or not (choose another name)",
				    schema, d->product);
	if (dsn && d->xDsnDatabase)
		d->xDsnDatabase(dsn, db, sizeof(db));
	if (*db && !strcmp(db, schema))
		return rb_err_input(e,
				    "--schema: '%s' is the database your %s connection string "
				    "names; racebench never creates or drops it, --force-schema or "
				    "not (choose another name)",
				    schema, d->option);
	if (name_in(d->shared, schema) && force < 2)
		return rb_err_input(e,
				    "--schema: '%s' is where %s applications keep their tables; "
				    "racebench would drop it with everything in it at the end: "
				    "give --force-schema twice if that is really what you want",
				    schema, d->product);
	return 0;
}

/* ---- the watched sockets ---- */

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn_watch *watched;
static _Atomic unsigned long long watch_bound;

void conn_watch_bound(unsigned long long ns)
{
	atomic_store(&watch_bound, ns);
}

unsigned long long conn_watch_bounded(void)
{
	return atomic_load(&watch_bound);
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

void conn_watch(struct conn_watch *w, int fd)
{
	pthread_mutex_lock(&watch_mu);
	w->fd = fd;
	atomic_store(&w->busy, 0);
	atomic_store(&w->cut, 0);
	w->prev = NULL;
	w->next = watched;
	if (watched)
		watched->prev = w;
	watched = w;
	pthread_mutex_unlock(&watch_mu);
}

void conn_unwatch(struct conn_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&watch_mu);
	if (w->prev || watched == w) {
		if (w->prev)
			w->prev->next = w->next;
		else
			watched = w->next;
		if (w->next)
			w->next->prev = w->prev;
	}
	w->prev = w->next = NULL;
	w->fd = -1;
	pthread_mutex_unlock(&watch_mu);
}

void conn_busy(struct conn_watch *w)
{
	atomic_store_explicit(&w->busy, mono_ns(), memory_order_relaxed);
}

void conn_idle(struct conn_watch *w)
{
	atomic_store_explicit(&w->busy, 0, memory_order_relaxed);
}

int conn_cut_busy(unsigned long long older_ns)
{
	unsigned long long now = mono_ns();
	int n = 0;

	pthread_mutex_lock(&watch_mu);
	for (struct conn_watch *w = watched; w; w = w->next) {
		unsigned long long since = atomic_load_explicit(&w->busy, memory_order_relaxed);

		/* A call that began after now was read is young, not 2^64 ns old. */
		if (w->fd >= 0 && since && since < now && now - since > older_ns) {
			atomic_store(&w->cut, 1);
			shutdown(w->fd, SHUT_RDWR);
			n++;
		}
	}
	pthread_mutex_unlock(&watch_mu);
	return n;
}

void conn_cut_error(struct conn_watch *w, struct rb_err *e)
{
	if (atomic_load(&w->cut))
		rb_err_set(e, RB_CLS_CONNECTION, NULL, 0,
			   "no answer from the server in time: racebench cut the connection "
			   "(a stop signal, or --statement-timeout)");
}

const char *db_stmt_sql(const struct db_stmt *st, enum dialect d)
{
	return st->sql[d] ? st->sql[d] : st->sql[DIALECT_PG];
}

/* Whether w (of length n) is a word of sql at p: no letter, digit or _ on either side. */
static int word_at(const char *sql, const char *p, const char *w)
{
	size_t n = strlen(w);

	if (strncasecmp(p, w, n))
		return 0;
	if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return 0;
	return !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

int sql_plain_read(const char *sql)
{
	const char *p = sql;
	char quote = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '(')
		p++;
	if (!word_at(sql, p, "SELECT"))
		return 0;
	for (; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
			continue;
		}
		/* FOR UPDATE, FOR SHARE, FOR NO KEY UPDATE, FOR KEY SHARE; INTO: a write */
		if (word_at(sql, p, "FOR") || word_at(sql, p, "INTO"))
			return 0;
	}
	return 1;
}

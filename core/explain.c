/*
 * explain.c: explain mode: a race played step by step, the way PostgreSQL's
 * isolationtester plays a permutation, and what each session saw.
 *
 * The sessions are the clients of an ordinary pool running the scenario's
 * real operation; nothing here knows a scenario's SQL. They talk to the
 * database through a wrapping driver (and the Redis lock service through a
 * wrapping lock service) whose every statement is a gate: the session's
 * thread blocks there until the scheduler lets it send that statement, so
 * a session never runs ahead, and a statement that blocks on a lock blocks
 * only its own thread. The operation's pause points (think, tail, retry)
 * are gates too. The scheduler (the main thread, inside pool_run_trial)
 * walks the schedule: it grants a session statement after statement until
 * the point a step names; a statement that does not complete is looked at
 * from a control connection (xWaiting: is that session waiting for a
 * lock?), reported "waiting..." and left behind, and after every statement
 * the waiting ones are looked at again and reported "...completed" right
 * after the step that released them. The event list it writes holds no
 * times and no server ids, so a schedule tells the same story every run.
 */
#define _POSIX_C_SOURCE 200809L
#include "explain.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "util.h"

#define POLL_NS	       2000000ull     /* how often the scheduler looks again */
#define PROBE_AFTER_NS 5000000ull     /* a statement this old: is it waiting? */
#define STUCK_NS       60000000000ull /* a session that long without progress */
#define SHORT_LEASE_MS 1000	      /* a Redis lease explain lets run out at think */

enum gate_kind {
	G_NONE,
	G_START,
	G_STMT,
	G_PAUSE
};

/* How a session's last transaction ended, for its EXE_END line. */
enum txn {
	TXN_NONE,
	TXN_OPEN,
	TXN_COMMITTED,
	TXN_ROLLED_BACK,
	TXN_COMMIT_FAILED
};

/* One session: a pool client and where it stands. All under ctx->mu. */
struct ex_sess {
	int client;
	int bound; /* its thread is known ("start" came) */
	pthread_t thread;
	long long sid; /* the server's id for its connection */

	/* The gate it waits at; G_NONE when it is not waiting for a grant. */
	enum gate_kind gk;
	const char *pause; /* G_PAUSE: think, tail, retry */
	char *text;	   /* G_STMT: the statement, parameters inline */
	int lock;	   /* G_STMT: 1 advisory lock, 2 Redis lock */
	int granted;
	int recorded; /* G_PAUSE: its event is in the list */
	int held;     /* G_PAUSE: a step of the schedule ended here */

	/* The statement it was let through with. */
	int in_stmt, done, waiting, redis_wait;
	char *cur;
	int cur_lock;
	int stmt_no;
	uint64_t sent_ns;
	char *result;
	int failed;
	struct rb_err err;
	char wait_lock[128]; /* redis_wait: the lock's name */

	/* A Redis grant it holds (for "is the waiter still blocked?"). */
	int holds, lapsed;
	char hold_name[128];
	int hold_ttl_ms;
	uint64_t hold_ns;

	int ended, end_recorded;
	enum txn txn;
	int retries;
	uint64_t progress_ns; /* when it last moved (stuck detection) */
};

struct ex_ctx {
	pthread_mutex_t mu;
	pthread_cond_t sched_cv; /* sessions -> scheduler */
	pthread_cond_t sess_cv;	 /* scheduler -> sessions */
	const struct driver *real;
	struct driver drv; /* the wrapping driver the pool uses */
	const struct lock_service *real_locks;
	struct lock_service locks; /* the wrapping lock service */
	struct db_conn *ctl;	   /* the control connection */
	const struct ex_schedule *sched;
	const atomic_int *stop;
	int n;
	struct ex_sess s[EX_MAX_SESSIONS];
	struct explain_result *out;
	uint64_t deadlock_ns; /* how long the server takes to find a deadlock */
	int free_run;	      /* gates open: after a failure, let all finish */
	char fatal[256];
};

/* A connection of the wrapping driver: the real one inside. */
struct xconn {
	struct db_conn base; /* must be first */
	struct db_conn *real;
	struct ex_ctx *ctx;
	long long sid;
};

/* A connection of the wrapping lock service. */
struct xlock {
	struct lock_conn *real;
	struct ex_ctx *ctx;
};

void explain_knobs(struct sc_params *p, int sessions)
{
	memset(p, 0, sizeof(*p));
	p->clients = sessions;
	p->keys = 1;
	p->quantity = 1; /* one coupon left: two users want it */
	p->balance = 50; /* money for one purchase of 30, not for two */
	p->price = 30;
	p->amount = 100;
	p->think_us = 0; /* think and tail are gates, they take no time */
}

/* ---- text of statements and results -------------------------------------- */

static int word_at(const char *s, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(s, w, n) && !isalnum((unsigned char)s[n]) && s[n] != '_';
}

/*
 * The statement with its parameters inline ('?' outside quotes becomes the
 * value, text quoted), so a reader sees what the server ran.
 */
static void sql_inline(const char *sql, const struct db_param *p, int n, char *out, size_t cap)
{
	size_t o = 0;
	int k = 0, quote = 0;

	for (; *sql && o + 1 < cap; sql++) {
		if (*sql == '\'')
			quote = !quote;
		if (*sql != '?' || quote || k >= n) {
			out[o++] = *sql;
			continue;
		}
		if (p[k].s) {
			out[o++] = '\'';
			for (const char *v = p[k].s; *v && o + 2 < cap; v++) {
				if (*v == '\'')
					out[o++] = '\'';
				out[o++] = *v;
			}
			if (o + 1 < cap)
				out[o++] = '\'';
		} else {
			o += (size_t)snprintf(out + o, cap - o, "%lld", p[k].i);
			if (o >= cap)
				o = cap - 1;
		}
		k++;
	}
	out[o] = '\0';
}

/* Drivers do not say how many columns a result has (NULL looks like none). */
int explain_sql_columns(const char *sql)
{
	const char *p = sql, *start = NULL;
	int depth = 0, quote = 0, cols = 1;

	while (isspace((unsigned char)*p))
		p++;
	if (word_at(p, "SELECT"))
		start = p + 6;
	for (const char *q = p; *q && !start; q++) {
		if (*q == '\'')
			quote = !quote;
		else if (*q == '(')
			depth++;
		else if (*q == ')')
			depth--;
		else if (!quote && !depth && (q == p || isspace((unsigned char)q[-1])) &&
			 word_at(q, "RETURNING"))
			start = q + 9;
	}
	if (!start)
		return 0;
	depth = quote = 0;
	for (const char *q = start; *q; q++) {
		if (*q == '\'')
			quote = !quote;
		if (quote)
			continue;
		if (*q == '(')
			depth++;
		else if (*q == ')')
			depth--;
		else if (!depth && *q == ',')
			cols++;
		else if (!depth && isspace((unsigned char)q[-1]) && word_at(q, "FROM"))
			break;
	}
	return cols;
}

static int is_dml(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return word_at(sql, "INSERT") || word_at(sql, "UPDATE") || word_at(sql, "DELETE");
}

/* Appends one value, cut short when long. */
static size_t put_value(char *out, size_t o, size_t cap, const char *v)
{
	size_t len;

	if (!v)
		v = "NULL";
	len = strlen(v);
	if (len > 32)
		return o + (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%.29s...", v);
	return o + (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s", v);
}

/* "0 rows", "1 row: 7 | PENDING", "2 rows: 1 | a; 2 | b", "1 row affected". */
static void describe(struct db_conn *c, const char *sql, char *out, size_t cap)
{
	int cols = explain_sql_columns(sql), rows = cols ? db_rows(c) : 0;
	size_t o = 0;

	out[0] = '\0';
	if (is_dml(sql)) {
		long long a = db_affected(c);

		o = (size_t)snprintf(out, cap, "%lld row%s affected", a, a == 1 ? "" : "s");
		if (cols && rows)
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, ", returning ");
	} else if (cols) {
		o = (size_t)snprintf(out, cap, "%d row%s%s", rows, rows == 1 ? "" : "s",
				     rows ? ": " : "");
	} else {
		snprintf(out, cap, "ok");
		return;
	}
	for (int r = 0; r < rows && r < 3 && o < cap; r++) {
		if (r)
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "; ");
		for (int k = 0; k < cols && o < cap; k++) {
			if (k)
				o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, " | ");
			o = put_value(out, o, cap, db_value(c, r, k));
		}
	}
	if (rows > 3 && o < cap)
		snprintf(out + o, cap - o, "; ...");
}

/* ---- the session side: gates --------------------------------------------- */

static void lock_ctx(struct ex_ctx *x)
{
	pthread_mutex_lock(&x->mu);
}

static void unlock_ctx(struct ex_ctx *x)
{
	pthread_mutex_unlock(&x->mu);
}

/* The session running on this thread (mu held), or NULL. */
static struct ex_sess *sess_self_locked(struct ex_ctx *x)
{
	pthread_t me = pthread_self();

	for (int i = 0; i < x->n; i++)
		if (x->s[i].bound && pthread_equal(x->s[i].thread, me))
			return &x->s[i];
	return NULL;
}

/*
 * Blocks this session's thread at a gate until the scheduler lets it pass.
 * Returns 1 when it passed under the scheduler's eye (a statement must
 * then report its end), 0 when ungated (no session here, or a free run).
 */
static int gate_wait(struct ex_ctx *x, enum gate_kind k, const char *pause, const char *text,
		     int lock, const struct xconn *w)
{
	struct ex_sess *s;
	int granted;

	lock_ctx(x);
	s = sess_self_locked(x);
	if (!s || x->free_run) {
		unlock_ctx(x);
		return 0;
	}
	if (w)
		s->sid = w->sid;
	free(s->text);
	s->text = text ? xstrdup(text) : NULL;
	s->gk = k;
	s->pause = pause;
	s->lock = lock;
	s->granted = 0;
	s->recorded = 0;
	s->held = 0;
	s->progress_ns = now_ns();
	pthread_cond_broadcast(&x->sched_cv);
	while (!s->granted && !x->free_run)
		pthread_cond_wait(&x->sess_cv, &x->mu);
	granted = s->granted;
	if (!granted)
		s->gk = G_NONE;
	unlock_ctx(x);
	return granted;
}

/* Reports the end of a statement the scheduler let through. */
static void stmt_done(struct ex_ctx *x, int rc, const char *result, const struct rb_err *e,
		      enum txn txn)
{
	struct ex_sess *s;

	lock_ctx(x);
	s = sess_self_locked(x);
	if (s && s->in_stmt && !s->done) {
		free(s->result);
		s->result = xstrdup(rc < 0 ? "" : result);
		s->failed = rc < 0;
		if (rc < 0)
			s->err = *e;
		if (txn != TXN_NONE)
			s->txn = txn;
		s->done = 1;
		s->redis_wait = 0;
		s->progress_ns = now_ns();
		pthread_cond_broadcast(&x->sched_cv);
	}
	unlock_ctx(x);
}

static struct xconn *xc(struct db_conn *c)
{
	return (struct xconn *)c;
}

static struct db_conn *rc_of(struct db_conn *c)
{
	return xc(c)->real;
}

static int w_connect(const struct db_opts *o, struct db_conn **out, struct rb_err *e)
{
	struct ex_ctx *x = o->wrap;
	struct db_opts ro = *o;
	struct db_conn *real = NULL;
	struct xconn *w;

	*out = NULL;
	ro.wrap = NULL;
	if (x->real->xConnect(&ro, &real, e) < 0)
		return -1;
	w = xcalloc(1, sizeof(*w));
	w->base.drv = &x->drv;
	w->real = real;
	w->ctx = x;
	w->sid = x->real->xSessionId ? x->real->xSessionId(real) : 0;
	*out = &w->base;
	return 0;
}

static void w_close(struct db_conn *c)
{
	if (!c)
		return;
	xc(c)->ctx->real->xClose(rc_of(c));
	free(c);
}

static int w_broken(struct db_conn *c)
{
	return xc(c)->ctx->real->xBroken(rc_of(c));
}

static int w_schema_create(struct db_conn *c, const char *schema, int force, struct rb_err *e)
{
	return xc(c)->ctx->real->xSchemaCreate(rc_of(c), schema, force, e);
}

static int w_schema_drop(struct db_conn *c, const char *schema, struct rb_err *e)
{
	return xc(c)->ctx->real->xSchemaDrop(rc_of(c), schema, e);
}

/* A statement through its gate: text for the timeline, then the real call. */
static int gated(struct db_conn *c, const char *text, int lock, enum txn ok, enum txn bad,
		 int (*call)(struct db_conn *real, const void *a, struct rb_err *e),
		 const void *arg, const char *sql_for_result, struct rb_err *e)
{
	struct xconn *w = xc(c);
	char res[512];
	int through = gate_wait(w->ctx, G_STMT, NULL, text, lock, w);
	int rc = call(w->real, arg, e);

	if (through) {
		if (rc < 0)
			res[0] = '\0';
		else if (sql_for_result)
			describe(w->real, sql_for_result, res, sizeof(res));
		else
			snprintf(res, sizeof(res), "%s", lock ? "granted" : "ok");
		stmt_done(w->ctx, rc, res, e, rc < 0 ? bad : ok);
	}
	return rc;
}

static int call_exec(struct db_conn *real, const void *a, struct rb_err *e)
{
	return real->drv->xExec(real, a, e);
}

static int w_exec(struct db_conn *c, const char *sql, struct rb_err *e)
{
	return gated(c, sql, 0, TXN_NONE, TXN_NONE, call_exec, sql, sql, e);
}

static int call_begin(struct db_conn *real, const void *a, struct rb_err *e)
{
	return real->drv->xBegin(real, *(const enum rb_iso *)a, e);
}

static int w_begin(struct db_conn *c, enum rb_iso iso, struct rb_err *e)
{
	char text[128];

	/* The MySQL driver sets the session's level once, then starts each one. */
	if (c->drv->dialect == DIALECT_MYSQL)
		snprintf(text, sizeof(text), "START TRANSACTION (%s)", rb_iso_sql(iso));
	else
		snprintf(text, sizeof(text), "BEGIN ISOLATION LEVEL %s", rb_iso_sql(iso));
	return gated(c, text, 0, TXN_OPEN, TXN_NONE, call_begin, &iso, NULL, e);
}

static int call_commit(struct db_conn *real, const void *a, struct rb_err *e)
{
	(void)a;
	return real->drv->xCommit(real, e);
}

static int w_commit(struct db_conn *c, struct rb_err *e)
{
	return gated(c, "COMMIT", 0, TXN_COMMITTED, TXN_COMMIT_FAILED, call_commit, NULL, NULL, e);
}

static int call_rollback(struct db_conn *real, const void *a, struct rb_err *e)
{
	(void)a;
	return real->drv->xRollback(real, e);
}

static int w_rollback(struct db_conn *c, struct rb_err *e)
{
	return gated(c, "ROLLBACK", 0, TXN_ROLLED_BACK, TXN_ROLLED_BACK, call_rollback, NULL, NULL,
		     e);
}

struct query_args {
	const struct db_stmt *st;
	const struct db_param *p;
	int n;
};

static int call_query(struct db_conn *real, const void *a, struct rb_err *e)
{
	const struct query_args *q = a;

	return real->drv->xQuery(real, q->st, q->p, q->n, e);
}

static int w_query(struct db_conn *c, const struct db_stmt *st, const struct db_param *p, int n,
		   struct rb_err *e)
{
	struct query_args q = { st, p, n };
	const char *sql = db_stmt_sql(st, c->drv->dialect);
	char text[2048];

	sql_inline(sql, p, n, text, sizeof(text));
	return gated(c, text, 0, TXN_NONE, TXN_NONE, call_query, &q, sql, e);
}

static long long w_affected(struct db_conn *c)
{
	return db_affected(rc_of(c));
}

static int w_rows(struct db_conn *c)
{
	return db_rows(rc_of(c));
}

static const char *w_value(struct db_conn *c, int row, int col)
{
	return db_value(rc_of(c), row, col);
}

static int call_adv_lock(struct db_conn *real, const void *a, struct rb_err *e)
{
	return real->drv->xAdvisoryLock(real, *(const long long *)a, e);
}

static int call_adv_unlock(struct db_conn *real, const void *a, struct rb_err *e)
{
	return real->drv->xAdvisoryUnlock(real, *(const long long *)a, e);
}

static int w_adv_lock(struct db_conn *c, long long key, struct rb_err *e)
{
	char text[96];

	snprintf(text, sizeof(text),
		 c->drv->dialect == DIALECT_MYSQL ? "GET_LOCK(key %lld)"
						  : "pg_advisory_xact_lock(key %lld)",
		 key);
	return gated(c, text, 1, TXN_NONE, TXN_NONE, call_adv_lock, &key, NULL, e);
}

static int w_adv_unlock(struct db_conn *c, long long key, struct rb_err *e)
{
	char text[96];

	snprintf(text, sizeof(text), "RELEASE_LOCK(key %lld)", key);
	return gated(c, text, 0, TXN_NONE, TXN_NONE, call_adv_unlock, &key, NULL, e);
}

static int w_server_info(struct db_conn *c, struct server_info *out, struct rb_err *e)
{
	return xc(c)->ctx->real->xServerInfo(rc_of(c), out, e);
}

static long long w_session_id(struct db_conn *c)
{
	return xc(c)->sid;
}

/* ---- the lock service, wrapped ------------------------------------------- */

static struct xlock *xl(struct lock_conn *c)
{
	return (struct xlock *)(void *)c;
}

static int wl_connect(const struct lock_opts *o, struct lock_conn **out, struct rb_err *e)
{
	struct ex_ctx *x = o->wrap;
	struct lock_opts ro = *o;
	struct xlock *w = xcalloc(1, sizeof(*w));

	ro.wrap = NULL;
	*out = NULL;
	if (x->real_locks->xConnect(&ro, &w->real, e) < 0) {
		free(w);
		return -1;
	}
	w->ctx = x;
	*out = (struct lock_conn *)(void *)w;
	return 0;
}

static void wl_close(struct lock_conn *c)
{
	if (!c)
		return;
	xl(c)->ctx->real_locks->xClose(xl(c)->real);
	free(xl(c));
}

/*
 * One try first: when the lock is taken, the session is marked waiting
 * for it (no server can tell us that about Redis), then it waits as the
 * harness asked.
 */
static int wl_acquire(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms, int fence,
		      struct lock_grant *g, struct rb_err *e)
{
	struct xlock *w = xl(c);
	struct ex_ctx *x = w->ctx;
	const struct lock_service *ls = x->real_locks;
	char text[256], res[96];
	int through, rc;

	snprintf(text, sizeof(text), "Redis lock %s (SET NX, lease %d ms)", name, ttl_ms);
	through = gate_wait(x, G_STMT, NULL, text, 2, NULL);
	rc = ls->xAcquire(w->real, name, ttl_ms, 0, fence, g, e);
	if (rc == 0 && wait_ms > 0) {
		struct ex_sess *s;

		lock_ctx(x);
		s = sess_self_locked(x);
		if (through && s) {
			s->redis_wait = 1;
			str_copy(s->wait_lock, name, sizeof(s->wait_lock));
			pthread_cond_broadcast(&x->sched_cv);
		}
		unlock_ctx(x);
		rc = ls->xAcquire(w->real, name, ttl_ms, wait_ms, fence, g, e);
	}
	if (!through)
		return rc;
	if (rc == 1) {
		struct ex_sess *s;

		lock_ctx(x);
		s = sess_self_locked(x);
		if (s) {
			s->holds = 1;
			s->lapsed = 0;
			str_copy(s->hold_name, name, sizeof(s->hold_name));
			s->hold_ttl_ms = ttl_ms;
			s->hold_ns = now_ns();
		}
		unlock_ctx(x);
		if (fence)
			snprintf(res, sizeof(res), "granted, fencing token %lld", g->fence);
		else
			snprintf(res, sizeof(res), "granted");
	} else {
		snprintf(res, sizeof(res), "not granted within %d ms", wait_ms);
	}
	stmt_done(x, rc < 0 ? -1 : 0, res, e, TXN_NONE);
	return rc;
}

static int wl_release(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e)
{
	struct xlock *w = xl(c);
	struct ex_ctx *x = w->ctx;
	struct ex_sess *s;
	char text[256], name[128] = "";
	int through, rc;

	lock_ctx(x);
	s = sess_self_locked(x);
	if (s && s->holds)
		str_copy(name, s->hold_name, sizeof(name));
	unlock_ctx(x);
	snprintf(text, sizeof(text), "Redis unlock %s (compare token, delete)", *name ? name : "?");
	through = gate_wait(x, G_STMT, NULL, text, 0, NULL);
	rc = x->real_locks->xRelease(w->real, g, e);
	if (!through)
		return rc;
	lock_ctx(x);
	s = sess_self_locked(x);
	if (s)
		s->holds = 0;
	unlock_ctx(x);
	stmt_done(x, rc < 0 ? -1 : 0,
		  rc == 1 ? "released" : "nothing released: the lease had run out", e, TXN_NONE);
	return rc;
}

static int wl_clear(struct lock_conn *c, struct rb_err *e)
{
	return xl(c)->ctx->real_locks->xClear(xl(c)->real, e);
}

static int wl_server_info(struct lock_conn *c, struct server_info *out, struct rb_err *e)
{
	return xl(c)->ctx->real_locks->xServerInfo(xl(c)->real, out, e);
}

/* The harness's pause points: start and end bind and free, the others gate. */
static void ex_pause(const struct op_ctx *o, const char *point, void *arg)
{
	static const char *const pauses[] = { "think", "tail", "retry" };
	struct ex_ctx *x = arg;
	struct ex_sess *s;

	if (!strcmp(point, "start")) {
		lock_ctx(x);
		for (int i = 0; i < x->n; i++) {
			if (x->s[i].client == o->client) {
				x->s[i].bound = 1;
				x->s[i].thread = pthread_self();
			}
		}
		unlock_ctx(x);
		gate_wait(x, G_START, NULL, NULL, 0, NULL);
		return;
	}
	if (!strcmp(point, "end")) {
		lock_ctx(x);
		s = sess_self_locked(x);
		if (s) {
			s->ended = 1;
			s->progress_ns = now_ns();
			pthread_cond_broadcast(&x->sched_cv);
		}
		unlock_ctx(x);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(pauses); i++) {
		if (strcmp(point, pauses[i]))
			continue;
		if (i == 2) {
			lock_ctx(x);
			s = sess_self_locked(x);
			if (s)
				s->retries++;
			unlock_ctx(x);
		}
		gate_wait(x, G_PAUSE, pauses[i], NULL, 0, NULL);
	}
}

/* ---- the scheduler -------------------------------------------------------- */

static const char *sname(const struct ex_ctx *x, int i)
{
	return x->sched->sess[i].name;
}

static int ev_add(struct ex_ctx *x, enum ex_kind k, int sess)
{
	struct explain_result *r = x->out;
	struct ex_event *e;

	if (r->nevents == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->ev = xrealloc(r->ev, (size_t)r->cap * sizeof(*r->ev));
	}
	e = &r->ev[r->nevents];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->session = sess;
	e->waker = -1;
	return r->nevents++;
}

static void note(struct ex_ctx *x, int sess, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct ex_ctx *x, int sess, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	i = ev_add(x, EXE_NOTE, sess);
	x->out->ev[i].text = xstrdup(buf);
}

static void fatal(struct ex_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fatal(struct ex_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->fatal[0])
		return;
	va_start(ap, fmt);
	vsnprintf(x->fatal, sizeof(x->fatal), fmt, ap);
	va_end(ap);
}

static int gone_wrong(struct ex_ctx *x)
{
	if (!x->fatal[0] && x->stop && atomic_load(x->stop))
		fatal(x, "interrupted");
	return x->fatal[0] != 0;
}

/* Lets the sessions run for a little while (mu is released meanwhile). */
static void wait_a_while(struct ex_ctx *x)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)POLL_NS;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&x->sched_cv, &x->mu, &ts);
}

/* A session that has not moved for a long time ends the play. */
static int stuck(struct ex_ctx *x, int i, const char *doing)
{
	if (gone_wrong(x))
		return 1;
	if (now_ns() - x->s[i].progress_ns < STUCK_NS)
		return 0;
	fatal(x, "session %s made no progress for %llu s (%s)", sname(x, i),
	      STUCK_NS / 1000000000ull, doing);
	return 1;
}

static void grant(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];

	if (s->gk == G_STMT) {
		free(s->cur);
		s->cur = s->text;
		s->text = NULL;
		s->cur_lock = s->lock;
		s->in_stmt = 1;
		s->done = 0;
		s->redis_wait = 0;
		s->stmt_no++;
		s->sent_ns = now_ns();
	}
	s->gk = G_NONE;
	s->granted = 1;
	s->progress_ns = now_ns();
	pthread_cond_broadcast(&x->sess_cv);
}

/* Asks the server whether session i waits for a lock: 1, 0, or -1 (fatal set). */
static int probe(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];
	long long sid = s->sid;
	struct rb_err e;
	int r;

	if (!x->real->xWaiting) /* no way to ask: a long statement counts as waiting */
		return now_ns() - s->sent_ns > 200000000ull;
	unlock_ctx(x);
	r = x->real->xWaiting(x->ctl, sid, &e);
	lock_ctx(x);
	if (r < 0)
		fatal(x, "asking the server whether session %s waits for a lock: %s", sname(x, i),
		      e.msg);
	return r;
}

/* Whether the Redis lock session i waits for is held by another session. */
static int redis_held(const struct ex_ctx *x, int i)
{
	uint64_t now = now_ns();

	for (int j = 0; j < x->n; j++) {
		const struct ex_sess *h = &x->s[j];

		if (j != i && h->holds && !strcmp(h->hold_name, x->s[i].wait_lock) &&
		    now < h->hold_ns + (uint64_t)h->hold_ttl_ms * 1000000u)
			return 1;
	}
	return 0;
}

/* Moves session i's finished statement into the list as kind k. */
static int record_stmt(struct ex_ctx *x, int i, enum ex_kind k, int waker)
{
	struct ex_sess *s = &x->s[i];
	int idx = ev_add(x, k, i);
	struct ex_event *e = &x->out->ev[idx];

	e->step = s->stmt_no;
	e->text = xstrdup(s->cur ? s->cur : "");
	e->lock = s->cur_lock;
	e->waker = waker;
	if (k != EXE_WAIT) {
		if (s->failed) {
			e->failed = 1;
			e->cls = s->err.cls == RB_CLS_NONE ? RB_CLS_OTHER : s->err.cls;
			if (s->err.native)
				snprintf(e->code, sizeof(e->code), "%d", s->err.native);
			else
				str_copy(e->code, s->err.sqlstate, sizeof(e->code));
			e->msg = xstrdup(s->err.msg);
		} else {
			e->result = xstrdup(s->result ? s->result : "");
		}
		free(s->result);
		s->result = NULL;
		s->in_stmt = 0;
		s->done = 0;
		s->waiting = 0;
	}
	return idx;
}

/*
 * A waiting session after a step: completed (1), still waiting (0), or
 * running on towards one of those, which is waited for, so what is
 * reported does not depend on timing.
 */
static int settle_one(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];

	for (;;) {
		if (s->done)
			return 1;
		if (s->redis_wait ? redis_held(x, i) : probe(x, i) != 0)
			return 0;
		if (stuck(x, i, "finishing a statement after its lock was released"))
			return 0;
		wait_a_while(x);
	}
}

/*
 * After a step (event waker): the waiting sessions that completed are
 * reported, failures first, since a failure ends its transaction and may
 * be what released the others (their waker, then). Looks again until no
 * more complete.
 */
static void settle_all(struct ex_ctx *x, int except, int waker)
{
	while (!gone_wrong(x)) {
		int done[EX_MAX_SESSIONS] = { 0 }, any = 0, first = -1;

		for (int i = 0; i < x->n && !gone_wrong(x); i++) {
			if (i != except && x->s[i].waiting) {
				done[i] = settle_one(x, i);
				any |= done[i];
			}
		}
		if (!any || gone_wrong(x))
			return;
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < x->n; i++) {
				if (!done[i] || x->s[i].failed != !pass)
					continue;
				if (pass == 0 && first < 0)
					first = record_stmt(x, i, EXE_DONE, waker);
				else
					record_stmt(x, i, EXE_DONE, first >= 0 ? first : waker);
			}
		}
	}
}

static int all_waiting(const struct ex_ctx *x)
{
	for (int i = 0; i < x->n; i++)
		if (!x->s[i].ended && !(x->s[i].waiting && !x->s[i].done))
			return 0;
	return 1;
}

/*
 * Waits up to limit_ns for the server to end one of the waits (a deadlock
 * found, a lock time-out), reports it, then looks at the others. Every
 * unfinished session waiting is a deadlock or a wait only a time-out ends:
 * then there is no limit but STUCK_NS.
 */
static void resolve(struct ex_ctx *x, int waker, uint64_t limit_ns)
{
	uint64_t t0 = now_ns();

	while (!gone_wrong(x)) {
		for (int i = 0; i < x->n; i++) {
			if (x->s[i].waiting && x->s[i].done) {
				settle_all(x, -1, waker);
				return;
			}
		}
		if (now_ns() - t0 > limit_ns) {
			if (limit_ns >= STUCK_NS)
				fatal(x, "every session waits for a lock and none was released");
			return;
		}
		wait_a_while(x);
	}
}

static int waiting_count(const struct ex_ctx *x)
{
	int n = 0;

	for (int i = 0; i < x->n; i++)
		n += x->s[i].waiting;
	return n;
}

/* Waits until statement of session i completes (0) or waits for a lock (1). */
static int await_stmt(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];

	while (!gone_wrong(x)) {
		if (s->done)
			return 0;
		if (s->redis_wait)
			return 1;
		if (now_ns() - s->sent_ns >= PROBE_AFTER_NS && probe(x, i) > 0)
			return s->done ? 0 : 1;
		if (s->done)
			return 0;
		if (stuck(x, i, "running a statement"))
			return -1;
		wait_a_while(x);
	}
	return -1;
}

static const char *txn_text(enum txn t)
{
	switch (t) {
	case TXN_COMMITTED: return "committed";
	case TXN_ROLLED_BACK: return "rolled back";
	case TXN_COMMIT_FAILED: return "COMMIT failed";
	case TXN_OPEN: return "left its transaction open";
	default: return "began no transaction";
	}
}

static void record_end(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];
	char buf[96];
	int idx;

	if (s->end_recorded)
		return;
	if (s->retries)
		snprintf(buf, sizeof(buf), "end: %s after %d retr%s", txn_text(s->txn), s->retries,
			 s->retries == 1 ? "y" : "ies");
	else
		snprintf(buf, sizeof(buf), "end: %s", txn_text(s->txn));
	idx = ev_add(x, EXE_END, i);
	x->out->ev[idx].text = xstrdup(buf);
	s->end_recorded = 1;
}

/* The pause event; a short Redis lease held here runs out first. */
static void record_pause(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];
	char buf[128];
	int idx;

	snprintf(buf, sizeof(buf), "%s", s->pause);
	if (s->holds && !s->lapsed && s->hold_ttl_ms <= SHORT_LEASE_MS) {
		/* What the think time does in a real run: outlast the lease. */
		uint64_t until = s->hold_ns + (uint64_t)s->hold_ttl_ms * 1000000u + 2000000u;

		while (now_ns() < until) {
			unlock_ctx(x);
			sleep_us((until - now_ns()) / 1000 + 1);
			lock_ctx(x);
		}
		s->lapsed = 1;
		snprintf(buf, sizeof(buf), "%s (meanwhile the %d ms Redis lease runs out)",
			 s->pause, s->hold_ttl_ms);
	}
	idx = ev_add(x, EXE_PAUSE, i);
	x->out->ev[idx].text = xstrdup(buf);
	s->recorded = 1;
}

/* Think and the stops that come after it (tail, retry) end a step to them. */
static int rank(const char *pause)
{
	return !strcmp(pause, "think") ? 1 : 2;
}

static int rank_of_point(enum ex_point p)
{
	return p == EX_THINK ? 1 : p == EX_TAIL ? 2 : 3;
}

/* Waiting statements that completed on their own (a time-out) are told first. */
static void sweep(struct ex_ctx *x)
{
	for (int i = 0; i < x->n; i++)
		if (x->s[i].waiting && x->s[i].done)
			record_stmt(x, i, EXE_DONE, -1);
}

/* Runs session i to point p (one schedule step). */
static void run_item(struct ex_ctx *x, int i, enum ex_point p)
{
	struct ex_sess *s = &x->s[i];
	int stmts = 0;

	sweep(x);
	if (s->ended)
		return;
	if (s->waiting) {
		note(x, i, "%s:%s skipped: %s is waiting for a lock (%s%d)", sname(x, i),
		     ex_point_name(p), sname(x, i), sname(x, i), s->stmt_no);
		return;
	}
	while (!gone_wrong(x)) {
		int r, ev;

		if (s->ended) {
			record_end(x, i);
			return;
		}
		if (s->gk == G_NONE) {
			if (stuck(x, i, "between two statements"))
				return;
			wait_a_while(x);
			continue;
		}
		if (s->gk == G_START) {
			grant(x, i);
			continue;
		}
		if (s->gk == G_PAUSE) {
			/* One statement is a step: the pause after it waits for the next. */
			if (p == EX_STEP && stmts == 1)
				return;
			if (!s->recorded)
				record_pause(x, i);
			if (p != EX_STEP && !s->held && rank(s->pause) >= rank_of_point(p)) {
				s->held = 1;
				return;
			}
			grant(x, i);
			continue;
		}
		if (p == EX_STEP && stmts == 1)
			return;
		grant(x, i);
		stmts++;
		r = await_stmt(x, i);
		if (r < 0)
			return;
		if (r == 0) {
			ev = record_stmt(x, i, EXE_STMT, -1);
			settle_all(x, i, ev);
			continue;
		}
		s->waiting = 1;
		ev = record_stmt(x, i, EXE_WAIT, -1);
		/*
		 * Two sessions waiting may be a deadlock: give the server the
		 * time it takes to find one before anyone moves on, so its
		 * verdict lands at the same place in every run.
		 */
		if (all_waiting(x))
			resolve(x, ev, STUCK_NS);
		else if (waiting_count(x) > 1)
			resolve(x, ev, x->deadlock_ns);
		return;
	}
}

/* pool_run_trial's during(): the whole play, on the main thread. */
static void ex_play(void *arg)
{
	struct ex_ctx *x = arg;

	lock_ctx(x);
	/* Everyone at the start line: a session is known only from there. */
	for (int i = 0; i < x->n && !gone_wrong(x); i++) {
		while (x->s[i].gk != G_START && !x->s[i].ended && !gone_wrong(x)) {
			if (now_ns() - x->s[i].progress_ns > STUCK_NS)
				fatal(x, "session %s did not start", sname(x, i));
			wait_a_while(x);
		}
	}
	for (int k = 0; k < x->sched->nitems && !gone_wrong(x); k++)
		run_item(x, x->sched->items[k].session, x->sched->items[k].point);
	/* Whatever the schedule left unfinished runs to its end, in order. */
	while (!gone_wrong(x)) {
		int open = 0, moved = 0;

		sweep(x);
		for (int i = 0; i < x->n && !gone_wrong(x); i++) {
			if (x->s[i].ended) {
				record_end(x, i);
				continue;
			}
			open = 1;
			if (!x->s[i].waiting) {
				run_item(x, i, EX_END);
				moved = 1;
			}
		}
		if (!open)
			break;
		if (!moved)
			resolve(x, -1, STUCK_NS);
	}
	if (x->fatal[0]) {
		x->free_run = 1;
		pthread_cond_broadcast(&x->sess_cv);
	}
	unlock_ctx(x);
}

/* ---- one run -------------------------------------------------------------- */

static void ctx_init(struct ex_ctx *x, const struct explain_cfg *cfg, struct explain_result *out)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&x->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->sched_cv, &ca);
	pthread_cond_init(&x->sess_cv, &ca);
	pthread_condattr_destroy(&ca);
	x->real = cfg->drv;
	x->drv = *cfg->drv;
	x->drv.xConnect = w_connect;
	x->drv.xClose = w_close;
	x->drv.xBroken = w_broken;
	x->drv.xSchemaCreate = w_schema_create;
	x->drv.xSchemaDrop = w_schema_drop;
	x->drv.xExec = w_exec;
	x->drv.xBegin = w_begin;
	x->drv.xCommit = w_commit;
	x->drv.xRollback = w_rollback;
	x->drv.xQuery = w_query;
	x->drv.xAffected = w_affected;
	x->drv.xRows = w_rows;
	x->drv.xValue = w_value;
	x->drv.xAdvisoryLock = cfg->drv->xAdvisoryLock ? w_adv_lock : NULL;
	x->drv.xAdvisoryUnlock = cfg->drv->xAdvisoryUnlock ? w_adv_unlock : NULL;
	x->drv.xServerInfo = w_server_info;
	x->drv.xSessionId = w_session_id;
	if (cfg->locks) {
		x->real_locks = cfg->locks;
		x->locks = *cfg->locks;
		x->locks.xConnect = wl_connect;
		x->locks.xClose = wl_close;
		x->locks.xAcquire = wl_acquire;
		x->locks.xRelease = wl_release;
		x->locks.xClear = wl_clear;
		x->locks.xServerInfo = wl_server_info;
	}
	x->sched = cfg->sched;
	x->n = cfg->sched->nsessions;
	x->out = out;
	for (int i = 0; i < x->n; i++) {
		x->s[i].client = cfg->sched->sess[i].client;
		x->s[i].progress_ns = now_ns();
	}
}

static void ctx_release(struct ex_ctx *x)
{
	for (int i = 0; i < x->n; i++) {
		free(x->s[i].text);
		free(x->s[i].cur);
		free(x->s[i].result);
	}
	pthread_cond_destroy(&x->sched_cv);
	pthread_cond_destroy(&x->sess_cv);
	pthread_mutex_destroy(&x->mu);
}

/*
 * How long to wait for the server to find a deadlock: twice its
 * deadlock_timeout when it reports one (PostgreSQL checks after that
 * long), and a tenth of a second more; InnoDB finds them at once.
 */
static uint64_t deadlock_wait_ns(const struct server_info *si)
{
	for (int i = 0; i < si->nsettings; i++) {
		char *end;
		double v;

		if (strcmp(si->settings[i].name, "deadlock_timeout"))
			continue;
		v = strtod(si->settings[i].value, &end);
		if (end == si->settings[i].value || v < 0)
			break;
		v *= !strcmp(end, "s")	      ? 1e9
			: !strcmp(end, "min") ? 60e9
			: !strcmp(end, "us")  ? 1e3
					      : 1e6;
		return (uint64_t)(2 * v) + 100000000u;
	}
	return 100000000u;
}

/* Deletes the run's Redis keys (a killed run may have left some). */
static int locks_clear(const struct explain_cfg *cfg, struct rb_err *e)
{
	struct lock_conn *c = NULL;
	int rc;

	if (!cfg->lock.url || !cfg->locks)
		return 0;
	rc = cfg->locks->xConnect(&cfg->lock, &c, e);
	if (rc == 0)
		rc = cfg->locks->xClear(c, e);
	cfg->locks->xClose(c);
	return rc;
}

int explain_run(const struct explain_cfg *cfg, struct explain_result *out, struct rb_err *e)
{
	const struct driver *d = cfg->drv;
	const struct scenario *sc = cfg->sc;
	struct ex_ctx *x = xcalloc(1, sizeof(*x));
	struct db_opts dbo = cfg->dbo;
	struct db_conn *admin = NULL;
	struct pool *pool = NULL;
	struct run_cfg rcfg;
	struct server_info si;
	struct rb_err ignored;
	long long committed[1] = { 0 };
	int ret = -1, made = 0, n = cfg->sched->nsessions;

	memset(out, 0, sizeof(*out));
	out->db = d->name;
	out->scenario = sc->name;
	out->incident = sc->incident;
	out->operation = sc->summary;
	out->strategy = strategy_name(cfg->strat);
	out->iso = cfg->iso;
	out->eff_iso = effective_iso(cfg->strat, cfg->iso);
	out->sched = *cfg->sched;
	out->nkinds = sc_nkinds(sc);
	for (int k = 0; k < out->nkinds; k++)
		out->kinds[k] = sc->kinds[k];
	explain_knobs(&out->knobs, n);
	ctx_init(x, cfg, out);
	x->stop = cfg->stop;

	dbo.schema = NULL;
	dbo.wrap = NULL;
	if ((d->xGlobalInit && d->xGlobalInit(e) < 0) || d->xConnect(&dbo, &admin, e) < 0 ||
	    d->xServerInfo(admin, &si, e) < 0)
		goto done;
	x->deadlock_ns = deadlock_wait_ns(&si);
	str_copy(out->product, si.product, sizeof(out->product));
	/* "15.14 (Debian ...)": the number is enough, and the same every run. */
	str_copy(out->version, si.version, sizeof(out->version));
	out->version[strcspn(out->version, " ")] = '\0';
	if (d->xSchemaCreate(admin, cfg->schema, 0, e) < 0)
		goto done;
	made = 1;
	dbo.schema = cfg->schema;
	if (sc->xSetup(admin, &out->knobs, e) < 0 || sc->xReset(admin, &out->knobs, e) < 0 ||
	    sc_schema_switch(sc, admin, -1, cfg->strat, e) < 0)
		goto done;
	if (d->xConnect(&dbo, &x->ctl, e) < 0 || locks_clear(cfg, e) < 0)
		goto done;

	memset(&rcfg, 0, sizeof(rcfg));
	rcfg.clients = n;
	rcfg.trials = 1;
	rcfg.retries = 10;
	rcfg.seed = 1;
	rcfg.sc = out->knobs;
	rcfg.lock = cfg->lock;
	rcfg.lock.wrap = x;
	rcfg.lock_wait_ms = 5000;
	rcfg.lock_ttl_ms = 30000;
	rcfg.lease_ms = 1;
	rcfg.locks = cfg->lock.url && cfg->locks ? &x->locks : NULL;
	rcfg.pause = ex_pause;
	rcfg.pause_arg = x;
	dbo.wrap = x;
	pool = pool_open(&x->drv, &dbo, sc, &rcfg, e);
	if (!pool)
		goto done;
	pool_run_trial(pool, cfg->strat, cfg->iso, ex_play, x);
	if (x->fatal[0]) {
		rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s", x->fatal);
		goto done;
	}
	pool_committed(pool, committed);
	if (sc->xCheck(admin, &out->knobs, committed, out->anomalies, e) < 0)
		goto done;
	for (int k = 0; k < out->nkinds; k++)
		out->anomalous |= out->anomalies[k] > 0;
	explain_story(out);
	ret = 0;
done:
	pool_close(pool);
	if (x->ctl)
		d->xClose(x->ctl);
	locks_clear(cfg, &ignored);
	if (made && !d->xBroken(admin))
		d->xSchemaDrop(admin, cfg->schema, &ignored);
	if (admin)
		d->xClose(admin);
	ctx_release(x);
	free(x);
	return ret;
}

void explain_release(struct explain_result *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nevents; i++) {
		free(r->ev[i].text);
		free(r->ev[i].result);
		free(r->ev[i].msg);
	}
	free(r->ev);
	for (int i = 0; i < r->nstory; i++)
		free(r->story[i]);
	memset(r, 0, sizeof(*r));
}

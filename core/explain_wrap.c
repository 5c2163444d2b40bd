/*
 * explain_wrap.c: explain's sessions, gated. A wrapping driver (and a
 * wrapping lock service) whose every statement is a gate: the session's
 * thread blocks there until the scheduler (explain_sched.c) lets it send
 * that statement, so a session never runs ahead, and a statement that
 * blocks on a lock blocks only its own thread. The operation's pause
 * points (think, tail, retry) are gates too.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "explain.h"
#include "explain_play.h"
#include "sql_text.h"

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
		     const char *name, int lock, const struct xconn *w)
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
	str_copy(s->name, name ? name : "", sizeof(s->name));
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

static const char *w_level_fits(struct db_conn *c, enum rb_iso iso)
{
	return c ? xc(c)->ctx->real->xLevelFits(rc_of(c), iso) : NULL;
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
static int gated(struct db_conn *c, const char *text, const char *name, int lock, enum txn ok,
		 enum txn bad, int (*call)(struct db_conn *real, const void *a, struct rb_err *e),
		 const void *arg, const char *sql_for_result, struct rb_err *e)
{
	struct xconn *w = xc(c);
	char res[512];
	int through = gate_wait(w->ctx, G_STMT, NULL, text, name, lock, w);
	int rc = call(w->real, arg, e);

	if (through) {
		if (rc < 0)
			res[0] = '\0';
		else if (sql_for_result)
			sql_describe(w->real, sql_for_result, res, sizeof(res));
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
	return gated(c, sql, NULL, 0, TXN_NONE, TXN_NONE, call_exec, sql, sql, e);
}

static int call_begin(struct db_conn *real, const void *a, struct rb_err *e)
{
	return real->drv->xBegin(real, *(const enum rb_iso *)a, e);
}

static int w_begin(struct db_conn *c, enum rb_iso iso, struct rb_err *e)
{
	char text[128];

	xc(c)->ctx->real->xBeginText(iso, text, sizeof(text));
	return gated(c, text, "begin", 0, TXN_OPEN, TXN_NONE, call_begin, &iso, NULL, e);
}

static int call_commit(struct db_conn *real, const void *a, struct rb_err *e)
{
	(void)a;
	return real->drv->xCommit(real, e);
}

static int w_commit(struct db_conn *c, struct rb_err *e)
{
	return gated(c, "COMMIT", "commit", 0, TXN_COMMITTED, TXN_COMMIT_FAILED, call_commit, NULL,
		     NULL, e);
}

static int call_rollback(struct db_conn *real, const void *a, struct rb_err *e)
{
	(void)a;
	return real->drv->xRollback(real, e);
}

static int w_rollback(struct db_conn *c, struct rb_err *e)
{
	return gated(c, "ROLLBACK", "rollback", 0, TXN_ROLLED_BACK, TXN_ROLLED_BACK, call_rollback,
		     NULL, NULL, e);
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
	return gated(c, text, st->name, 0, TXN_NONE, TXN_NONE, call_query, &q, sql, e);
}

static long long w_affected(struct db_conn *c)
{
	return db_affected(rc_of(c));
}

static int w_rows(struct db_conn *c)
{
	return db_rows(rc_of(c));
}

static int w_columns(struct db_conn *c)
{
	return db_columns(rc_of(c));
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

	xc(c)->ctx->real->xAdvisoryText(key, 0, text, sizeof(text));
	return gated(c, text, "lock", 1, TXN_NONE, TXN_NONE, call_adv_lock, &key, NULL, e);
}

static int w_adv_unlock(struct db_conn *c, long long key, struct rb_err *e)
{
	char text[96];

	xc(c)->ctx->real->xAdvisoryText(key, 1, text, sizeof(text));
	return gated(c, text, "unlock", 0, TXN_NONE, TXN_NONE, call_adv_unlock, &key, NULL, e);
}

static int w_server_info(struct db_conn *c, struct server_info *out, struct rb_err *e)
{
	return xc(c)->ctx->real->xServerInfo(rc_of(c), out, e);
}

static long long w_session_id(struct db_conn *c)
{
	return xc(c)->sid;
}

/* ---- the lock service, wrapped ---- */

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
	through = gate_wait(x, G_STMT, NULL, text, "acquire", 2, NULL);
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
	through = gate_wait(x, G_STMT, NULL, text, "release", 0, NULL);
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
void ex_pause(const struct op_ctx *o, const char *point, void *arg)
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
		gate_wait(x, G_START, NULL, NULL, NULL, 0, NULL);
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
		gate_wait(x, G_PAUSE, pauses[i], NULL, NULL, 0, NULL);
	}
}

void ex_wrap_init(struct ex_ctx *x, const struct explain_cfg *cfg)
{
	x->real = cfg->drv;
	x->drv = *cfg->drv;
	x->drv.xConnect = w_connect;
	/* explain plays on one server: no topology to sync or route over. */
	x->drv.xSync = NULL;
	x->drv.xMode = NULL;
	x->drv.xNodes = NULL;
	x->drv.xClose = w_close;
	x->drv.xBroken = w_broken;
	x->drv.xSchemaCreate = w_schema_create;
	x->drv.xSchemaDrop = w_schema_drop;
	x->drv.xLevelFits = cfg->drv->xLevelFits ? w_level_fits : NULL;
	x->drv.xExec = w_exec;
	x->drv.xBegin = w_begin;
	x->drv.xCommit = w_commit;
	x->drv.xRollback = w_rollback;
	x->drv.xQuery = w_query;
	x->drv.xAffected = w_affected;
	x->drv.xRows = w_rows;
	x->drv.xColumns = w_columns;
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
		/*
		 * Not wrapped: explain's two sessions take redlock's lock with
		 * the gated xAcquire (node 1), so redlock plays as redis-wide.
		 */
		x->locks.xAcquireMajority = NULL;
		x->locks.xReleaseAll = NULL;
	}
}

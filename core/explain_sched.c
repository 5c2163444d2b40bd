/*
 * explain_sched.c: the scheduler, the way PostgreSQL's isolationtester
 * plays a permutation. On the main thread, inside pool_run_trial, it walks
 * the schedule: it grants a session statement after statement until the
 * point a step names; a statement that does not complete is looked at
 * from a control connection (xWaiting: is that session waiting for a
 * lock?), reported "waiting..." and left behind, and after every statement
 * the waiting ones are looked at again and reported "...completed" right
 * after the step that released them. The event list it writes holds no
 * times and no server ids, so a schedule tells the same story every run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"
#include "explain_play.h"

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
	if (ns_between(x->s[i].progress_ns, now_ns()) < STUCK_NS)
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
		str_copy(s->cur_name, s->name, sizeof(s->cur_name));
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
		return ns_between(s->sent_ns, now_ns()) > 200000000ull;
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
		if (ns_between(t0, now_ns()) > limit_ns) {
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
		if (ns_between(s->sent_ns, now_ns()) >= PROBE_AFTER_NS && probe(x, i) > 0)
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

/*
 * A step for session i, whose statement waits for a lock, in wait_blocked
 * mode: as isolationtester does, the step waits until that statement ends
 * (released, a deadlock found, or the server's lock-wait time-out), which
 * is reported, then the step runs.
 */
static void finish_blocked(struct ex_ctx *x, int i)
{
	struct ex_sess *s = &x->s[i];

	while (!gone_wrong(x) && !s->done) {
		if (stuck(x, i, "waiting for a lock before its next step"))
			return;
		wait_a_while(x);
	}
	if (!gone_wrong(x))
		settle_all(x, -1, -1);
}

/* Runs session i to item it's point (one schedule step). */
static void run_item(struct ex_ctx *x, int i, const struct ex_item *it)
{
	struct ex_sess *s = &x->s[i];
	enum ex_point p = it->point;
	int stmts = 0;

	sweep(x);
	if (s->ended) {
		if (x->wait_blocked)
			note(x, i, "%s:%s skipped: %s's transaction is over", sname(x, i),
			     ex_item_point(it), sname(x, i));
		return;
	}
	if (s->waiting && x->wait_blocked)
		finish_blocked(x, i);
	if (s->ended || gone_wrong(x))
		return;
	if (s->waiting) {
		char label[32];

		note(x, i, "%s:%s skipped: %s is waiting for a lock (%s)", sname(x, i),
		     ex_item_point(it), sname(x, i),
		     ex_label(label, sizeof(label), sname(x, i), s->stmt_no));
		return;
	}
	while (!gone_wrong(x)) {
		int r, ev;

		if (s->ended) {
			record_end(x, i);
			if (p == EX_STMT)
				note(x, i, "%s:%s: %s ended before statement %s", sname(x, i),
				     it->stmt, sname(x, i), it->stmt);
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
		/* a named point: this statement is the last of the step */
		if (p == EX_STMT && !strcmp(s->name, it->stmt))
			stmts = -1;
		grant(x, i);
		stmts = stmts < 0 ? -1 : stmts + 1;
		r = await_stmt(x, i);
		if (r < 0)
			return;
		if (r == 0) {
			ev = record_stmt(x, i, EXE_STMT, -1);
			settle_all(x, i, ev);
			if (stmts < 0)
				return;
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
void ex_play(void *arg)
{
	struct ex_ctx *x = arg;

	lock_ctx(x);
	/* Everyone at the start line: a session is known only from there. */
	for (int i = 0; i < x->n && !gone_wrong(x); i++) {
		while (x->s[i].gk != G_START && !x->s[i].ended && !gone_wrong(x)) {
			if (ns_between(x->s[i].progress_ns, now_ns()) > STUCK_NS)
				fatal(x, "session %s did not start", sname(x, i));
			wait_a_while(x);
		}
	}
	for (int k = 0; k < x->sched->nitems && !gone_wrong(x); k++)
		run_item(x, x->sched->items[k].session, &x->sched->items[k]);
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
				static const struct ex_item to_end = { .point = EX_END };

				run_item(x, i, &to_end);
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

/* harness.c: client threads, the barrier, trials, retries and timing. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hist.h"
#include "../base/util.h"

/* How long a lost admin connection is tried again before the cell is given up. */
#define ADMIN_REVIVE_NS 10000000000ull

enum job {
	JOB_CONNECT,
	JOB_TRIAL,
	JOB_LOAD,
	JOB_SYNC, /* see every node's writes before a trial (topologies) */
	JOB_QUIT,
};

/* What one client counts during a cell (or its warm-up, which is dropped). */
struct op_counts {
	long long ops, done, declined, failed, retries;
	long long errors[RB_CLS__COUNT];
	long long failures[FR__COUNT];
	long long lock_timeouts, lease_expired, two_holders;
	char examples[RB_CLS__COUNT][EXAMPLE_LEN];
};

/* Figures one client gathers during a cell; merged by the main thread. */
struct client_stats {
	struct op_counts n;
	struct hist lat;   /* operation latency, us */
	struct hist lockw; /* lock acquire waits, us */
	struct hist lag;   /* open loop: start behind schedule, us */
};

struct client {
	int id;
	pthread_t thread;
	struct pool *pool;
	struct db_opts dbo; /* the pool's, with this client's node */
	enum topo_mode mode; /* what the driver's xMode last set on db */
	struct db_conn *db;
	struct lock_conn *lk; /* NULL without a lock service */
	struct rng rng;
	long long seq;
	long long *committed; /* per key, this trial or load run */
	void *state;	      /* the scenario's, for this client (its variables) */
	struct client_stats st;
	struct op_counts warm; /* load warm-up: counted, then dropped */
	struct op_counts *cur; /* &st.n, or &warm during a warm-up */
	int recording;	       /* histograms take this operation */
	atomic_llong progress; /* load: operations finished (read by main) */
	atomic_int finished;   /* load: this client has stopped */
	uint64_t last_end;     /* load: when its last counted operation ended */
	uint64_t last_sched;   /* load: when it was scheduled to start */
	int connect_rc;
	struct rb_err err;  /* connection failure, for the main thread */
	char lock_name[96]; /* this client's lock name in the current cell */
};

struct pool {
	const struct driver *drv;
	const struct db_opts *dbo;
	const struct scenario *sc;
	const struct run_cfg *cfg;
	int n;
	struct client *cl;
	void **states;	     /* each client's scenario state, for the check */
	atomic_int *holding; /* per key: clients that hold its Redlock lock now */
	pthread_barrier_t start, done;
	int started;	   /* threads running */
	int sync;	   /* on a topology: clients sync after each reset */
	int prev_strategy; /* for the strategy's schema; -1 before the first cell */

	/* The job: written by the main thread while clients wait at start. */
	enum job job;
	enum strategy strat;
	enum rb_iso iso;
	const struct load_cfg *load;
	uint64_t load_t0; /* when the load schedule starts */
};

enum rb_iso effective_iso(enum strategy s, enum rb_iso iso)
{
	return strategy_info(s)->force_serializable ? RB_ISO_SER : iso;
}

static void note_error(struct client *cl, const struct rb_err *e)
{
	enum rb_class cls = e->cls == RB_CLS_NONE ? RB_CLS_OTHER : e->cls;

	cl->cur->errors[cls]++;
	if (cl->cur->examples[cls][0])
		return;
	/* With the server's code, as explain shows it: the text alone may not say (1020). */
	if (e->native)
		str_printf(cl->cur->examples[cls], EXAMPLE_LEN, "%d: %s", e->native,
			   e->msg[0] ? e->msg : "(no message)");
	else if (e->sqlstate[0])
		str_printf(cl->cur->examples[cls], EXAMPLE_LEN, "%s: %s", e->sqlstate,
			   e->msg[0] ? e->msg : "(no message)");
	else
		str_copy(cl->cur->examples[cls], e->msg[0] ? e->msg : "(no message)", EXAMPLE_LEN);
}

/*
 * Takes this client's Redis lock for o's key; OP_DONE when granted.
 * redlock: on a majority of the nodes (xAcquireMajority; a service
 * without it, such as explain's wrapper, takes its xAcquire), counting a
 * grant while another client still holds the same lock as two holders.
 */
static enum op_status lock_take(struct client *cl, const struct op_ctx *o, int ttl_ms, int fence,
				int redlock, struct lock_grant *g, struct rb_err *e)
{
	const struct run_cfg *cfg = cl->pool->cfg;
	const struct lock_service *ls = cfg->locks;
	struct rb_err ignored;
	int rc;

	snprintf(cl->lock_name, sizeof(cl->lock_name), "%s:%d", cl->pool->sc->name, o->key);
	if (redlock && ls->xAcquireMajority)
		rc = ls->xAcquireMajority(cl->lk, cl->lock_name, ttl_ms, cfg->lock_wait_ms, g, e);
	else
		rc = ls->xAcquire(cl->lk, cl->lock_name, ttl_ms, cfg->lock_wait_ms, fence, g, e);
	if (rc < 0)
		return OP_ERROR;
	if (cl->recording)
		hist_record(&cl->st.lockw, g->waited_us);
	if (rc == 0) {
		cl->cur->lock_timeouts++;
		return OP_NO_LOCK;
	}
	if (redlock) {
		if (atomic_fetch_add(&cl->pool->holding[o->key], 1) > 0)
			cl->cur->two_holders++;
		if (cfg->fault)
			cfg->fault(cfg->fault_arg, FAULT_GRANTED, &ignored);
	}
	return OP_DONE;
}

static void lock_give(struct client *cl, const struct op_ctx *o, const struct lock_grant *g,
		      int redlock)
{
	const struct lock_service *ls = cl->pool->cfg->locks;
	struct rb_err ignored;
	int rc;

	if (!redlock) {
		rc = ls->xRelease(cl->lk, g, &ignored);
	} else {
		atomic_fetch_sub(&cl->pool->holding[o->key], 1);
		rc = ls->xReleaseAll ? ls->xReleaseAll(cl->lk, g, &ignored)
				     : ls->xRelease(cl->lk, g, &ignored);
	}
	if (rc == 0)
		cl->cur->lease_expired++;
}

/*
 * One attempt: BEGIN at the cell's level, the scenario's operation, the
 * work after the write, COMMIT (or ROLLBACK), with the strategy's guard
 * around it at the place the strategy says. Returns the operation's
 * status; OP_ERROR fills e.
 */
static enum op_status attempt(struct client *cl, struct op_ctx *o, struct rb_err *e)
{
	struct pool *p = cl->pool;
	const struct driver *d = p->drv;
	const struct strategy_info *si = strategy_info(o->strat);
	const struct run_cfg *cfg = p->cfg;
	enum guard guard = si->guard;
	int advisory = guard == GUARD_ADVISORY, held = 0, redlock = guard == GUARD_REDLOCK;
	struct lock_grant grant = { .fence = 0 };
	enum op_status st;
	struct rb_err ignored;

	/* A topology's fix: how this session reads and commits (causal reads, ...). */
	if (d->xMode && cl->mode != si->mode) {
		if (d->xMode(cl->db, si->mode, e) < 0)
			return OP_ERROR;
		cl->mode = si->mode;
	}
	if (advisory && !d->advisory_in_txn && d->xAdvisoryLock(cl->db, o->key, e) < 0)
		return OP_ERROR;
	if (guard == GUARD_REDIS_WIDE || guard == GUARD_REDIS_EXPIRY || redlock) {
		st = lock_take(cl, o,
			       guard == GUARD_REDIS_EXPIRY ? cfg->lease_ms : cfg->lock_ttl_ms,
			       si->fenced, redlock, &grant, e);
		if (st != OP_DONE)
			goto release;
		held = 1;
	}
	if (d->xBegin(cl->db, o->iso, e) < 0) {
		st = OP_ERROR;
		goto release;
	}
	if (advisory && d->advisory_in_txn && d->xAdvisoryLock(cl->db, o->key, e) < 0) {
		st = OP_ERROR;
		goto rollback;
	}
	if (guard == GUARD_WRITE_PARENT && p->sc->xTouch(o, e) < 0) {
		st = OP_ERROR;
		goto rollback;
	}
	if (guard == GUARD_REDIS_LATE) {
		/* The trap of duplicate-settlement: the snapshot exists before the lock. */
		if (p->sc->xPeek(o, e) < 0) {
			st = OP_ERROR;
			goto rollback;
		}
	}
	if (guard == GUARD_REDIS_LATE || guard == GUARD_REDIS_NARROW) {
		st = lock_take(cl, o, cfg->lock_ttl_ms, 0, 0, &grant, e);
		if (st != OP_DONE)
			goto rollback;
		held = 1;
	}
	if (si->fenced) {
		int taken = p->sc->xFence(o, grant.fence, e);

		if (taken <= 0) {
			st = taken < 0 ? OP_ERROR : OP_FENCED;
			goto rollback;
		}
	}
	st = p->sc->xOp(o, e);
	if (guard == GUARD_REDIS_NARROW) {
		/* The bug of the double-tap and coupon-oversell incidents: unlocked before COMMIT. */
		lock_give(cl, o, &grant, 0);
		held = 0;
	}
	if (st == OP_DONE || st == OP_DECLINED) {
		if (cfg->pause)
			cfg->pause(o, "tail", cfg->pause_arg);
		else
			sleep_us(cfg->tail_us);
		if (st == OP_DONE && o->strat == ST_CHECK_AFTER && p->sc->xRecheck)
			st = p->sc->xRecheck(o, e);
	}
	if (st == OP_DONE || st == OP_DECLINED) {
		if (d->xCommit(cl->db, e) < 0)
			st = OP_ERROR;
		else if (p->sc->xCommitted)
			p->sc->xCommitted(o);
		goto release;
	}
rollback:
	d->xRollback(cl->db, &ignored);
release:
	if (held)
		lock_give(cl, o, &grant, redlock);
	if (advisory && d->xAdvisoryUnlock)
		d->xAdvisoryUnlock(cl->db, o->key, &ignored);
	return st;
}

/* Jittered exponential backoff before a retry: 100 us doubling, cap 20 ms. */
static void backoff(struct client *cl, int attempt_no)
{
	uint64_t base = 100u << (attempt_no < 8 ? attempt_no : 8);

	if (base > 20000)
		base = 20000;
	sleep_us((uint64_t)((double)base * (0.5 + rng_unit(&cl->rng))));
}

static int client_reconnect(struct client *cl, struct rb_err *e)
{
	struct db_conn *c = NULL;

	cl->pool->drv->xClose(cl->db);
	cl->db = NULL;
	if (cl->pool->drv->xConnect(&cl->dbo, &c, e) < 0) {
		e->cls = RB_CLS_CONNECTION;
		return -1;
	}
	cl->db = c;
	cl->mode = TM_DEFAULT;
	return 0;
}

/*
 * One operation on key as its user sees it: attempts and retries. Its
 * latency runs from t0 (now, or in open loop the time it was scheduled to
 * start, so a stall is not hidden) to the end of the last attempt.
 */
static void client_op(struct client *cl, int key, uint64_t t0)
{
	struct pool *p = cl->pool;
	const struct strategy_info *si = strategy_info(p->strat);
	struct op_counts *n = cl->cur;
	struct op_ctx o = {
		.sc = p->sc,
		.state = cl->state,
		.db = cl->db,
		.p = &p->cfg->sc,
		.strat = p->strat,
		.iso = effective_iso(p->strat, p->iso),
		.client = cl->id,
		.key = key,
		.token = ((long long)(cl->id + 1) << 32) | ++cl->seq,
		.pause = p->cfg->pause,
		.pause_arg = p->cfg->pause_arg,
	};
	struct rb_err e;
	int reason = -1;

	n->ops++;
	/* explain: which client this thread is, before its first statement. */
	if (p->cfg->pause)
		p->cfg->pause(&o, "start", p->cfg->pause_arg);
	/* A connection the server dropped is replaced before it is used again. */
	if ((!cl->db || p->drv->xBroken(cl->db)) && client_reconnect(cl, &e) < 0) {
		note_error(cl, &e);
		n->failed++;
		n->failures[RB_CLS_CONNECTION]++;
		/*
		 * The server is down (killed, restarting): an application's pool
		 * waits before it tries again, and so does this client, or it
		 * would spin through thousands of refused connections a second
		 * and take the CPU the surviving nodes need. The wait is part of
		 * the operation's latency, as it is the user's.
		 */
		sleep_us(10000 + rng_next(&cl->rng) % 10000);
		if (cl->recording)
			hist_record(&cl->st.lat, (ns_between(t0, now_ns()) + 500) / 1000);
		if (p->cfg->pause)
			p->cfg->pause(&o, "end", p->cfg->pause_arg);
		return;
	}
	o.db = cl->db;
	for (int a = 0;; a++) {
		enum op_status st;
		int retry = 0;

		rb_err_clear(&e);
		st = attempt(cl, &o, &e);
		if (st == OP_DONE) {
			n->done++;
			cl->committed[o.key]++;
			break;
		}
		if (st == OP_DECLINED || st == OP_ROLLBACK) {
			/* rolled back on purpose is the operation's own decision too */
			n->declined++;
			break;
		}
		if (st == OP_ERROR) {
			note_error(cl, &e);
			reason = e.cls == RB_CLS_NONE ? RB_CLS_OTHER : (int)e.cls;
			retry = (si->retry_on >> e.cls) & 1u;
		} else if (st == OP_CONFLICT) {
			reason = FR_CONFLICT;
			retry = si->retry_on_conflict;
		} else if (st == OP_FENCED) {
			reason = FR_FENCED;
		} else if (st == OP_NO_LOCK) {
			reason = FR_LOCK_ACQUIRE;
		} else {
			reason = FR_CHECK_AFTER;
		}
		if (retry && a < p->cfg->retries && !p->drv->xBroken(cl->db)) {
			n->retries++;
			if (p->cfg->pause)
				p->cfg->pause(&o, "retry", p->cfg->pause_arg);
			else
				backoff(cl, a);
			continue;
		}
		n->failed++;
		n->failures[reason]++;
		break;
	}
	if (cl->recording)
		hist_record(&cl->st.lat, (ns_between(t0, now_ns()) + 500) / 1000);
	/* explain: the operation, retries included, is over. */
	if (p->cfg->pause)
		p->cfg->pause(&o, "end", p->cfg->pause_arg);
}

/* Sleeps until the monotonic time t (ns); returns at once if it is past. */
static void sleep_until(uint64_t t)
{
	uint64_t now = now_ns();

	if (t > now)
		sleep_us((t - now + 999) / 1000);
}

/*
 * Waits until the monotonic time t (ns), in slices short enough that a
 * stop (a signal) is seen within a fraction of a second however far off t
 * is: a client of a slow open loop may wait minutes for its next start.
 * Returns 0 at t (never before it), -1 when the run was stopped.
 */
static int wait_until(uint64_t t, const atomic_int *stop)
{
	for (;;) {
		uint64_t now = now_ns();

		if (stop && atomic_load_explicit(stop, memory_order_relaxed))
			return -1;
		if (now >= t)
			return 0;
		sleep_us((t - now > 50000000u ? 50000000u : t - now + 999) / 1000);
	}
}

/*
 * Load: operations on random keys until the deadline or this client's
 * share of --ops. Closed loop: the next starts when the last ends. Open
 * loop: operations are scheduled at the client's share of --rate (fixed
 * gaps, or exponential ones for Poisson arrivals), each timed from its
 * scheduled start; how late it really started is the schedule lag.
 * Operations that start during the warm-up run but are not counted.
 */
static void client_load(struct client *cl)
{
	struct pool *p = cl->pool;
	const struct load_cfg *lc = p->load;
	uint64_t warm_end = p->load_t0 + lc->warmup_us * 1000;
	uint64_t end = lc->duration_us ? warm_end + lc->duration_us * 1000 : UINT64_MAX;
	long long budget = 0, done = 0;
	double gap_ns = 0, next;
	int keys = p->cfg->sc.keys;

	if (lc->ops) {
		budget = lc->ops / p->n + (cl->id < lc->ops % p->n);
		if (budget == 0)
			goto out;
	}
	if (lc->rate > 0) {
		gap_ns = 1e9 * p->n / lc->rate;
		/* Stagger the clients over one gap so they do not fire together. */
		next = (double)p->load_t0 + gap_ns * cl->id / p->n;
	} else {
		next = (double)p->load_t0;
	}
	for (;;) {
		uint64_t sched = (uint64_t)next, start;

		if (lc->rate > 0) {
			/* The next start falls after the deadline: this client is done. */
			if (sched >= end || wait_until(sched, p->cfg->stop) < 0)
				break;
			start = now_ns();
		} else {
			start = now_ns();
			sched = start;
		}
		if (start >= end || (budget && done >= budget) ||
		    (p->cfg->stop && atomic_load_explicit(p->cfg->stop, memory_order_relaxed)))
			break;
		/* Counted when it really starts after the warm-up; timed from
		 * its schedule, so a client that fell behind still shows it. */
		cl->recording = start >= warm_end;
		cl->cur = cl->recording ? &cl->st.n : &cl->warm;
		if (cl->recording && lc->rate > 0)
			hist_record(&cl->st.lag, ns_between(sched, start) / 1000);
		client_op(cl, keys > 1 ? (int)(rng_next(&cl->rng) % (uint64_t)keys) : 0, sched);
		if (cl->recording) {
			done++;
			cl->last_end = now_ns();
			cl->last_sched = sched;
		}
		atomic_store_explicit(&cl->progress, cl->st.n.ops, memory_order_relaxed);
		if (lc->rate > 0) {
			double g = gap_ns;

			if (lc->poisson)
				g = -log(1.0 - rng_unit(&cl->rng)) * gap_ns;
			next += g;
		}
	}
out:
	cl->cur = &cl->st.n;
	cl->recording = 1;
	atomic_store_explicit(&cl->finished, 1, memory_order_release);
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct pool *p = cl->pool;

	if (p->drv->xThreadInit)
		p->drv->xThreadInit();
	for (;;) {
		pthread_barrier_wait(&p->start);
		if (p->job == JOB_QUIT)
			break;
		if (p->job == JOB_CONNECT) {
			struct db_conn *c = NULL;

			cl->connect_rc = p->drv->xConnect(&cl->dbo, &c, &cl->err);
			cl->db = c;
			cl->mode = TM_DEFAULT;
			if (cl->connect_rc == 0 && p->cfg->lock.url && p->cfg->locks)
				cl->connect_rc =
					p->cfg->locks->xConnect(&p->cfg->lock, &cl->lk, &cl->err);
		} else if (p->job == JOB_LOAD) {
			client_load(cl);
		} else if (p->job == JOB_SYNC) {
			struct rb_err ignored;

			/* A node that is down fails here and again in the trial, which counts it. */
			if (cl->db && !p->drv->xBroken(cl->db))
				p->drv->xSync(cl->db, &ignored);
		} else {
			client_op(cl, cl->id % p->cfg->sc.keys, now_ns());
		}
		pthread_barrier_wait(&p->done);
	}
	p->drv->xClose(cl->db);
	cl->db = NULL;
	if (p->cfg->locks)
		p->cfg->locks->xClose(cl->lk);
	cl->lk = NULL;
	if (p->drv->xThreadEnd)
		p->drv->xThreadEnd();
	return NULL;
}

/* Releases every client with job j and waits until all have done it. */
static void run_job(struct pool *p, enum job j)
{
	p->job = j;
	pthread_barrier_wait(&p->start);
	if (j != JOB_QUIT)
		pthread_barrier_wait(&p->done);
}

struct pool *pool_open(const struct driver *d, const struct db_opts *dbo, const struct scenario *sc,
		       const struct run_cfg *cfg, struct rb_err *e)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	p->drv = d;
	p->dbo = dbo;
	p->sc = sc;
	p->cfg = cfg;
	p->n = cfg->clients;
	p->prev_strategy = -1;
	p->sync = d->xSync &&
		  (dbo->replica_dsn || (d->xNodes && dbo->dsn && d->xNodes(dbo->dsn) > 1));
	p->cl = xcalloc((size_t)p->n, sizeof(*p->cl));
	p->states = xcalloc((size_t)p->n, sizeof(*p->states));
	p->holding = xcalloc((size_t)cfg->sc.keys, sizeof(*p->holding));
	pthread_barrier_init(&p->start, NULL, (unsigned)p->n + 1);
	pthread_barrier_init(&p->done, NULL, (unsigned)p->n + 1);
	for (int i = 0; i < p->n; i++) {
		struct client *cl = &p->cl[i];

		cl->id = i;
		cl->pool = p;
		cl->dbo = *dbo;
		cl->dbo.node = i;
		cl->cur = &cl->st.n;
		cl->recording = 1;
		cl->committed = xcalloc((size_t)cfg->sc.keys, sizeof(*cl->committed));
		cl->state = sc->xClientNew ? sc->xClientNew(sc, &cfg->sc) : NULL;
		p->states[i] = cl->state;
		rng_seed(&cl->rng, cfg->seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15u));
		if (pthread_create(&cl->thread, NULL, client_main, cl) != 0) {
			/* The barrier counts on n threads: give up on them all. */
			fprintf(stderr, "racebench: cannot start client thread %d\n", i);
			abort();
		}
	}
	p->started = 1;
	run_job(p, JOB_CONNECT);
	for (int i = 0; i < p->n; i++) {
		if (p->cl[i].connect_rc < 0) {
			*e = p->cl[i].err;
			pool_close(p);
			return NULL;
		}
	}
	return p;
}

void pool_close(struct pool *p)
{
	if (!p)
		return;
	if (p->started) {
		run_job(p, JOB_QUIT);
		for (int i = 0; i < p->n; i++)
			pthread_join(p->cl[i].thread, NULL);
	}
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->done);
	for (int i = 0; i < p->n; i++) {
		free(p->cl[i].committed);
		if (p->sc->xClientFree)
			p->sc->xClientFree(p->cl[i].state);
	}
	free(p->cl);
	free(p->states);
	free(p->holding);
	free(p);
}

int pool_schema_strategy(const struct pool *p)
{
	return p->prev_strategy;
}

void pool_assume_schema(struct pool *p, int strategy)
{
	p->prev_strategy = strategy;
}

void **pool_states(const struct pool *p, int *n)
{
	*n = p->n;
	return p->states;
}

static void merge_stats(struct cell_result *out, struct hist *lat, struct hist *lockw,
			struct hist *lag, const struct client_stats *cs)
{
	const struct op_counts *s = &cs->n;

	hist_merge(lat, &cs->lat);
	hist_merge(lockw, &cs->lockw);
	hist_merge(lag, &cs->lag);
	out->lock_timeouts += s->lock_timeouts;
	out->lease_expired += s->lease_expired;
	out->two_holders += s->two_holders;
	out->ops += s->ops;
	out->done += s->done;
	out->declined += s->declined;
	out->failed += s->failed;
	out->retries += s->retries;
	for (int c = 0; c < RB_CLS__COUNT; c++) {
		out->errors[c] += s->errors[c];
		if (!out->examples[c][0] && s->examples[c][0])
			memcpy(out->examples[c], s->examples[c], EXAMPLE_LEN);
	}
	for (int r = 0; r < FR__COUNT; r++)
		out->failures[r] += s->failures[r];
}

static int cell_fail(struct cell_result *out, const struct rb_err *e, const char *what)
{
	out->verdict = V_ABORTED;
	str_printf(out->abort_msg, sizeof(out->abort_msg), "%s: %s", what, e->msg);
	return -1;
}

/* Prepares a cell: labels, fresh client figures, the job's strategy. */
static void cell_begin(struct pool *p, enum strategy s, enum rb_iso iso, struct cell_result *out)
{
	const struct scenario *sc = p->sc;

	out->db = p->drv->name;
	out->scenario = sc->name;
	out->strategy = strategy_name(s);
	out->iso = iso;
	out->eff_iso = effective_iso(s, iso);
	out->nkinds = sc_nkinds(sc);
	for (int k = 0; k < out->nkinds; k++)
		out->kinds[k] = sc->kinds[k];
	out->has_lock = strategy_uses_redis(s);
	out->counts_holders = strategy_info(s)->guard == GUARD_REDLOCK;
	out->clients = p->n;
	out->keys = p->cfg->sc.keys;
	p->strat = s;
	p->iso = iso;
	for (int i = 0; i < p->n; i++) {
		memset(&p->cl[i].st, 0, sizeof(p->cl[i].st));
		memset(&p->cl[i].warm, 0, sizeof(p->cl[i].warm));
	}
}

/* Puts the seed state back, and the strategy's schema when it changed. */
/*
 * The admin connection lost (a killed backend, a restarted server): a new
 * connection, tried for a few seconds so a quick restart does not end the
 * run. 0 when *admin is usable again.
 */
static int admin_revive(struct pool *p, struct db_conn **admin, struct rb_err *e)
{
	uint64_t give_up = now_ns() + ADMIN_REVIVE_NS;
	struct rb_err e2;

	if (!p->drv->xBroken(*admin))
		return -1;
	/* Bounded in time, not in tries: a try on a frozen server lasts a connect time-out. */
	while (now_ns() < give_up) {
		struct db_conn *c = NULL;

		if (p->cfg->stop && atomic_load(p->cfg->stop))
			return -1;
		if (p->drv->xConnect(p->dbo, &c, &e2) == 0) {
			p->drv->xClose(*admin);
			*admin = c;
			rb_err_clear(e);
			return 0;
		}
		sleep_us(500000);
	}
	return -1;
}

static int stopped(const struct pool *p)
{
	return p->cfg->stop && atomic_load(p->cfg->stop);
}

static int state_reset(struct pool *p, struct db_conn **admin, enum strategy s,
		       struct cell_result *out, struct rb_err *e)
{
	const struct scenario *sc = p->sc;

	if (sc->xReset(sc, *admin, &p->cfg->sc, e) < 0 &&
	    (admin_revive(p, admin, e) < 0 || sc->xReset(sc, *admin, &p->cfg->sc, e) < 0))
		return cell_fail(out, e, "resetting the state");
	if ((int)s != p->prev_strategy) {
		if (sc->xSchema(sc, *admin, &p->cfg->sc, p->prev_strategy, s, e) < 0)
			return cell_fail(out, e, "adapting the schema");
		p->prev_strategy = (int)s;
	}
	for (int i = 0; i < p->n; i++)
		memset(p->cl[i].committed, 0, (size_t)p->cfg->sc.keys * sizeof(long long));
	return 0;
}

/* Checks the invariant over every key; adds what broke to out. */
static int state_check(struct pool *p, struct db_conn **admin, struct cell_result *out,
		       struct rb_err *e)
{
	long long *committed = xcalloc((size_t)p->cfg->sc.keys, sizeof(*committed));
	long long anomalies[SC_MAX_KINDS] = { 0 };
	int rc, anomalous = 0;

	pool_committed(p, committed);
	rc = p->sc->xCheck(p->sc, *admin, &p->cfg->sc, committed, p->states, p->n, anomalies, e);
	if (rc < 0 && admin_revive(p, admin, e) == 0) {
		memset(anomalies, 0, sizeof(anomalies));
		rc = p->sc->xCheck(p->sc, *admin, &p->cfg->sc, committed, p->states, p->n,
				   anomalies, e);
	}
	free(committed);
	if (rc < 0)
		return cell_fail(out, e, "checking the invariant");
	for (int k = 0; k < out->nkinds; k++) {
		out->anomalies[k] += anomalies[k];
		anomalous |= anomalies[k] > 0;
	}
	out->trials++;
	out->anomalous_trials += anomalous;
	return 0;
}

/* Merges the clients' figures into out; active_ns is the time clients ran. */
static void cell_end(struct pool *p, struct cell_result *out, uint64_t t_cell, uint64_t active_ns,
		     int rc)
{
	struct hist *h = xmalloc(3 * sizeof(*h));

	hist_reset(&h[0]);
	hist_reset(&h[1]);
	hist_reset(&h[2]);
	for (int i = 0; i < p->n; i++)
		merge_stats(out, &h[0], &h[1], &h[2], &p->cl[i].st);
	lat_summarize(&h[0], &out->lat);
	hist_lite_from(&h[0], &out->lat_hist);
	lat_summarize(&h[1], &out->lock_wait);
	lat_summarize(&h[2], &out->lag);
	out->seconds = (double)(now_ns() - t_cell) / 1e9;
	out->throughput = active_ns ? (double)out->ops / ((double)active_ns / 1e9) : 0;
	if (rc == 0)
		cell_judge(out);
	free(h);
}

int pool_cell(struct pool *p, struct db_conn **admin, enum strategy s, enum rb_iso iso,
	      struct cell_result *out, struct rb_err *e)
{
	uint64_t t_cell = now_ns(), active = 0;
	int rc = 0, faulted = p->cfg->fault && strategy_info(s)->guard == GUARD_REDLOCK;

	cell_begin(p, s, iso, out);
	for (int t = 0; t < p->cfg->trials && rc == 0; t++) {
		uint64_t t0;

		if (stopped(p)) {
			rb_err_set(e, RB_CLS_OTHER, NULL, 0, "interrupted after %d of %d trials", t,
				   p->cfg->trials);
			rc = cell_fail(out, e, "stopped");
			break;
		}
		rc = state_reset(p, admin, s, out, e);
		if (rc == 0 && faulted && p->cfg->fault(p->cfg->fault_arg, FAULT_TRIAL, e) < 0)
			rc = cell_fail(out, e, "the fault");
		if (rc < 0)
			break;
		if (p->sync)
			run_job(p, JOB_SYNC);
		t0 = now_ns();
		run_job(p, JOB_TRIAL);
		active += now_ns() - t0;
		if (faulted && p->cfg->fault(p->cfg->fault_arg, FAULT_TRIAL_END, e) < 0) {
			rc = cell_fail(out, e, "the fault");
			break;
		}
		rc = state_check(p, admin, out, e);
	}
	cell_end(p, out, t_cell, active, rc);
	return rc;
}

void pool_run_trial(struct pool *p, enum strategy s, enum rb_iso iso, void (*during)(void *arg),
		    void *arg)
{
	p->strat = s;
	p->iso = iso;
	for (int i = 0; i < p->n; i++)
		memset(p->cl[i].committed, 0, (size_t)p->cfg->sc.keys * sizeof(long long));
	p->job = JOB_TRIAL;
	pthread_barrier_wait(&p->start);
	during(arg);
	pthread_barrier_wait(&p->done);
}

void pool_committed(const struct pool *p, long long *committed)
{
	memset(committed, 0, (size_t)p->cfg->sc.keys * sizeof(*committed));
	for (int i = 0; i < p->n; i++)
		for (int k = 0; k < p->cfg->sc.keys; k++)
			committed[k] += p->cl[i].committed[k];
}

/*
 * The wall interval throughput is measured over: the configured duration;
 * for --ops in an open loop, the schedule up to the last start and one
 * gap after it (at --rate 1, one operation took a second, whatever its
 * own latency); for --ops in a closed loop, until the last operation ended.
 */
static uint64_t load_interval(const struct pool *p, const struct load_cfg *lc, uint64_t warm_end)
{
	uint64_t last = 0;

	if (lc->duration_us)
		return lc->duration_us * 1000;
	for (int i = 0; i < p->n; i++) {
		uint64_t t = lc->rate > 0 ? p->cl[i].last_sched : p->cl[i].last_end;

		if (p->cl[i].last_end && t > last)
			last = t;
	}
	if (last < warm_end)
		last = warm_end;
	return last - warm_end + (lc->rate > 0 ? (uint64_t)(1e9 / lc->rate) : 0);
}

int pool_load(struct pool *p, struct db_conn **admin, enum strategy s, enum rb_iso iso,
	      const struct load_cfg *lc, struct cell_result *out, struct rb_err *e)
{
	uint64_t t_cell = now_ns(), t0, warm_end, measured = 0;
	int rc;

	cell_begin(p, s, iso, out);
	out->has_lag = lc->rate > 0;
	rc = state_reset(p, admin, s, out, e);
	if (rc < 0) {
		cell_end(p, out, t_cell, 0, rc);
		return rc;
	}
	if (p->sync)
		run_job(p, JOB_SYNC);
	for (int i = 0; i < p->n; i++) {
		atomic_store(&p->cl[i].progress, 0);
		atomic_store(&p->cl[i].finished, 0);
		p->cl[i].last_end = 0;
		p->cl[i].last_sched = 0;
	}
	p->load = lc;
	/* A little ahead, so every client is waiting when the schedule starts. */
	t0 = now_ns() + 2000000;
	p->load_t0 = t0;
	warm_end = t0 + lc->warmup_us * 1000;
	p->job = JOB_LOAD;
	if (lc->fault)
		lc->fault(lc->fault_arg, 0, 0, NULL, 0);
	pthread_barrier_wait(&p->start);
	/* While the clients run, the main thread only watches the clock. */
	for (int tick = 1;; tick++) {
		int all = 1;

		sleep_until(t0 + (uint64_t)tick * 200000000u);
		if (lc->fault)
			lc->fault(lc->fault_arg, (double)(now_ns() - t0) / 1e9, 0, NULL, 0);
		for (int i = 0; i < p->n && all; i++)
			all = atomic_load_explicit(&p->cl[i].finished, memory_order_acquire);
		if (all)
			break;
		if (lc->progress && tick % 5 == 0) {
			long long ops = 0;
			uint64_t now = now_ns();

			for (int i = 0; i < p->n; i++)
				ops += atomic_load_explicit(&p->cl[i].progress,
							    memory_order_relaxed);
			lc->progress(lc->progress_arg, now < warm_end, (double)(now - t0) / 1e9,
				     ops);
		}
	}
	pthread_barrier_wait(&p->done);
	if (stopped(p)) {
		rb_err_set(e, RB_CLS_OTHER, NULL, 0, "interrupted");
		rc = cell_fail(out, e, "stopped");
		cell_end(p, out, t_cell, measured, rc);
		return rc;
	}
	measured = load_interval(p, lc, warm_end);
	if (lc->fault)
		lc->fault(lc->fault_arg, (double)(now_ns() - t0) / 1e9, 1, out->faults,
			  sizeof(out->faults));
	rc = state_check(p, admin, out, e);
	cell_end(p, out, t_cell, measured, rc);
	return rc;
}

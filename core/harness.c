/* harness.c: client threads, the barrier, trials, retries and timing. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "util.h"

enum job {
	JOB_CONNECT,
	JOB_TRIAL,
	JOB_QUIT,
};

/* Figures one client gathers during a cell; merged by the main thread. */
struct client_stats {
	struct hist lat;
	long long ops, done, declined, failed, retries;
	long long errors[RB_CLS__COUNT];
	long long failures[FR__COUNT];
	char examples[RB_CLS__COUNT][EXAMPLE_LEN];
};

struct client {
	int id;
	pthread_t thread;
	struct pool *pool;
	struct db_conn *db;
	struct rng rng;
	long long seq;
	long long *committed;		/* per key, this trial */
	struct client_stats st;
	int connect_rc;
	struct rb_err err;		/* connection failure, for the main thread */
};

struct pool {
	const struct driver *drv;
	const struct db_opts *dbo;
	const struct scenario *sc;
	const struct run_cfg *cfg;
	int n;
	struct client *cl;
	pthread_barrier_t start, done;
	int started;			/* threads running */
	int prev_strategy;		/* for xSchema; -1 before the first cell */

	/* The job: written by the main thread while clients wait at start. */
	enum job job;
	enum strategy strat;
	enum rb_iso iso;
};

enum rb_iso effective_iso(enum strategy s, enum rb_iso iso)
{
	return strategy_info(s)->force_serializable ? RB_ISO_SER : iso;
}

static void note_error(struct client *cl, const struct rb_err *e)
{
	enum rb_class cls = e->cls == RB_CLS_NONE ? RB_CLS_OTHER : e->cls;

	cl->st.errors[cls]++;
	if (!cl->st.examples[cls][0])
		str_copy(cl->st.examples[cls], e->msg[0] ? e->msg : "(no message)",
			 EXAMPLE_LEN);
}

/*
 * One attempt: BEGIN at the cell's level, the scenario's operation, the
 * work after the write, COMMIT (or ROLLBACK), with the strategy's guard
 * around it. Returns the operation's status; OP_ERROR fills e.
 */
static enum op_status attempt(struct client *cl, struct op_ctx *o, struct rb_err *e)
{
	struct pool *p = cl->pool;
	const struct driver *d = p->drv;
	const struct strategy_info *si = strategy_info(o->strat);
	int advisory = si->guard == GUARD_ADVISORY;
	enum op_status st;
	struct rb_err ignored;

	if (advisory && !d->advisory_in_txn && d->xAdvisoryLock(cl->db, o->key, e) < 0)
		return OP_ERROR;
	if (d->xBegin(cl->db, o->iso, e) < 0) {
		st = OP_ERROR;
		goto release;
	}
	if (advisory && d->advisory_in_txn && d->xAdvisoryLock(cl->db, o->key, e) < 0) {
		st = OP_ERROR;
		goto rollback;
	}
	st = p->sc->xOp(o, e);
	if (st == OP_DONE || st == OP_DECLINED) {
		sleep_us(p->cfg->tail_us);
		if (st == OP_DONE && o->strat == ST_CHECK_AFTER && p->sc->xRecheck)
			st = p->sc->xRecheck(o, e);
	}
	if (st == OP_DONE || st == OP_DECLINED) {
		if (d->xCommit(cl->db, e) < 0)
			st = OP_ERROR;
		goto release;
	}
rollback:
	d->xRollback(cl->db, &ignored);
release:
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

/* One operation as its user sees it: attempts and retries, timed. */
static void client_op(struct client *cl)
{
	struct pool *p = cl->pool;
	const struct strategy_info *si = strategy_info(p->strat);
	struct op_ctx o = {
		.db = cl->db,
		.p = &p->cfg->sc,
		.strat = p->strat,
		.iso = effective_iso(p->strat, p->iso),
		.client = cl->id,
		.key = cl->id % p->cfg->sc.keys,
		.token = ((long long)(cl->id + 1) << 32) | ++cl->seq,
	};
	uint64_t t0 = now_ns();
	struct rb_err e;
	int reason = -1;

	cl->st.ops++;
	for (int n = 0;; n++) {
		enum op_status st;
		int retry = 0;

		rb_err_clear(&e);
		st = attempt(cl, &o, &e);
		if (st == OP_DONE) {
			cl->st.done++;
			cl->committed[o.key]++;
			break;
		}
		if (st == OP_DECLINED) {
			cl->st.declined++;
			break;
		}
		if (st == OP_ERROR) {
			note_error(cl, &e);
			reason = e.cls == RB_CLS_NONE ? RB_CLS_OTHER : (int)e.cls;
			retry = (si->retry_on >> e.cls) & 1u;
		} else if (st == OP_CONFLICT) {
			reason = FR_CONFLICT;
			retry = si->retry_on_conflict;
		} else {
			reason = FR_CHECK_AFTER;
		}
		if (retry && n < p->cfg->retries && !p->drv->xBroken(cl->db)) {
			cl->st.retries++;
			backoff(cl, n);
			continue;
		}
		cl->st.failed++;
		cl->st.failures[reason]++;
		break;
	}
	hist_record(&cl->st.lat, (now_ns() - t0 + 500) / 1000);
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

			cl->connect_rc = p->drv->xConnect(p->dbo, &c, &cl->err);
			cl->db = c;
		} else if (cl->db) {
			client_op(cl);
		}
		pthread_barrier_wait(&p->done);
	}
	p->drv->xClose(cl->db);
	cl->db = NULL;
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

struct pool *pool_open(const struct driver *d, const struct db_opts *dbo,
		       const struct scenario *sc, const struct run_cfg *cfg,
		       struct rb_err *e)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	p->drv = d;
	p->dbo = dbo;
	p->sc = sc;
	p->cfg = cfg;
	p->n = cfg->clients;
	p->prev_strategy = -1;
	p->cl = xcalloc((size_t)p->n, sizeof(*p->cl));
	pthread_barrier_init(&p->start, NULL, (unsigned)p->n + 1);
	pthread_barrier_init(&p->done, NULL, (unsigned)p->n + 1);
	for (int i = 0; i < p->n; i++) {
		struct client *cl = &p->cl[i];

		cl->id = i;
		cl->pool = p;
		cl->committed = xcalloc((size_t)cfg->sc.keys, sizeof(*cl->committed));
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
	for (int i = 0; i < p->n; i++)
		free(p->cl[i].committed);
	free(p->cl);
	free(p);
}

static void merge_stats(struct cell_result *out, struct hist *lat,
			const struct client_stats *s)
{
	hist_merge(lat, &s->lat);
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

int pool_cell(struct pool *p, struct db_conn *admin, enum strategy s,
	      enum rb_iso iso, struct cell_result *out, struct rb_err *e)
{
	const struct scenario *sc = p->sc;
	int keys = p->cfg->sc.keys, nk = sc_nkinds(sc);
	long long *committed = xcalloc((size_t)keys, sizeof(*committed));
	struct hist *lat = xmalloc(sizeof(*lat));
	uint64_t t_cell = now_ns(), active = 0;
	int rc = 0;

	out->db = p->drv->name;
	out->scenario = sc->name;
	out->strategy = strategy_name(s);
	out->iso = iso;
	out->eff_iso = effective_iso(s, iso);
	out->nkinds = nk;
	for (int k = 0; k < nk; k++)
		out->kinds[k] = sc->kinds[k];
	hist_reset(lat);
	p->strat = s;
	p->iso = iso;
	for (int i = 0; i < p->n; i++)
		memset(&p->cl[i].st, 0, sizeof(p->cl[i].st));

	for (int t = 0; t < p->cfg->trials; t++) {
		long long anomalies[SC_MAX_KINDS] = { 0 };
		int anomalous = 0;
		uint64_t t0;

		if (sc->xReset(admin, &p->cfg->sc, e) < 0) {
			rc = cell_fail(out, e, "resetting the state");
			break;
		}
		if ((int)s != p->prev_strategy) {
			if (sc->xSchema && sc->xSchema(admin, p->prev_strategy, s, e) < 0) {
				rc = cell_fail(out, e, "adapting the schema");
				break;
			}
			p->prev_strategy = (int)s;
		}
		for (int i = 0; i < p->n; i++)
			memset(p->cl[i].committed, 0, (size_t)keys * sizeof(long long));
		t0 = now_ns();
		run_job(p, JOB_TRIAL);
		active += now_ns() - t0;
		memset(committed, 0, (size_t)keys * sizeof(*committed));
		for (int i = 0; i < p->n; i++)
			for (int k = 0; k < keys; k++)
				committed[k] += p->cl[i].committed[k];
		if (sc->xCheck(admin, &p->cfg->sc, committed, anomalies, e) < 0) {
			rc = cell_fail(out, e, "checking the invariant");
			break;
		}
		for (int k = 0; k < nk; k++) {
			out->anomalies[k] += anomalies[k];
			anomalous |= anomalies[k] > 0;
		}
		out->trials++;
		out->anomalous_trials += anomalous;
	}

	for (int i = 0; i < p->n; i++)
		merge_stats(out, lat, &p->cl[i].st);
	lat_summarize(lat, &out->lat);
	out->seconds = (double)(now_ns() - t_cell) / 1e9;
	out->throughput = active ? (double)out->ops / ((double)active / 1e9) : 0;
	if (rc == 0)
		cell_judge(out);
	free(lat);
	free(committed);
	return rc;
}

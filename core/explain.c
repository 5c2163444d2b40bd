/*
 * explain.c: explain mode: a race played step by step, the way PostgreSQL's
 * isolationtester plays a permutation, and what each session saw.
 *
 * The sessions are the clients of an ordinary pool running the scenario's
 * real operation; nothing here knows a scenario's SQL. They talk to the
 * database through a wrapping driver and lock service whose statements are
 * gates (explain_wrap.c); the scheduler walks the schedule and lets them
 * through one by one (explain_sched.c). This file sets a play up on a
 * fresh schema, runs it and checks the invariant.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "explain.h"
#include "explain_play.h"
#include "harness.h"

void explain_knobs(struct sc_params *p, int sessions, const struct sc_params *user)
{
	memset(p, 0, sizeof(*p));
	p->clients = sessions;
	p->keys = 1;
	p->think_us = 0; /* think and tail are gates, they take no time */
	/* The race's explain values (one coupon left, money for one purchase), unless --set says. */
	p->explain = 1;
	if (user) {
		p->nset = user->nset;
		memcpy(p->set, user->set, sizeof(p->set));
	}
}

static void ctx_init(struct ex_ctx *x, const struct explain_cfg *cfg, struct explain_result *out)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&x->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->sched_cv, &ca);
	pthread_cond_init(&x->sess_cv, &ca);
	pthread_condattr_destroy(&ca);
	ex_wrap_init(x, cfg);
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
	const char *why;
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
	explain_knobs(&out->params, n, cfg->set);
	knob_set_of(&out->knobs, sc, &out->params);
	ctx_init(x, cfg, out);
	x->stop = cfg->stop;
	x->wait_blocked = cfg->wait_blocked;

	dbo.schema = NULL;
	dbo.wrap = NULL;
	if ((d->xGlobalInit && d->xGlobalInit(e) < 0) || d->xConnect(&dbo, &admin, e) < 0 ||
	    d->xServerInfo(admin, &si, e) < 0)
		goto done;
	why = d->xLevelFits ? d->xLevelFits(admin, cfg->iso) : NULL;
	if (why) {
		rb_err_input(e, "%s has no level %s: %s", si.product, rb_iso_name(cfg->iso), why);
		goto done;
	}
	x->deadlock_ns = deadlock_wait_ns(&si);
	str_copy(out->product, si.product, sizeof(out->product));
	/* "15.14 (Debian ...)": the number is enough, and the same every run. */
	str_copy(out->version, si.version, sizeof(out->version));
	out->version[strcspn(out->version, " ")] = '\0';
	if (d->xSchemaCreate(admin, cfg->schema, 0, e) < 0)
		goto done;
	made = 1;
	dbo.schema = cfg->schema;
	if (sc->xSetup(sc, admin, &out->params, e) < 0 || sc->xReset(sc, admin, &out->params, e) < 0 ||
	    sc->xSchema(sc, admin, &out->params, -1, cfg->strat, e) < 0)
		goto done;
	if (d->xConnect(&dbo, &x->ctl, e) < 0 || locks_clear(cfg, e) < 0)
		goto done;

	memset(&rcfg, 0, sizeof(rcfg));
	rcfg.clients = n;
	rcfg.trials = 1;
	rcfg.retries = 10;
	rcfg.seed = 1;
	rcfg.sc = out->params;
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
	{
		int nstates;
		void **states = pool_states(pool, &nstates);

		if (sc->xCheck(sc, admin, &out->params, committed, states, nstates, out->anomalies,
			       e) < 0)
			goto done;
	}
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

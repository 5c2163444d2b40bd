/* matrix.c: the matrix of cells: each database, scenario, strategy and level. */
#define _GNU_SOURCE
#include "matrix.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "harness.h"
#include "../base/util.h"

void matrix_init(struct matrix *m, struct matrix_plan *o, struct run_result *r, int progress,
		 const atomic_int *stop)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	m->r = r;
	m->progress = progress;
	m->stop = stop;
	atomic_init(&m->done_cells, 0);
	pthread_mutex_init(&m->print, NULL);
}

void matrix_release(struct matrix *m)
{
	pthread_mutex_destroy(&m->print);
}

/* The drivers and scenarios a plan chooses from. */
static const struct driver *const *drv_list(const struct matrix_plan *o)
{
	return o->driver_list ? o->driver_list : drivers;
}

static const struct scenario *const *sc_list(const struct matrix_plan *o)
{
	return o->scenario_list ? o->scenario_list : scenario_builtins();
}

/* The signal that stopped the run, or 0. */
static int stopped(const struct matrix *st)
{
	return st->stop ? atomic_load(st->stop) : 0;
}

/* One database's part of a run; databases may run side by side. */
struct db_run {
	struct matrix *st;
	const struct driver *d;
	const char *dsn;
	const char *replica;  /* its standby's DSN, or NULL */
	const char *topology; /* what dsn (and replica) make, or NULL */
	int throwaway;
	struct run_result r; /* its cells and server, merged in driver order */
	/* Why the database lacks a level (xLevelFits on its server), or NULL. */
	const char *level_na[RB_ISO__COUNT];
	int rc;
	pthread_t thread;
	const char *cur_label; /* load: the running cell, for progress */
};

/* Load mode's progress line, about once a second. */
static void load_progress(void *arg, int warming, double elapsed, long long ops)
{
	struct db_run *dr = arg;

	fprintf(stderr, "\r\033[K[%d/%d] %s: %s%.0f s, %lld ops", atomic_load(&dr->st->done_cells),
		dr->st->total_cells, dr->cur_label, warming ? "warming up, " : "", elapsed, ops);
	fflush(stderr);
}

static void progress(struct matrix *st, const struct cell_result *c)
{
	if (!st->progress)
		return;
	pthread_mutex_lock(&st->print);
	fprintf(stderr, "\r\033[K[%d/%d] %s %s %s %s: %s", atomic_load(&st->done_cells),
		st->total_cells, c->db, c->scenario, c->strategy, rb_iso_name(c->iso),
		verdict_name(c->verdict));
	fflush(stderr);
	pthread_mutex_unlock(&st->print);
}

/*
 * A strategy that sets its own level runs once, in the cell of that level;
 * its other cells would repeat the same measurement under a wrong label.
 */
static const char *level_fits(enum strategy s, enum rb_iso iso)
{
	if (strategy_info(s)->force_serializable && iso != RB_ISO_SER)
		return "this strategy runs every transaction at SERIALIZABLE itself: "
		       "its figures are in the ser cell";
	return NULL;
}

static void na_cells(struct run_result *r, const struct driver *d, const struct scenario *sc,
		     enum strategy s, unsigned isos, const char *why)
{
	for (int l = 0; l < RB_ISO__COUNT; l++) {
		struct cell_result *c;

		if (!(isos & (1u << l)))
			continue;
		c = result_add_cell(r);
		c->db = d->name;
		c->scenario = sc->name;
		c->strategy = strategy_name(s);
		c->iso = c->eff_iso = (enum rb_iso)l;
		c->verdict = V_NA;
		c->na_reason = why;
	}
}

/* Why d lacks level l, asked without a server (NULL when it may have it). */
static const char *level_known_na(const struct driver *d, enum rb_iso l)
{
	return d->xLevelFits ? d->xLevelFits(NULL, l) : NULL;
}

/*
 * A topology's own fix runs only where the run is on that topology: on
 * one server it would repeat another strategy's cell under a new name.
 */
static char topology_why[ST__COUNT][200];
static pthread_once_t topology_why_once = PTHREAD_ONCE_INIT;

/* The n/a reasons, written once: the databases' threads only read them. */
static void topology_why_init(void)
{
	for (int s = 0; s < ST__COUNT; s++) {
		const struct strategy_info *si = strategy_info((enum strategy)s);

		if (si->topology)
			str_printf(topology_why[s], sizeof(topology_why[s]),
				   "%s is a fix for the %s topology: it runs with --topology %s "
				   "(or that topology's endpoints)",
				   si->name, si->topology, si->topology);
	}
}

static const char *topology_fits(const struct matrix_plan *o, const char *topology,
				 enum strategy s)
{
	const struct strategy_info *si = strategy_info(s);

	if (!si->topology || (topology && !strcmp(si->topology, topology)) ||
	    (o->lock_topology && !strcmp(si->topology, o->lock_topology)))
		return NULL;
	pthread_once(&topology_why_once, topology_why_init);
	return topology_why[s];
}

/* Whether strategy s can run here; else the reason, for an n/a cell. */
static const char *cell_fits(const struct matrix_plan *o, const char *topology,
			     const struct scenario *sc, const struct driver *d, enum strategy s)
{
	const char *why = topology_fits(o, topology, s);

	if (why)
		return why;
	why = sc->xFits(sc, s, d->dialect);
	if (why)
		return why;
	if (strategy_uses_redis(s) && !lock_service)
		return "needs a Redis lock service, which this build does not have";
	return NULL;
}

/* How many points a load sweep measures each cell at (1: no sweep). */
static int points_of(const struct matrix_plan *o)
{
	return (o->nclients > 1 ? o->nclients : 1) * (o->nkeys > 1 ? o->nkeys : 1);
}

/*
 * The cells of one scenario on one database at one point (cfg's clients
 * and keys); *schema is the strategy whose schema the tables carry, in and
 * out. Returns -1 on infrastructure failure.
 */
static int run_point(struct db_run *dr, const struct db_opts *dbo, struct db_conn **admin_p,
		     const struct scenario *sc, const struct run_cfg *cfg, int *schema,
		     struct rb_err *e)
{
	struct matrix *st = dr->st;
	const struct driver *d = dr->d;
	struct matrix_plan *o = st->o;
	struct pool *pool = NULL;
	int rc;

	for (int s = 0; s < ST__COUNT; s++) {
		const char *why;

		if (!(o->strategies & (1u << s)))
			continue;
		why = cell_fits(o, dr->topology, sc, d, (enum strategy)s);
		if (why) {
			na_cells(&dr->r, d, sc, (enum strategy)s, o->isolations, why);
			continue;
		}
		for (int l = 0; l < RB_ISO__COUNT; l++) {
			struct cell_result *c;

			if (!(o->isolations & (1u << l)))
				continue;
			why = dr->level_na[l];
			if (!why)
				why = level_fits((enum strategy)s, (enum rb_iso)l);
			if (why) {
				na_cells(&dr->r, d, sc, (enum strategy)s, 1u << l, why);
				continue;
			}
			if (stopped(st))
				goto stop;
			if (!pool) {
				pool = pool_open(d, dbo, sc, cfg, e);
				if (!pool) {
					str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg),
						   "%s: opening %d client connections: %s", d->name,
						   cfg->clients, e->msg);
					return -1;
				}
				pool_assume_schema(pool, *schema);
			}
			c = result_add_cell(&dr->r);
			atomic_fetch_add(&st->done_cells, 1);
			if (o->load) {
				char label[160];

				snprintf(label, sizeof(label), "%s %s %s %s", d->name, sc->name,
					 strategy_name((enum strategy)s),
					 rb_iso_name((enum rb_iso)l));
				if (points_of(o) > 1)
					str_printf(label + strlen(label), sizeof(label) - strlen(label),
						   " at clients=%d keys=%d", cfg->clients,
						   cfg->sc.keys);
				dr->cur_label = label;
				o->load_cfg.progress = st->progress ? load_progress : NULL;
				o->load_cfg.progress_arg = dr;
				rc = pool_load(pool, admin_p, (enum strategy)s, (enum rb_iso)l,
					       &o->load_cfg, c, e);
			} else {
				rc = pool_cell(pool, admin_p, (enum strategy)s, (enum rb_iso)l, c,
					       e);
			}
			if (rc < 0) {
				pool_close(pool);
				pool = NULL;
				if (stopped(st))
					goto stop;
				str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg),
					   "%s %s %s %s: %s", d->name, sc->name, c->strategy,
					   rb_iso_name(c->iso), c->abort_msg);
				return -1;
			}
			progress(st, c);
		}
	}
stop:
	if (pool)
		*schema = pool_schema_strategy(pool);
	pool_close(pool);
	if (stopped(st)) {
		str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg), "interrupted by %s",
			   stopped(st) == SIGINT ? "SIGINT" : "SIGTERM");
		return -1;
	}
	return 0;
}

/* d's index in the plan's driver list (its topology's slot). */
static int drv_index(const struct matrix_plan *o, const struct driver *d)
{
	for (int i = 0; drv_list(o)[i] && i < 8; i++)
		if (drv_list(o)[i] == d)
			return i;
	return 0;
}

/*
 * Every cell of one scenario on one database, at every point of the
 * sweep: keys outer (the tables are made anew, in a fresh schema, for each
 * number of keys: setup seeds one row set per key), clients inner (a new
 * pool per point, on the same tables). Returns -1 on infrastructure failure.
 */
static int run_scenario(struct db_run *dr, const struct db_opts *dbo, struct db_conn **admin_p,
			const struct scenario *sc, struct rb_err *e)
{
	struct matrix_plan *o = dr->st->o;
	const struct driver *d = dr->d;
	int nk = o->nkeys > 1 ? o->nkeys : 1, nc = o->nclients > 1 ? o->nclients : 1;

	for (int ki = 0; ki < nk; ki++) {
		struct run_cfg cfg = o->cfg;
		int schema = -1;

		if (o->nkeys > 1)
			cfg.sc.keys = o->sweep_keys[ki];
		if (ki > 0 && (d->xSchemaDrop(*admin_p, o->schema, e) < 0 ||
			       d->xSchemaCreate(*admin_p, o->schema, o->force_schema, e) < 0)) {
			str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg),
				   "%s: making the schema anew for %d keys: %s", d->name,
				   cfg.sc.keys, e->msg);
			return -1;
		}
		if (sc->xSetup(sc, *admin_p, &cfg.sc, e) < 0) {
			str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg),
				   "%s: creating %s's tables: %s", d->name, sc->name, e->msg);
			return -1;
		}
		for (int ci = 0; ci < nc; ci++) {
			if (o->nclients > 1)
				cfg.clients = cfg.sc.clients = o->sweep_clients[ci];
			if (run_point(dr, dbo, admin_p, sc, &cfg, &schema, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* Cells of d at level l that would run (not n/a) for the selection in o. */
static int cells_at(const struct matrix_plan *o, const struct driver *d, enum rb_iso l)
{
	int n = 0;

	if (!(o->isolations >> l & 1))
		return 0;
	for (int j = 0; sc_list(o)[j]; j++)
		for (int s = 0; s < ST__COUNT; s++)
			n += (o->scenarios >> j & 1) && (o->strategies >> s & 1) &&
				!cell_fits(o, o->topology[drv_index(o, d)], sc_list(o)[j], d,
					   (enum strategy)s) &&
				!level_fits((enum strategy)s, l);
	return n * points_of(o);
}

/*
 * The levels dr's database has, asked on its server (admin). The cells of
 * a level it lacks that matrix_count_cells counted, not knowing the
 * server, leave the progress line's total.
 */
static void levels_of(struct db_run *dr, struct db_conn *admin)
{
	struct matrix *st = dr->st;

	for (int l = 0; l < RB_ISO__COUNT; l++) {
		dr->level_na[l] =
			dr->d->xLevelFits ? dr->d->xLevelFits(admin, (enum rb_iso)l) : NULL;
		if (dr->level_na[l] && !level_known_na(dr->d, (enum rb_iso)l)) {
			pthread_mutex_lock(&st->print);
			st->total_cells -= cells_at(st->o, dr->d, (enum rb_iso)l);
			pthread_mutex_unlock(&st->print);
		}
	}
}

/*
 * Every selected scenario on one database, into dr->r. Returns 0, -1 on an
 * infrastructure failure, -2 when the tool's schema is refused.
 */
static int run_driver(struct db_run *dr)
{
	struct matrix *st = dr->st;
	const struct driver *d = dr->d;
	const char *dsn = dr->dsn;
	struct matrix_plan *o = st->o;
	struct db_opts dbo = {
		.dsn = dsn,
		.schema = NULL,
		.connect_timeout_s = o->connect_timeout_s,
		.lock_timeout_ms = o->lock_timeout_ms,
		.statement_timeout_ms = o->statement_timeout_ms,
		.replica_dsn = dr->replica,
		.node = -1, /* the admin: sets up, resets and checks on node 1 */
	};
	struct run_server *srv = &dr->r.servers[dr->r.nservers];
	struct db_conn *admin = NULL;
	struct rb_err e;
	int rc = 0;

	rb_err_clear(&e);
	if (d->xThreadInit)
		d->xThreadInit();
	if (d->xConnect(&dbo, &admin, &e) < 0)
		goto fail;
	srv->db = d->name;
	srv->throwaway = dr->throwaway;
	d->xRedact(dsn, srv->dsn, sizeof(srv->dsn));
	str_copy(srv->topology, dr->topology ? dr->topology : "", sizeof(srv->topology));
	if (dr->replica)
		d->xRedact(dr->replica, srv->replica, sizeof(srv->replica));
	if (d->xServerInfo(admin, &srv->info, &e) < 0)
		goto fail;
	dr->r.nservers++;
	levels_of(dr, admin);
	if (d->xSchemaCreate(admin, o->schema, o->force_schema, &e) < 0) {
		str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg), "%s: %s", d->name, e.msg);
		d->xClose(admin);
		if (d->xThreadEnd)
			d->xThreadEnd();
		return e.input ? -2 : -1;
	}
	dbo.schema = o->schema;
	for (int i = 0; sc_list(o)[i] && rc == 0; i++)
		if (o->scenarios & (1u << i))
			rc = run_scenario(dr, &dbo, &admin, sc_list(o)[i], &e);
	if (!o->keep_schema && !d->xBroken(admin))
		d->xSchemaDrop(admin, o->schema, &e);
	d->xClose(admin);
	if (d->xThreadEnd)
		d->xThreadEnd();
	return rc;
fail : {
	char shown[256];

	d->xRedact(dsn, shown, sizeof(shown));
	str_printf(dr->r.abort_msg, sizeof(dr->r.abort_msg), "%s (%s): %s", d->name,
		   *shown ? shown : "the library's defaults", e.msg);
}
	d->xClose(admin);
	if (d->xThreadEnd)
		d->xThreadEnd();
	return -1;
}

static void *driver_thread(void *arg)
{
	struct db_run *dr = arg;

	dr->rc = run_driver(dr);
	return NULL;
}

/*
 * Runs the selected databases: in race mode side by side, one thread each
 * (they are separate servers; a 2-core machine runs the matrix in half the
 * time), unless --sequential; load mode always one after the other, so a
 * benchmark never shares the machine with another. Results are merged in
 * driver order, so reports do not depend on which finished first.
 */
int matrix_run(struct matrix *st, const char **dsn, const int *throwaway, struct rb_err *e)
{
	struct matrix_plan *o = st->o;
	struct db_run dr[8];
	int n = 0, rc = 0, parallel;

	memset(dr, 0, sizeof(dr));
	for (int i = 0; drv_list(o)[i]; i++) {
		struct rb_err ie;

		if (!(o->dbs & (1u << i)))
			continue;
		if (drv_list(o)[i]->xGlobalInit && drv_list(o)[i]->xGlobalInit(&ie) < 0) {
			str_printf(st->r->abort_msg, sizeof(st->r->abort_msg), "%s: %s",
				   drv_list(o)[i]->name, ie.msg);
			return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s", st->r->abort_msg);
		}
		dr[n].st = st;
		dr[n].d = drv_list(o)[i];
		dr[n].dsn = dsn[i];
		dr[n].replica = i < 8 ? o->replica[i] : NULL;
		dr[n].topology = i < 8 ? o->topology[i] : NULL;
		dr[n].throwaway = throwaway[i];
		n++;
	}
	parallel = n > 1 && !o->load && !o->sequential;
	for (int i = 0; i < n; i++) {
		if (stopped(st)) {
			dr[i].rc = -1;
			str_printf(dr[i].r.abort_msg, sizeof(dr[i].r.abort_msg),
				   "interrupted before %s ran", dr[i].d->name);
		} else if (!parallel ||
			   pthread_create(&dr[i].thread, NULL, driver_thread, &dr[i]) != 0) {
			dr[i].rc = run_driver(&dr[i]);
			dr[i].thread = 0;
		}
		if (!parallel && dr[i].rc < 0)
			break;
	}
	for (int i = 0; i < n; i++) {
		struct run_result *part = &dr[i].r;

		if (parallel && dr[i].thread)
			pthread_join(dr[i].thread, NULL);
		for (int c = 0; c < part->ncells; c++)
			*result_add_cell(st->r) = part->cells[c];
		for (int k = 0;
		     k < part->nservers && st->r->nservers < (int)ARRAY_SIZE(st->r->servers); k++)
			st->r->servers[st->r->nservers++] = part->servers[k];
		/* the first failure is the one reported; a refusal (-2) wins */
		if (dr[i].rc < 0 && (rc == 0 || dr[i].rc == -2)) {
			rc = dr[i].rc;
			memcpy(st->r->abort_msg, part->abort_msg, sizeof(st->r->abort_msg));
		}
		result_release(part);
	}
	if (rc == -2)
		return rb_err_input(e, "%s", st->r->abort_msg);
	if (rc < 0)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s", st->r->abort_msg);
	return 0;
}

/*
 * run --explain: each selected scenario's default schedule on each selected
 * database, under `none` (the race) and `for-update-parent` (the fix) at
 * READ COMMITTED, kept in the result for the HTML report. A failure costs
 * only its timeline.
 */
void matrix_explains(struct matrix *st, const char **dsn)
{
	static const enum strategy shown[] = { ST_NONE, ST_FOR_UPDATE_PARENT };
	struct matrix_plan *o = st->o;
	struct run_result *r = st->r;

	for (int i = 0; drv_list(o)[i]; i++) {
		if (!(o->dbs & (1u << i)))
			continue;
		for (int j = 0; sc_list(o)[j]; j++) {
			const struct scenario *sc = sc_list(o)[j];
			struct ex_schedule sched;
			struct rb_err why;

			if (!(o->scenarios & (1u << j)) ||
			    ex_schedule_load(&sched, sc, ex_schedule_find(sc, NULL), &why) < 0)
				continue;
			for (size_t k = 0; k < ARRAY_SIZE(shown); k++) {
				struct explain_cfg ec = {
					.drv = drv_list(o)[i],
					.dbo = { .dsn = dsn[i],
						 .connect_timeout_s = o->connect_timeout_s,
						 .lock_timeout_ms = o->lock_timeout_ms,
						 .statement_timeout_ms = o->statement_timeout_ms },
					.schema = o->schema,
					.sc = sc,
					.strat = shown[k],
					.iso = RB_ISO_RC,
					.sched = &sched,
					.stop = st->stop,
					.set = &o->cfg.sc,
				};
				struct rb_err e;

				if (stopped(st) || sc->xFits(sc, shown[k], drv_list(o)[i]->dialect))
					continue;
				r->explains =
					xrealloc(r->explains,
						 (size_t)(r->nexplains + 1) * sizeof(*r->explains));
				if (explain_run(&ec, &r->explains[r->nexplains], &e) == 0) {
					r->nexplains++;
				} else {
					explain_release(&r->explains[r->nexplains]);
					if (!o->quiet)
						fprintf(stderr,
							"racebench: --explain: %s %s %s: %s\n",
							drv_list(o)[i]->name, sc->name,
							strategy_name(shown[k]), e.msg);
				}
			}
		}
	}
}

int matrix_count_cells(const struct matrix_plan *o)
{
	int n = 0;

	for (int i = 0; drv_list(o)[i]; i++)
		for (int l = 0; l < RB_ISO__COUNT; l++)
			if ((o->dbs >> i & 1) && !level_known_na(drv_list(o)[i], (enum rb_iso)l))
				n += cells_at(o, drv_list(o)[i], (enum rb_iso)l);
	return n;
}

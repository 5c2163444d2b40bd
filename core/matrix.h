/* matrix.h: running the matrix of cells the options select. */
#ifndef RB_MATRIX_H
#define RB_MATRIX_H

#include <pthread.h>
#include <stdatomic.h>

#include "harness.h"
#include "result.h"

/* What a run of the matrix runs, and how. */
struct matrix_plan {
	int load;	     /* load mode: one database after the other, pool_load */
	unsigned dbs;	     /* bit i: drivers[i] */
	unsigned scenarios;  /* bit i: scenarios[i] */
	unsigned strategies; /* bit s: enum strategy */
	unsigned isolations; /* bit l: enum rb_iso */
	struct run_cfg cfg;
	struct load_cfg load_cfg;
	const char *schema;
	int force_schema; /* times --force-schema was given */
	int keep_schema;
	int sequential; /* race mode: one database after the other */
	int lock_timeout_ms;
	int connect_timeout_s;
	int statement_timeout_ms; /* 0: none */
	int quiet;
	/*
	 * Load mode's sweep (--clients 1,2,4 --keys 1,16): every cell measured
	 * at every point, keys outer (the race's tables are made anew for each
	 * number of keys), clients inner. One value each: no sweep (cfg's).
	 */
#define SWEEP_MAX 16
	int nclients, sweep_clients[SWEEP_MAX];
	int nkeys, sweep_keys[SWEEP_MAX];
	/*
	 * Topologies, per driver (drivers[i]): its replica's DSN and the
	 * topology its endpoints make (NULL: one server), and the lock
	 * service's. A strategy with a topology runs only on it.
	 */
	const char *replica[8];
	const char *topology[8];
	const char *lock_topology;
	/* What to choose from: NULL for the registries (tests give their own). */
	const struct driver *const *driver_list;
	const struct scenario *const *scenario_list;
};

/* A run of the matrix: what to run, where results go, how to show progress. */
struct matrix {
	struct matrix_plan *o;
	struct run_result *r;
	int progress;		/* a progress line on stderr */
	const atomic_int *stop; /* set by a signal: stop after the current operations */
	atomic_int done_cells;
	int total_cells;       /* for the progress line; under print once running */
	pthread_mutex_t print; /* the progress line, shared by the databases */
};

void matrix_init(struct matrix *m, struct matrix_plan *o, struct run_result *r, int progress,
		 const atomic_int *stop);
void matrix_release(struct matrix *m);
/*
 * Cells that will run (not n/a) for the selection in o, as far as the
 * drivers know without a server. A level a server turns out to lack
 * (xLevelFits) is taken off m->total_cells when matrix_run connects.
 */
int matrix_count_cells(const struct matrix_plan *o);
/*
 * Runs every selected database, dsn[i] for drivers[i] (throwaway[i]: a
 * server racebench started), into m->r: in race mode side by side, one
 * thread each, unless --sequential; load mode one after the other. Results
 * are merged in driver order. Returns 0, or -1 with e on an infrastructure
 * failure or a stop (m->r->abort_msg says the same), bad input when a
 * schema of the tool's name is refused.
 */
int matrix_run(struct matrix *m, const char **dsn, const int *throwaway, struct rb_err *e);
/*
 * run --explain: each selected scenario's default schedule on each selected
 * database under none and for-update-parent at READ COMMITTED, appended to
 * m->r->explains for the HTML report. A failure costs only its timeline.
 */
void matrix_explains(struct matrix *m, const char **dsn);

#endif

/* matrix.h: running the matrix of cells the options select. */
#ifndef RB_MATRIX_H
#define RB_MATRIX_H

#include <pthread.h>
#include <stdatomic.h>

#include "opts.h"
#include "result.h"

/* A run of the matrix: what to run, where results go, how to show progress. */
struct matrix {
	struct options *o;
	struct run_result *r;
	int progress;		/* a progress line on stderr */
	const atomic_int *stop; /* set by a signal: stop after the current operations */
	atomic_int done_cells;
	int total_cells;
	pthread_mutex_t print; /* the progress line, shared by the databases */
};

void matrix_init(struct matrix *m, struct options *o, struct run_result *r, int progress,
		 const atomic_int *stop);
void matrix_release(struct matrix *m);
/* Cells that will run (not n/a) for the selection in o. */
int matrix_count_cells(const struct options *o);
/*
 * Runs every selected database, dsn[i] for drivers[i] (throwaway[i]: a
 * server racebench started), into m->r: in race mode side by side, one
 * thread each, unless --sequential; load mode one after the other. Results
 * are merged in driver order. Returns 0, -1 on an infrastructure failure
 * or a stop (m->r->abort_msg says which), -2 when a schema of the tool's
 * name is refused.
 */
int matrix_run(struct matrix *m, const char **dsn, const int *throwaway);
/*
 * run --explain: each selected scenario's default schedule on each selected
 * database under none and for-update-parent at READ COMMITTED, appended to
 * m->r->explains for the HTML report. A failure costs only its timeline.
 */
void matrix_explains(struct matrix *m, const char **dsn);

#endif

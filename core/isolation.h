/*
 * isolation.h: racebench isolation, the anomaly catalogue. Every test (a
 * race file in scenarios/isolation/, with one Hermitage-style schedule) is
 * played by explain's engine at every level on every database, and each
 * play becomes one cell of a run_result in mode "isolation": its verdict
 * says anomaly or prevented (safe), and how says what prevented it.
 */
#ifndef RB_ISOLATION_H
#define RB_ISOLATION_H

#include <stdatomic.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "result.h"

struct iso_plan {
	const struct driver *const *drivers; /* NULL-terminated; dbs picks */
	unsigned dbs;			     /* bit i: drivers[i] */
	const char *const *dsn;		     /* per drivers[] index */
	unsigned isos;			     /* bit per enum rb_iso */
	const struct scenario *const *tests; /* NULL-terminated; picked by mask */
	unsigned long long tests_mask;
	const char *schema;
	int connect_timeout_s;
	/*
	 * How long a statement may wait for a lock: a wait the schedule never
	 * releases ends with the server's lock-wait time-out (MariaDB 1205),
	 * which this bounds (MariaDB counts whole seconds).
	 */
	int lock_timeout_ms;
	int statement_timeout_ms;
	const atomic_int *stop;
	int quiet;
};

/*
 * Plays every picked test at every picked level on every picked database,
 * into out (mode "isolation"; out->explains holds the plays). A play the
 * engine cannot finish is an aborted ("inconclusive") cell, not an error.
 * Returns 0, or -1 with e when a database cannot be reached at all, and
 * out is then partial (out->aborted).
 */
int isolation_run(const struct iso_plan *p, struct run_result *out, struct rb_err *e);

/*
 * What happened in a play, mechanically: "blocked" if a statement waited
 * for a lock, then each error code in order ("blocked+40001"), or "none";
 * and, in detail, the first statement that waited or failed.
 */
void isolation_how(const struct explain_result *play, char *how, size_t hn, char *detail,
		   size_t dn);

/* "prevented", "anomaly", "inconclusive", "n/a": a verdict as the catalogue says it. */
const char *isolation_outcome(enum verdict v);

#endif

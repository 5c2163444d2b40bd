/* harness.h: client threads, the barrier, trials, retries and timing. */
#ifndef RB_HARNESS_H
#define RB_HARNESS_H

#include <stdatomic.h>
#include <stdint.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "result.h"

/* Where a fault (--fault) acts during a cell's trials. */
enum fault_point {
	FAULT_TRIAL,	 /* before the clients are released */
	FAULT_GRANTED,	 /* a client was granted a Redlock lock, and holds it */
	FAULT_TRIAL_END, /* the clients are done */
};

struct run_cfg {
	int clients;
	int trials;
	int retries;	  /* attempts after the first, for retrying strategies */
	uint64_t tail_us; /* work after the write, before COMMIT */
	uint64_t seed;
	struct sc_params sc;
	/* The lock service for the redis-* strategies (url NULL: none). */
	struct lock_opts lock;
	int lock_wait_ms; /* how long a client waits for a Redis lock */
	int lock_ttl_ms;  /* the lease of every Redis lock but redis-expiry's */
	int lease_ms;	  /* redis-expiry's lease: shorter than the work */
	/* The lock service the harness calls (NULL: the registry's). */
	const struct lock_service *locks;
	/*
	 * Explain mode: called at the operation's pause points ("think"
	 * between the read and the write, "tail" before COMMIT, "retry"
	 * before a retry) instead of sleeping there, and at its "start"
	 * (before its first statement) and "end" (retries included). NULL
	 * in the matrix.
	 */
	void (*pause)(const struct op_ctx *o, const char *point, void *arg);
	void *pause_arg;
	/*
	 * A fault played on the lock service's nodes, in race mode, in the
	 * cells of the Redlock strategy only (NULL: none). FAULT_GRANTED is
	 * called from the granted client's thread, which keeps the lock while
	 * it runs; its result is ignored (the fault reports a failure at
	 * FAULT_TRIAL_END). -1 with e ends the cell, aborted.
	 */
	int (*fault)(void *arg, enum fault_point pt, struct rb_err *e);
	void *fault_arg;
	/* Set (by a signal handler) when the run must stop: clients finish
	 * the operation they are in, cells end early, marked aborted. */
	const atomic_int *stop;
};

/*
 * C client threads, each with its own connection (opened before any clock
 * starts), for one driver and one scenario. Cells run one after another on
 * the same pool; the scenario's tables must exist before pool_open.
 */
struct pool;

struct pool *pool_open(const struct driver *d, const struct db_opts *dbo, const struct scenario *sc,
		       const struct run_cfg *cfg, struct rb_err *e);
/*
 * Runs one cell: cfg->trials times reset the state through *admin (which
 * is reconnected once if the server dropped it), release
 * the clients together, wait for them, check the invariant. Fills out.
 * Returns 0, or -1 when the database failed underneath (out is then
 * marked aborted and e says why).
 */
int pool_cell(struct pool *p, struct db_conn **admin, enum strategy s, enum rb_iso iso,
	      struct cell_result *out, struct rb_err *e);
/* Load mode: how long, how fast, and a progress callback. */
struct load_cfg {
	uint64_t duration_us; /* measured time after the warm-up; 0: until ops */
	long long ops;	      /* total measured operations; 0: until duration */
	double rate;	      /* open loop: operations per second in all; 0: closed */
	int poisson;	      /* open loop: exponential gaps instead of fixed */
	uint64_t warmup_us;   /* run but not counted */
	/* Called about once a second from the main thread (may be NULL). */
	void (*progress)(void *arg, int warming, double elapsed_s, long long ops);
	void *progress_arg;
	/*
	 * Faults (core/faults.c), from the main thread: at the cell's start
	 * (0 s), on every 200 ms tick with the seconds since, and once when
	 * the load is over (over 1), before the check, writing what it did
	 * to log. NULL: none.
	 */
	void (*fault)(void *arg, double elapsed_s, int over, char *log, size_t n);
	void *fault_arg;
};

/*
 * Load mode for one cell: the state is reset once, the clients run
 * operations on random keys (--keys) until the measured duration or
 * operation count is reached, and the invariant is checked over every key
 * at the end (a fix that is fast but wrong shows as wrong).
 */
/*
 * The strategy whose schema the race's tables carry (-1: as set up). A
 * sweep opens a pool per point on the same tables: the next pool is told
 * what the last one left.
 */
int pool_schema_strategy(const struct pool *p);
void pool_assume_schema(struct pool *p, int strategy);
int pool_load(struct pool *p, struct db_conn **admin, enum strategy s, enum rb_iso iso,
	      const struct load_cfg *lc, struct cell_result *out, struct rb_err *e);

/*
 * One trial whose pacing the caller controls: releases the clients on
 * the state as it is (no reset, no check), calls during(arg) on this
 * thread while they run, and returns when all are done. explain uses it.
 */
void pool_run_trial(struct pool *p, enum strategy s, enum rb_iso iso, void (*during)(void *arg),
		    void *arg);
/* Per-key committed operations of the last trial, summed over clients. */
void pool_committed(const struct pool *p, long long *committed);
/* The clients' scenario states (xClientNew), n of them: what a check reads notes from. */
void **pool_states(const struct pool *p, int *n);

/* Stops the threads and closes their connections. Accepts NULL. */
void pool_close(struct pool *p);

/* The level a strategy's transactions run at in a cell of level iso. */
enum rb_iso effective_iso(enum strategy s, enum rb_iso iso);

#endif

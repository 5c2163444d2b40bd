/* harness.h: client threads, the barrier, trials, retries and timing. */
#ifndef RB_HARNESS_H
#define RB_HARNESS_H

#include <stdint.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "result.h"

struct run_cfg {
	int clients;
	int trials;
	int retries;		/* attempts after the first, for retrying strategies */
	uint64_t tail_us;	/* work after the write, before COMMIT */
	uint64_t seed;
	struct sc_params sc;
	/* The lock service for the redis-* strategies (url NULL: none). */
	struct lock_opts lock;
	int lock_wait_ms;	/* how long a client waits for a Redis lock */
	int lock_ttl_ms;	/* the lease of every Redis lock but redis-expiry's */
	int lease_ms;		/* redis-expiry's lease: shorter than the work */
};

/*
 * C client threads, each with its own connection (opened before any clock
 * starts), for one driver and one scenario. Cells run one after another on
 * the same pool; the scenario's tables must exist before pool_open.
 */
struct pool;

struct pool *pool_open(const struct driver *d, const struct db_opts *dbo,
		       const struct scenario *sc, const struct run_cfg *cfg,
		       struct rb_err *e);
/*
 * Runs one cell: cfg->trials times reset the state through admin, release
 * the clients together, wait for them, check the invariant. Fills out.
 * Returns 0, or -1 when the database failed underneath (out is then
 * marked aborted and e says why).
 */
int pool_cell(struct pool *p, struct db_conn *admin, enum strategy s,
	      enum rb_iso iso, struct cell_result *out, struct rb_err *e);
/* Stops the threads and closes their connections. Accepts NULL. */
void pool_close(struct pool *p);

/* The level a strategy's transactions run at in a cell of level iso. */
enum rb_iso effective_iso(enum strategy s, enum rb_iso iso);

#endif

/*
 * explain_play.h: one play of explain mode, as its parts share it
 * (explain.c sets it up, explain_wrap.c gates the sessions' statements,
 * explain_sched.c walks the schedule): the sessions and what each is at.
 * Not for other modules.
 */
#ifndef RB_EXPLAIN_PLAY_H
#define RB_EXPLAIN_PLAY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "explain_result.h"
#include "../scenarios/schedule.h"

struct explain_cfg;

#define POLL_NS	       2000000ull     /* how often the scheduler looks again */
#define PROBE_AFTER_NS 5000000ull     /* a statement this old: is it waiting? */
#define STUCK_NS       60000000000ull /* a session that long without progress */
#define SHORT_LEASE_MS 1000	      /* a Redis lease explain lets run out at think */

enum gate_kind {
	G_NONE,
	G_START,
	G_STMT,
	G_PAUSE
};

/* How a session's last transaction ended, for its EXE_END line. */
enum txn {
	TXN_NONE,
	TXN_OPEN,
	TXN_COMMITTED,
	TXN_ROLLED_BACK,
	TXN_COMMIT_FAILED
};

/* One session: a pool client and where it stands. All under ctx->mu. */
struct ex_sess {
	int client;
	int bound; /* its thread is known ("start" came) */
	pthread_t thread;
	long long sid; /* the server's id for its connection */

	/* The gate it waits at; G_NONE when it is not waiting for a grant. */
	enum gate_kind gk;
	const char *pause; /* G_PAUSE: think, tail, retry */
	char *text;	   /* G_STMT: the statement, parameters inline */
	char name[32];	   /* G_STMT: its name (a race file's; begin, commit, rollback) */
	int lock;	   /* G_STMT: 1 advisory lock, 2 Redis lock */
	int granted;
	int recorded; /* G_PAUSE: its event is in the list */
	int held;     /* G_PAUSE: a step of the schedule ended here */

	/* The statement it was let through with. */
	int in_stmt, done, waiting, redis_wait;
	char *cur;
	char cur_name[32];
	int cur_lock;
	int stmt_no;
	uint64_t sent_ns;
	char *result;
	int failed;
	struct rb_err err;
	char wait_lock[128]; /* redis_wait: the lock's name */

	/* A Redis grant it holds (for "is the waiter still blocked?"). */
	int holds, lapsed;
	char hold_name[128];
	int hold_ttl_ms;
	uint64_t hold_ns;

	int ended, end_recorded;
	enum txn txn;
	int retries;
	uint64_t progress_ns; /* when it last moved (stuck detection) */
};

struct ex_ctx {
	pthread_mutex_t mu;
	pthread_cond_t sched_cv; /* sessions -> scheduler */
	pthread_cond_t sess_cv;	 /* scheduler -> sessions */
	const struct driver *real;
	struct driver drv; /* the wrapping driver the pool uses */
	const struct lock_service *real_locks;
	struct lock_service locks; /* the wrapping lock service */
	struct db_conn *ctl;	   /* the control connection */
	const struct ex_schedule *sched;
	const atomic_int *stop;
	int n;
	struct ex_sess s[EX_MAX_SESSIONS];
	struct explain_result *out;
	uint64_t deadlock_ns; /* how long the server takes to find a deadlock */
	int free_run;	      /* gates open: after a failure, let all finish */
	/*
	 * A step for a session whose statement waits for a lock: 0 skips it
	 * (explain), 1 waits until the statement ends first, however it ends
	 * (isolationtester, and racebench isolation: a lock time-out, then).
	 */
	int wait_blocked;
	char fatal[256];
};

/* A connection of the wrapping driver: the real one inside. */
struct xconn {
	struct db_conn base; /* must be first */
	struct db_conn *real;
	struct ex_ctx *ctx;
	long long sid;
};

/* A connection of the wrapping lock service. */
struct xlock {
	struct lock_conn *real;
	struct ex_ctx *ctx;
};

static inline void lock_ctx(struct ex_ctx *x)
{
	pthread_mutex_lock(&x->mu);
}

static inline void unlock_ctx(struct ex_ctx *x)
{
	pthread_mutex_unlock(&x->mu);
}

/* explain_wrap.c: points x's wrapping driver and lock service at cfg's real ones. */
void ex_wrap_init(struct ex_ctx *x, const struct explain_cfg *cfg);
/* explain_wrap.c: the harness's pause points, as gates (run_cfg.pause). */
void ex_pause(const struct op_ctx *o, const char *point, void *arg);
/* explain_sched.c: pool_run_trial's during(): the whole play, on the main thread. */
void ex_play(void *arg);

#endif

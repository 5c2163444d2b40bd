/* scenario.h: a race from one incident: schema, operation, invariant checker. */
#ifndef RB_SCENARIO_H
#define RB_SCENARIO_H

#include <stdint.h>

#include "../base/err.h"
#include "../base/strategy.h"
#include "../drivers/driver.h"

#define SC_MAX_KINDS 4
#define SC_MAX_SET   16

/* What every race may read: the run's shape and the knobs set on the command line. */
struct sc_params {
	int clients;
	int keys;	   /* hot rows the clients spread over (client % keys) */
	uint64_t think_us; /* application work between the read and the write */
	int explain;	   /* explain plays: knobs take their explain values */
	int nset;
	struct {
		char name[32];
		long long value;
	} set[SC_MAX_SET]; /* --set NAME=VALUE (and --quantity ...), in order */
};

struct scenario;

/* One attempt of the operation, inside the transaction the harness began. */
struct op_ctx {
	const struct scenario *sc;
	void *state; /* the scenario's state for this client (xClientNew) */
	struct db_conn *db;
	const struct sc_params *p;
	enum strategy strat;
	enum rb_iso iso; /* the level the transaction runs at */
	int client;
	int key;	 /* 0 .. keys-1 */
	long long token; /* unique for each operation in a run */
	/* explain mode: pause points instead of sleeps (see run_cfg). */
	void (*pause)(const struct op_ctx *o, const char *point, void *arg);
	void *pause_arg;
};

/* What an operation attempt tells the harness. */
enum op_status {
	OP_ERROR = -1, /* a database error, described in the rb_err */
	OP_DONE = 0,   /* did its work; the harness commits */
	OP_DECLINED,   /* correctly refused (sold out, no money, paid); commits */
	OP_CONFLICT,   /* optimistic version miss: roll back, maybe retry */
	OP_BROKEN,     /* check-after found the invariant broken: roll back */
	OP_ROLLBACK,   /* the operation rolls back on purpose (an isolation test's aborter) */
	/* Set by the harness's guards, never by a scenario: */
	OP_FENCED,  /* the fencing token was older than the row's */
	OP_NO_LOCK, /* the lock service did not grant the lock in time */
};

/*
 * A canonical interleaving for `racebench explain` (docs/explain.md), in
 * the schedule language: sessions are pool clients ("A=0 B=1": session A
 * is client 0, whose role the operation decides), and each step runs one
 * session to a point of its operation ("A:think B:think A:end B:end").
 */
struct sc_schedule {
	const char *name;
	const char *summary; /* one line */
	const char *sessions;
	const char *steps;
};

/*
 * A race the harness can run. Every race is a race file read by one
 * interpreter (race.c); the interface stays a table of functions so the
 * unit tests can give the harness a race of their own.
 */
struct scenario {
	const char *name;
	const char *file;     /* the race file it was read from */
	int builtin;	      /* compiled into racebench */
	const char *incident; /* the incident, one line */
	const char *summary;  /* the operation, one line */
	const char *notes;    /* surprising cells explained (for `list`), or NULL */
	const char *kinds[SC_MAX_KINDS]; /* anomaly kinds, NULL-terminated */
	const struct sc_schedule *schedules; /* explain's, the default first; NULL name ends */
	int nknobs;
	const char *knobs[SC_MAX_SET];	   /* the knobs --set may change */
	const char *knob_help[SC_MAX_SET]; /* one line each */

	/* NULL when s fits this race on dialect d, else why it is n/a. */
	const char *(*xFits)(const struct scenario *sc, enum strategy s, enum dialect d);
	/* Creates the tables (in the tool's schema) and puts the seed state back. */
	int (*xSetup)(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		      struct rb_err *e);
	int (*xReset)(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		      struct rb_err *e);
	/*
	 * Moves the schema from what strategy prev ran with (-1: as xSetup
	 * made it) to what next needs (a unique index, a CHECK only some
	 * strategies have). Called after a reset.
	 */
	int (*xSchema)(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		       int prev, enum strategy next, struct rb_err *e);
	/* A client's state (its variables), made once per pool client. */
	void *(*xClientNew)(const struct scenario *sc, const struct sc_params *p);
	void (*xClientFree)(void *state);
	/* One attempt: read, think, write. */
	enum op_status (*xOp)(struct op_ctx *o, struct rb_err *e);
	/* check-after: re-reads the invariant before COMMIT. */
	enum op_status (*xRecheck)(struct op_ctx *o, struct rb_err *e);
	/* The harness committed the operation's transaction (NULL: nothing to do). */
	void (*xCommitted)(struct op_ctx *o);
	/*
	 * Counts anomalies by kind after a trial. committed[k] is the number
	 * of operations on key k that committed with OP_DONE; states are the
	 * clients' (xClientNew), whose notes the check reads and clears.
	 */
	int (*xCheck)(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		      const long long *committed, void **states, int nstates, long long *anomalies,
		      struct rb_err *e);
	/* redis-late's first read: a plain read of the key's parent row. */
	int (*xPeek)(struct op_ctx *o, struct rb_err *e);
	/* The fencing-token write on the parent row: 1 taken, 0 refused (older token), -1 error. */
	int (*xFence)(struct op_ctx *o, long long token, struct rb_err *e);
	/* write-parent's first write: the key's parent row's fence column bumped. */
	int (*xTouch)(struct op_ctx *o, struct rb_err *e);
	/* Knob name's value for p: 0, or -1 when the race has no such knob. */
	int (*xKnob)(const struct scenario *sc, const char *name, const struct sc_params *p,
		     long long *out);
	/* Every knob within the range the race declares for it (min, max): 0, or -1 (e, input). */
	int (*xKnobsCheck)(const struct scenario *sc, const struct sc_params *p, struct rb_err *e);
	/* Whether the race runs a statement called name (a schedule's point). */
	int (*xHasStatement)(const struct scenario *sc, const char *name);
	/* Every statement has a spelling for dialect d: 0, or -1 (e, input). NULL: always. */
	int (*xSpelt)(const struct scenario *sc, enum dialect d, struct rb_err *e);
	const void *data; /* the implementation's own (the race) */
};

/* Sleeps for the operation's think time (or pauses there, in explain). */
void sc_think(const struct op_ctx *o);
int sc_nkinds(const struct scenario *s);

/* The built-in races, compiled in (the .race files in scenarios/), in order; NULL-terminated. */
const struct scenario *const *scenario_builtins(void);
/* racebench isolation's tests (scenarios/isolation/), NULL-terminated. */
const struct scenario *const *scenario_isolation_tests(void);
int scenario_count(void);
/* A built-in race by name, or NULL. */
const struct scenario *scenario_find(const char *name);
/*
 * Reads a user's race file. Returns the race, or NULL with e (bad input:
 * FILE:LINE:COL, what was expected, what was found). Free with
 * scenario_free.
 */
const struct scenario *scenario_load(const char *path, struct rb_err *e);
/* Accepts NULL and built-ins (which are kept). */
void scenario_free(const struct scenario *sc);
/* Whether a --scenario word names a file ("./x.race", "a/b"), not a built-in. */
int scenario_is_file(const char *word);

#endif

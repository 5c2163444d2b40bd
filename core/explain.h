/* explain.h: explain mode: a scheduled, narrated reproduction of one race. */
#ifndef RB_EXPLAIN_H
#define RB_EXPLAIN_H

#include <stdatomic.h>
#include <stddef.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "strategy.h"

/*
 * The schedule language (docs/explain.md). A schedule names its sessions
 * after pool clients ("A=0 B=1") and lists steps "SESSION:POINT": run that
 * session until its operation reaches POINT, then go on with the next step.
 */
#define EX_MAX_SESSIONS 4
#define EX_MAX_ITEMS	64
#define EX_NAME_MAX	8

enum ex_point {
	EX_THINK, /* the think pause, between the read and the write */
	EX_TAIL,  /* the tail pause, after the write, before COMMIT */
	EX_END,	  /* the end of the operation, retries included */
	EX_STEP,  /* exactly one statement */
	EX_POINT__COUNT
};

struct ex_item {
	int session; /* index in sess[] */
	enum ex_point point;
};

struct ex_schedule {
	char name[32];
	char summary[160];
	char scenario[48]; /* "" when a spec file does not say */
	int nsessions;
	struct {
		char name[EX_NAME_MAX + 1];
		int client; /* the pool client: its number decides its role */
	} sess[EX_MAX_SESSIONS];
	int nitems;
	struct ex_item items[EX_MAX_ITEMS];
};

const char *ex_point_name(enum ex_point p);

/*
 * "A=0 B=1 C=2" into s: names of 1..8 letters, digits or '_', clients
 * 0..n-1 each once (the pool runs exactly those). Returns 0, or -1 with a
 * message naming the bad word in err.
 */
int ex_parse_sessions(struct ex_schedule *s, const char *text, char *err, size_t n);
/* "A:think B:end" appended to s's items (sessions parsed first). */
int ex_parse_steps(struct ex_schedule *s, const char *text, char *err, size_t n);
/*
 * A spec file's text (docs/explain.md: '#' comments, "scenario NAME",
 * "sessions ...", "steps ..." which may repeat). file names it in errors,
 * which read "FILE:LINE: what is wrong". The schedule is named after the
 * file's base name.
 */
int ex_spec_parse(struct ex_schedule *s, const char *text, const char *file, char *err, size_t n);
/* The largest spec file read (a schedule is a few lines). */
#define EX_SPEC_LIMIT (1u << 20)
/* Reads and parses a spec file; a file that cannot be read is an error too. */
int ex_spec_load(struct ex_schedule *s, const char *file, char *err, size_t n);
/* A scenario's canonical schedule d into s. */
int ex_schedule_load(struct ex_schedule *s, const struct scenario *sc, const struct sc_schedule *d,
		     char *err, size_t n);
/* The scenario's schedule called name (NULL: its default), or NULL. */
const struct sc_schedule *ex_schedule_find(const struct scenario *sc, const char *name);
/* "race, serial" for messages. */
void ex_schedule_names(const struct scenario *sc, char *buf, size_t n);
/* "A:think B:think A:end B:end" */
void ex_steps_text(const struct ex_schedule *s, char *buf, size_t n);

/* ---- what happened: the event list -------------------------------------- */

enum ex_kind {
	EXE_STMT,  /* a statement sent, and its result */
	EXE_WAIT,  /* a statement sent that waits for a lock: "waiting..." */
	EXE_DONE,  /* a waiting statement completed: "...completed" */
	EXE_PAUSE, /* the operation reached think, tail or retry */
	EXE_END,   /* the session's operation is over */
	EXE_NOTE,  /* the scheduler's remark: a step it skipped */
};

struct ex_event {
	enum ex_kind kind;
	int session;  /* index in the schedule's sessions; -1: none */
	int step;     /* the statement's number in its session, from 1; 0 */
	char *text;   /* the SQL with its parameters inline, the pause, the note */
	char *result; /* "0 rows", "1 row: 7 | PENDING", "1 row affected", "ok" */
	int failed;   /* the statement failed: cls, code and msg say how */
	enum rb_class cls;
	char code[8]; /* SQLSTATE, or the server's error number */
	char *msg;
	int lock;  /* 1 advisory lock, 2 Redis lock, 0 other statements */
	int waker; /* EXE_DONE: the event after which it completed; -1 */
};

struct explain_result {
	const char *db;
	char product[32];
	char version[64];
	const char *scenario;
	const char *incident; /* the scenario's story and operation, one line each */
	const char *operation;
	const char *strategy;
	enum rb_iso iso, eff_iso;
	struct ex_schedule sched;
	struct sc_params knobs;
	int nevents, cap;
	struct ex_event *ev;
	int nkinds;
	const char *kinds[SC_MAX_KINDS];
	long long anomalies[SC_MAX_KINDS];
	int anomalous;
	/* The story told from the events, a sentence each. */
	int nstory;
	char *story[16];
};

/* ---- running it ---------------------------------------------------------- */

struct explain_cfg {
	const struct driver *drv;
	struct db_opts dbo; /* dsn and time-outs; schema and wrap are set here */
	const char *schema; /* created fresh for the run, dropped after */
	const struct scenario *sc;
	enum strategy strat;
	enum rb_iso iso;
	const struct ex_schedule *sched;
	struct lock_opts lock; /* url NULL: no lock service */
	const struct lock_service *locks;
	const atomic_int *stop; /* set by a signal: give up, clean up */
};

/* The scenario knobs explain plays with: one coupon, money for one purchase. */
void explain_knobs(struct sc_params *p, int sessions);

/*
 * Plays cfg's schedule once on a fresh schema and fills out. Returns 0, or
 * -1 with e saying what failed underneath (a server, a stuck session).
 */
int explain_run(const struct explain_cfg *cfg, struct explain_result *out, struct rb_err *e);
/* Frees what out holds (accepts one never filled). */
void explain_release(struct explain_result *r);

/*
 * Builds out's story from its events and check: the waits and who released
 * them, failures and retries, how each session ended, the verdict. Pure;
 * explain_run calls it.
 */
void explain_story(struct explain_result *r);
/* A short name for a statement: "SELECT ... FROM wallet FOR UPDATE", "COMMIT". */
void explain_stmt_label(const char *sql, char *out, size_t n);
/*
 * How many columns sql's result has: the top-level list after SELECT (up
 * to FROM) or after RETURNING; 0 when it returns none.
 */
int explain_sql_columns(const char *sql);

#endif

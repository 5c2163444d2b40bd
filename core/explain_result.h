/* explain_result.h: what an explain play did: its events, check and story. */
#ifndef RB_EXPLAIN_RESULT_H
#define RB_EXPLAIN_RESULT_H

#include "../base/err.h"
#include "../base/level.h"
#include "../scenarios/scenario.h"
#include "knobs.h"
#include "../scenarios/schedule.h"

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
	struct sc_params params; /* what the play ran with */
	struct knob_set knobs;	 /* the race's knobs, as resolved */
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

#endif

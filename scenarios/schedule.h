/* schedule.h: the schedule language of explain and of race files: sessions, and steps to points. */
#ifndef RB_SCHEDULE_H
#define RB_SCHEDULE_H

#include <stddef.h>

#include "scenario.h"

/*
 * The schedule language (docs/explain.md). A schedule names its sessions
 * after pool clients ("A=0 B=1") and lists steps "SESSION:POINT": run that
 * session until its operation reaches POINT, then go on with the next step.
 * A POINT is think, tail, end, step (one statement), or a statement's name
 * (a race file's, or begin, commit, rollback): run the session through
 * that statement, which has then completed or is waiting for a lock.
 */
#define EX_MAX_SESSIONS 4
#define EX_MAX_ITEMS	64
#define EX_NAME_MAX	8

enum ex_point {
	EX_THINK, /* the think pause, between the read and the write */
	EX_TAIL,  /* the tail pause, after the write, before COMMIT */
	EX_END,	  /* the end of the operation, retries included */
	EX_STEP,  /* exactly one statement */
	EX_STMT,  /* through the statement named stmt */
	EX_POINT__COUNT
};

#define EX_STMT_MAX 31

struct ex_item {
	int session; /* index in sess[] */
	enum ex_point point;
	char stmt[EX_STMT_MAX + 1]; /* EX_STMT: the statement's name */
	int line;		    /* a spec file's line it is on; 0 elsewhere */
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
 * 0..n-1 each once (the pool runs exactly those). Returns 0, or -1 with e
 * (bad input) naming the bad word.
 */
int ex_parse_sessions(struct ex_schedule *s, const char *text, struct rb_err *e);
/*
 * "A:think B:end" appended to s's items (sessions parsed first). A point
 * that is not think, tail, end or step is a statement's name (EX_STMT);
 * whether the race has that statement is the caller's to check.
 */
int ex_parse_steps(struct ex_schedule *s, const char *text, struct rb_err *e);
/*
 * A spec file's text (docs/explain.md: '#' comments, "scenario NAME",
 * "sessions ...", "steps ..." which may repeat). file names it in errors,
 * which read "FILE:LINE: what is wrong". The schedule is named after the
 * file's base name.
 */
int ex_spec_parse(struct ex_schedule *s, const char *text, const char *file, struct rb_err *e);
/* The largest spec file read (a schedule is a few lines). */
#define EX_SPEC_LIMIT (1u << 20)
/* Reads and parses a spec file; a file that cannot be read is an error too. */
int ex_spec_load(struct ex_schedule *s, const char *file, struct rb_err *e);
/* A scenario's canonical schedule d into s. */
int ex_schedule_load(struct ex_schedule *s, const struct scenario *sc, const struct sc_schedule *d,
		     struct rb_err *e);
/* The scenario's schedule called name (NULL: its default), or NULL. */
const struct sc_schedule *ex_schedule_find(const struct scenario *sc, const char *name);
/* "race, serial" for messages. */
void ex_schedule_names(const struct scenario *sc, char *buf, size_t n);
/*
 * Every statement a step of s names is one sc runs (begin, commit and
 * rollback always are): 0, or -1 with e (bad input) naming the step; what
 * names the schedule in the message.
 */
int ex_schedule_check(const struct ex_schedule *s, const struct scenario *sc, const char *what,
		      struct rb_err *e);
/*
 * A statement's label in a timeline: the session's name and the
 * statement's number, "A3"; "T1.3" when the name ends in a digit.
 */
const char *ex_label(char *buf, size_t n, const char *session, int step);
/* The point of an item, as a step names it ("think", "u1"). */
const char *ex_item_point(const struct ex_item *it);
/* "A:think B:think A:end B:end" */
void ex_steps_text(const struct ex_schedule *s, char *buf, size_t n);

#endif

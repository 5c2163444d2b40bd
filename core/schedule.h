/* schedule.h: the schedule language of explain: sessions, and steps to points. */
#ifndef RB_SCHEDULE_H
#define RB_SCHEDULE_H

#include <stddef.h>

#include "../scenarios/scenario.h"

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
 * 0..n-1 each once (the pool runs exactly those). Returns 0, or -1 with e
 * (bad input) naming the bad word.
 */
int ex_parse_sessions(struct ex_schedule *s, const char *text, struct rb_err *e);
/* "A:think B:end" appended to s's items (sessions parsed first). */
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
/* "A:think B:think A:end B:end" */
void ex_steps_text(const struct ex_schedule *s, char *buf, size_t n);

#endif

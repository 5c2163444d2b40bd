/* err.h: error classes and the caller-owned error record. */
#ifndef RB_ERR_H
#define RB_ERR_H

/*
 * Every database or lock-service error is put in one of these classes
 * (DESIGN.md, "Error classes"). Order matters: reports list them in it.
 */
enum rb_class {
	RB_CLS_NONE = 0,
	RB_CLS_DEADLOCK,
	RB_CLS_SERIALIZATION,
	RB_CLS_LOCK_TIMEOUT,
	RB_CLS_UNIQUE,
	RB_CLS_CHECK,
	RB_CLS_CONNECTION,
	RB_CLS_OTHER,
	RB_CLS__COUNT
};

/*
 * Filled by the callee, owned by the caller. Functions that fail return a
 * negative value and describe the failure here; nothing is allocated while
 * failing.
 */
struct rb_err {
	enum rb_class cls;
	char sqlstate[6]; /* "" when the source has none */
	int native;	  /* server error number, 0 when none */
	int input;	  /* the user's input is at fault (exit 2), not a server (exit 3) */
	char msg[512];
};

const char *rb_class_name(enum rb_class cls);
void rb_err_clear(struct rb_err *e);
/* Sets e (when not NULL) and returns -1, so callers can `return rb_err_set(...)`. */
int rb_err_set(struct rb_err *e, enum rb_class cls, const char *sqlstate, int native,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Sets e for a mistake in the user's input (an option, a file, a name):
 * class other, input 1. Returns -1.
 */
int rb_err_input(struct rb_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

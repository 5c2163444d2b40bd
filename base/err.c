/* err.c: error class names and the error record. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const class_names[RB_CLS__COUNT] = {
	[RB_CLS_NONE] = "none",
	[RB_CLS_DEADLOCK] = "deadlock",
	[RB_CLS_SERIALIZATION] = "serialization",
	[RB_CLS_LOCK_TIMEOUT] = "lock-timeout",
	[RB_CLS_UNIQUE] = "unique-violation",
	[RB_CLS_CHECK] = "check-violation",
	[RB_CLS_CONNECTION] = "connection",
	[RB_CLS_OTHER] = "other",
};

const char *rb_class_name(enum rb_class cls)
{
	if ((unsigned)cls >= RB_CLS__COUNT)
		return "other";
	return class_names[cls];
}

void rb_err_clear(struct rb_err *e)
{
	if (!e)
		return;
	e->cls = RB_CLS_NONE;
	e->sqlstate[0] = '\0';
	e->native = 0;
	e->input = 0;
	e->msg[0] = '\0';
}

/* Server messages span lines ("...\n\tIs the server running"); reports want one. */
static void one_line(char *msg)
{
	size_t n;

	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
}

/*
 * Both setters format into a buffer of their own first, so a message may
 * be built from the one e holds ("RACEBENCH_PG: %s", e->msg).
 */
int rb_err_set(struct rb_err *e, enum rb_class cls, const char *sqlstate, int native,
	       const char *fmt, ...)
{
	char msg[sizeof(e->msg)], state[sizeof(e->sqlstate)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(state, sizeof(state), "%s", sqlstate ? sqlstate : "");
	e->cls = cls;
	memcpy(e->sqlstate, state, sizeof(state));
	e->native = native;
	e->input = 0;
	memcpy(e->msg, msg, sizeof(msg));
	one_line(e->msg);
	return -1;
}

int rb_err_input(struct rb_err *e, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rb_err_clear(e);
	e->cls = RB_CLS_OTHER;
	e->input = 1;
	memcpy(e->msg, msg, sizeof(msg));
	one_line(e->msg);
	return -1;
}

/* builtin.h: the built-in race files, compiled in (scripts/embed.sh writes the table). */
#ifndef RB_BUILTIN_H
#define RB_BUILTIN_H

#include <stddef.h>

struct builtin_race {
	const char *file; /* "double-tap.race" */
	const char *text; /* the file's bytes, NUL-terminated */
	size_t len;
};

/* Ends with a NULL file. */
extern const struct builtin_race builtin_races[];

#endif

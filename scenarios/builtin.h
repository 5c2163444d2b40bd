/* builtin.h: the built-in race files, compiled in (scripts/embed.sh writes the table). */
#ifndef RB_BUILTIN_H
#define RB_BUILTIN_H

#include <stddef.h>

struct builtin_race {
	const char *file; /* "double-tap.race" */
	const char *text; /* the file's bytes, NUL-terminated */
	size_t len;
};

/* Each ends with a NULL file: the incidents, and racebench isolation's tests. */
extern const struct builtin_race builtin_races[];
extern const struct builtin_race builtin_isolation[];

#endif

/* util.h: time, sleeping, allocation and a small PRNG shared by the harness. */
#ifndef RB_UTIL_H
#define RB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/*
 * to - from, or 0 when from is later: a difference of two clock readings
 * taken in an order the caller cannot guarantee (another thread's stamp, a
 * schedule) must never wrap round to 1.8e19.
 */
static inline uint64_t ns_between(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}
/* Sleeps at least us microseconds (0 returns at once). */
void sleep_us(uint64_t us);

/* Allocation that aborts the program on exhaustion: the harness cannot
 * report anything honest without memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* splitmix64-seeded xoshiro256**: one state per thread, never shared. */
struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);

/*
 * Reads the whole file at path into *text (NUL-terminated; *len bytes,
 * which may hold NUL bytes: callers that want text refuse them). A file
 * larger than limit bytes is refused without reading it all, so
 * /dev/zero or a log cannot eat the memory. Returns 0, or -1 with e
 * (bad input) naming what the file is for ("cannot read WHAT 'F': ...",
 * "WHAT 'F' is larger than 1 MiB").
 */
int read_text_file(const char *what, const char *path, size_t limit, char **text, size_t *len,
		   struct rb_err *e);

/* "850us", "2.1ms", "1.20s": a latency for people. */
void fmt_us(char *buf, size_t n, uint64_t us);

/* snprintf for messages where cutting a long text short is fine. */
void str_printf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies at most n-1 bytes and always terminates (n > 0). */
void str_copy(char *dst, const char *src, size_t n);

#endif

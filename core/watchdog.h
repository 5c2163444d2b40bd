/* watchdog.h: cuts connections stuck on a server that stopped answering. */
#ifndef RB_WATCHDOG_H
#define RB_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct watchdog {
	pthread_t thread;
	int running;
	atomic_int quit;
	const atomic_int *stop; /* set by a signal */
	uint64_t timeout_ns;	/* statement time-out; 0: none */
};

/*
 * Starts the watchdog: once stop is set, connections still busy after a
 * second's grace are cut, so a signal ends the run in a bounded time even
 * when every connection waits on a frozen server; without a stop, a call
 * that ran past statement_timeout_ms (0: never) and two seconds more is
 * cut. Returns 0, or -1 when no thread could be started (the run goes on
 * unwatched).
 */
int watchdog_start(struct watchdog *w, const atomic_int *stop, unsigned statement_timeout_ms);
/* Stops it (accepts one that never started). */
void watchdog_stop(struct watchdog *w);

#endif

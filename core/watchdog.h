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
	atomic_int *stop;    /* the signal that asked the run to stop, or 0 */
	uint64_t timeout_ns; /* statement time-out; 0: none */
};

/*
 * Starts the watchdog, the one thread that takes SIGINT and SIGTERM: the
 * calling thread blocks them (and every thread it starts later inherits
 * that), and the watchdog waits for them with sigtimedwait and stores the
 * signal's number in *stop. No signal handler runs anywhere, so no thread
 * is interrupted at an unsafe point, and a signal is seen at once however
 * the others are blocked (a handler is run late when its thread sits in a
 * barrier, under ThreadSanitizer among others).
 *
 * Once *stop is set, connections still busy after a second's grace are
 * cut, so a signal ends the run in a bounded time even when every
 * connection waits on a frozen server; without a stop, a call that ran
 * past statement_timeout_ms (0: never) and two seconds more is cut.
 * Returns 0, or -1 when no thread could be started (signals then keep
 * their default action).
 */
int watchdog_start(struct watchdog *w, atomic_int *stop, unsigned statement_timeout_ms);
/* Stops it and unblocks the signals again (accepts one that never started). */
void watchdog_stop(struct watchdog *w);

#endif

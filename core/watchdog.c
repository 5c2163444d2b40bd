/*
 * watchdog.c: a thread that keeps a run from hanging on a server that
 * stopped answering.
 *
 * A client blocked in a read on a frozen server (SIGSTOPped, swapped out,
 * behind a dead network path that still ACKs) waits as long as the kernel
 * lets it: a server-side statement_timeout cannot fire on a server that
 * does not run, and TCP keepalives do not fire while the peer's kernel
 * answers. So the watchdog cuts, from the outside, every connection whose
 * current call has run too long (conn_cut_busy: shutdown(2) on its
 * socket): after a stop signal, whatever is still busy once the grace has
 * passed; otherwise, a call older than the statement time-out and a
 * little more (the server's own time-out, when it runs, comes first).
 */
#define _POSIX_C_SOURCE 200809L
#include "watchdog.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#include "../drivers/driver.h"
#include "../base/util.h"

#define TICK_US		 50000L	       /* how often it looks */
#define STOP_GRACE_NS	 1000000000ull /* after a stop: time to finish cleanly */
#define STOP_BUSY_NS	 500000000ull  /* ... then a call this old is cut */
#define TIMEOUT_EXTRA_NS 2000000000ull /* past the statement time-out */

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

static void *watch_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec tick = { 0, TICK_US * 1000L };
	uint64_t stopped_at = 0;
	sigset_t set;

	stop_signals(&set);
	while (!atomic_load(&w->quit)) {
		int sig = sigtimedwait(&set, NULL, &tick);
		uint64_t now = now_ns();

		if (sig > 0 && !atomic_load(w->stop))
			atomic_store(w->stop, sig);

		if (w->stop && atomic_load(w->stop)) {
			if (!stopped_at)
				stopped_at = now;
			if (now - stopped_at > STOP_GRACE_NS)
				conn_cut_busy(STOP_BUSY_NS);
		} else if (w->timeout_ns) {
			conn_cut_busy(w->timeout_ns + TIMEOUT_EXTRA_NS);
		}
	}
	return NULL;
}

int watchdog_start(struct watchdog *w, atomic_int *stop, unsigned statement_timeout_ms)
{
	sigset_t set;

	w->stop = stop;
	w->timeout_ns = (uint64_t)statement_timeout_ms * 1000000u;
	atomic_init(&w->quit, 0);
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	w->running = pthread_create(&w->thread, NULL, watch_main, w) == 0;
	if (!w->running)
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	else if (w->timeout_ns)
		conn_watch_bound(w->timeout_ns + TIMEOUT_EXTRA_NS);
	return w->running ? 0 : -1;
}

void watchdog_stop(struct watchdog *w)
{
	sigset_t set;

	if (!w->running)
		return;
	conn_watch_bound(0);
	atomic_store(&w->quit, 1);
	pthread_join(w->thread, NULL);
	w->running = 0;
	/* A signal that came after the last look stays pending: it still counts. */
	stop_signals(&set);
	for (struct timespec zero = { 0, 0 };;) {
		int sig = sigtimedwait(&set, NULL, &zero);

		if (sig <= 0)
			break;
		if (!atomic_load(w->stop))
			atomic_store(w->stop, sig);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

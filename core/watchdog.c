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

#include "../drivers/driver.h"
#include "util.h"

#define TICK_US	       50000u	     /* how often it looks */
#define STOP_GRACE_NS  1000000000ull /* after a stop: time to finish cleanly */
#define STOP_BUSY_NS   500000000ull  /* ... then a call this old is cut */
#define TIMEOUT_EXTRA_NS 2000000000ull /* past the statement time-out */

static void *watch_main(void *arg)
{
	struct watchdog *w = arg;
	uint64_t stopped_at = 0;

	while (!atomic_load(&w->quit)) {
		uint64_t now = now_ns();

		if (w->stop && atomic_load(w->stop)) {
			if (!stopped_at)
				stopped_at = now;
			if (now - stopped_at > STOP_GRACE_NS)
				conn_cut_busy(STOP_BUSY_NS);
		} else if (w->timeout_ns) {
			conn_cut_busy(w->timeout_ns + TIMEOUT_EXTRA_NS);
		}
		sleep_us(TICK_US);
	}
	return NULL;
}

int watchdog_start(struct watchdog *w, const atomic_int *stop, unsigned statement_timeout_ms)
{
	w->stop = stop;
	w->timeout_ns = (uint64_t)statement_timeout_ms * 1000000u;
	atomic_init(&w->quit, 0);
	w->running = pthread_create(&w->thread, NULL, watch_main, w) == 0;
	return w->running ? 0 : -1;
}

void watchdog_stop(struct watchdog *w)
{
	if (!w->running)
		return;
	atomic_store(&w->quit, 1);
	pthread_join(w->thread, NULL);
	w->running = 0;
}

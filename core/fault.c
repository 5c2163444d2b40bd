/*
 * fault.c: faults played on a throwaway topology's real nodes during a
 * cell's trials, through scripts/servers.sh's `node` command (kill,
 * restart): real servers, really killed, in a directory the user started
 * them in with that script.
 */
#define _POSIX_C_SOURCE 200809L
#include "fault.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "servers.h"

static const char *const names[FAULT__COUNT] = {
	[FAULT_REDLOCK_RESTART] = "redlock-restart",
};

struct fault {
	enum fault_kind kind;
	const struct topology_info *topo;
	struct servers srv; /* attached: the user's servers, never stopped here */
	int nodes, quorum;
	atomic_int armed; /* a trial is on */
	atomic_int fired; /* this trial's grant-time act was played */
	pthread_mutex_t mu;
	int failed; /* the grant-time act failed: err says how */
	struct rb_err err;
};

const char *fault_name(enum fault_kind k)
{
	return (unsigned)k < FAULT__COUNT ? names[k] : "?";
}

int fault_parse(const char *name)
{
	for (int i = 0; i < FAULT__COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* The first line of DIR/file into out ("" when unreadable). */
static void first_line(const char *dir, const char *file, char *out, size_t n)
{
	char path[600];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\r\n")] = '\0';
	fclose(f);
}

int fault_open(struct fault **out, enum fault_kind k, const struct topology_info *t,
	       const char *dir, const char *url, int nodes, struct rb_err *e)
{
	struct fault *f;
	char listed[2048];

	*out = NULL;
	if (!t)
		return rb_err_input(e, "--fault %s: this build's lock service has no topology",
				    fault_name(k));
	if (!dir || !*dir)
		return rb_err_input(e,
				    "--fault %s kills and restarts nodes that scripts/servers.sh "
				    "started: start them with `scripts/servers.sh --dir DIR start "
				    "%s` and give --nodes-dir DIR (or RACEBENCH_SERVERS_DIR=DIR)",
				    fault_name(k), t->server);
	first_line(dir, t->dsn_file, listed, sizeof(listed));
	if (!listed[0])
		return rb_err_input(e,
				    "--fault %s: no %s in %.200s: it is not a directory where "
				    "`scripts/servers.sh start %s` started nodes",
				    fault_name(k), t->dsn_file, dir, t->server);
	if (!url || strcmp(url, listed) != 0)
		return rb_err_input(
			e,
			"--fault %s: the lock service's URLs are not the nodes listed "
			"in %.200s/%s; racebench kills and restarts only those (give "
			"them exactly, as `scripts/servers.sh --dir DIR env` prints them)",
			fault_name(k), dir, t->dsn_file);
	f = xcalloc(1, sizeof(*f));
	if (servers_attach(&f->srv, dir, e) < 0) {
		free(f);
		e->input = 1;
		return -1;
	}
	f->kind = k;
	f->topo = t;
	f->nodes = nodes;
	f->quorum = nodes / 2 + 1;
	pthread_mutex_init(&f->mu, NULL);
	*out = f;
	return 0;
}

void fault_close(struct fault *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static int act(struct fault *f, int node, const char *action, struct rb_err *e)
{
	return servers_node(&f->srv, f->topo->server, node, action, e);
}

/*
 * The nodes after a bare majority, down during the grant: q + 1 .. n. The
 * majority's last 2q - n nodes, crashed while the lock is held: with them
 * empty and the others back, n - q + (2q - n) = q nodes can grant again.
 */
static int restart_down(struct fault *f, struct rb_err *e)
{
	for (int i = f->quorum + 1; i <= f->nodes; i++)
		if (act(f, i, "restart", e) < 0)
			return -1;
	return 0;
}

static int play_granted(struct fault *f, struct rb_err *e)
{
	int crash = 2 * f->quorum - f->nodes;

	for (int i = f->quorum - crash + 1; i <= f->quorum; i++)
		if (act(f, i, "kill", e) < 0 || act(f, i, "restart", e) < 0)
			return -1;
	return restart_down(f, e);
}

int fault_hook(void *arg, enum fault_point pt, struct rb_err *e)
{
	struct fault *f = arg;
	struct rb_err mine;
	int rc = 0;

	switch (pt) {
	case FAULT_TRIAL:
		atomic_store(&f->fired, 0);
		f->failed = 0;
		for (int i = f->quorum + 1; i <= f->nodes; i++)
			if (act(f, i, "kill", e) < 0)
				return -1;
		atomic_store(&f->armed, 1);
		return 0;
	case FAULT_GRANTED:
		/* The first grant of the trial, made by exactly the live majority. */
		if (!atomic_load(&f->armed) || atomic_exchange(&f->fired, 1))
			return 0;
		if (play_granted(f, &mine) < 0) {
			pthread_mutex_lock(&f->mu);
			f->failed = 1;
			f->err = mine;
			pthread_mutex_unlock(&f->mu);
			return -1;
		}
		return 0;
	case FAULT_TRIAL_END:
		atomic_store(&f->armed, 0);
		/* Nobody was granted: the killed nodes come back all the same. */
		if (!atomic_exchange(&f->fired, 1))
			rc = restart_down(f, e);
		pthread_mutex_lock(&f->mu);
		if (f->failed) {
			*e = f->err;
			rc = -1;
		}
		pthread_mutex_unlock(&f->mu);
		return rc;
	}
	return 0;
}

/*
 * cli.h: racebench's commands, and what they share: where the databases
 * are, the signals, the reports written and read, the gate's inputs.
 * bench.c parses the options and calls one command; commands return the
 * process's exit code, and only bench.c exits.
 */
#ifndef RB_CLI_H
#define RB_CLI_H

#include <stdatomic.h>

#include "../core/gate.h"
#include "../core/result.h"
#include "../core/servers.h"
#include "../core/watchdog.h"
#include "opts.h"

/* Exit codes: documented in --help and docs/gate.md, stable. */
#define EXIT_GATE  1
#define EXIT_USAGE 2
#define EXIT_INFRA 3

/* The commands (cmd_*.c). */
int cmd_run(struct options *o); /* run and load */
int cmd_check(struct options *o);
int cmd_explain(struct options *o);
int cmd_list(struct options *o);
int cmd_isolation(struct options *o);

/* The exit code for a failure described by e: 2 for bad input, 3 otherwise. */
int exit_for(const struct rb_err *e);

/* ---- endpoints.c: where the databases are, and the signals ------------------ */

/*
 * Where each selected database is, and the lock service when a strategy
 * needs it: its command-line option, else its environment variable, else
 * a throwaway server started here. Every connection string and the
 * schema's name are checked before any server starts.
 */
struct endpoints {
	const char *dsn[MAX_ENDPOINTS]; /* per drivers[] index; NULL when not selected */
	int throwaway[MAX_ENDPOINTS];
	const char *lock_url; /* NULL: no lock service needed */
	int lock_throwaway;
	/* Topologies: each driver's replica, the topology its endpoints make. */
	const char *replica[MAX_ENDPOINTS];
	const char *topology[MAX_ENDPOINTS];
	const char *lock_topology;
	char topo_dsn[MAX_ENDPOINTS][1024], topo_replica[MAX_ENDPOINTS][1024];
	char lock_topo_url[1024];
	struct servers srv;
};

/*
 * Resolves the databases in dbs (bit i: drivers[i]) and, with want_lock,
 * the lock service; starts the throwaways they need (saying so on stderr
 * unless quiet). Returns 0, or -1 with e (bad input: exit 2; a server that
 * did not start: 3).
 */
int endpoints_open(struct endpoints *ep, const struct options *o, unsigned dbs, int want_lock,
		   struct rb_err *e);
/* Stops the throwaways, or with keep says where they run and how to stop them. */
void endpoints_close(struct endpoints *ep, int keep);

/*
 * A run's guard against signals and frozen servers: the watchdog
 * (core/watchdog.c) takes SIGINT and SIGTERM into stop and cuts stuck
 * connections. Started before the first server or connection, stopped
 * last, so a second Ctrl-C cannot kill the clean-up.
 */
struct run_guard {
	atomic_int stop; /* the signal that asked the run to stop, or 0 */
	struct watchdog wd;
};
void guard_start(struct run_guard *g, const struct options *o);
/* Stops the guard; returns the exit code a stop asks for (130, 143), or 0. */
int guard_stop(struct run_guard *g);

/* ---- output.c: reports written and read ------------------------------------- */

/* Whether the table gets colour: --color/--no-color, else a terminal without NO_COLOR. */
int use_color(const struct options *o);
/*
 * Checks every --out file before anything runs: writable, not a directory,
 * no two formats into one file. Returns 0, or -1 with e (bad input).
 */
int outs_check(const struct options *o, struct rb_err *e);
/* Writes each format to its --out file; -1 (said on stderr) when one failed. */
int reports_write(const struct options *o, const struct run_result *r);
/* Removes the files --out names (a run that ended before its first cell). */
void outs_remove_stale(const struct options *o);
/*
 * Reads a saved JSON report into r; what ("--baseline" or NULL) names it in
 * messages. Returns 0, or -1 with e (bad input).
 */
int report_load(const char *path, struct run_result *r, const char *what, struct rb_err *e);

/* The gate's inputs, loaded before anything runs: a typo must not cost a run. */
struct gate_in {
	int on;
	struct gate g;
	struct run_result base;
};
/* report: check's saved run, whose races and kinds lines may name (or NULL). */
int gate_in_open(const struct options *o, struct gate_in *gi, const struct run_result *report,
		 struct rb_err *e);
void gate_in_close(struct gate_in *gi);

#endif

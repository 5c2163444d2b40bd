/* servers.h: throwaway servers, started and stopped through scripts/servers.sh. */
#ifndef RB_SERVERS_H
#define RB_SERVERS_H

#include <stddef.h>

#include "../base/err.h"

#define SERVERS_MAX 8

struct servers {
	char dir[256]; /* the temporary directory they live in */
	char script[512];
	int started;
	/* NAME=VALUE settings for the script (RACEBENCH_REPLICA_DELAY_MS=20) */
	int nenv;
	char env[4][64];
	int n;
	struct {
		char name[32];	/* what scripts/servers.sh calls it (a driver's .server) */
		char dsn[1024]; /* its connection string, as the script wrote it */
	} s[SERVERS_MAX];
};

/*
 * Starts the named servers (space-separated names scripts/servers.sh
 * knows; each driver says which is its) in a new temporary directory, and
 * reads the connection string the script wrote for each to DIR/NAME.dsn.
 * Their output goes to DIR/servers.log; on failure its tail is in e.
 */
int servers_start(struct servers *s, const char *which, struct rb_err *e);
/* The same, with env (NAME=VALUE strings, NULL-terminated; at most 4) set for the script. */
int servers_start_env(struct servers *s, const char *which, const char *const *env,
		      struct rb_err *e);
/* The connection string of the server called name, or NULL when none started. */
const char *servers_dsn(const struct servers *s, const char *name);
/*
 * The first line of DIR/file (a topology's connection strings:
 * "galera.dsn", "pg-replica.dsn") into out; "" when there is none.
 */
void servers_read(const struct servers *s, const char *file, char *out, size_t n);
/* Stops them by pid and removes the directory (nothing when not started). */
void servers_stop(struct servers *s);
/*
 * Servers a user started with scripts/servers.sh in dir: s finds the
 * script as servers_start does and starts nothing; servers_stop leaves
 * them running. Returns 0, or -1 with e when there is no script.
 */
int servers_attach(struct servers *s, const char *dir, struct rb_err *e);
/*
 * `scripts/servers.sh --dir DIR node TOPOLOGY INDEX ACTION` (kill, pause,
 * resume, restart, isolate, heal) on s's servers; its output goes to
 * DIR/servers.log, whose last line is in e on failure.
 */
int servers_node(struct servers *s, const char *topology, int node, const char *action,
		 struct rb_err *e);

#endif

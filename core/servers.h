/* servers.h: throwaway servers, started and stopped through scripts/servers.sh. */
#ifndef RB_SERVERS_H
#define RB_SERVERS_H

#include "../base/err.h"

struct servers {
	char dir[256]; /* the temporary directory they live in */
	char script[512];
	int started;
	char pg[512]; /* connection strings, "" when not started */
	char mysql[512];
	char redis[256];
};

/*
 * Starts the named servers ("pg", "mysql", "redis", space-separated) in a
 * new temporary directory. Their output goes to DIR/servers.log; on failure
 * its tail is in e.
 */
int servers_start(struct servers *s, const char *which, struct rb_err *e);
/* Stops them by pid and removes the directory (nothing when not started). */
void servers_stop(struct servers *s);

#endif

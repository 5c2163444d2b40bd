/* opts.h: the command line, parsed into plain values (no I/O, no exit). */
#ifndef RB_OPTS_H
#define RB_OPTS_H

#include "harness.h"

enum command {
	CMD_NONE,
	CMD_RUN,
	CMD_LIST,
	CMD_HELP,
	CMD_VERSION,
};

enum format {
	FMT_TABLE,
	FMT_JSON,
	FMT__COUNT
};

#define MAX_OUTS FMT__COUNT

struct options {
	enum command cmd;
	unsigned dbs;		/* bit i: drivers[i] */
	unsigned scenarios;	/* bit i: scenarios[i] */
	unsigned strategies;	/* bit s: enum strategy */
	unsigned isolations;	/* bit l: enum rb_iso */
	int strategies_given;	/* --strategy named them: n/a cells are shown */
	struct run_cfg cfg;
	int quantity_given;
	const char *pg_dsn;	/* NULL: throwaway (or RACEBENCH_PG) */
	int keep_servers;
	const char *schema;
	int force_schema;
	int keep_schema;
	int lock_timeout_ms;
	int connect_timeout_s;
	int nformats;
	enum format formats[FMT__COUNT];
	int nouts;
	const char *outs[MAX_OUTS];
	int color;		/* -1 auto, 0 never, 1 always */
	int quiet;
	int progress;		/* -1 auto */
};

/*
 * Parses argv into o. Returns 0, or 2 with a one-line message in err that
 * names the bad value and the valid choices. Environment is not read here.
 */
int opts_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
const char *format_name(enum format f);

#endif

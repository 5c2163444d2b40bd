/*
 * opts.h: the command line, parsed into plain values (no I/O, no exit).
 *
 * One table (opts.c) drives everything about an option: its names, which
 * commands take it, how its value is parsed and checked, and its line in
 * the usage text. The databases' options (--pg, --mysql, the lock
 * service's --redis) come from the drivers' registry, not from the table.
 */
#ifndef RB_OPTS_H
#define RB_OPTS_H

#include <stdio.h>

#include "../base/err.h"
#include "../core/fault_plan.h"
#include "../core/gate.h"
#include "../core/matrix.h"

enum command {
	CMD_NONE,
	CMD_RUN,
	CMD_LOAD, /* `load`, or `run --mode load` */
	CMD_LIST,
	CMD_HELP,
	CMD_VERSION,
	CMD_CHECK,   /* gate a saved JSON report */
	CMD_EXPLAIN, /* one schedule, step by step, narrated */
	CMD_ISOLATION, /* the anomaly catalogue at every level */
	CMD__COUNT
};

/* explain's --format. */
enum ex_format {
	EXF_TEXT,
	EXF_JSON,
	EXF_HTML
};

/* Formats are indexes in reports' registry (reports/report.h). */
#define MAX_FORMATS   8
#define MAX_OUTS      MAX_FORMATS
#define MAX_ENDPOINTS 8 /* drivers, then the lock service */
#define MAX_SCENARIOS 32

struct options {
	enum command cmd;
	/* What to run and how (databases, scenarios, strategies, levels, knobs, schema, time-outs). */
	struct matrix_plan plan;
	int strategies_given; /* --strategy named them: n/a cells are shown */
	int db_given, iso_given, schema_given, duration_given, arrival_given;
	const char *dsn[MAX_ENDPOINTS]; /* per driver (drivers[i]); NULL: env, else throwaway */
	int dsn_given;			/* some database's option: --db defaults to those */
	const char *lock_url;		/* the lock service's; NULL: env, else throwaway */
	const char *replica[MAX_ENDPOINTS]; /* per driver: --pg-replica DSN, or NULL */
	const char *topology;		     /* --topology: a throwaway topology to start */
	int replica_delay_ms;		     /* --replica-delay; -1: not given */
	int faults_given;
	struct fault_plan faults; /* --fault: on the nodes of --topology's throwaway */
	int keep_servers;
	int fault;		 /* --fault: an enum fault_kind, -1 none */
	const char *nodes_dir;	 /* --nodes-dir: where scripts/servers.sh started the nodes */
	int run_explain; /* run --explain: timelines beside the matrix (HTML) */
	int nformats;
	int formats[MAX_FORMATS]; /* indexes in report_formats */
	int nouts;
	const char *outs[MAX_OUTS];
	int color;    /* -1 auto, 0 never, 1 always */
	int progress; /* -1 auto */
	/* The regression gate (run and check). */
	int nexpects;
	const char *expects[8]; /* --expect FILE, in order */
	const char *baseline;	/* --baseline B.json */
	struct gate_tolerance tol;
	int tolerance_given;
	const char *check_file; /* check's RESULT.json */
	/* explain: one scenario, strategy, level and database. */
	int ex_scenario;	 /* index in sc[]; -1: none named */
	const char *ex_word;	 /* explain's SCENARIO: a built-in's name or a race file */
	/* The races: the built-ins, then the files named, in order (opts_races). */
	int nsc;
	const struct scenario *sc[MAX_SCENARIOS + 1];
	const char *scenario_arg; /* --scenario as given */
	int nwords;
	const char *words[MAX_SCENARIOS]; /* list's arguments: races or files */
	const char *ex_schedule; /* --schedule NAME; NULL: the scenario's first */
	const char *ex_spec;	 /* --spec FILE */
	int ex_list;		 /* --list-schedules */
	enum ex_format ex_format;
	/* isolation: its tests (the catalogue's, then files), and which run */
	const char *test_arg; /* --test as given */
	int ntests;
	const struct scenario *tests[MAX_SCENARIOS + 1];
	unsigned long long tests_mask;
	int lock_timeout_given;
};

/*
 * Parses argv into o. Returns 0, or -1 with a one-line message in e (bad
 * input) that names the bad value and the valid choices. Reads no
 * environment.
 */
int opts_parse(int argc, char **argv, struct options *o, struct rb_err *e);
/*
 * After opts_parse: reads the race files the command names (--scenario,
 * explain's SCENARIO, list's arguments), resolves the selection into
 * o->sc and the plan, and checks what depends on the races (--schedule,
 * --set's knobs). Returns 0, or -1 with e (bad input: a race file's
 * FILE:LINE:COL among them). opts_release frees what it read.
 */
int opts_races(struct options *o, struct rb_err *e);
void opts_release(struct options *o);
/* The usage text, generated from the option table and the registries. */
void opts_usage(FILE *f);
/* explain's one strategy, level and database (drivers[] index), after opts_parse. */
int opts_explain_strategy(const struct options *o);
int opts_explain_iso(const struct options *o);
int opts_explain_db(const struct options *o);

#endif

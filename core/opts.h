/* opts.h: the command line, parsed into plain values (no I/O, no exit). */
#ifndef RB_OPTS_H
#define RB_OPTS_H

#include "gate.h"
#include "harness.h"

enum command {
	CMD_NONE,
	CMD_RUN,
	CMD_LOAD, /* `load`, or `run --mode load` */
	CMD_LIST,
	CMD_HELP,
	CMD_VERSION,
	CMD_CHECK,   /* gate a saved JSON report */
	CMD_EXPLAIN, /* one schedule, step by step, narrated */
};

/* explain's --format. */
enum ex_format {
	EXF_TEXT,
	EXF_JSON,
	EXF_HTML
};

/* Formats are indexes in reports' registry (reports/report.h). */
#define MAX_FORMATS 8
#define MAX_OUTS    MAX_FORMATS

struct options {
	enum command cmd;
	unsigned dbs;	      /* bit i: drivers[i] */
	unsigned scenarios;   /* bit i: scenarios[i] */
	unsigned strategies;  /* bit s: enum strategy */
	unsigned isolations;  /* bit l: enum rb_iso */
	int strategies_given; /* --strategy named them: n/a cells are shown */
	struct run_cfg cfg;
	struct load_cfg load;
	int quantity_given;
	const char *dsn[8];    /* per driver (drivers[i]); NULL: env, else throwaway */
	int dsn_given;	       /* some --pg/--mysql: --db defaults to those */
	const char *redis_url; /* NULL: RACEBENCH_REDIS, else throwaway */
	int keep_servers;
	const char *schema;
	int force_schema; /* times --force-schema was given */
	int keep_schema;
	int sequential;	 /* race mode: one database after the other */
	int run_explain; /* run --explain: timelines beside the matrix (HTML) */
	int lock_timeout_ms;
	int connect_timeout_s;
	int statement_timeout_ms; /* 0: none */
	int nformats;
	int formats[MAX_FORMATS]; /* indexes in report_formats */
	int nouts;
	const char *outs[MAX_OUTS];
	int color; /* -1 auto, 0 never, 1 always */
	int quiet;
	int progress; /* -1 auto */
	/* The regression gate (run and check). */
	int nexpects;
	const char *expects[8]; /* --expect FILE, in order */
	const char *baseline;	/* --baseline B.json */
	struct gate_tolerance tol;
	int tolerance_given;
	const char *check_file; /* check's RESULT.json */
	/* explain: one scenario, strategy, level and database. */
	int ex_scenario;	 /* index in scenarios[]; -1: none named */
	const char *ex_schedule; /* --schedule NAME; NULL: the scenario's first */
	const char *ex_spec;	 /* --spec FILE */
	int ex_list;		 /* --list-schedules */
	enum ex_format ex_format;
};

/*
 * Parses argv into o. Returns 0, or 2 with a one-line message in err that
 * names the bad value and the valid choices. Environment is not read here.
 */
int opts_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
/* explain's one strategy, level and database (drivers[] index), after opts_parse. */
int opts_explain_strategy(const struct options *o);
int opts_explain_iso(const struct options *o);
int opts_explain_db(const struct options *o);

#endif

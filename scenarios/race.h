/*
 * race.h: race files (docs/race-files.md): a race written as data, read
 * into a tree (race_parse.c) and run by one interpreter (race_run.c)
 * behind the ordinary scenario interface (race.c). The built-in races are
 * race files too, compiled into the binary (registry.c).
 */
#ifndef RB_RACE_H
#define RB_RACE_H

#include <stddef.h>

#include "scenario.h"

#define RACE_MAX_VARS	  96
#define RACE_MAX_INTO	  8
#define RACE_MAX_PARAMS	  16
#define RACE_MAX_KNOBS	  16
#define RACE_MAX_SCHEMAS  8
#define RACE_MAX_STMTS	  8 /* statements in one spelling ("INSERT ...; SELECT ...") */
#define RACE_VALUE_MAX	  8192 /* the longest text a variable holds */
#define RACE_FILE_LIMIT	  (1u << 20)

/* ---- expressions ---- */

enum rx_op {
	RX_NUM,
	RX_STR,
	RX_NULL,
	RX_VAR,
	RX_NEG,
	RX_NOT,
	RX_ADD,
	RX_SUB,
	RX_MUL,
	RX_DIV,
	RX_MOD,
	RX_CAT,
	RX_EQ,
	RX_NE,
	RX_LT,
	RX_LE,
	RX_GT,
	RX_GE,
	RX_AND,
	RX_OR,
	RX_MAX,
	RX_MIN,
	RX_ABS,
};

struct rexpr {
	enum rx_op op;
	long long num;
	char *str;
	int var;
	struct rexpr *a, *b;
};

/* ---- statements ---- */

/* One SQL statement of a spelling, compiled: '?' placeholders and the variables they take. */
struct rpiece {
	struct db_stmt st; /* name and text, the same text for every dialect */
	int nparams;
	int params[RACE_MAX_PARAMS]; /* variable slots */
};

/* A named statement: its spellings, and the variables its first row goes into. */
struct rsql {
	char name[32];
	int line, col;		 /* where its spellings start */
	int shared;		 /* a first spelling for every dialect not spelt */
	int has[DIALECT__COUNT]; /* spelt for that dialect (else the shared spelling, if any) */
	int npieces[DIALECT__COUNT];
	struct rpiece piece[DIALECT__COUNT][RACE_MAX_STMTS];
	int ninto;
	int into[RACE_MAX_INTO];
	int into_set; /* into set NAME: 1 + the slot the whole result goes to, as text; 0: none */
};

enum rs_kind {
	RS_SQL,
	RS_LET,
	RS_IF,
	RS_FOR_KEY,
	RS_FOR_ROWS, /* for row NAME { SQL } into a, b { steps }: steps once per row */
	RS_THINK,
	RS_OUTCOME,
	RS_FAIL,
	RS_COUNT,
	RS_NOTE, /* note NAME = EXPR: kept for the check when the operation commits */
};

struct rstep;

struct rblock {
	int n, cap;
	struct rstep **s;
};

struct rstep {
	enum rs_kind kind;
	int line;
	struct rsql *sql;     /* RS_SQL, RS_FOR_ROWS */
	int var;	      /* RS_LET: the slot; RS_COUNT: the anomaly kind */
	struct rexpr *expr;   /* RS_LET, RS_IF (condition), RS_FAIL, RS_COUNT */
	struct rblock then;   /* RS_IF, RS_FOR_KEY, RS_FOR_ROWS */
	struct rblock els;    /* RS_IF */
	enum op_status outcome; /* RS_OUTCOME */
};

/* What a strategy does to the operation. */
struct rmods {
	int defined;	     /* a `strategy` block names it */
	const char *na;	     /* strategy NAME n/a "REASON" */
	int own_op;	     /* it has an operation of its own */
	struct rblock op;    /* ... which is this, else the base op with the changes below */
	int nrepl;
	struct rsql *repl[16];	 /* statements spelt anew (by name) */
	int nbefore, nafter;
	char before_name[8][32], after_name[8][32];
	struct rblock before[8], after[8];
	struct rblock at_start, at_end;
	int has_recheck;
	struct rblock recheck;
};

/* A schema object only some strategies run with. */
struct rschema {
	unsigned strategies; /* bit s */
	struct rsql *add, *drop;
};

struct rknob {
	char name[32];
	char help[128];
	struct rexpr *dflt;    /* may use clients, keys */
	struct rexpr *explain; /* the value explain plays with, or NULL */
	struct rexpr *min, *max; /* the range it must lie in, or NULL */
	int line, col;		 /* where it is declared */
	int var;	       /* its slot */
};

/* A race file, read and compiled. */
struct race {
	char *file; /* where it came from: "double-tap.race", "./checkout.race" */
	char name[48];
	char *incident, *summary, *notes;
	int nkinds;
	char kinds[SC_MAX_KINDS][32];
	int nvars;
	char vars[RACE_MAX_VARS][32];
	int nknobs;
	struct rknob knobs[RACE_MAX_KNOBS];
	char parent[64], fence[64];
	struct db_stmt peek, fence_st, touch_st;
	struct rblock setup, reset, check, op;
	struct rmods mods[ST__COUNT];
	struct rblock resolved[ST__COUNT]; /* the operation each strategy runs */
	int nschemas;
	struct rschema schemas[RACE_MAX_SCHEMAS];
	int nnoted;
	int noted[RACE_MAX_VARS]; /* slots a note step sets */
	int nschedules;
	struct sc_schedule schedules[9]; /* ends with a NULL name */
	struct scenario sc;		 /* the scenario interface, pointing back here */
	/* Everything allocated for it, freed by race_free. */
	int nallocs, capallocs;
	void **allocs;
};

/* Builtin variable slots, the same in every race. */
enum {
	RV_KEY,
	RV_CLIENT,
	RV_TOKEN,
	RV_CLIENTS,
	RV_KEYS,
	RV_ROWS,
	RV_AFFECTED,
	RV_COMMITTED,
	RV__BUILTIN
};

/*
 * Reads a race file's text (file names it in messages). Returns the race,
 * or NULL with e (bad input) saying FILE:LINE:COL, what was expected and
 * what was found.
 */
struct race *race_parse(const char *text, size_t len, const char *file, struct rb_err *e);
/* Reads and parses the file at path (at most RACE_FILE_LIMIT bytes). */
struct race *race_load(const char *path, struct rb_err *e);
void race_free(struct race *r);
/* Memory that lives as long as r (zeroed). */
void *race_alloc(struct race *r, size_t n);
/* Makes r a scenario: each strategy's operation resolved, the generic statements made (race.c). */
void race_finish(struct race *r);

/*
 * Every statement of r has a spelling for dialect d: 0, or -1 with e (an
 * input error, FILE:LINE:COL) naming the first that has none.
 */
int race_spelt(const struct race *r, enum dialect d, struct rb_err *e);

/*
 * Whether some block of r (the operation, a strategy's) runs a statement
 * called name, or name is begin, commit or rollback (the harness's own).
 */
int race_has_statement(const struct race *r, const char *name);

/* The scenario a race is (race.c). */
const struct scenario *race_scenario(const struct race *r);

/* ---- the interpreter (race_run.c) ---- */

struct rval {
	int type; /* 0 null, 1 integer, 2 text */
	long long i;
	char *s; /* text, owned; cap bytes */
	size_t len, cap;
};

/* One client's variables: the interpreter's whole state. */
struct race_vm {
	const struct race *r;
	struct rval v[RACE_MAX_VARS];
	struct db_param params[RACE_MAX_PARAMS];
	char nums[RACE_MAX_PARAMS][24];
	const struct op_ctx *o; /* the operation, for think; NULL outside one */
	long long anomalies[SC_MAX_KINDS];
	const long long *committed;
	/* notes: set by this attempt, and those its committed operations kept */
	unsigned char noted[RACE_MAX_VARS];
	struct rval kept[RACE_MAX_VARS];
	unsigned long long kept_seq[RACE_MAX_VARS]; /* commit order; 0: none kept */
};

/* A fresh set of variables for r, its knobs resolved from p (explain's values with explain). */
struct race_vm *race_vm_new(const struct race *r, const struct sc_params *p);
void race_vm_free(struct race_vm *vm);
/*
 * Runs block b on connection c: 0 when it ran to its end, 1 when it ended
 * the operation (*st says how), -1 on an error (e).
 */
int race_exec(struct race_vm *vm, struct db_conn *c, const struct rblock *b, enum op_status *st,
	      struct rb_err *e);
/* The operation committed: its notes are kept (a later commit's win). */
void race_vm_commit(struct race_vm *vm);
/* Into check's vm: each note's value from the clients' vms (the latest commit's), then cleared. */
int race_vm_take_notes(struct race_vm *check, struct race_vm *const *clients, int n,
		       struct rb_err *e);
/* Every knob of r within its declared range for p: 0, or -1 (e, an input error). */
int race_knobs_check(const struct race *r, const struct sc_params *p, struct rb_err *e);
/* The value of knob k (by name) for p, or dflt when the race has no such knob. */
int race_knob(const struct race *r, const char *name, const struct sc_params *p, long long *out);

#endif

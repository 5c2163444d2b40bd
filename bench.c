/*
 * bench.c: racebench's main(): options, the matrix of cells, exit codes.
 *
 * Exit codes: 0 ok, 1 gate failed, 2 usage or input error, 3 infrastructure
 * error (no database, a server that died). Only this file calls exit().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/explain.h"
#include "core/gate.h"
#include "core/harness.h"
#include "core/matrix.h"
#include "core/opts.h"
#include "core/result.h"
#include "core/result_read.h"
#include "core/servers.h"
#include "base/util.h"
#include "core/watchdog.h"
#include "reports/report.h"
#include "reports/timeline.h"

#define EXIT_GATE  1
#define EXIT_USAGE 2
#define EXIT_INFRA 3

/* The largest saved report read: a matrix of thousands of cells is a few MiB. */
#define REPORT_FILE_LIMIT (64u << 20)

/* The help text, in pieces: C limits the length of one string literal. */
static const char *const usage_text[] = {
	"usage: racebench run [options]      run the matrix (race mode) and report it\n"
	"       racebench load [options]     the same cells under sustained traffic (load mode)\n"
	"       racebench check RESULT.json --expect FILE [--baseline B.json] [output options]\n"
	"                                    gate a saved JSON report, no database needed\n"
	"       racebench explain SCENARIO [options]\n"
	"                                    one race, step by step, the same every time\n"
	"       racebench list               scenarios, strategies, levels, drivers\n"
	"       racebench help | --help      this text\n"
	"       racebench version | --version\n",
	"\n"
	"racebench reproduces the race conditions behind real incidents on real\n"
	"databases, under every locking strategy and isolation level, and reports\n"
	"anomalies, errors, retries and latency for each cell.\n",
	"\n"
	"What to run (each takes a comma list or 'all'; default all):\n"
	"  -d, --db LIST          databases: pg, mysql (default: both, or those given by --pg/--mysql)\n"
	"  -s, --scenario LIST    scenarios (see racebench list)\n"
	"  -S, --strategy LIST    strategies (see racebench list)\n"
	"  -i, --isolation LIST   isolation levels: ru, rc, rr, ser\n",
	"\n"
	"How hard (race mode):\n"
	"  -c, --clients N        concurrent clients, one connection each (default 4)\n"
	"  -t, --trials N         reproduction attempts per cell (default 10)\n"
	"      --think MS         application work between the read and the write (default 1)\n"
	"      --tail MS          work after the write, before COMMIT (default 1)\n"
	"      --keys N           hot rows the clients spread over; 1 = all on one (default 1)\n"
	"      --retries N        retries for the strategies that retry (default 10)\n"
	"  -r, --seed N           seed for backoff jitter and tokens (default: from the clock)\n",
	"\n"
	"Load mode (racebench load, or run --mode load):\n"
	"      --duration S       measured seconds per cell, after the warm-up (default 10)\n"
	"      --ops N            or: stop after N measured operations per cell\n"
	"      --rate R           open loop: R operations per second in all, latency measured\n"
	"                         from each operation's scheduled start (default: closed loop)\n"
	"      --arrival A        fixed or poisson gaps between scheduled starts (default fixed)\n"
	"      --warmup S         seconds run but not counted (default 1)\n",
	"\n"
	"Scenario knobs:\n"
	"      --quantity N       coupons on offer per key (default clients/2)\n"
	"      --balance N        money per wallet (default 100)\n"
	"      --price N          price of one purchase (default 30)\n"
	"      --amount N         money per settlement item or transfer (default 100)\n",
	"\n"
	"Servers (default: throwaway local servers, started and stopped by the run):\n"
	"      --pg DSN           your PostgreSQL: conninfo or postgres:// URI; PG* variables\n"
	"                         fill in what it leaves out (also RACEBENCH_PG)\n"
	"      --mysql URL        your MySQL/MariaDB: mysql://user@host:port/db (also\n"
	"                         RACEBENCH_MYSQL; MYSQL_PWD for the password)\n"
	"      --redis URL        your Redis for the redis-* strategies: redis://host:port\n"
	"                         (also RACEBENCH_REDIS; REDISCLI_AUTH for the password)\n"
	"      --lock-wait MS     how long a client waits for a Redis lock (default 25 per\n"
	"                         client, at least 250)\n"
	"      --lease MS         redis-expiry's lease, shorter than the work (default 1)\n"
	"      --keep-servers     leave the throwaway servers running, and say where\n"
	"      --schema NAME      the tool's own schema (default racebench); never a server's\n"
	"                         own (pg_*, information_schema, mysql, sys, ...) nor the\n"
	"                         database your DSN names (docs/safety.md)\n"
	"      --force-schema     drop a schema of that name racebench did not create\n"
	"                         (twice for PostgreSQL's public)\n"
	"      --keep-schema      do not drop the tool's schema at the end\n"
	"      --lock-timeout MS  give up a lock wait after MS (default 5000; 0 = server's)\n"
	"      --connect-timeout S  (default 10)\n"
	"      --statement-timeout MS  a statement that long is given up (default 60000;\n"
	"                         0 = none); a frozen server's connections are cut then\n"
	"      --explain          add each scenario's step-by-step race (none and\n"
	"                         for-update-parent at rc) to the HTML report\n"
	"      --sequential       run the databases one after the other (race mode runs\n"
	"                         them side by side, one thread each; load mode never does)\n",
	"\n"
	"Output:\n"
	"  -f, --format LIST      table, json, csv, markdown, junit, html (default table)\n"
	"  -o, --out FILE         where each format goes, in order ('-' = stdout)\n"
	"      --color, --no-color  colour in the table (default: on a terminal, unless NO_COLOR)\n"
	"      --progress, --no-progress  progress line on stderr (default: on a terminal)\n"
	"  -q, --quiet            no progress or server messages\n",
	"\n"
	"Regression gate (run and check; docs/gate.md):\n"
	"      --expect FILE      expectations, one per line: DB ISO SCENARIO STRATEGY CONDITIONS\n"
	"                         e.g. 'pg rc * for-update-parent verdict == safe'; repeatable\n"
	"      --baseline B.json  a saved JSON report: a worse verdict, p99 or throughput\n"
	"                         than the same cell there is a broken expectation\n"
	"      --tolerance T      how far from the baseline is still fine: 20% (p99 and\n"
	"                         throughput) or latency=50%,throughput=30%,floor=5ms (default)\n",
	"\n"
	"explain (docs/explain.md): sessions play a fixed interleaving, blocked\n"
	"statements are shown waiting, the timeline ends with the invariant check:\n"
	"      --strategy S       one strategy (default none); --isolation L (default rc);\n"
	"                         --db pg|mysql (default pg)\n"
	"      --schedule NAME    one of the scenario's schedules (default: its first)\n"
	"      --list-schedules   the schedules of SCENARIO (or of every scenario)\n"
	"      --spec FILE        a schedule of your own (scenario, sessions, steps lines)\n"
	"      --format F         text (default), json or html; --out FILE\n",
	"\n"
	"Exit codes: 0 ok, 1 gate failed (an expectation broke), 2 bad usage or input\n"
	"(also a malformed expectations file or report), 3 infrastructure error (the\n"
	"report is partial), 130/143 interrupted by SIGINT/SIGTERM (partial report too;\n"
	"the tool's schema is dropped and throwaway servers stopped either way).\n"
	"Passwords: PGPASSWORD, MYSQL_PWD and REDISCLI_AUTH, never the command line.\n",
	NULL,
};

static void print_usage(FILE *f)
{
	for (int i = 0; usage_text[i]; i++)
		fputs(usage_text[i], f);
}

/* The signal that asked the run to stop: set by the watchdog, read by all. */
static atomic_int interrupted;

static void die_usage(const char *msg)
{
	fprintf(stderr, "racebench: %s\n", msg);
	exit(EXIT_USAGE);
}

/* Prints head, then text word-wrapped at 78 columns, later lines indented. */
static void print_wrapped(const char *head, const char *text, int indent)
{
	int col = printf("%s", head), line_start = 0;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col + 1 + len > 78 && !line_start) {
			col = printf("\n%*s", indent, "") - 1;
			line_start = 1;
		}
		if (!line_start) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", len, text);
		line_start = 0;
		text += len;
		while (*text == ' ')
			text++;
	}
	putchar('\n');
}

static void print_list(void)
{
	printf("Scenarios (the incidents in shared/seeds):\n");
	for (int i = 0; scenarios[i]; i++) {
		const struct scenario *s = scenarios[i];

		printf("\n  %s\n    %s\n    operation: %s\n    anomaly kinds:", s->name,
		       s->incident, s->summary);
		for (int k = 0; k < sc_nkinds(s); k++)
			printf(" %s", s->kinds[k]);
		{
			char fit[512] = "";

			for (int st = 0; st < ST__COUNT; st++)
				if (!s->xFits((enum strategy)st, DIALECT_PG))
					str_printf(fit + strlen(fit), sizeof(fit) - strlen(fit),
						   "%s%s", *fit ? " " : "",
						   strategy_name((enum strategy)st));
			printf("\n");
			print_wrapped("    strategies:", fit, 6);
		}
		for (int st = 0; st < ST__COUNT; st++) {
			const char *why = s->xFits((enum strategy)st, DIALECT_PG);

			if (why) {
				char head[64];

				snprintf(head, sizeof(head),
					 "    n/a %s:", strategy_name((enum strategy)st));
				print_wrapped(head, why, 8);
			}
		}
		if (s->notes)
			print_wrapped("    notes:", s->notes, 6);
	}
	printf("\nStrategies:\n");
	for (int st = 0; st < ST__COUNT; st++) {
		const struct strategy_info *si = strategy_info((enum strategy)st);

		printf("  %-20s %s (from %s)\n", si->name, si->summary, si->from);
	}
	printf("\nIsolation levels (set per transaction):\n"
	       "  ru   READ UNCOMMITTED (PostgreSQL runs it as READ COMMITTED)\n"
	       "  rc   READ COMMITTED\n"
	       "  rr   REPEATABLE READ (PostgreSQL: snapshot isolation, taken at the first statement)\n"
	       "  ser  SERIALIZABLE\n");
	printf("\nDrivers:\n");
	for (int i = 0; drivers[i]; i++)
		printf("  %-6s %s\n", drivers[i]->name, drivers[i]->summary);
}

/*
 * Where an --out file really is: its own real path when it exists, else
 * its directory's real path and its name, so "d/r.out" and "d/./r.out"
 * (or a symbolic link to it) are seen to be the same file.
 */
static int out_resolve(const char *path, char *out, size_t n)
{
	char *copy, *dir, real[PATH_MAX];
	int rc = -1;

	if (realpath(path, real)) {
		str_copy(out, real, n);
		return 0;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (realpath(dir, real)) {
		char *base = xstrdup(path);

		rc = snprintf(out, n, "%s/%s", real, basename(base)) < (int)n ? 0 : -1;
		free(base);
	}
	free(copy);
	return rc;
}

/*
 * Checks up front that every --out file can be written, and that no two
 * formats would overwrite each other, so a long run is neither wasted nor
 * silently half-reported. Exits 2 naming the file and the reason.
 */
static void check_outs(const struct options *o)
{
	char seen[MAX_OUTS][PATH_MAX];

	for (int i = 0; i < o->nouts; i++) {
		const char *path = o->outs[i];
		struct stat st;
		char *copy, *dir;

		seen[i][0] = '\0';
		if (!strcmp(path, "-"))
			continue;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			fprintf(stderr, "racebench: --out: '%s' is a directory; name a file in it\n",
				path);
			exit(EXIT_USAGE);
		}
		if (stat(path, &st) == 0 ? access(path, W_OK) != 0 : 0) {
			fprintf(stderr, "racebench: --out: cannot write '%s': %s\n", path,
				strerror(errno));
			exit(EXIT_USAGE);
		}
		copy = xstrdup(path);
		dir = dirname(copy);
		if (access(dir, W_OK) != 0) {
			fprintf(stderr,
				"racebench: --out: cannot write '%s': directory '%s' "
				"does not exist or is not writable\n",
				path, dir);
			free(copy);
			exit(EXIT_USAGE);
		}
		free(copy);
		if (out_resolve(path, seen[i], sizeof(seen[i])) < 0)
			str_copy(seen[i], path, sizeof(seen[i]));
		for (int j = 0; j < i; j++) {
			if (seen[j][0] && !strcmp(seen[i], seen[j])) {
				fprintf(stderr,
					"racebench: --out: '%s' and '%s' are the same file: "
					"%s and %s would overwrite each other\n",
					o->outs[j], path, report_formats[o->formats[j]].name,
					report_formats[o->formats[i]].name);
				exit(EXIT_USAGE);
			}
		}
	}
}

/*
 * A run that ended before any cell: files left by an earlier run under
 * the --out names would pass for this run's report, so they go.
 */
static void remove_stale_outs(const struct options *o)
{
	for (int i = 0; i < o->nouts; i++) {
		struct stat st;

		if (strcmp(o->outs[i], "-") && lstat(o->outs[i], &st) == 0 && S_ISREG(st.st_mode))
			unlink(o->outs[i]);
	}
}

static int write_reports(const struct options *o, const struct run_result *r, int color)
{
	int rc = 0;

	for (int i = 0; i < o->nformats; i++) {
		const char *path = o->nouts ? o->outs[i] : "-";
		int to_stdout = !strcmp(path, "-");
		struct report_opts ro = { .color = to_stdout && color };
		FILE *f = to_stdout ? stdout : fopen(path, "w");
		int w;

		if (!f) {
			fprintf(stderr, "racebench: cannot write '%s': %s\n", path, strerror(errno));
			rc = -1;
			continue;
		}
		errno = 0;
		w = report_formats[o->formats[i]].render(f, r, &ro);
		/* A full disk shows only at the flush or the close. */
		if (fflush(f) != 0 || ferror(f))
			w = -1;
		if (!to_stdout && fclose(f) != 0)
			w = -1;
		if (w < 0) {
			fprintf(stderr, "racebench: writing %s failed: %s\n",
				to_stdout ? "the report to standard output" : path,
				strerror(errno ? errno : EIO));
			rc = -1;
		}
	}
	return rc;
}

/*
 * Reads a saved JSON report into r; exits 2 naming the file when it cannot
 * be read or is not a racebench report. what: "--baseline" or NULL.
 */
static void read_report(const char *path, struct run_result *r, const char *what)
{
	char *text, err[512];
	size_t len;
	struct rb_err e;
	FILE *f;

	if (read_text_file("report", path, REPORT_FILE_LIMIT, &text, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "racebench: %s%s%s\n", what ? what : "", what ? ": " : "", err);
		exit(EXIT_USAGE);
	}
	f = fmemopen(text, len ? len : 1, "r");
	if (!f || result_read_json(f, r, &e) < 0) {
		fprintf(stderr, "racebench: %s%s'%s' is not a racebench JSON report: %s\n",
			what ? what : "", what ? ": " : "", path, f ? e.msg : strerror(errno));
		if (f)
			fclose(f);
		free(text);
		result_release(r);
		exit(EXIT_USAGE);
	}
	fclose(f);
	free(text);
}

/* The gate's inputs, loaded before anything runs: a typo must not cost a run. */
struct gate_in {
	int on;
	struct gate g;
	struct run_result base;
};

static void gate_open(const struct options *o, struct gate_in *gi)
{
	char err[512];

	gate_init(&gi->g);
	memset(&gi->base, 0, sizeof(gi->base));
	gi->on = o->nexpects > 0 || o->baseline;
	for (int i = 0; i < o->nexpects; i++)
		if (gate_load(&gi->g, o->expects[i], err, sizeof(err)) < 0) {
			gate_release(&gi->g);
			die_usage(err);
		}
	if (o->baseline) {
		read_report(o->baseline, &gi->base, "--baseline");
		gate_set_baseline(&gi->g, o->baseline, &gi->base, &o->tol);
	}
}

static void gate_close(struct gate_in *gi)
{
	gate_release(&gi->g);
	result_release(&gi->base);
}

/* racebench check RESULT.json: the gate over a saved run, without a database. */
static int cmd_check(struct options *o)
{
	struct gate_in gi;
	struct run_result r;
	int broken, rc, to_stdout = o->nformats > 0 && o->nouts == 0;

	check_outs(o);
	gate_open(o, &gi);
	read_report(o->check_file, &r, NULL);
	for (int i = 0; i < o->nouts; i++)
		to_stdout |= !strcmp(o->outs[i], "-");
	/*
	 * A partial report is checked as its run was: not at all (a cell that
	 * never ran cannot break an expectation), and exit 3, so a gate in CI
	 * never passes on a run that did not finish.
	 */
	broken = r.aborted ? 0 : gate_eval(&gi.g, &r);
	rc = write_reports(o, &r, o->color >= 0 ? o->color : isatty(1) && !getenv("NO_COLOR"));
	if (r.aborted)
		fprintf(stderr,
			"racebench: %s is a partial report (the run was aborted: %s); "
			"gate not evaluated: the run did not finish\n",
			o->check_file, r.abort_msg);
	else
		/* The summary is check's answer: on stdout, unless a report is there. */
		gate_summary(to_stdout ? stderr : stdout, &gi.g, &r, o->quiet);
	result_release(&r);
	gate_close(&gi);
	return rc < 0 || r.aborted ? EXIT_INFRA : broken ? EXIT_GATE : 0;
}

/* An environment variable that is set and not empty (empty counts as unset). */
static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * Refuses a --schema that is the server's own, or the user's database,
 * before anything starts (dsn NULL: a throwaway). Returns 0 or -1, said.
 */
static int schema_ok(const struct options *o, const struct driver *d, const char *dsn)
{
	struct rb_err e;

	if (db_schema_allowed(d, dsn, o->schema, o->force_schema, &e) == 0)
		return 0;
	fprintf(stderr, "racebench: %s: %s\n", d->name, e.msg);
	return -1;
}

/* Whether any selected strategy needs the lock service. */
static int wants_lock(const struct options *o)
{
	for (int s = 0; s < ST__COUNT; s++)
		if ((o->strategies >> s & 1) && strategy_uses_redis((enum strategy)s))
			return 1;
	return 0;
}

/*
 * The lock service's server, for the report (srv), and a clean slate under
 * the run's key prefix: a run that was killed may have left locks behind.
 * At the end (final), only the clean-up. Returns 0, or -1 with the run's
 * abort message set.
 */
static int lock_server(struct matrix *st, struct run_server *srv, int final)
{
	const struct lock_opts *lo = &st->o->cfg.lock;
	struct lock_conn *c = NULL;
	struct rb_err e;
	char shown[256];

	rb_err_clear(&e);
	if (lock_service->xConnect(lo, &c, &e) < 0 ||
	    (!final && lock_service->xServerInfo(c, &srv->info, &e) < 0) ||
	    lock_service->xClear(c, &e) < 0) {
		lock_service->xClose(c);
		lock_service->xRedact(lo->url, shown, sizeof(shown));
		str_printf(st->r->abort_msg, sizeof(st->r->abort_msg), "%s (%s): %s",
			   lock_service->name, shown, e.msg);
		return -1;
	}
	lock_service->xClose(c);
	if (!final) {
		srv->db = lock_service->name;
		lock_service->xRedact(lo->url, srv->dsn, sizeof(srv->dsn));
	}
	return 0;
}

static int cmd_run(struct options *o)
{
	struct run_result r = { 0 };
	struct matrix st;
	struct servers srv = { 0 };
	struct gate_in gi;
	const char *dsn[8] = { 0 };
	int throwaway[8] = { 0 };
	char need[64] = "", lock_prefix[80];
	struct run_server lock_srv = { 0 };
	int rc = 0, color, broken = 0;
	uint64_t t0 = now_ns();
	struct watchdog wd = { 0 };

	check_outs(o);
	gate_open(o, &gi);
	color = o->color >= 0 ? o->color : isatty(1) && !getenv("NO_COLOR");
	matrix_init(&st, o, &r,
		    o->quiet		       ? 0
			    : o->progress >= 0 ? o->progress
					       : isatty(2),
		    &interrupted);
	if (!o->cfg.seed)
		o->cfg.seed =
			((uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid()) & 0xffffffffffffu;

	r.mode = o->cmd == CMD_LOAD ? "load" : "race";
	if (o->cmd == CMD_LOAD) {
		r.duration_s = (double)o->load.duration_us / 1e6;
		r.ops_target = o->load.ops;
		r.rate = o->load.rate;
		r.arrival = o->load.rate > 0 ? (o->load.poisson ? "poisson" : "fixed") : "closed";
		r.warmup_s = (double)o->load.warmup_us / 1e6;
	}
	r.started_at = time(NULL);
	r.seed = o->cfg.seed;
	r.clients = o->cfg.clients;
	r.trials = o->cfg.trials;
	r.keys = o->cfg.sc.keys;
	r.retries = o->cfg.retries;
	r.think_ms = (double)o->cfg.sc.think_us / 1000.0;
	r.tail_ms = (double)o->cfg.tail_us / 1000.0;
	r.quantity = o->cfg.sc.quantity;
	r.balance = o->cfg.sc.balance;
	r.price = o->cfg.sc.price;
	r.amount = o->cfg.sc.amount;

	/* Where each database is: --pg/--mysql, else its variable, else a throwaway. */
	for (int i = 0; drivers[i]; i++) {
		if (!(o->dbs >> i & 1))
			continue;
		dsn[i] = o->dsn[i] ? o->dsn[i] : env_nonempty(drivers[i]->env);
		if (dsn[i] && !o->dsn[i] && *dsn[i] && drivers[i]->xCheckDsn) {
			struct rb_err e;

			if (drivers[i]->xCheckDsn(dsn[i], &e) < 0) {
				fprintf(stderr, "racebench: %s: %s\n", drivers[i]->env, e.msg);
				return EXIT_USAGE;
			}
		}
		if (schema_ok(o, drivers[i], dsn[i]) < 0) {
			gate_close(&gi);
			return EXIT_USAGE;
		}
		if (!dsn[i]) {
			throwaway[i] = 1;
			str_printf(need + strlen(need), sizeof(need) - strlen(need), "%s%s",
				   *need ? " " : "", drivers[i]->server);
		}
	}
	o->cfg.lock.url = NULL;
	if (lock_service && wants_lock(o)) {
		o->cfg.lock.url = o->redis_url ? o->redis_url : env_nonempty("RACEBENCH_REDIS");
		if (!o->cfg.lock.url)
			str_printf(need + strlen(need), sizeof(need) - strlen(need), "%sredis",
				   *need ? " " : "");
	}
	if (o->cfg.lock.url) {
		struct redis_url u;
		struct rb_err e;

		if (redis_url_parse(o->cfg.lock.url, &u, &e) < 0) {
			fprintf(stderr, "racebench: %s: %s\n",
				o->redis_url ? "--redis" : "RACEBENCH_REDIS", e.msg);
			return EXIT_USAGE;
		}
	}
	watchdog_start(&wd, &interrupted, (unsigned)o->statement_timeout_ms);
	if (*need) {
		struct rb_err e;

		if (!o->quiet)
			fprintf(stderr, "racebench: starting throwaway servers (%s) ...\n", need);
		if (servers_start(&srv, need, &e) < 0) {
			fprintf(stderr, "racebench: %s\n", e.msg);
			watchdog_stop(&wd);
			gate_close(&gi);
			return EXIT_INFRA;
		}
		for (int i = 0; drivers[i]; i++)
			if (throwaway[i])
				dsn[i] = !strcmp(drivers[i]->server, "pg") ? srv.pg : srv.mysql;
		if (lock_service && wants_lock(o) && !o->cfg.lock.url) {
			o->cfg.lock.url = srv.redis;
			lock_srv.throwaway = 1;
		}
	}
	o->cfg.locks = lock_service;
	o->cfg.stop = &interrupted;
	snprintf(lock_prefix, sizeof(lock_prefix), "racebench:%s", o->schema);
	o->cfg.lock.prefix = lock_prefix;
	o->cfg.lock.connect_timeout_ms = o->connect_timeout_s * 1000;
	o->cfg.lock.command_timeout_ms = 10000;
	st.total_cells = matrix_count_cells(o);

	if (o->cfg.lock.url)
		rc = lock_server(&st, &lock_srv, 0);
	if (rc == 0)
		rc = matrix_run(&st, dsn, throwaway);
	if (rc == 0 && o->run_explain)
		matrix_explains(&st, dsn);
	if (lock_srv.db && (size_t)r.nservers < ARRAY_SIZE(r.servers)) {
		r.servers[r.nservers++] = lock_srv;
		/* The run is over: a Redis gone by now costs its keys, not the report. */
		if (rc == 0 && !o->keep_schema && lock_server(&st, &lock_srv, 1) < 0) {
			if (!o->quiet)
				fprintf(stderr,
					"racebench: warning: could not remove the run's Redis "
					"keys: %s\n",
					r.abort_msg);
			r.abort_msg[0] = '\0';
		}
	}
	if (st.progress)
		fprintf(stderr, "\r\033[K");
	if (o->keep_servers && srv.started) {
		fprintf(stderr,
			"racebench: servers kept running in %s; to use them:\n"
			"  eval \"$(%s --dir %s env)\"\nstop them with: %s --dir %s stop\n",
			srv.dir, srv.script, srv.dir, srv.script, srv.dir);
	} else {
		servers_stop(&srv);
	}
	r.wall_seconds = (double)(now_ns() - t0) / 1e9;
	if (rc == -2) {
		fprintf(stderr, "racebench: %s\n", r.abort_msg);
		result_release(&r);
		matrix_release(&st);
		gate_close(&gi);
		watchdog_stop(&wd);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		r.aborted = 1;
		fprintf(stderr, "racebench: %s\n", r.abort_msg);
		if (gi.on)
			fprintf(stderr, "racebench: gate not evaluated: the run did not finish\n");
	} else if (gi.on) {
		broken = gate_eval(&gi.g, &r);
	}
	if (r.ncells > 0 || !r.aborted) {
		if (write_reports(o, &r, color) < 0 && rc == 0)
			rc = -1;
	} else {
		remove_stale_outs(o);
	}
	if (r.gated)
		gate_summary(stderr, &gi.g, &r, o->quiet);
	result_release(&r);
	matrix_release(&st);
	gate_close(&gi);
	/* Last: until here a second Ctrl-C must not kill the clean-up. */
	watchdog_stop(&wd);
	if (atomic_load(&interrupted))
		return 128 + atomic_load(&interrupted);
	return rc < 0 ? EXIT_INFRA : broken ? EXIT_GATE : 0;
}

/* The schedules of sc, or of every scenario when sc is NULL. */
static void list_schedules(const struct scenario *sc)
{
	for (int i = 0; scenarios[i]; i++) {
		const struct scenario *s = scenarios[i];

		if (sc && s != sc)
			continue;
		printf("%s%s\n", sc || i == 0 ? "" : "\n", s->name);
		for (int k = 0; s->schedules && s->schedules[k].name; k++) {
			const struct sc_schedule *d = &s->schedules[k];

			printf("  %-12s %s%s\n  %-12s sessions %s; steps %s\n", d->name, d->summary,
			       k ? "" : " (default)", "", d->sessions, d->steps);
		}
	}
}

/* Characters per session lane: the terminal's width shared, or 60 piped. */
static int lane_width(int to_tty, int sessions)
{
	struct winsize ws;
	int w;

	if (!to_tty || ioctl(1, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return TIMELINE_LANE_PIPED;
	w = (ws.ws_col - 3 * (sessions - 1)) / sessions;
	return w < 24 ? 24 : w;
}

/*
 * explain: one scenario's schedule played step by step on one database
 * (core/explain.c), rendered as a timeline. Exit 0 whatever it showed.
 */
static int cmd_explain(struct options *o)
{
	const struct scenario *sc = o->ex_scenario >= 0 ? scenarios[o->ex_scenario] : NULL;
	const struct driver *d = drivers[opts_explain_db(o)];
	enum strategy s = (enum strategy)opts_explain_strategy(o);
	struct explain_cfg ec = { 0 };
	struct explain_result r;
	struct ex_schedule sched;
	struct servers srv = { 0 };
	char err[512], need[32] = "", prefix[80];
	const char *dsn, *why, *path = o->nouts ? o->outs[0] : "-";
	struct watchdog wd = { 0 };
	int rc, to_stdout = !strcmp(path, "-");
	struct rb_err e;
	FILE *f;

	if (o->ex_list) {
		list_schedules(sc);
		return 0;
	}
	if (o->ex_spec) {
		if (ex_spec_load(&sched, o->ex_spec, err, sizeof(err)) < 0)
			die_usage(err);
		if (!sched.scenario[0] && !sc)
			die_usage(
				"--spec: the file has no 'scenario' line and no SCENARIO was given");
		if (sched.scenario[0]) {
			const struct scenario *named = scenario_find(sched.scenario);

			if (!named || (sc && named != sc)) {
				snprintf(err, sizeof(err), "%s: scenario '%s' %s", o->ex_spec,
					 sched.scenario,
					 named ? "differs from the one on the command "
						 "line"
					       : "is not a scenario (see racebench list)");
				die_usage(err);
			}
			sc = named;
		}
	} else if (ex_schedule_load(&sched, sc, ex_schedule_find(sc, o->ex_schedule), err,
				    sizeof(err)) < 0) {
		die_usage(err);
	}
	why = sc->xFits(s, d->dialect);
	if (!why && strategy_uses_redis(s) && !lock_service)
		why = "it needs a Redis lock service, which this build does not have";
	if (why) {
		fprintf(stderr, "racebench: explain: %s does not fit %s on %s: %s\n",
			strategy_name(s), sc->name, d->name, why);
		return EXIT_USAGE;
	}
	check_outs(o);
	dsn = o->dsn[opts_explain_db(o)] ? o->dsn[opts_explain_db(o)] : env_nonempty(d->env);
	if (dsn && !o->dsn[opts_explain_db(o)] && d->xCheckDsn && d->xCheckDsn(dsn, &e) < 0) {
		fprintf(stderr, "racebench: %s: %s\n", d->env, e.msg);
		return EXIT_USAGE;
	}
	if (schema_ok(o, d, dsn) < 0)
		return EXIT_USAGE;
	if (!dsn)
		snprintf(need, sizeof(need), "%s", d->server);
	if (strategy_uses_redis(s)) {
		ec.lock.url = o->redis_url ? o->redis_url : env_nonempty("RACEBENCH_REDIS");
		if (ec.lock.url && redis_url_parse(ec.lock.url, &(struct redis_url){ 0 }, &e) < 0) {
			fprintf(stderr, "racebench: %s: %s\n",
				o->redis_url ? "--redis" : "RACEBENCH_REDIS", e.msg);
			return EXIT_USAGE;
		}
		if (!ec.lock.url)
			str_printf(need + strlen(need), sizeof(need) - strlen(need), "%sredis",
				   *need ? " " : "");
	}
	watchdog_start(&wd, &interrupted, (unsigned)o->statement_timeout_ms);
	if (*need) {
		if (!o->quiet)
			fprintf(stderr, "racebench: starting throwaway servers (%s) ...\n", need);
		if (servers_start(&srv, need, &e) < 0) {
			fprintf(stderr, "racebench: %s\n", e.msg);
			watchdog_stop(&wd);
			return EXIT_INFRA;
		}
		if (!dsn)
			dsn = !strcmp(d->server, "pg") ? srv.pg : srv.mysql;
		if (strategy_uses_redis(s) && !ec.lock.url)
			ec.lock.url = srv.redis;
	}
	snprintf(prefix, sizeof(prefix), "racebench:%s", o->schema);
	ec.drv = d;
	ec.dbo.dsn = dsn;
	ec.dbo.connect_timeout_s = o->connect_timeout_s;
	ec.dbo.lock_timeout_ms = o->lock_timeout_ms;
	ec.dbo.statement_timeout_ms = o->statement_timeout_ms;
	ec.schema = o->schema;
	ec.sc = sc;
	ec.strat = s;
	ec.iso = (enum rb_iso)opts_explain_iso(o);
	ec.sched = &sched;
	ec.lock.prefix = prefix;
	ec.lock.connect_timeout_ms = o->connect_timeout_s * 1000;
	ec.lock.command_timeout_ms = 10000;
	ec.locks = ec.lock.url ? lock_service : NULL;
	ec.stop = &interrupted;
	rc = explain_run(&ec, &r, &e);
	if (o->keep_servers && srv.started)
		fprintf(stderr,
			"racebench: servers kept running in %s; stop them with: %s --dir %s "
			"stop\n",
			srv.dir, srv.script, srv.dir);
	else
		servers_stop(&srv);
	watchdog_stop(&wd);
	if (rc < 0) {
		d->xRedact(dsn, err, sizeof(err));
		fprintf(stderr, "racebench: explain on %s (%s): %s\n", d->name, err, e.msg);
		explain_release(&r);
		return atomic_load(&interrupted) ? 128 + atomic_load(&interrupted) : EXIT_INFRA;
	}
	f = to_stdout ? stdout : fopen(path, "w");
	if (!f) {
		fprintf(stderr, "racebench: cannot write '%s'\n", path);
		explain_release(&r);
		return EXIT_INFRA;
	}
	if (o->ex_format == EXF_JSON) {
		rc = timeline_json(f, &r);
	} else if (o->ex_format == EXF_HTML) {
		rc = timeline_html(f, &r);
	} else {
		int tty = to_stdout && isatty(1);
		struct timeline_opts to = {
			.lane = lane_width(tty, sched.nsessions),
			.color = to_stdout &&
				(o->color >= 0 ? o->color : tty && !getenv("NO_COLOR")),
		};

		rc = timeline_text(f, &r, &to);
	}
	if (to_stdout ? fflush(f) != 0 : fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "racebench: writing '%s' failed\n", path);
	explain_release(&r);
	return rc < 0 ? EXIT_INFRA : 0;
}

static int dispatch(struct options *o)
{
	switch (o->cmd) {
	case CMD_HELP: print_usage(stdout); return 0;
	case CMD_VERSION: printf("racebench %s\n", RACEBENCH_VERSION); return 0;
	case CMD_LIST: print_list(); return 0;
	case CMD_RUN:
	case CMD_LOAD: return cmd_run(o);
	case CMD_CHECK: return cmd_check(o);
	case CMD_EXPLAIN: return cmd_explain(o);
	default: die_usage("no command");
	}
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	int rc;

	/* A closed pipe or a cut socket is an error to report, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (opts_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "racebench: %s\n", err);
		if (argc < 2)
			print_usage(stderr);
		return EXIT_USAGE;
	}
	rc = dispatch(&o);
	/*
	 * Whatever went to standard output (a report, list, help, check's
	 * summary) must have arrived: a full disk or a closed pipe shows only
	 * here, and a lost report is not a success.
	 */
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && (rc == 0 || rc == EXIT_GATE)) {
		fprintf(stderr, "racebench: writing standard output failed: %s\n",
			strerror(errno ? errno : EIO));
		rc = EXIT_INFRA;
	}
	return rc;
}

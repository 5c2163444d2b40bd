/*
 * bench.c: racebench's main(): the options, one command, the exit code.
 *
 * Exit codes: 0 ok, 1 gate failed, 2 usage or input error, 3 infrastructure
 * error (no database, a server that died). Only this file exits; the
 * commands (cli/cmd_*.c) return the code.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int dispatch(struct options *o)
{
	switch (o->cmd) {
	case CMD_HELP: opts_usage(stdout); return 0;
	case CMD_VERSION: printf("racebench %s\n", RACEBENCH_VERSION); return 0;
	case CMD_LIST: return cmd_list(o);
	case CMD_RUN:
	case CMD_LOAD: return cmd_run(o);
	case CMD_CHECK: return cmd_check(o);
	case CMD_EXPLAIN: return cmd_explain(o);
	case CMD_ISOLATION: return cmd_isolation(o);
	default: break;
	}
	fprintf(stderr, "racebench: no command\n");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct options o;
	struct rb_err e;
	int rc;

	/* A closed pipe or a cut socket is an error to report, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (opts_parse(argc, argv, &o, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		if (argc < 2)
			opts_usage(stderr);
		return EXIT_USAGE;
	}
	if (opts_races(&o, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		opts_release(&o);
		return EXIT_USAGE;
	}
	rc = dispatch(&o);
	opts_release(&o);
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

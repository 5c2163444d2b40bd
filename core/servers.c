/* servers.c: runs scripts/servers.sh to start and stop throwaway servers. */
#define _GNU_SOURCE
#include "servers.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/util.h"

/* RACEBENCH_SERVERS, else scripts/servers.sh beside the binary or in the source tree. */
static int find_script(char *out, size_t n)
{
	const char *env = getenv("RACEBENCH_SERVERS");
	char exe[PATH_MAX];
	ssize_t len;

	if (env && *env) {
		str_copy(out, env, n);
		return access(out, R_OK) == 0 ? 0 : -1;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return -1;
	exe[len] = '\0';
	snprintf(out, n, "%s/scripts/servers.sh", dirname(exe));
	if (access(out, R_OK) == 0)
		return 0;
	/* A binary built elsewhere (build/VARIANT/) still finds its tree. */
	snprintf(out, n, "%s/scripts/servers.sh", RACEBENCH_SRCDIR);
	return access(out, R_OK) == 0 ? 0 : -1;
}

/* Runs the script with args; its output goes to DIR/servers.log. */
static int run_script(struct servers *s, const char *cmd, const char *which)
{
	char log[300], buf[256], *argv[6 + 4 + SERVERS_MAX + 1];
	int argc = 0, status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/servers.log", s->dir);
	/* env(1) sets the script's variables: nothing to change in our own environment. */
	if (s->nenv)
		argv[argc++] = (char *)"env";
	for (int i = 0; i < s->nenv; i++)
		argv[argc++] = s->env[i];
	argv[argc++] = (char *)"bash";
	argv[argc++] = s->script;
	argv[argc++] = (char *)"--dir";
	argv[argc++] = s->dir;
	argv[argc++] = (char *)cmd;
	str_copy(buf, which ? which : "", sizeof(buf));
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < 6 + 4 + SERVERS_MAX;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		/* A new process group: a Ctrl-C at the terminal is ours to handle. */
		setpgid(0, 0);
		/* The servers it starts must take signals (the run blocks them). */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void read_line(const char *dir, const char *name, char *out, size_t n)
{
	char path[400];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void log_tail(const char *dir, char *out, size_t n)
{
	char path[300], line[256];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/servers.log", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			str_copy(out, line, n);
	}
	fclose(f);
}

int servers_start(struct servers *s, const char *which, struct rb_err *e)
{
	return servers_start_env(s, which, NULL, e);
}

int servers_start_env(struct servers *s, const char *which, const char *const *env,
		      struct rb_err *e)
{
	const char *tmp = getenv("TMPDIR");
	char last[200], names[256];

	memset(s, 0, sizeof(*s));
	for (int i = 0; env && env[i] && i < 4; i++)
		str_copy(s->env[s->nenv++], env[i], sizeof(s->env[0]));
	if (find_script(s->script, sizeof(s->script)) < 0)
		return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0,
				  "cannot find scripts/servers.sh beside the racebench binary "
				  "(set RACEBENCH_SERVERS, or give --pg to use your own server)");
	snprintf(s->dir, sizeof(s->dir), "%s/racebench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir))
		return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0,
				  "cannot create a temporary directory: %s", strerror(errno));
	chmod(s->dir, 0755); /* the postgres user must reach its data directory */
	s->started = 1;
	if (run_script(s, "start", which) < 0) {
		log_tail(s->dir, last, sizeof(last));
		rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "throwaway servers did not start: %s",
			   last[0] ? last : "see scripts/servers.sh");
		servers_stop(s);
		return -1;
	}
	str_copy(names, which, sizeof(names));
	for (char *save = NULL, *t = strtok_r(names, " ", &save); t && s->n < SERVERS_MAX;
	     t = strtok_r(NULL, " ", &save)) {
		char file[48];

		str_copy(s->s[s->n].name, t, sizeof(s->s[s->n].name));
		snprintf(file, sizeof(file), "%.32s.dsn", t);
		read_line(s->dir, file, s->s[s->n].dsn, sizeof(s->s[s->n].dsn));
		s->n++;
	}
	return 0;
}

void servers_read(const struct servers *s, const char *file, char *out, size_t n)
{
	read_line(s->dir, file, out, n);
}

const char *servers_dsn(const struct servers *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->s[i].name, name) && s->s[i].dsn[0])
			return s->s[i].dsn;
	return NULL;
}

void servers_stop(struct servers *s)
{
	if (!s->started)
		return;
	run_script(s, "stop", NULL);
	rmdir(s->dir); /* the script removes it; this is for a failed start */
	s->started = 0;
}

int servers_attach(struct servers *s, const char *dir, struct rb_err *e)
{
	memset(s, 0, sizeof(*s));
	if (find_script(s->script, sizeof(s->script)) < 0)
		return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0,
				  "cannot find scripts/servers.sh beside the racebench binary "
				  "(set RACEBENCH_SERVERS)");
	if (strlen(dir) >= sizeof(s->dir))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "the servers' directory '%.64s...' "
				  "is longer than %zu bytes",
				  dir, sizeof(s->dir) - 1);
	str_copy(s->dir, dir, sizeof(s->dir));
	return 0;
}

int servers_node(struct servers *s, const char *topology, int node, const char *action,
		 struct rb_err *e)
{
	char args[128], last[200];

	snprintf(args, sizeof(args), "%s %d %s", topology, node, action);
	if (run_script(s, "node", args) == 0)
		return 0;
	log_tail(s->dir, last, sizeof(last));
	return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "servers.sh node %s failed: %s", args,
			  last[0] ? last : "see its log");
}

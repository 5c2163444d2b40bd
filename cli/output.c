/* output.c: reports written (every format, every --out) and read back. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/util.h"
#include "../core/result_read.h"
#include "../reports/report.h"
#include "cli.h"

/* The largest saved report read: a matrix of thousands of cells is a few MiB. */
#define REPORT_FILE_LIMIT (64u << 20)

int exit_for(const struct rb_err *e)
{
	return e->input ? EXIT_USAGE : EXIT_INFRA;
}

int use_color(const struct options *o)
{
	return o->color >= 0 ? o->color : isatty(1) && !getenv("NO_COLOR");
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

/* One --out file: not a directory, writable where it is or will be. */
static int out_writable(const char *path, struct rb_err *e)
{
	struct stat st;
	char *copy, *dir;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return rb_err_input(e, "--out: '%s' is a directory; name a file in it", path);
	if (stat(path, &st) == 0 && access(path, W_OK) != 0)
		return rb_err_input(e, "--out: cannot write '%s': %s", path, strerror(errno));
	copy = xstrdup(path);
	dir = dirname(copy);
	if (access(dir, W_OK) != 0)
		rc = rb_err_input(e,
				  "--out: cannot write '%s': directory '%s' does not exist or is "
				  "not writable",
				  path, dir);
	free(copy);
	return rc;
}

int outs_check(const struct options *o, struct rb_err *e)
{
	char seen[MAX_OUTS][PATH_MAX];

	for (int i = 0; i < o->nouts; i++) {
		const char *path = o->outs[i];

		seen[i][0] = '\0';
		if (!strcmp(path, "-"))
			continue;
		if (out_writable(path, e) < 0)
			return -1;
		if (out_resolve(path, seen[i], sizeof(seen[i])) < 0)
			str_copy(seen[i], path, sizeof(seen[i]));
		for (int j = 0; j < i; j++)
			if (seen[j][0] && !strcmp(seen[i], seen[j]))
				return rb_err_input(
					e,
					"--out: '%s' and '%s' are the same file: %s and "
					"%s would overwrite each other",
					o->outs[j], path, report_formats[o->formats[j]].name,
					report_formats[o->formats[i]].name);
	}
	return 0;
}

void outs_remove_stale(const struct options *o)
{
	for (int i = 0; i < o->nouts; i++) {
		struct stat st;

		if (strcmp(o->outs[i], "-") && lstat(o->outs[i], &st) == 0 && S_ISREG(st.st_mode))
			unlink(o->outs[i]);
	}
}

int reports_write(const struct options *o, const struct run_result *r)
{
	int rc = 0, color = use_color(o);

	for (int i = 0; i < o->nformats; i++) {
		const char *path = o->nouts ? o->outs[i] : "-";
		int to_stdout = !strcmp(path, "-");
		struct report_opts ro = { .color = to_stdout && color };
		FILE *f = to_stdout ? stdout : fopen(path, "w");
		int w;

		if (!f) {
			fprintf(stderr, "racebench: cannot write '%s': %s\n", path,
				strerror(errno));
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

int report_load(const char *path, struct run_result *r, const char *what, struct rb_err *e)
{
	char *text;
	size_t len;
	FILE *f;
	int rc;

	memset(r, 0, sizeof(*r));
	if (read_text_file("report", path, REPORT_FILE_LIMIT, &text, &len, e) < 0) {
		if (what)
			rb_err_input(e, "%s: %.400s", what, e->msg);
		return -1;
	}
	f = fmemopen(text, len ? len : 1, "r");
	if (!f) {
		free(text);
		return rb_err_input(e, "cannot read '%s': %s", path, strerror(errno));
	}
	rc = result_read_json(f, r, e);
	fclose(f);
	free(text);
	if (rc < 0) {
		char why[sizeof(e->msg)];

		str_copy(why, e->msg, sizeof(why));
		rb_err_input(e, "%s%s'%s' is not a racebench JSON report: %.300s", what ? what : "",
			     what ? ": " : "", path, why);
		result_release(r);
	}
	return rc;
}

int gate_in_open(const struct options *o, struct gate_in *gi, const struct run_result *report,
		 struct rb_err *e)
{
	gate_init(&gi->g);
	memset(&gi->base, 0, sizeof(gi->base));
	gi->on = o->nexpects > 0 || o->baseline;
	/*
	 * What lines may name: the built-ins and the races of this command
	 * (files given to --scenario), and for check the races and anomaly
	 * kinds of the report, which may come from files this command never
	 * read.
	 */
	/* racebench isolation's lines name tests, and have no strategy */
	gi->g.isolation = o->cmd == CMD_ISOLATION ||
			  (report && report->mode && !strcmp(report->mode, "isolation"));
	if (!gi->g.isolation)
		for (int i = 0; i < o->nsc; i++)
			gate_know(&gi->g, o->sc[i]->name, o->sc[i]->kinds, sc_nkinds(o->sc[i]));
	for (int i = 0; gi->g.isolation && i < o->ntests; i++)
		gate_know(&gi->g, o->tests[i]->name, o->tests[i]->kinds, sc_nkinds(o->tests[i]));
	for (int i = 0; report && i < report->ncells; i++)
		gate_know(&gi->g, report->cells[i].scenario, report->cells[i].kinds,
			  report->cells[i].nkinds);
	for (int i = 0; i < o->nexpects; i++)
		if (gate_load(&gi->g, o->expects[i], e) < 0)
			goto fail;
	if (o->baseline) {
		if (report_load(o->baseline, &gi->base, "--baseline", e) < 0)
			goto fail;
		gate_set_baseline(&gi->g, o->baseline, &gi->base, &o->tol);
	}
	return 0;
fail:
	gate_release(&gi->g);
	return -1;
}

void gate_in_close(struct gate_in *gi)
{
	gate_release(&gi->g);
	result_release(&gi->base);
}

/*
 * test_reports.c: every report format rendered from the fixed result model
 * in fixture.h, compared with its golden file, plus properties that hold
 * whatever the goldens say (one row per cell, escaping, lock and lag
 * figures present, well-formed XML).
 *
 * The goldens are tests/golden/report.<ext>, one per format (ext from the
 * registry). After a deliberate change to a renderer or to the fixture,
 * regenerate them and review the diff before committing:
 *
 *     make build/default/tests/test_reports && \
 *         UPDATE_GOLDEN=1 build/default/tests/test_reports && git diff tests/golden
 *
 * On a mismatch the test prints the first differing line and leaves the
 * output it got in $TMPDIR (default /tmp) as racebench-golden.<ext>.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../reports/report.h"
#include "fixture.h"

struct rendered {
	char *buf;
	size_t len;
};

static struct rendered render(const char *format, const struct run_result *r)
{
	struct report_opts o = { .color = 0 };
	struct rendered out = { NULL, 0 };
	int i = report_format_find(format);
	FILE *f;

	assert_true(i >= 0);
	f = open_memstream(&out.buf, &out.len);
	assert_non_null(f);
	assert_int_equal(report_formats[i].render(f, r, &o), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 4096 > cap)
			buf = realloc(buf, cap = cap * 2 + 8192);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf;
}

static void write_all(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Line number (from 1) of the first difference, 0 when equal. */
static int first_diff(const char *a, size_t alen, const char *b, size_t blen)
{
	int line = 1;

	for (size_t i = 0; i < alen || i < blen; i++) {
		if (i >= alen || i >= blen || a[i] != b[i])
			return line;
		line += a[i] == '\n';
	}
	return 0;
}

static void print_line(const char *what, const char *buf, size_t len, int line)
{
	const char *p = buf, *end = buf + len, *nl;

	while (--line > 0 && p < end && (nl = memchr(p, '\n', (size_t)(end - p))))
		p = nl + 1;
	nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	print_error("  %s: %.*s\n", what, (int)((nl ? nl : end) - p), p);
}

static void golden(const char *format)
{
	struct run_result r;
	struct rendered got;
	char path[512], keep[512];
	const char *ext = report_formats[report_format_find(format)].ext;
	size_t wlen;
	char *want;
	int line;

	fixture_race(&r);
	got = render(format, &r);
	snprintf(path, sizeof(path), "%s/tests/golden/report.%s", RACEBENCH_SRCDIR, ext);
	if (getenv("UPDATE_GOLDEN") && !strcmp(getenv("UPDATE_GOLDEN"), "1")) {
		write_all(path, got.buf, got.len);
		print_message("wrote %s\n", path);
	}
	want = read_all(path, &wlen);
	if (!want) {
		print_error("%s is missing; generate it with UPDATE_GOLDEN=1\n", path);
		fail();
	}
	line = first_diff(got.buf, got.len, want, wlen);
	if (line) {
		snprintf(keep, sizeof(keep), "%s/racebench-golden.%s",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", ext);
		write_all(keep, got.buf, got.len);
		print_error("%s output differs from %s at line %d (got it in %s):\n", format, path,
			    line, keep);
		print_line("want", want, wlen, line);
		print_line("got ", got.buf, got.len, line);
		fail();
	}
	free(want);
	free(got.buf);
	result_release(&r);
}

static void golden_table(void **state)
{
	(void)state;
	golden("table");
}
static void golden_json(void **state)
{
	(void)state;
	golden("json");
}
static void golden_csv(void **state)
{
	(void)state;
	golden("csv");
}
static void golden_markdown(void **state)
{
	(void)state;
	golden("markdown");
}
static void golden_junit(void **state)
{
	(void)state;
	golden("junit");
}
static void golden_html(void **state)
{
	(void)state;
	golden("html");
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Splits one CSV record at *p (RFC 4180), advancing *p; returns its field count. */
static int csv_record(const char **p, char fields[][256], int max)
{
	int n = 0, quoted = 0;
	size_t len = 0;
	const char *s = *p;

	for (;; s++) {
		if (quoted) {
			assert_true(*s != '\0');
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"') {
				quoted = 0;
				continue;
			}
		} else if (*s == '"') {
			quoted = 1;
			continue;
		} else if (*s == ',' || *s == '\n' || *s == '\0') {
			if (n < max) {
				fields[n][len < 255 ? len : 255] = '\0';
			}
			n++;
			len = 0;
			if (*s != ',')
				break;
			continue;
		}
		if (n < max && len < 255)
			fields[n][len] = *s;
		len++;
	}
	*p = *s ? s + 1 : s;
	return n;
}

static int column(char head[][256], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(head[i], name))
			return i;
	print_error("no CSV column %s\n", name);
	fail();
	return -1;
}

/* Every record has the header's width; the fixed figures land in their columns. */
static void csv_shape(void **state)
{
	static char head[160][256], row[160][256];
	struct run_result r;
	struct rendered out;
	const char *p;
	int n, rows = 0;

	(void)state;
	fixture_race(&r);
	out = render("csv", &r);
	p = out.buf;
	n = csv_record(&p, head, 160);
	assert_true(n > 50 && n <= 160);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			assert_string_not_equal(head[i], head[j]);
	while (*p) {
		const struct cell_result *c = &r.cells[rows];

		assert_int_equal(csv_record(&p, row, 160), n);
		assert_string_equal(row[column(head, n, "strategy")], c->strategy);
		assert_string_equal(row[column(head, n, "verdict")], verdict_name(c->verdict));
		if (c->verdict == V_NA) {
			assert_string_equal(row[column(head, n, "trials")], "");
			assert_string_equal(row[column(head, n, "na_reason")], c->na_reason);
		} else {
			assert_int_equal(atoll(row[column(head, n, "trials")]), c->trials);
			assert_int_equal(atoll(row[column(head, n, "latency_p99_us")]), c->lat.p99);
			assert_string_equal(row[column(head, n, "anomaly_kind_1")], c->kinds[0]);
			assert_int_equal(atoll(row[column(head, n, "anomaly_count_1")]),
					 c->anomalies[0]);
			assert_int_equal(atoll(row[column(head, n, "errors_deadlock")]),
					 c->errors[RB_CLS_DEADLOCK]);
			assert_int_equal(atoll(row[column(head, n, "failures_version_conflict")]),
					 c->failures[FR_CONFLICT]);
			assert_int_equal(atoll(row[column(head, n, "gate_broken")]), c->nbroken);
		}
		if (c->has_lock) {
			assert_int_equal(atoll(row[column(head, n, "lock_wait_p99_us")]),
					 c->lock_wait.p99);
			assert_int_equal(atoll(row[column(head, n, "lock_leases_expired")]),
					 c->lease_expired);
		} else {
			assert_string_equal(row[column(head, n, "lock_wait_p99_us")], "");
		}
		if (c->verdict == V_ABORTED)
			assert_string_equal(row[column(head, n, "abort_reason")], c->abort_msg);
		rows++;
	}
	assert_int_equal(rows, r.ncells);
	free(out.buf);
	result_release(&r);
}

/* Counts of each JUnit element follow the cells: gate failures, skips, errors. */
static void junit_counts(void **state)
{
	struct run_result r;
	struct rendered out;
	int broken = 0, na = 0, aborted = 0;
	char want[128];

	(void)state;
	fixture_race(&r);
	for (int i = 0; i < r.ncells; i++) {
		broken += r.cells[i].nbroken > 0 && r.cells[i].verdict != V_ABORTED;
		na += r.cells[i].verdict == V_NA;
		aborted += r.cells[i].verdict == V_ABORTED;
	}
	out = render("junit", &r);
	assert_int_equal(count(out.buf, "<testcase "), r.ncells);
	assert_int_equal(count(out.buf, "<testsuite "), 4);
	assert_int_equal(count(out.buf, "<failure "), broken);
	assert_int_equal(count(out.buf, "<skipped "), na);
	assert_int_equal(count(out.buf, "<error "), aborted);
	snprintf(want, sizeof(want), "tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
		 r.ncells, broken, aborted, na);
	assert_non_null(strstr(out.buf, want));
	assert_non_null(strstr(out.buf, "name=\"pg double-tap none rc\""));
	assert_non_null(strstr(out.buf, "expect/ci.rbx:5: oversold 3 &gt; 0"));
	free(out.buf);

	/* Without a gate nothing fails, whatever the verdicts. */
	r.gated = r.gate_failed = 0;
	for (int i = 0; i < r.ncells; i++)
		r.cells[i].nbroken = 0;
	out = render("junit", &r);
	assert_int_equal(count(out.buf, "<failure"), 0);
	assert_non_null(strstr(out.buf, "verdict: anomaly"));
	free(out.buf);
	result_release(&r);
}

/* The hostile example message comes out inert in every markup format. */
static void escaping(void **state)
{
	static const char *const formats[] = { "junit", "html", "markdown" };
	struct run_result r;

	(void)state;
	fixture_race(&r);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct rendered out = render(formats[i], &r);

		assert_null(strstr(out.buf, "<script"));
		assert_non_null(strstr(out.buf, "&lt;script&gt;"));
		assert_null(strstr(out.buf, "\x01"));
		assert_null(strstr(out.buf, "\xff"));
		free(out.buf);
	}
	result_release(&r);
}

/* The page stands alone: no script, no link to anything outside it. */
static void html_self_contained(void **state)
{
	struct run_result r;
	struct rendered out;
	int groups = 0;

	(void)state;
	fixture_race(&r);
	for (int i = 0; i < r.ncells; i++)
		groups += report_group_starts(&r, i);
	out = render("html", &r);
	assert_null(strstr(out.buf, "http://"));
	assert_null(strstr(out.buf, "https://"));
	assert_null(strstr(out.buf, "src="));
	assert_null(strstr(out.buf, "href="));
	assert_null(strstr(out.buf, "<script"));
	assert_null(strstr(out.buf, "@import"));
	assert_int_equal(count(out.buf, "<svg "), count(out.buf, "</svg>"));
	/* Each group: a heat-map and a latency chart; errors only where there are errors. */
	assert_true(count(out.buf, "<svg ") >= 2 * groups);
	assert_int_equal(count(out.buf, "<section "), groups + 1);
	/* a row per cell, plus the head, a heading per group, the abort note, 3 broken */
	assert_int_equal(count(out.buf, "<tr"), r.ncells + 1 + groups + 1 + 3);
	free(out.buf);
	result_release(&r);
}

/* Every Markdown table row has as many unescaped pipes as its header. */
static void markdown_tables(void **state)
{
	struct run_result r;
	struct rendered out;
	const char *line;
	int want = -1, rows = 0;

	(void)state;
	fixture_race(&r);
	out = render("markdown", &r);
	for (line = out.buf; *line; line = strchr(line, '\n') + 1) {
		int pipes = 0;

		for (const char *p = line; *p && *p != '\n'; p++)
			pipes += *p == '|' && (p == line || p[-1] != '\\');
		if (*line != '|') {
			want = -1;
			continue;
		}
		if (want < 0)
			want = pipes;
		assert_int_equal(pipes, want);
		rows++;
	}
	/* header + separator per group, one row per cell that ran */
	assert_int_equal(rows, 4 * 2 + r.ncells - 2);
	assert_non_null(strstr(out.buf, "n/a constraint (rc, rr): no CHECK"));
	assert_non_null(strstr(out.buf, "**Gate failed:** 3 expectations broken in 2 cells."));
	free(out.buf);
	result_release(&r);
}

/* Lock figures show in every format for the cells that have them. */
static void lock_everywhere(void **state)
{
	static const struct {
		const char *format, *needle;
	} want[] = {
		{ "table", "lock p99" },
		{ "table", "9.10ms" },
		{ "json", "\"acquire_timeouts\": 3" },
		{ "json", "\"leases_expired\": 37" },
		{ "csv", "lock_wait_p99_us" },
		{ "csv", ",9100," },
		{ "markdown", "lock wait p50 / p99" },
		{ "markdown", "| 1.20ms / 9.10ms | 0 | 0 |" },
		{ "junit", "lock acquire wait: p50 1.20ms" },
		{ "junit", "lock acquire time-outs: 3, leases expired: 37" },
		{ "html", "lock wait p50 / p99" },
		{ "html", ">1.20ms / 9.10ms<" },
	};
	struct run_result r;

	(void)state;
	fixture_race(&r);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct rendered out = render(want[i].format, &r);

		if (!strstr(out.buf, want[i].needle)) {
			print_error("%s: no '%s'\n", want[i].format, want[i].needle);
			fail();
		}
		free(out.buf);
	}
	result_release(&r);
}

/*
 * A level the database lacks: its n/a cells, one per strategy, share the
 * database's reason, shown once ("every strategy"), apart from a strategy
 * that does not fit at any level; a row n/a at every level run is "all";
 * the heat-map's key names rr+si.
 */
static void level_na_everywhere(void **state)
{
	static const char why[] = "rr is that here";
	static const char *const strats[] = { "none", "atomic" };
	static const struct {
		const char *format, *needle;
	} want[] = {
		{ "table", "pg coupon-oversell every strategy at rr+si: rr is that here\n" },
		{ "table", "pg coupon-oversell constraint: no CHECK can count coupons\n" },
		{ "table", "constraint  all " },
		{ "markdown", "n/a every strategy (rr+si): rr is that here" },
		{ "markdown", "n/a constraint (ru, rc, rr, ser, rr+si): no CHECK" },
		{ "html", "<b>n/a</b> every strategy (rr+si): rr is that here" },
		{ "html", "rr+si repeatable read with snapshot isolation" },
		{ "json", "\"isolation\": \"rr+si\"" },
		{ "csv", ",rr+si,rr+si,n/a," },
	};
	struct run_result r = { 0 };
	struct cell_result *c;

	(void)state;
	r.mode = "race";
	for (int l = 0; l < RB_ISO__COUNT; l++) {
		for (size_t k = 0; k < 2; k++) {
			c = fx_cell(&r, "pg", "coupon-oversell", strats[k], (enum rb_iso)l,
				    l == RB_ISO_RR_SI ? V_NA : V_SAFE);
			if (l == RB_ISO_RR_SI)
				c->na_reason = why;
			else
				fx_counts(c, 10, 0, 40, 0);
		}
		c = fx_cell(&r, "pg", "coupon-oversell", "constraint", (enum rb_iso)l, V_NA);
		c->na_reason = "no CHECK can count coupons";
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct rendered out = render(want[i].format, &r);

		if (!strstr(out.buf, want[i].needle)) {
			print_error("%s: no '%s' in:\n%s\n", want[i].format, want[i].needle,
				    out.buf);
			fail();
		}
		free(out.buf);
	}
	result_release(&r);
}

/* Without a locking cell, the table keeps to its compact columns. */
static void table_compact(void **state)
{
	struct run_result r;
	struct rendered out;

	(void)state;
	fixture_race(&r);
	for (int i = 0; i < r.ncells; i++)
		r.cells[i].has_lock = 0;
	out = render("table", &r);
	assert_null(strstr(out.buf, "lock p50"));
	assert_null(strstr(out.buf, "expired"));
	assert_null(strstr(out.buf, "lag p50"));
	free(out.buf);
	result_release(&r);
}

/* Schedule lag of an open-loop load run shows in every format that renders it. */
static void lag_everywhere(void **state)
{
	static const struct {
		const char *format, *needle;
	} want[] = {
		{ "table", "lag p99" },
		{ "table", "210.0ms" },
		{ "csv", "lag_p99_us" },
		{ "csv", ",210000," },
		{ "markdown", "schedule lag p50 / p99" },
		{ "markdown", "| 2.10ms / 210.0ms |" },
		{ "markdown", "open loop at 2000 ops/s (fixed arrivals)" },
		{ "junit", "schedule lag: p50 2.10ms, p90 64.0ms, p99 210.0ms" },
		{ "html", "schedule lag p50 / p99" },
		{ "html", ">2.10ms / 210.0ms<" },
	};
	struct run_result r;

	(void)state;
	fixture_load(&r);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct rendered out = render(want[i].format, &r);

		if (!strstr(out.buf, want[i].needle)) {
			print_error("%s: no '%s'\n", want[i].format, want[i].needle);
			fail();
		}
		free(out.buf);
	}
	result_release(&r);
}

/* xmllint, when installed, parses the JUnit and HTML output as XML. */
static void xml_well_formed(void **state)
{
	static const char *const formats[] = { "junit", "html" };
	struct run_result r;

	(void)state;
	if (access("/usr/bin/xmllint", X_OK) != 0)
		skip();
	fixture_race(&r);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct rendered out = render(formats[i], &r);
		FILE *p = popen("xmllint --noout - 2>&1", "w");

		assert_non_null(p);
		fwrite(out.buf, 1, out.len, p);
		if (pclose(p) != 0) {
			print_error("xmllint rejected the %s output\n", formats[i]);
			fail();
		}
		free(out.buf);
	}
	result_release(&r);
}

/*
 * The .hgrm block of a cell: HdrHistogram's columns, percentiles and total
 * counts never going down, a last line at 100 % with every value, and the
 * footer's max and count as recorded.
 */
static void hgrm_shape(void **state)
{
	struct run_result r;
	struct rendered out;
	struct hist *h = calloc(1, sizeof(*h));
	double last_p = -1, p, v, inv, max_ms = 0;
	unsigned long long last_c = 0, c, count = 0;
	int lines = 0, final = 0;
	char *save = NULL;

	(void)state;
	assert_non_null(h);
	fixture_load(&r);
	for (uint64_t x = 1; x <= 20000; x++)
		hist_record(h, x * 7 % 9973 + (x % 100 == 0 ? 250000 : 100));
	for (int i = 0; i < r.ncells; i++)
		hist_lite_from(h, &r.cells[i].lat_hist);
	out = render("hgrm", &r);
	assert_non_null(strstr(out.buf, "       Value     Percentile TotalCount 1/(1-Percentile)"));
	for (char *l = strtok_r(out.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int n = sscanf(l, "%lf %lf %llu %lf", &v, &p, &c, &inv);

		if (!strncmp(l, "# cell:", 7)) {
			last_p = -1, last_c = 0;
			continue;
		}
		if (sscanf(l, "#[Max = %lf, Total count = %llu]", &max_ms, &count) == 2) {
			assert_true(max_ms > 249.0 && max_ms < 260.0);
			assert_int_equal(count, 20000);
			assert_true(final);
			final = 0;
			continue;
		}
		if (n < 3)
			continue;
		lines++;
		assert_true(p >= last_p && c >= last_c);
		assert_true(n == 4 || p == 1.0);
		final = p == 1.0 && c == 20000;
		last_p = p, last_c = c;
	}
	assert_true(lines > 20 * r.ncells / 2);
	free(out.buf);
	free(h);
	result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_table),	   cmocka_unit_test(golden_json),
		cmocka_unit_test(golden_csv),	   cmocka_unit_test(golden_markdown),
		cmocka_unit_test(golden_junit),	   cmocka_unit_test(golden_html),
		cmocka_unit_test(csv_shape),	   cmocka_unit_test(junit_counts),
		cmocka_unit_test(escaping),	   cmocka_unit_test(html_self_contained),
		cmocka_unit_test(markdown_tables), cmocka_unit_test(lock_everywhere),
		cmocka_unit_test(table_compact),   cmocka_unit_test(lag_everywhere),
		cmocka_unit_test(xml_well_formed), cmocka_unit_test(level_na_everywhere),
		cmocka_unit_test(hgrm_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

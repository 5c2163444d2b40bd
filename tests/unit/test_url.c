/* test_url.c: URL pieces every driver shares, and redaction: passwords never printed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../base/url.h"
#include "../../drivers/driver.h"

extern const struct driver driver_pg;
extern const struct driver driver_mysql;

static void redacts_urls(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "mysql://u:p@ss@host:3306/db", "mysql://u:***@host:3306/db" },
		{ "mysql://racebench@localhost:3306/?socket=/tmp/s",
		  "mysql://racebench@localhost:3306/?socket=/tmp/s" },
		{ "redis://:hunter2@127.0.0.1:6379/1", "redis://:***@127.0.0.1:6379/1" },
		{ "redis://user:pw@h", "redis://user:***@h" },
		{ "unix://:pw@/tmp/s?db=1", "unix://:***@/tmp/s?db=1" },
		{ "unix:///tmp/a@b", "unix:///tmp/a@b" },
		{ "postgres://bob@db/app", "postgres://bob@db/app" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];

		url_redact(cases[i].in, NULL, out, sizeof(out));
		if (strcmp(out, cases[i].out)) {
			print_error("'%s' -> '%s', want '%s'\n", cases[i].in, out, cases[i].out);
			fail();
		}
	}
}

/* A socket path may hold an '@': the user information ends before ?socket=. */
static void redaction_limit(void **state)
{
	const char *url = "mysql://u:pw@h/?socket=/tmp/x@y";
	char out[128];

	(void)state;
	url_redact(url, strstr(url, "?socket="), out, sizeof(out));
	assert_string_equal(out, "mysql://u:***@h/?socket=/tmp/x@y");
	driver_mysql.xRedact(url, out, sizeof(out));
	assert_string_equal(out, "mysql://u:***@h/?socket=/tmp/x@y");
}

static void truncates_safely(void **state)
{
	char out[8];

	(void)state;
	url_redact("postgres://bob:s3cret@db:5432/app", NULL, out, sizeof(out));
	assert_int_equal(strlen(out), 7);
	assert_null(strstr(out, "s3c"));
}

/* PostgreSQL's strings are shown through libpq's own parse, in any spelling. */
static void redacts_conninfo(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "host=/tmp port=5432 user=postgres", "host=/tmp port=5432 user=postgres" },
		{ "host=db password=s3cret user=bob", "user=bob password=*** host=db" },
		{ "password='a b\\' c' host=x", "password=*** host=x" },
		{ "password = 's3cret' host=x", "password=*** host=x" },
		{ "password\t=\ts3cret host=x", "password=*** host=x" },
		{ "password=s3c\\ ret host=x", "password=*** host=x" },
		{ "postgres://bob:s3cret@db:5432/app",
		  "user=bob password=*** dbname=app host=db port=5432" },
		{ "postgresql://db/app?password=s3cret&sslmode=disable",
		  "password=*** dbname=app host=db sslmode=disable" },
		{ "host='/tmp/a b' password=x", "password=*** host='/tmp/a b'" },
		{ "postgres://u:sec%zzret@h/d", "(a malformed connection string, not shown)" },
		{ "password='unterminated", "(a malformed connection string, not shown)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];

		driver_pg.xRedact(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].out) || strstr(out, "s3c") || strstr(out, "ret")) {
			print_error("'%s' -> '%s', want '%s'\n", cases[i].in, out, cases[i].out);
			fail();
		}
	}
}

static void decodes_and_numbers(void **state)
{
	char out[8];
	int port;
	long v;

	(void)state;
	assert_int_equal(url_decode("a%40b", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "a@b");
	assert_int_equal(url_decode("%zz", 3, out, sizeof(out)), -1);
	assert_int_equal(url_decode("%4", 2, out, sizeof(out)), -1);
	assert_int_equal(url_decode("%00", 3, out, sizeof(out)), -1);
	assert_int_equal(url_decode("abcdefghij", 10, out, sizeof(out)), -2);
	assert_int_equal(url_port("65535", 5, &port), 0);
	assert_int_equal(port, 65535);
	assert_int_equal(url_port("0", 1, &port), -1);
	assert_int_equal(url_port("65536", 5, &port), -1);
	assert_int_equal(url_port("", 0, &port), -1);
	assert_int_equal(url_port("-1", 2, &port), -1);
	assert_int_equal(url_number("12", 2, 0, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(url_number("1x", 2, 0, 100, &v), -1);
	assert_string_equal(url_userinfo_end("u:p@ss@h/x", NULL), "@h/x");
	assert_null(url_userinfo_end("h/x", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redacts_urls),	       cmocka_unit_test(redaction_limit),
		cmocka_unit_test(truncates_safely),    cmocka_unit_test(redacts_conninfo),
		cmocka_unit_test(decodes_and_numbers),
	};

	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}

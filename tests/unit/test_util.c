/* test_util.c: DSN redaction: passwords never printed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../base/util.h"

static void redacts(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "host=/tmp port=5432 user=postgres", "host=/tmp port=5432 user=postgres" },
		{ "host=db password=s3cret user=bob", "host=db password=*** user=bob" },
		{ "password='a b\\' c' host=x", "password=*** host=x" },
		{ "postgres://bob:s3cret@db:5432/app", "postgres://bob:***@db:5432/app" },
		{ "postgres://bob@db/app", "postgres://bob@db/app" },
		{ "postgresql://db/app?password=s3cret&sslmode=off",
		  "postgresql://db/app?password=***&sslmode=off" },
		{ "mysql://u:p@ss@host:3306/db", "mysql://u:***@host:3306/db" },
		{ "mysql://racebench@localhost:3306/?socket=/tmp/s",
		  "mysql://racebench@localhost:3306/?socket=/tmp/s" },
		{ "redis://:hunter2@127.0.0.1:6379/1", "redis://:***@127.0.0.1:6379/1" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];

		dsn_redact(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].out)) {
			print_error("'%s' -> '%s', want '%s'\n", cases[i].in, out, cases[i].out);
			fail();
		}
	}
}

static void truncates_safely(void **state)
{
	char out[8];

	(void)state;
	dsn_redact("postgres://bob:s3cret@db:5432/app", out, sizeof(out));
	assert_int_equal(strlen(out), 7);
	assert_null(strstr(out, "s3c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redacts),
		cmocka_unit_test(truncates_safely),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}

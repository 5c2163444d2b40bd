/* test_mysql_url.c: the MySQL URL parser: good URLs land, bad ones say why, passwords stay hidden. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../drivers/driver.h"

static struct mysql_url parse_ok(const char *url)
{
	struct mysql_url u;
	struct rb_err e;

	rb_err_clear(&e);
	if (mysql_url_parse(url, &u, &e) != 0)
		fail_msg("'%s' refused: %s", url, e.msg);
	return u;
}

/* The URL is refused with a message containing want (and never hidden). */
static void parse_bad(const char *url, const char *want, const char *hidden)
{
	struct mysql_url u;
	struct rb_err e;

	rb_err_clear(&e);
	if (mysql_url_parse(url, &u, &e) != -1)
		fail_msg("'%s' accepted", url);
	assert_int_equal(e.cls, RB_CLS_OTHER);
	if (strncmp(e.msg, "malformed MySQL URL '", 21))
		fail_msg("'%s': message does not name the URL: %s", url, e.msg);
	if (!strstr(e.msg, want))
		fail_msg("'%s': message lacks \"%s\": %s", url, want, e.msg);
	if (hidden && strstr(e.msg, hidden))
		fail_msg("'%s': message shows \"%s\": %s", url, hidden, e.msg);
}

/* What scripts/servers.sh prints for the throwaway MariaDB. */
static void throwaway_url(void **state)
{
	struct mysql_url u =
		parse_ok("mysql://racebench@localhost:33138/?socket=/tmp/rb.x/mysql/sock");

	(void)state;
	assert_string_equal(u.user, "racebench");
	assert_int_equal(u.has_password, 0);
	assert_string_equal(u.password, "");
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 33138);
	assert_string_equal(u.db, "");
	assert_string_equal(u.socket, "/tmp/rb.x/mysql/sock");
}

static void full_and_partial_urls(void **state)
{
	struct mysql_url u;

	(void)state;
	u = parse_ok("mysql://bob:s3cret@db.example.com:3307/shop");
	assert_string_equal(u.user, "bob");
	assert_int_equal(u.has_password, 1);
	assert_string_equal(u.password, "s3cret");
	assert_string_equal(u.host, "db.example.com");
	assert_int_equal(u.port, 3307);
	assert_string_equal(u.db, "shop");
	assert_string_equal(u.socket, "");

	u = parse_ok("mysql://bob@host/shop");
	assert_int_equal(u.port, 0);
	assert_int_equal(u.has_password, 0);
	assert_string_equal(u.db, "shop");

	/* "user:" is an empty password, given: MYSQL_PWD must not replace it. */
	u = parse_ok("mysql://bob:@host");
	assert_int_equal(u.has_password, 1);
	assert_string_equal(u.password, "");
	assert_string_equal(u.db, "");

	u = parse_ok("mysql://host");
	assert_string_equal(u.user, "");
	assert_string_equal(u.host, "host");

	u = parse_ok("mysql:///db?socket=/run/mysqld/mysqld.sock");
	assert_string_equal(u.host, "");
	assert_string_equal(u.db, "db");
	assert_string_equal(u.socket, "/run/mysqld/mysqld.sock");

	u = parse_ok("MariaDB://u@h:1");
	assert_string_equal(u.user, "u");
	assert_int_equal(u.port, 1);

	u = parse_ok("mysql://u@h:65535/d?socket=%2Ftmp%2Fs&");
	assert_int_equal(u.port, 65535);
	assert_string_equal(u.socket, "/tmp/s");
}

static void escapes_and_ipv6(void **state)
{
	struct mysql_url u;

	(void)state;
	u = parse_ok("mysql://b%40ob:p%2Fw%3Fx%25@[::1]:3306/d%2db");
	assert_string_equal(u.user, "b@ob");
	assert_string_equal(u.password, "p/w?x%");
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 3306);
	assert_string_equal(u.db, "d-b");

	/* The user part ends at the last '@': raw '@', '/', '?' in a password work. */
	u = parse_ok("mysql://u:p@s/s?d@h/db");
	assert_string_equal(u.user, "u");
	assert_string_equal(u.password, "p@s/s?d");
	assert_string_equal(u.host, "h");
	assert_string_equal(u.db, "db");

	/* ... but not one in the socket path. */
	u = parse_ok("mysql://u:pw@h/db?socket=/tmp/a@b/sock");
	assert_string_equal(u.password, "pw");
	assert_string_equal(u.host, "h");
	assert_string_equal(u.socket, "/tmp/a@b/sock");

	u = parse_ok("mysql://u@[fe80::1]/db");
	assert_string_equal(u.host, "fe80::1");
	assert_int_equal(u.port, 0);
}

static void bad_urls(void **state)
{
	char longdb[120];

	(void)state;
	parse_bad("postgres://u@h/db", "does not start with mysql://", NULL);
	parse_bad("localhost:3306", "does not start with mysql://", NULL);
	parse_bad("mysql://u@h:abc/db", "port 'abc' is not a number from 1 to 65535", NULL);
	parse_bad("mysql://u@h:0/db", "port '0' is not", NULL);
	parse_bad("mysql://u@h:70000/db", "port '70000' is not", NULL);
	parse_bad("mysql://u@h:/db", "port '' is not", NULL);
	parse_bad("mysql://u@h/db?sock=/x", "unknown parameter 'sock' (valid: socket)", NULL);
	parse_bad("mysql://u@h/db?socket", "parameter 'socket' has no value", NULL);
	parse_bad("mysql://u@h/db?socket=", "socket= needs the path", NULL);
	parse_bad("mysql://:pw@h/db", "the user name before '@' is empty", "pw@");
	parse_bad("mysql://u@h/a%2Fb", "database name 'a/b' has a '/'", NULL);
	parse_bad("mysql://u@h/a/b", "database name 'a/b' has a '/'", NULL);
	parse_bad("mysql://u@[::1/db", "'[' without ']'", NULL);
	parse_bad("mysql://u@[::1]x/db", "after the IPv6 address", NULL);
	parse_bad("mysql://u@h/db#x", "'#' must be written %23", NULL);
	parse_bad("mysql://u%4@h/db", "bad %-escape in the user name", NULL);
	parse_bad("mysql://u@h/d%zz", "bad %-escape in the database name", NULL);
	parse_bad("mysql://u@h/d%00", "bad %-escape", NULL);
	memset(longdb, 'x', 70);
	strcpy(longdb + 70, "");
	{
		char url[200];

		strcpy(url, "mysql://u@h/");
		strcat(url, longdb);
		parse_bad(url, "the database name is longer than 64 bytes", NULL);
	}
	/* Every message says what a good one looks like. */
	parse_bad("mysql://u@h:x",
		  "(expected mysql://user[:password]@host[:port]/database[?socket=/path])", NULL);
}

static void passwords_never_shown(void **state)
{
	(void)state;
	parse_bad("mysql://bob:s3cret@h:x/db", "'mysql://bob:***@h:x/db'", "s3cret");
	parse_bad("mysql://bob:s3%zzcret@h/db", "bad %-escape in the password", "s3");
	parse_bad("mysql://bob:s3/cr?et@h:x/db", "bob:***@h:x", "cr?et");
	parse_bad("mysql://bob:s3cret@h/db?pass=x", "unknown parameter 'pass'", "s3cret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(throwaway_url),	 cmocka_unit_test(full_and_partial_urls),
		cmocka_unit_test(escapes_and_ipv6),	 cmocka_unit_test(bad_urls),
		cmocka_unit_test(passwords_never_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

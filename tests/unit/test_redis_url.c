/* test_redis_url.c: Redis URLs: good ones land in their fields, bad ones say what is wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../drivers/driver.h"

struct good {
	const char *url;
	const char *host;
	int port, db;
	const char *user, *pass;
};

static void good_urls(void **state)
{
	static const struct good goods[] = {
		{ "redis://localhost", "localhost", 6379, 0, "", "" },
		{ "redis://127.0.0.1:63855", "127.0.0.1", 63855, 0, "", "" },
		{ "redis://127.0.0.1:63855/3", "127.0.0.1", 63855, 3, "", "" },
		{ "redis://cache.example:1/", "cache.example", 1, 0, "", "" },
		{ "REDIS://Cache:65535/15", "Cache", 65535, 15, "", "" },
		{ "redis://:secret@h:2/1", "h", 2, 1, "", "secret" },
		{ "redis://alice:p%40ss%2Fw%3a@h", "h", 6379, 0, "alice", "p@ss/w:" },
		{ "redis://alice@h", "h", 6379, 0, "alice", "" },
		{ "redis://:a:b@h", "h", 6379, 0, "", "a:b" },
		{ "redis://[::1]:6380/2", "::1", 6380, 2, "", "" },
		{ "redis://[::1]", "::1", 6379, 0, "", "" },
		{ "unix:///tmp/redis.sock", "/tmp/redis.sock", 0, 0, "", "" },
		{ "unix:///tmp/r.sock?db=4", "/tmp/r.sock", 0, 4, "", "" },
		{ "unix://:pw@/tmp/r.sock", "/tmp/r.sock", 0, 0, "", "pw" },
		{ "unix://bob:pw@/tmp/r.sock?db=1", "/tmp/r.sock", 0, 1, "bob", "pw" },
	};
	struct redis_url u;
	struct rb_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];

		rb_err_clear(&e);
		if (redis_url_parse(g->url, &u, &e) != 0) {
			print_error("'%s': refused: %s\n", g->url, e.msg);
			fail();
		}
		if (strcmp(u.host, g->host) || u.port != g->port || u.db != g->db ||
		    strcmp(u.user, g->user) || strcmp(u.pass, g->pass)) {
			print_error("'%s': got host '%s' port %d db %d user '%s' pass '%s'\n",
				    g->url, u.host, u.port, u.db, u.user, u.pass);
			fail();
		}
	}
}

struct bad {
	const char *url;
	const char *msg; /* a part of the message that must be there */
};

static void bad_urls(void **state)
{
	static const struct bad bads[] = {
		{ "", "it is empty" },
		{ "http://h", "unknown scheme" },
		{ "redis:/h", "unknown scheme" },
		{ "rediss://h:6380", "TLS (rediss://) is not supported" },
		{ "redis://", "no host" },
		{ "redis://:6379", "no host" },
		{ "redis://:pw@", "no host" },
		{ "redis://h:0", "the port '0' is not a number from 1 to 65535" },
		{ "redis://h:65536", "the port '65536' is not a number from 1 to 65535" },
		{ "redis://h:63x", "the port '63x' is not a number" },
		{ "redis://h:", "the port '' is not a number" },
		{ "redis://h:-1/0", "the port '-1' is not a number" },
		{ "redis://h:1:2", "the port '1:2' is not a number" },
		{ "redis://h/x", "the database 'x' is not a number from 0" },
		{ "redis://h/-1", "the database '-1' is not a number" },
		{ "redis://h/99999999999", "the database '99999999999' is not a number" },
		{ "redis://h/1/2", "the database '1/2' is not a number" },
		{ "redis://h/1?db=2", "query parameters are not supported" },
		{ "redis://h?db=1", "query parameters are not supported" },
		{ "redis://[::1", "'[' opens an IPv6 address that no ']' closes" },
		{ "redis://[::1]x", "unexpected 'x' after the IPv6 address" },
		{ "redis://a b:1", "the host 'a b' has a character" },
		{ "redis://:@h", "the password after ':' is empty" },
		{ "redis://:%zz@h", "the password has a bad %-escape" },
		{ "redis://:%4@h", "the password has a bad %-escape" },
		{ "redis://:%00@h", "the password has a bad %-escape" },
		{ "redis://%g0:pw@h", "the user name has a bad %-escape" },
		{ "unix://", "no absolute socket path" },
		{ "unix://tmp/redis.sock", "no absolute socket path" },
		{ "unix:///", "no socket path after unix://" },
		{ "unix:///tmp/s?foo=1", "the only query parameter is ?db=N" },
		{ "unix:///tmp/s?db=x", "the database 'x' is not a number" },
		{ "unix:///tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.sock",
		  "the socket path is longer than 107 bytes" },
	};
	struct redis_url u;
	struct rb_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		int rc;

		rb_err_clear(&e);
		rc = redis_url_parse(b->url, &u, &e);
		if (rc != -1 || e.cls != RB_CLS_OTHER || !strstr(e.msg, b->msg) ||
		    !strstr(e.msg,
			    "expected redis://[[user]:password@]host[:port][/db] or "
			    "unix:///path/to/socket")) {
			print_error("'%s': rc %d, class %d, message '%s', want '%s'\n", b->url, rc,
				    (int)e.cls, e.msg, b->msg);
			fail();
		}
	}
	/* NULL is an empty URL, not a crash. */
	assert_int_equal(redis_url_parse(NULL, &u, &e), -1);
	assert_non_null(strstr(e.msg, "it is empty"));
}

/* Messages name the URL but never its password. */
static void password_never_shown(void **state)
{
	static const char *const urls[] = {
		"redis://:topsecret@h:99999",
		"redis://alice:topsecret@h/x",
		"redis://:topsecret@[::1",
		"unix://:topsecret@/tmp/s?db=x",
	};
	struct redis_url u;
	struct rb_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		assert_int_equal(redis_url_parse(urls[i], &u, &e), -1);
		if (strstr(e.msg, "topsecret") || !strstr(e.msg, ":***@")) {
			print_error("'%s': message shows the password: '%s'\n", urls[i], e.msg);
			fail();
		}
	}
	assert_int_equal(redis_url_parse("redis://h:0", &u, &e), -1);
	assert_non_null(strstr(e.msg, "'redis://h:0'"));
}

/* Redlock's nodes: a comma list, split, counted, checked and redacted URL by URL. */
static void url_lists(void **state)
{
	const char *list = "redis://a:1,redis://:pw@b:2/3,unix:///tmp/s?db=1";
	const struct lock_service *ls = lock_service;
	char one[64], shown[256];
	struct rb_err e;

	(void)state;
	assert_int_equal(redis_urls_count(NULL), 0);
	assert_int_equal(redis_urls_count(""), 0);
	assert_int_equal(redis_urls_count("redis://a"), 1);
	assert_int_equal(redis_urls_count(list), 3);
	assert_int_equal(redis_urls_item(list, 0, one, sizeof(one)), 11);
	assert_string_equal(one, "redis://a:1");
	assert_int_equal(redis_urls_item(list, 1, one, sizeof(one)), 17);
	assert_string_equal(one, "redis://:pw@b:2/3");
	assert_true(redis_urls_item(list, 2, one, sizeof(one)) > 0);
	assert_string_equal(one, "unix:///tmp/s?db=1");
	assert_int_equal(redis_urls_item(list, 3, one, sizeof(one)), -1);
	assert_int_equal(redis_urls_item(list, -1, one, sizeof(one)), -1);
	assert_int_equal(redis_urls_item(list, 1, one, 5), -1); /* does not fit */
	assert_int_equal(redis_urls_item("a,,b", 1, one, sizeof(one)), 0);
	assert_string_equal(one, "");

	assert_int_equal(ls->xNodes(list), 3);
	assert_int_equal(ls->xNodes("redis://a"), 1);
	assert_int_equal(ls->xCheckUrl(list, &e), 0);
	assert_int_equal(ls->xCheckUrl("redis://a", &e), 0);

	/* Which URL is wrong, and never its password. */
	assert_int_equal(ls->xCheckUrl("redis://a:1,redis://:topsecret@b:x", &e), -1);
	assert_true(e.input);
	assert_non_null(strstr(e.msg, "URL 2 of 2"));
	assert_non_null(strstr(e.msg, "the port 'x'"));
	assert_null(strstr(e.msg, "topsecret"));
	assert_int_equal(ls->xCheckUrl("redis://a,,redis://b", &e), -1);
	assert_non_null(strstr(e.msg, "URL 2 of 3 is empty"));
	assert_int_equal(ls->xCheckUrl("redis://a,", &e), -1);
	assert_non_null(strstr(e.msg, "URL 2 of 2 is empty"));
	assert_int_equal(ls->xCheckUrl("redis://a,http://:topsecret@b", &e), -1);
	assert_non_null(strstr(e.msg, "URL 2 of 2: not a redis://"));
	assert_null(strstr(e.msg, "topsecret"));
	assert_int_equal(
		ls->xCheckUrl("redis://a,redis://a,redis://a,redis://a,redis://a,redis://a,"
			      "redis://a,redis://a,redis://a,redis://a,redis://a,redis://a,"
			      "redis://a,redis://a,redis://a,redis://a",
			      &e),
		-1);
	assert_non_null(strstr(e.msg, "16 URLs: Redlock takes at most 15"));

	ls->xRedact("redis://a:1,redis://u:topsecret@b:2/3,redis://:x@c", shown, sizeof(shown));
	assert_string_equal(shown, "redis://a:1,redis://u:***@b:2/3,redis://:***@c");
	ls->xRedact("redis://:topsecret@a,redis://:topsecret@b:bad", shown, sizeof(shown));
	assert_string_equal(shown, "redis://:***@a,(a malformed URL, not shown)");
	ls->xRedact("redis://:topsecret@a", shown, sizeof(shown));
	assert_string_equal(shown, "redis://:***@a");
}

/* Redlock's arithmetic: the majority, the validity left, the node time-out. */
static void redlock_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(redlock_quorum(1), 1);
	assert_int_equal(redlock_quorum(2), 2);
	assert_int_equal(redlock_quorum(3), 2);
	assert_int_equal(redlock_quorum(4), 3);
	assert_int_equal(redlock_quorum(5), 3);
	/* 10 s lease, 5 ms taken: 10000 - 5 - (100 + 2) */
	assert_int_equal(redlock_validity_ms(10000, 5000), 9893);
	/* rounded down, never up: 10000 - 5.0005 - 102 = 9892.9995 */
	assert_int_equal(redlock_validity_ms(10000, 5001), 9892);
	/* a lease of 100 ms: drift 3 ms */
	assert_int_equal(redlock_validity_ms(100, 0), 97);
	assert_int_equal(redlock_validity_ms(100, 97000), 0);
	assert_true(redlock_validity_ms(100, 97001) < 0);
	assert_true(redlock_validity_ms(1, 0) < 0); /* drift alone eats it */
	assert_int_equal(redlock_node_timeout_ms(30000, 10000), 100);
	assert_int_equal(redlock_node_timeout_ms(5000, 10000), 50);
	assert_int_equal(redlock_node_timeout_ms(1, 10000), 10);
	assert_int_equal(redlock_node_timeout_ms(30000, 20), 20);
	assert_int_equal(redlock_node_timeout_ms(30000, 0), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_urls),
		cmocka_unit_test(bad_urls),
		cmocka_unit_test(password_never_shown),
		cmocka_unit_test(url_lists),
		cmocka_unit_test(redlock_arithmetic),
	};

	return cmocka_run_group_tests_name("redis_url", tests, NULL, NULL);
}

/*
 * client_floor.c: the least a client on MariaDB Connector/C spends on
 * compare_sysbench.sh's transaction, for bench/client_floor.sh. Each of
 * THREADS threads opens a session, prepares the four statements once,
 * binds their integer parameters once and runs OPS / THREADS
 * transactions:
 *   START TRANSACTION;
 *   UPDATE coupon SET quantity = quantity - 1 WHERE id = k AND quantity > 0;
 *   INSERT INTO coupon_issue (coupon_id, user_token) VALUES (k, t);
 *   COMMIT;
 * with k uniform over KEYS coupons, at READ COMMITTED. No measurement of
 * its own: the script takes its CPU time. With READ_TIMEOUT_S > 0 it sets
 * MYSQL_OPT_READ_TIMEOUT, as racebench did before 2026-12-01.
 *
 * usage: client_floor SOCKET USER DATABASE OPS THREADS KEYS READ_TIMEOUT_S
 */
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sock, *user, *db;
static long per_thread;
static unsigned keys, read_timeout;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "client_floor: %s: %s\n", what, why);
	exit(1);
}

static void *client(void *arg)
{
	static const char *const sql[4] = {
		"START TRANSACTION",
		"UPDATE coupon SET quantity = quantity - 1 WHERE id = ? AND quantity > 0",
		"INSERT INTO coupon_issue (coupon_id, user_token) VALUES (?, ?)",
		"COMMIT",
	};
	unsigned seed = (unsigned)(size_t)arg;
	MYSQL_STMT *st[4];
	MYSQL_BIND b[2];
	long long k = 0, t = 0;
	MYSQL *m = mysql_init(NULL);

	if (!m)
		die("mysql_init", "out of memory");
	if (read_timeout)
		mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	if (!mysql_real_connect(m, NULL, user, NULL, db, 0, sock, CLIENT_FOUND_ROWS))
		die("connect", mysql_error(m));
	if (mysql_query(m, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"))
		die("SET SESSION", mysql_error(m));
	memset(b, 0, sizeof(b));
	b[0].buffer_type = b[1].buffer_type = MYSQL_TYPE_LONGLONG;
	b[0].buffer = &k;
	b[1].buffer = &t;
	for (int i = 0; i < 4; i++) {
		st[i] = mysql_stmt_init(m);
		if (!st[i] || mysql_stmt_prepare(st[i], sql[i], strlen(sql[i])))
			die(sql[i], st[i] ? mysql_stmt_error(st[i]) : "out of memory");
	}
	if (mysql_stmt_bind_param(st[1], b) || mysql_stmt_bind_param(st[2], b))
		die("bind", mysql_stmt_error(st[1]));
	for (long n = 0; n < per_thread; n++) {
		k = rand_r(&seed) % keys;
		t = rand_r(&seed);
		for (int i = 0; i < 4; i++)
			if (mysql_stmt_execute(st[i]))
				die(sql[i], mysql_stmt_error(st[i]));
	}
	for (int i = 0; i < 4; i++)
		mysql_stmt_close(st[i]);
	mysql_close(m);
	mysql_thread_end();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int threads;

	if (argc != 8)
		die("usage", "client_floor SOCKET USER DATABASE OPS THREADS KEYS READ_TIMEOUT_S");
	sock = argv[1];
	user = argv[2];
	db = argv[3];
	threads = atoi(argv[5]);
	keys = (unsigned)atoi(argv[6]);
	read_timeout = (unsigned)atoi(argv[7]);
	if (threads < 1 || threads > 64 || keys < 1)
		die("usage", "THREADS 1 to 64, KEYS at least 1");
	per_thread = atol(argv[4]) / threads;
	if (mysql_library_init(0, NULL, NULL))
		die("mysql_library_init", "failed");
	for (int i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, client, (void *)(size_t)(i + 1)))
			die("pthread_create", "failed");
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	mysql_library_end();
	return 0;
}

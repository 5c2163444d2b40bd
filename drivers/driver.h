/* driver.h: the database driver interface (one implementation per file). */
#ifndef RB_DRIVER_H
#define RB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/level.h"
#include "../base/strategy.h"

/* SQL dialects: the few places where scenarios must say things twice. */
enum dialect {
	DIALECT_PG,
	DIALECT_MYSQL,
	DIALECT__COUNT
};
/* What a race file calls a dialect ("pg", "mysql"), and back (-1 when unknown). */
const char *dialect_name(enum dialect d);
int dialect_parse(const char *name);

/*
 * A statement a scenario declares once (static const). Placeholders are '?'
 * in every dialect; a driver rewrites them if its server wants another
 * form. sql[DIALECT_MYSQL] == NULL means "the same text as PostgreSQL".
 * Drivers prepare a statement on a connection the first time it is used
 * there and keep the handle, keyed by the statement's address.
 */
struct db_stmt {
	const char *name;
	const char *sql[DIALECT__COUNT];
};

struct db_param {
	const char *s; /* text value, or NULL for the integer i */
	long long i;
	int null; /* SQL NULL, whatever s and i say */
};
#define P_INT(v)  ((struct db_param){ .s = NULL, .i = (v), .null = 0 })
#define P_TEXT(v) ((struct db_param){ .s = (v), .i = 0, .null = 0 })
#define P_NULL	  ((struct db_param){ .s = NULL, .i = 0, .null = 1 })

/* What a report says about the server: product, version, settings. */
#define SERVER_SETTINGS 8
struct server_info {
	char product[32]; /* "PostgreSQL", "MariaDB", "MySQL" */
	char version[64];
	int nsettings;
	struct {
		char name[48];
		char value[64];
	} settings[SERVER_SETTINGS];
};

struct driver;

/*
 * A connection's socket, known to the watchdog (core/watchdog.c) so that
 * neither a stop nor a frozen server can hold a run forever: shutdown(2)
 * on it makes a read blocked on a silent server return at once, and the
 * client library then reports a lost connection. Drivers embed one in each
 * connection, watch it once the socket exists, mark each blocking call
 * busy and idle around it, and unwatch it before they close the socket,
 * so a cut never reaches a descriptor that was closed and reused.
 */
struct conn_watch {
	int fd;				 /* -1: not watched */
	_Atomic unsigned long long busy; /* monotonic ns its current call began; 0 idle */
	_Atomic int cut;		 /* the watchdog cut it */
	struct conn_watch *prev, *next;
};
void conn_watch(struct conn_watch *w, int fd);
void conn_unwatch(struct conn_watch *w); /* accepts one never watched */
void conn_busy(struct conn_watch *w);
void conn_idle(struct conn_watch *w);
/*
 * Cuts (shutdown) every watched connection whose current call began more
 * than older_ns ago. Returns how many. Any thread may call it.
 */
int conn_cut_busy(unsigned long long older_ns);
/*
 * Whether a watchdog is cutting calls that run past a bound (the ns it
 * allows, 0: none is): the watchdog says so while it runs. A driver whose
 * client library would arm a time-out of its own on every read can leave
 * it off while one is (drivers/mysql.c says what that saves).
 */
void conn_watch_bound(unsigned long long ns);
unsigned long long conn_watch_bounded(void);
/*
 * After a failed call: when the watchdog cut w, e says so (class
 * connection) instead of the library's "server closed the connection".
 */
void conn_cut_error(struct conn_watch *w, struct rb_err *e);

/*
 * The part of a connection every driver shares; each driver embeds it as
 * the first member of its own connection struct.
 */
struct db_conn {
	const struct driver *drv;
	struct conn_watch watch;
};

/* Options that apply to every connection of a run. */
struct db_opts {
	const char *dsn;    /* the user's DSN/URL; "" means library defaults */
	const char *schema; /* NULL: do not switch to the tool's schema */
	int connect_timeout_s;
	int lock_timeout_ms;	  /* 0: leave the server's setting */
	int statement_timeout_ms; /* 0: none */
	/*
	 * Topologies: the standby that plain reads go to (NULL: none), and
	 * which node of a comma-separated list this connection takes (client
	 * i: i mod the number of nodes; -1: the admin connection, which sets
	 * up, resets and checks, and must see every node's committed writes).
	 */
	const char *replica_dsn;
	int node;
	/*
	 * explain mode: its scheduler, for a wrapping driver's xConnect
	 * (core/explain.c); real drivers ignore it.
	 */
	void *wrap;
};

/*
 * A production topology this driver (or the lock service) can run on:
 * several servers that the race sees as one database. The throwaway one is
 * started by scripts/servers.sh under .server and leaves its connection
 * strings in DIR/.dsn_file (and DIR/.replica_file for a standby).
 */
struct topology_info {
	const char *name;	  /* what --topology takes: "galera" */
	const char *server;	  /* scripts/servers.sh's name for it */
	const char *dsn_file;	  /* the endpoints: "galera.dsn" */
	const char *replica_file; /* a standby's DSN, or NULL */
	const char *delay_env;	  /* the script's variable for the standby's apply delay (ms) */
	int nodes;		  /* how many nodes the throwaway has (0: known once started) */
	const char *summary;	  /* for people (list, --help) */
	const char *notes;	  /* its surprising cells, explained (list; docs/topologies.md) */
};

/*
 * A database driver: what it is called and how it is reached (the command
 * line, the environment, a throwaway server, its connection strings), its
 * own SQL (a level, a named lock, whether a session waits), and its calls.
 * Nothing outside drivers/ knows any of this about a database: options,
 * server start-up, explain and reports ask the registry.
 */
struct driver {
	const char *name; /* "pg", "mysql": what --db takes */
	const char *summary;
	enum dialect dialect;
	const char *option;	  /* the command-line option for a DSN: "pg" (--pg) */
	const char *option_arg;	  /* its value's name in the usage text: "DSN" */
	const char *option_help;  /* its line(s) in the usage text */
	const char *env;	  /* the variable that may hold it: "RACEBENCH_PG" */
	const char *password_env; /* where a password belongs: "PGPASSWORD" */
	const char *server;	  /* the throwaway scripts/servers.sh starts: "pg" */
	const char *product;	  /* for people: "PostgreSQL" */
	const char *level_notes;  /* how its levels differ from the standard's (list) */
	/*
	 * The error codes that prevent an anomaly on this server, as the
	 * isolation grid prints them ("40001 PostgreSQL serialization
	 * failure; ..."): one legend line, or NULL.
	 */
	const char *error_legend;
	/*
	 * Schema names the tool must never create or drop on this server, as
	 * globs ("pg_*"): the server's own. shared: names it takes only when
	 * --force-schema is given twice (where applications keep their tables).
	 * Both NULL-terminated.
	 */
	const char *const *reserved;
	const char *const *shared;
	/*
	 * The topology several endpoints make (NULL: one server only), the
	 * option and variable naming a read replica (NULL: none), and how many
	 * nodes a DSN names (NULL: always 1; a comma list for a multi-primary
	 * cluster). A run is on the topology when the DSN names more than one
	 * node or a replica is given.
	 */
	const struct topology_info *topology;
	const char *replica_option; /* "pg-replica" (--pg-replica DSN) */
	int (*xNodes)(const char *dsn);
	/*
	 * Before each trial: make c see every write committed anywhere in the
	 * topology before now (the reset, done on the admin connection).
	 * NULL, or a no-op on one server.
	 */
	int (*xSync)(struct db_conn *c, struct rb_err *e);
	/* Sets how c reads and commits for the strategy's topology mode (NULL: none). */
	int (*xMode)(struct db_conn *c, enum topo_mode m, struct rb_err *e);
	/* The database dsn names into out ("" when it names none). */
	void (*xDsnDatabase)(const char *dsn, char *out, size_t n);

	/* Once per process, before any thread starts (may be NULL). */
	int (*xGlobalInit)(struct rb_err *e);
	void (*xGlobalEnd)(void);
	/* Once in each thread that uses connections (may be NULL). */
	void (*xThreadInit)(void);
	void (*xThreadEnd)(void);

	/*
	 * Checks a DSN's syntax without connecting: a mistake is bad input, and
	 * the message never shows a password or a piece of one.
	 */
	int (*xCheckDsn)(const char *dsn, struct rb_err *e);
	/* The DSN fit to print in reports and messages: no password in any spelling. */
	void (*xRedact)(const char *dsn, char *out, size_t n);
	int (*xConnect)(const struct db_opts *o, struct db_conn **out, struct rb_err *e);
	/* Accepts NULL. */
	void (*xClose)(struct db_conn *c);
	/* 1 when the connection is known to be unusable. */
	int (*xBroken)(struct db_conn *c);

	/*
	 * The tool's own schema (a PostgreSQL schema, a MySQL database),
	 * marked as created by racebench. Create drops and recreates it when
	 * the marker says it is ours, refuses (RB_CLS_OTHER, "not created by
	 * racebench") when it exists without the marker and force is 0, and
	 * switches c to it. Drop removes it only when it is ours.
	 */
	int (*xSchemaCreate)(struct db_conn *c, const char *schema, int force, struct rb_err *e);
	int (*xSchemaDrop)(struct db_conn *c, const char *schema, struct rb_err *e);

	/*
	 * Whether the database has level iso: NULL when it does, else why
	 * not, for people (a static string: n/a cells keep it). With c, the
	 * answer for c's server, final; with c NULL, what the driver knows
	 * without one (NULL when it depends on the server). May be NULL:
	 * every level.
	 */
	const char *(*xLevelFits)(struct db_conn *c, enum rb_iso iso);

	/* A statement without parameters; rows are discarded. */
	int (*xExec)(struct db_conn *c, const char *sql, struct rb_err *e);
	/* Begins a transaction at iso, a level xLevelFits accepts for c. */
	int (*xBegin)(struct db_conn *c, enum rb_iso iso, struct rb_err *e);
	int (*xCommit)(struct db_conn *c, struct rb_err *e);
	int (*xRollback)(struct db_conn *c, struct rb_err *e);

	/*
	 * Executes st (prepared on first use) with n parameters. Afterwards,
	 * until the next call on c: xAffected, xRows and xValue describe the
	 * result. xValue returns NULL for SQL NULL.
	 */
	int (*xQuery)(struct db_conn *c, const struct db_stmt *st, const struct db_param *p, int n,
		      struct rb_err *e);
	long long (*xAffected)(struct db_conn *c);
	int (*xRows)(struct db_conn *c);
	int (*xColumns)(struct db_conn *c); /* columns of the last result (0: none) */
	const char *(*xValue)(struct db_conn *c, int row, int col);

	/*
	 * The database's named lock on an integer key. When advisory_in_txn
	 * is 1 the lock is taken inside a transaction and released by its
	 * end (xAdvisoryUnlock is NULL); otherwise it is taken before BEGIN
	 * and released explicitly after COMMIT/ROLLBACK.
	 */
	int advisory_in_txn;
	int (*xAdvisoryLock)(struct db_conn *c, long long key, struct rb_err *e);
	int (*xAdvisoryUnlock)(struct db_conn *c, long long key, struct rb_err *e);

	int (*xServerInfo)(struct db_conn *c, struct server_info *out, struct rb_err *e);

	/*
	 * explain mode: the server's id for c's session, and whether that
	 * session is waiting for a lock right now, asked on another
	 * connection ctl (1 waiting, 0 not, -1 error).
	 */
	long long (*xSessionId)(struct db_conn *c);
	int (*xWaiting)(struct db_conn *ctl, long long session, struct rb_err *e);
	/*
	 * explain mode: how a timeline shows what xBegin sends for iso, and
	 * the named lock on key (unlock 0) or its release (unlock 1).
	 */
	void (*xBeginText)(enum rb_iso iso, char *out, size_t n);
	void (*xAdvisoryText)(long long key, int unlock, char *out, size_t n);
};

/* Thin wrappers so callers read like sentences. */
static inline int db_query(struct db_conn *c, const struct db_stmt *st, const struct db_param *p,
			   int n, struct rb_err *e)
{
	return c->drv->xQuery(c, st, p, n, e);
}

static inline int db_exec(struct db_conn *c, const char *sql, struct rb_err *e)
{
	return c->drv->xExec(c, sql, e);
}

static inline long long db_affected(struct db_conn *c)
{
	return c->drv->xAffected(c);
}

static inline int db_rows(struct db_conn *c)
{
	return c->drv->xRows(c);
}

static inline int db_columns(struct db_conn *c)
{
	return c->drv->xColumns(c);
}

static inline const char *db_value(struct db_conn *c, int row, int col)
{
	return c->drv->xValue(c, row, col);
}

static inline enum dialect db_dialect(const struct db_conn *c)
{
	return c->drv->dialect;
}

/*
 * The ownership rules of the tool's schema, for drivers' xSchemaCreate and
 * xSchemaDrop: the dialect's SQL, and one policy in drivers/common.c.
 *
 * racebench marks a schema it creates on both sides: the schema's own
 * comment and the comment of a racebench_owner table in it carry the same
 * mark, "racebench:SCHEMA:TOKEN" with a random token made at creation. A
 * schema is racebench's only when both are there and agree and name this
 * schema: a user's database that happens to hold a table of that name (a
 * restored dump, a copy) has its own comment, or none, and is refused.
 *
 * Templates: %S is the schema's name, %T the mark.
 */
struct schema_sql {
	const char *kind;     /* "schema", "database": for messages */
	struct db_stmt state; /* (schema x3) -> exists, its comment, the marker table's comment */
	const char *drop;     /* drops schema %S */
	const char *make;     /* creates %S with the mark %T on both sides, and switches to it */
};
int db_schema_create(struct db_conn *c, const char *schema, int force, const struct schema_sql *q,
		     struct rb_err *e);
int db_schema_drop(struct db_conn *c, const char *schema, const struct schema_sql *q,
		   struct rb_err *e);
/*
 * Whether schema may be the tool's schema on d's server, whose DSN is dsn
 * (NULL: a throwaway's): never one of the server's own (d->reserved), nor
 * the database the DSN names, and a shared one (d->shared: PostgreSQL's
 * public) only when --force-schema was given twice (force >= 2). Returns
 * 0, or -1 with e (bad input) saying why and what to do.
 */
int db_schema_allowed(const struct driver *d, const char *dsn, const char *schema, int force,
		      struct rb_err *e);

/* The value at (row, col) as an integer; dflt when NULL or out of range. */
long long db_int(struct db_conn *c, int row, int col, long long dflt);

/* The text of st for c's dialect. */
const char *db_stmt_sql(const struct db_stmt *st, enum dialect d);

/*
 * A lock service (Redis): what the redis-* strategies lock with. One
 * connection per client thread. A connection that failed is replaced by
 * the driver before its next use, never reused.
 */
struct lock_conn;

struct lock_opts {
	const char *url;    /* redis://host:port[/db] */
	const char *prefix; /* namespace for keys: "racebench:SCHEMA" */
	int connect_timeout_ms;
	int command_timeout_ms;
	void *wrap; /* explain mode, as in db_opts; lock services ignore it */
};

struct lock_grant {
	char key[128];
	char token[40];	    /* random, per grant: only its owner releases it */
	long long fence;    /* fencing token (INCR) when asked for, else 0 */
	uint64_t waited_us; /* time spent acquiring */
	/*
	 * Redlock (xAcquireMajority): the nodes that said OK (bit i: node
	 * i + 1), those its last try sent SET to (a time-out may still have
	 * set the key there), and how long the grant is safe to rely on.
	 */
	unsigned nodes, asked;
	long long validity_ms;
};

struct lock_service {
	const char *name; /* "redis" */
	const char *summary;
	const char *product;	  /* for people: "Redis" */
	const char *option;	  /* its command-line option: "redis" (--redis) */
	const char *option_arg;	  /* "URL" */
	const char *option_help;  /* its line(s) in the usage text */
	const char *env;	  /* "RACEBENCH_REDIS" */
	const char *password_env; /* "REDISCLI_AUTH" */
	const char *server;	  /* the throwaway scripts/servers.sh starts: "redis" */
	/* Several independent nodes (Redlock), as for drivers; NULL: one. */
	const struct topology_info *topology;
	/* How many nodes url names (a comma list: one URL a node); NULL: 1. */
	int (*xNodes)(const char *url);
	/*
	 * Checks a URL's (or each URL of a list's) syntax without connecting
	 * (bad input; a message names which URL of a list, never a password).
	 */
	int (*xCheckUrl)(const char *url, struct rb_err *e);
	int (*xConnect)(const struct lock_opts *o, struct lock_conn **out, struct rb_err *e);
	void (*xClose)(struct lock_conn *c); /* accepts NULL */
	/*
	 * Takes the lock named name (under the prefix) with a lease of ttl_ms,
	 * waiting up to wait_ms with backoff. With fence, also hands out the
	 * next fencing token for name. Returns 1 when granted (g filled), 0
	 * when the wait timed out, -1 on error (e).
	 */
	int (*xAcquire)(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms, int fence,
			struct lock_grant *g, struct rb_err *e);
	/*
	 * Releases g if it is still held by its token (compare and delete,
	 * atomically). Returns 1 released, 0 when the lease had expired (the
	 * key was gone or someone else's), -1 on error.
	 */
	int (*xRelease)(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e);
	/*
	 * xAcquire and xRelease use node 1 only: the single Redis of the
	 * incidents. The Redlock pair below uses every node (NULL when the
	 * service has no such thing; the harness then takes xAcquire).
	 *
	 * xAcquireMajority: antirez's Redlock. SET NX PX ttl_ms on each node
	 * in turn, each with a short time-out; granted when a majority said
	 * OK and the validity (ttl_ms - time taken - clock drift) is still
	 * positive; otherwise the key is released where it was sent and the
	 * client tries again after a random backoff, until wait_ms. Returns
	 * as xAcquire (1 granted, 0 timed out, -1 error).
	 * xReleaseAll: compare-and-delete on every node the grant was sent
	 * to. Returns 1 when it was still held on a majority, 0 when not (the
	 * lease expired, or a node forgot it), -1 when errors leave it unknown.
	 */
	int (*xAcquireMajority)(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms,
				struct lock_grant *g, struct rb_err *e);
	int (*xReleaseAll)(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e);
	/* Deletes every key under the prefix (between cells), on every node. */
	int (*xClear)(struct lock_conn *c, struct rb_err *e);
	/* Node 1's server, and how many nodes there are (a "nodes" setting). */
	int (*xServerInfo)(struct lock_conn *c, struct server_info *out, struct rb_err *e);
	/* The URL fit to print: no password in any spelling (each of a list's). */
	void (*xRedact)(const char *url, char *out, size_t n);
};

/*
 * A Redis URL, as the lock service reads it (drivers/redis.c):
 *   redis://[[user]:password@]host[:port][/db]     (port 6379, db 0 by default;
 *                                                   an IPv6 host in brackets)
 *   unix://[[user]:password@]/path/to/socket[?db=N]
 * User and password may be percent-encoded.
 */
struct redis_url {
	char host[256]; /* host name or address; the socket's path for unix:// */
	int port;	/* 0 for a Unix socket */
	int db;
	char user[64];	/* "" unless given (Redis 6 ACL user) */
	char pass[256]; /* "" unless given */
};

/*
 * Parses url into out. Returns 0, or -1 with a one-line message in e
 * (class RB_CLS_OTHER) naming what is wrong and the accepted forms; the
 * message never shows the password.
 */
int redis_url_parse(const char *url, struct redis_url *out, struct rb_err *e);

/*
 * Redlock's nodes: a comma-separated list of such URLs, one a node (a
 * comma inside a password is written %2C). At most REDLOCK_MAX_NODES.
 */
#define REDLOCK_MAX_NODES 15
/* How many URLs list names: its commas plus one (0 for NULL or ""). */
int redis_urls_count(const char *list);
/*
 * The URL at index i (from 0) of list into out. Returns its length, or -1
 * when there is no such URL or it does not fit in n bytes.
 */
int redis_urls_item(const char *list, int i, char *out, size_t n);
/* The majority of n nodes: n / 2 + 1. */
int redlock_quorum(int n);
/*
 * What is left of a lease of ttl_ms once acquiring took elapsed_us, less
 * the clock drift Redlock allows for (1 % of the lease and 2 ms), in ms;
 * 0 or less: the grant must not be used.
 */
long long redlock_validity_ms(int ttl_ms, uint64_t elapsed_us);
/*
 * The time-out of one node's SET or release in Redlock: small against the
 * lease (1 %, from 10 to 100 ms), and never more than command_ms (> 0).
 */
int redlock_node_timeout_ms(int ttl_ms, int command_ms);

/*
 * A MySQL/MariaDB URL, parsed (drivers/mysql.c). Strings are "" when the
 * URL leaves them out; port is 0 then.
 */
struct mysql_url {
	char user[81];
	char password[256];
	int has_password; /* "user:@host" gives an empty one */
	char host[256];
	unsigned port;
	char db[65];	  /* "" means no default database */
	char socket[256]; /* ?socket=/path: a Unix socket instead of TCP */
};

/*
 * Parses mysql://[user[:password]@][host][:port][/database][?socket=PATH]
 * (mariadb:// is taken too; %XX escapes are decoded in every part). Pure:
 * reads no environment. Returns 0, or -1 with e naming the URL and what is
 * wrong with it; the password is never shown.
 */
int mysql_url_parse(const char *url, struct mysql_url *out, struct rb_err *e);

/*
 * Whether sql is a plain read, as a read/write-splitting router sees it: a
 * SELECT with no locking clause (FOR UPDATE, FOR SHARE, ...) and no INTO.
 * Those are the statements a read-scaling application sends to a replica.
 */
int sql_plain_read(const char *sql);

/* Registry: NULL-terminated; lookup by name returns NULL when unknown. */
extern const struct driver *const drivers[];
const struct driver *driver_find(const char *name);
int driver_count(void);
/* The lock service, or NULL when this build has none. */
extern const struct lock_service *const lock_service;

#endif

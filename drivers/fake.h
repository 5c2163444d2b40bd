/*
 * fake.h: a driver and a lock service that imitate a database and Redis
 * for the harness's unit tests, and fail on command.
 *
 * SQLite's test VFS is the model: the harness calls the fake as it calls
 * a real driver, and a test says beforehand what each call answers, which
 * calls fail with which error class, and which lose the connection; then
 * it counts what the harness did. Nothing here stands for a database's
 * behaviour (that is tested on real servers): only for the bookkeeping
 * around it (retries, error classes, reconnects, guards, the matrix).
 *
 * Calls are named by the statement's name (struct db_stmt.name), or
 * "CONNECT", "BEGIN", "COMMIT", "ROLLBACK", "EXEC", "LOCK" and "UNLOCK"
 * (the database's named lock), "ACQUIRE" and "RELEASE" (the lock
 * service). Counts are per name and process-wide, under a mutex: client
 * threads share them.
 */
#ifndef RB_FAKE_H
#define RB_FAKE_H

#include "driver.h"

extern const struct driver driver_fake;
extern const struct lock_service lock_service_fake;

/* Forgets every rule and count. */
void fake_reset(void);
/*
 * Calls from..to (1-based, counted per name; to 0: every one from `from`
 * on) of name answer with rows (rows separated by ';', columns by '|';
 * NULL: none) and affected rows.
 */
void fake_answer(const char *name, int from, int to, const char *rows, long long affected);
/*
 * Calls from..to of name fail with an error of class cls; with broken, the
 * connection is lost too (xBroken says so until the harness reconnects).
 * For "ACQUIRE", cls RB_CLS_NONE means "not granted in time" (no error).
 */
void fake_fail(const char *name, int from, int to, enum rb_class cls, int broken);
/*
 * The fake's server lacks level iso, for reason why (NULL: has it again);
 * as with a real server, xLevelFits knows it only on a connection.
 */
void fake_level(enum rb_iso iso, const char *why);
/* How many times name was called (NULL: every call). */
int fake_calls(const char *name);

#endif

/* level.h: the isolation levels, by the names racebench uses for them. */
#ifndef RB_LEVEL_H
#define RB_LEVEL_H

/*
 * The order is part of saved reports and of bit sets (--isolation): a new
 * level goes at the end.
 */
enum rb_iso {
	RB_ISO_RU,
	RB_ISO_RC,
	RB_ISO_RR,
	RB_ISO_SER,
	/*
	 * REPEATABLE READ that refuses to write (or lock) a row changed since
	 * the transaction's snapshot: snapshot isolation's "first updater
	 * wins". Not every database has it as a setting of its own; a driver
	 * says which do (struct driver's xLevelFits).
	 */
	RB_ISO_RR_SI,
	RB_ISO__COUNT
};

/* The levels a run takes when none are asked for: the SQL standard's four. */
#define RB_ISO_DEFAULTS \
	((1u << RB_ISO_RU) | (1u << RB_ISO_RC) | (1u << RB_ISO_RR) | (1u << RB_ISO_SER))

const char *rb_iso_name(enum rb_iso iso); /* "rc" */
const char *rb_iso_sql(enum rb_iso iso);  /* "READ COMMITTED" */
/* Parses "ru", "rc", "rr", "ser", "rr+si" (or the SQL names); -1 when unknown. */
int rb_iso_parse(const char *s);

#endif

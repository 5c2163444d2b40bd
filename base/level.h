/* level.h: the isolation levels, by the names racebench uses for them. */
#ifndef RB_LEVEL_H
#define RB_LEVEL_H

enum rb_iso {
	RB_ISO_RU,
	RB_ISO_RC,
	RB_ISO_RR,
	RB_ISO_SER,
	RB_ISO__COUNT
};

const char *rb_iso_name(enum rb_iso iso); /* "rc" */
const char *rb_iso_sql(enum rb_iso iso);  /* "READ COMMITTED" */
/* Parses "ru", "rc", "rr", "ser" (or the SQL names); -1 when unknown. */
int rb_iso_parse(const char *s);

#endif

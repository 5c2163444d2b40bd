/*
 * url.h: what every driver's URL syntax shares: percent-decoding, where the
 * user information ends, numbers and ports, and the one redactor. Each
 * driver keeps only its own scheme, path and query rules, and its words.
 */
#ifndef RB_URL_H
#define RB_URL_H

#include <stddef.h>

/*
 * Decodes the n bytes at s (%XX escapes) into out, terminated. Returns 0,
 * -1 on a bad escape (or an escaped NUL, which would cut the value short),
 * -2 when it does not fit in cap.
 */
int url_decode(const char *s, size_t n, char *out, size_t cap);

/*
 * The '@' that ends user[:password] in auth (the text after "://"): the
 * last '@' before limit (NULL: the end of the string), so a password with
 * a raw '@', '/' or '?' still parses and is still hidden. NULL when none.
 */
const char *url_userinfo_end(const char *auth, const char *limit);

/* Whether s[0..n) spells a decimal number in [lo, hi] (into *out). 0 or -1. */
int url_number(const char *s, size_t n, long lo, long hi, long *out);
/* A TCP port: 1 to 65535. 0 or -1. */
int url_port(const char *s, size_t n, int *port);

/*
 * url fit to print: the password between the first ':' of its user
 * information and the '@' url_userinfo_end finds (with limit, a pointer
 * into url, or NULL) becomes "***"; a URL without one is copied as it is.
 * The one redactor every URL-shaped connection string goes through.
 */
void url_redact(const char *url, const char *limit, char *out, size_t n);

#endif

/* url.c: percent-decoding, user information, numbers and redaction for every URL. */
#include "url.h"

#include <stdio.h>
#include <string.h>

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (o + 1 >= cap)
			return -2;
		out[o++] = (char)c;
	}
	if (cap)
		out[o] = '\0';
	return 0;
}

const char *url_userinfo_end(const char *auth, const char *limit)
{
	const char *at = NULL;

	for (const char *p = auth; *p && (!limit || p < limit); p++)
		if (*p == '@')
			at = p;
	return at;
}

int url_number(const char *s, size_t n, long lo, long hi, long *out)
{
	long v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int url_port(const char *s, size_t n, int *port)
{
	long v;

	if (n > 5 || url_number(s, n, 1, 65535, &v) < 0)
		return -1;
	*port = (int)v;
	return 0;
}

void url_redact(const char *url, const char *limit, char *out, size_t n)
{
	const char *auth = strstr(url, "://"), *at, *colon;

	if (n == 0)
		return;
	at = auth && auth[3] != '/' ? url_userinfo_end(auth + 3, limit) : NULL;
	colon = at ? memchr(auth + 3, ':', (size_t)(at - auth - 3)) : NULL;
	if (colon)
		snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, n, "%s", url);
}

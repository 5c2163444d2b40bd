/* fuzz_url.c: libFuzzer target: DSN and URL parsing and redaction. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/util.h"
#include "../../drivers/driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[512];
	struct mysql_url mu;
	struct redis_url ru;
	struct rb_err e;

	memcpy(s, data, size);
	s[size] = '\0';
	mysql_url_parse(s, &mu, &e);
	redis_url_parse(s, &ru, &e);
	dsn_redact(s, out, sizeof(out));
	dsn_redact(s, out, 9);
	for (int i = 0; drivers[i]; i++)
		if (drivers[i]->xCheckDsn)
			drivers[i]->xCheckDsn(s, &e);
	free(s);
	return 0;
}

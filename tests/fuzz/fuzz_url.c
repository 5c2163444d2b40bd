/* fuzz_url.c: libFuzzer target: DSN and URL parsing and redaction. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/url.h"
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
	url_redact(s, NULL, out, sizeof(out));
	url_redact(s, NULL, out, 9);
	for (int i = 0; drivers[i]; i++) {
		if (drivers[i]->xCheckDsn)
			drivers[i]->xCheckDsn(s, &e);
		drivers[i]->xRedact(s, out, sizeof(out));
		drivers[i]->xRedact(s, out, 9);
	}
	lock_service->xRedact(s, out, sizeof(out));
	free(s);
	return 0;
}

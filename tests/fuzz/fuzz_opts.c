/* fuzz_opts.c: libFuzzer target: command-line parsing (NUL-separated argv). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[33];
	int argc = 1;
	struct options o;
	struct rb_err re;

	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"racebench";
	for (size_t i = 0; i <= size && argc < 32;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	opts_parse(argc, argv, &o, &re);
	free(buf);
	return 0;
}

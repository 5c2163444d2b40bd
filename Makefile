# racebench: build, test, demo.
#
#   make                 build ./racebench
#   make test            unit tests and end-to-end tests on throwaway servers
#   make demo            install what is missing, build, run the default matrix
#   make SANITIZE=address,undefined test    (or SANITIZE=thread)

VERSION := 0.1.0
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libpq libmariadb hiredis jansson

comma := ,
ifeq ($(SANITIZE),)
  VARIANT := default
  OPT := -O2
else
  VARIANT := $(subst $(comma),-,$(SANITIZE))
  OPT := -O1 -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

BUILD := build/$(VARIANT)
WARN := -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wvla -Werror
CFLAGS ?= -g
ALL_CFLAGS := -std=c11 $(OPT) $(WARN) $(CFLAGS) -pthread -MMD -MP \
	-DRACEBENCH_VERSION='"$(VERSION)"' -DRACEBENCH_SRCDIR='"$(CURDIR)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -pthread
ALL_LDFLAGS := $(OPT) $(LDFLAGS)

# Adding a driver or report is one new file: the build finds it.
LIB_SRC := $(sort $(wildcard base/*.c drivers/*.c scenarios/*.c core/*.c reports/*.c cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/scenarios/builtin_races.o

# The built-in races, compiled in, in the order of reports and `racebench list`.
BUILTIN_RACES := scenarios/double-tap.race scenarios/duplicate-settlement.race \
	scenarios/negative-balance.race scenarios/coupon-oversell.race \
	scenarios/double-transfer.race
# racebench isolation's tests, in the order of its grid's columns.
ISOLATION_TESTS := $(addprefix scenarios/isolation/,g0.race g1a.race g1b.race g1c.race \
	otv.race pmp.race pmp-write.race pmp-write-blind.race p4.race g-single.race \
	g-single-pred.race g-single-write.race g2-item.race g2.race read-only.race)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

BIN := $(BUILD)/racebench

.PHONY: all test unit e2e demo deps clean format fuzz
# ./racebench is always the plain build; sanitizer builds stay in build/VARIANT/.
all: $(if $(SANITIZE),$(BIN),racebench)

racebench: $(BIN)
	@cp $(BIN) $@.tmp && mv $@.tmp $@

$(BIN): $(BUILD)/bench.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/scenarios/builtin_races.c: $(BUILTIN_RACES) $(ISOLATION_TESTS) scripts/embed.sh
	@mkdir -p $(dir $@)
	{ scripts/embed.sh builtin_races $(BUILTIN_RACES) && \
	  scripts/embed.sh builtin_isolation $(ISOLATION_TESTS); } >$@.tmp && mv $@.tmp $@

$(BUILD)/scenarios/builtin_races.o: $(BUILD)/scenarios/builtin_races.c
	$(CC) $(ALL_CFLAGS) -I$(CURDIR) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

# The test command of the README: every unit test, then every end-to-end
# test against throwaway servers; ends with "N passed, N failed".
test: $(BIN) $(UNIT_BIN)
	@RACEBENCH=$(CURDIR)/$(BIN) UNIT_BINS="$(UNIT_BIN)" tests/run.sh

unit: $(UNIT_BIN)
	@RACEBENCH=$(CURDIR)/$(BIN) UNIT_BINS="$(UNIT_BIN)" tests/run.sh --unit

e2e: $(BIN)
	@RACEBENCH=$(CURDIR)/$(BIN) tests/run.sh --e2e

# One command for a newcomer: install what is missing, build, run the matrix.
demo:
	scripts/deps.sh
	$(MAKE) racebench
	./racebench run

deps:
	scripts/deps.sh

format:
	clang-format -i bench.c base/*.[ch] core/*.[ch] drivers/*.[ch] scenarios/*.[ch] reports/*.[ch] cli/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c

# libFuzzer targets (clang): the expectations parser, DSN/URL parsing,
# option parsing and the JSON reader, FUZZ_TIME seconds each. Crashes land
# in build/fuzz/artifacts/; the seed corpora are in tests/fuzz/corpus/.
FUZZ_TIME ?= 60
FUZZ_TARGETS := expect url opts json race
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 $(WARN) -Wno-unused-command-line-argument -pthread \
	-fsanitize=fuzzer-no-link,address,undefined -DRACEBENCH_VERSION='"$(VERSION)"' \
	-DRACEBENCH_SRCDIR='"$(CURDIR)"' $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/scenarios/builtin_races.o

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/scenarios/builtin_races.c: $(BUILTIN_RACES) $(ISOLATION_TESTS) scripts/embed.sh
	@mkdir -p $(dir $@)
	{ scripts/embed.sh builtin_races $(BUILTIN_RACES) && \
	  scripts/embed.sh builtin_isolation $(ISOLATION_TESTS); } >$@.tmp && mv $@.tmp $@

$(FUZZ_DIR)/scenarios/builtin_races.o: $(FUZZ_DIR)/scenarios/builtin_races.c
	clang $(FUZZ_CFLAGS) -I$(CURDIR) -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

.SECONDARY: $(FUZZ_OBJ)
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(FUZZ_TARGETS)

-include $(LIB_OBJ:.o=.d) $(BUILD)/bench.d

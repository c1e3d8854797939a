# isocheck — conformance suite for the Linux isolation primitives containers are built from.
# `sudo make check` runs the suite here; `sudo make test` runs the project's own tests.

CC       ?= gcc
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -D_GNU_SOURCE \
            $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
STD      := -std=gnu11
LIBS     := $(shell pkg-config --libs zlib libpcap libxml-2.0 libmnl libarchive 2>/dev/null || \
              echo -lz -lpcap -lxml2 -lmnl -larchive)
CMOCKA   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The test build also compiles the fault hooks (include/isocheck/fault.h); the shipped one does not.
SAN_CPP  := -DISO_FAULT_INJECTION

BUILD    := build
MODULES  := $(filter-out harness/main.c,$(wildcard harness/*.c))
CASES    := $(wildcard cases/*.c)
UNIT     := $(wildcard harness/tests/test_*.c)

OBJ      := $(MODULES:%.c=$(BUILD)/obj/%.o) $(CASES:%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(MODULES:%.c=$(BUILD)/san/%.o) $(CASES:%.c=$(BUILD)/san/%.o)
UNIT_BIN := $(UNIT:harness/tests/%.c=$(BUILD)/san/tests/%)

ISOCHECK_ARGS ?=

.PHONY: all check test test-field unit lint deps deps-test install clean
FIXTURES := $(BUILD)/fixtures/app $(BUILD)/fixtures/sidecar \
            $(BUILD)/fixtures/app-image/Dockerfile $(BUILD)/fixtures/sidecar-image/Dockerfile
all: $(BUILD)/isocheck $(FIXTURES)

# The slender app: one static binary, so a root holding only it can run it.
$(BUILD)/fixtures/app: fixtures/app/app.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -static -o $@ $<

# Docker build contexts, FROM scratch: the app alone; the sidecar with its ldd closure.
$(BUILD)/fixtures/app-image/Dockerfile: fixtures/app/Dockerfile $(BUILD)/fixtures/app
	@mkdir -p $(dir $@)
	cp $(BUILD)/fixtures/app $(dir $@)app
	cp fixtures/app/Dockerfile $@

$(BUILD)/fixtures/sidecar-image/Dockerfile: fixtures/sidecar/Dockerfile fixtures/sidecar/context.sh \
		$(BUILD)/fixtures/sidecar
	rm -rf $(dir $@)
	fixtures/sidecar/context.sh $(BUILD)/fixtures/sidecar $(dir $@)

# The capture sidecar links libpcap dynamically (Debian ships no static libpcap).
$(BUILD)/fixtures/sidecar: fixtures/sidecar/sidecar.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -o $@ $< \
		$(shell pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)

$(BUILD)/obj/%.o: %.c $(wildcard include/isocheck/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -c -o $@ $<

$(BUILD)/san/%.o: %.c $(wildcard include/isocheck/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(SAN_CPP) -O1 -g $(SAN) $(WARNINGS) -c -o $@ $<

$(BUILD)/isocheck: $(OBJ) $(BUILD)/obj/harness/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The test build of the suite itself: sanitizers on, run by `make test`.
$(BUILD)/san/isocheck: $(SAN_OBJ) $(BUILD)/san/harness/main.o
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# The same harness with cases that misbehave on purpose, to test the runner itself.
$(BUILD)/san/isocheck-selftest: $(MODULES:%.c=$(BUILD)/san/%.o) $(BUILD)/san/harness/main.o \
		$(BUILD)/san/harness/tests/selfcases.o
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# Unit tests link the modules without main() and without cases.
$(BUILD)/san/tests/%: harness/tests/%.c $(MODULES:%.c=$(BUILD)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -O1 -g $(SAN) $(WARNINGS) -o $@ $^ $(LIBS) $(CMOCKA)

deps:
	@scripts/deps.sh check

deps-test:
	@scripts/deps.sh test

# The main job: run every case on this machine, TAP on stdout, reports under reports/.
# stdout carries only the TAP stream: the build's own output goes to stderr.
check: deps
	@$(MAKE) --no-print-directory all >&2
	@./$(BUILD)/isocheck $(ISOCHECK_ARGS)

unit: $(UNIT_BIN)

# The project's own tests; ends with "N passed, N failed[, N skipped]".
# One area of the field-fault tests alone: make test-field FIELD="ownership memcg".
test-field: all $(BUILD)/san/isocheck $(BUILD)/san/isocheck-selftest
	@harness/tests/field.sh $(FIELD)

test: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/san/isocheck $(BUILD)/san/isocheck-selftest unit
	@harness/tests/run.sh

lint:
	@harness/tests/lint.sh

# The fixtures go where the installed binary looks for them (iso_fixture_path).
install: all
	install -D -m 0755 $(BUILD)/isocheck $(DESTDIR)$(or $(PREFIX),/usr/local)/bin/isocheck
	install -d $(DESTDIR)$(or $(PREFIX),/usr/local)/lib/isocheck/fixtures
	cp -R $(BUILD)/fixtures/. $(DESTDIR)$(or $(PREFIX),/usr/local)/lib/isocheck/fixtures/

clean:
	rm -rf $(BUILD)

# Targets with a file of their own: mk/vm.mk (check-vm), mk/bench.mk (bench), ...
include $(wildcard mk/*.mk)

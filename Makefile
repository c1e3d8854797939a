# isocheck — conformance suite for the Linux isolation primitives containers are built from.
# `sudo make check` runs the suite here; `sudo make test` runs the project's own tests.

CC       ?= gcc
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -D_GNU_SOURCE
# __FILE__ repository-relative ("cases/pidns.c"): reports point at it, whatever the build dir.
CPPFLAGS += -fmacro-prefix-map=$(CURDIR)/=
# Headers the build writes (the version, the install layout: mk/package.mk).
CPPFLAGS += -I$(BUILD)/gen
STD      := -std=gnu11
# The libraries the modules use, by pkg-config name (each -dev package is in scripts/deps.sh).
PKGS     := zlib libpcap mount json-c libxml-2.0 libmnl libarchive libcrypto
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/libxml2)
LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null || \
              echo -lz -lpcap -lmount -ljson-c -lxml2 -lmnl -larchive -lcrypto)
CMOCKA   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The test build also compiles the fault hooks (include/isocheck/fault.h); the shipped one does not.
SAN_CPP  := -DISO_FAULT_INJECTION

BUILD    := build
# The modules: every .c under harness/ (subfolders too) except the programs' main()s
# (a new program adds its file to MAINS; the VM guest init's init_*.c are its own), the tests and the fuzz targets. They make one
# static library, build/libisocheck.a (and build/san/libisocheck.a), that every program links.
MAINS    := harness/main.c harness/vm/main.c harness/vm/init.c $(wildcard harness/vm/init_*.c)
MAINS    += harness/man_cases.c
MODULES  := $(filter-out $(MAINS),$(sort $(shell find harness -name '*.c' \
              -not -path 'harness/tests/*' -not -path 'harness/fuzz/*')))
CASES    := $(wildcard cases/*.c)
UNIT     := $(wildcard harness/tests/test_*.c)

LIB      := $(BUILD)/libisocheck.a
SAN_LIB  := $(BUILD)/san/libisocheck.a
# Whole archive: every module is linked, as before the library, so a module that registers
# itself (a linker section, a constructor) is never dropped for being unreferenced.
LINK_LIB     = -Wl,--whole-archive $(LIB) -Wl,--no-whole-archive
LINK_SAN_LIB = -Wl,--whole-archive $(SAN_LIB) -Wl,--no-whole-archive
# The cases stay objects: they register through the "iso_cases" section (case.h).
OBJ      := $(CASES:%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(CASES:%.c=$(BUILD)/san/%.o)
UNIT_BIN := $(UNIT:harness/tests/%.c=$(BUILD)/san/tests/%)

ISOCHECK_ARGS ?=

.PHONY: all check test test-field unit lint layers deps deps-test clean
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

# -MMD -MP: each object's .d lists the headers it included, so touching one (harness/shared.h,
# include/isocheck/*.h, bench/*.h) rebuilds exactly what includes it.
DEPFLAGS := -MMD -MP
# An object without its .d (built before -MMD, or the .d removed) is rebuilt, to write it:
# each .d is named as a target here, so that make does not take a missing one for an
# intermediate file it may skip.
DEP_SRC  := $(shell find harness cases bench -name '*.c')
DEPFILES := $(foreach d,obj san fuzz/obj,$(DEP_SRC:%.c=$(BUILD)/$(d)/%.d))
$(DEPFILES): ;

$(BUILD)/obj/%.o: %.c $(BUILD)/obj/%.d
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: %.c $(BUILD)/san/%.d
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(SAN_CPP) -O1 -g $(SAN) $(WARNINGS) $(DEPFLAGS) -c -o $@ $<

$(LIB): $(MODULES:%.c=$(BUILD)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(SAN_LIB): $(MODULES:%.c=$(BUILD)/san/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/isocheck: $(OBJ) $(BUILD)/obj/harness/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(BUILD)/obj/harness/main.o $(LINK_LIB) $(LIBS)

# The test build of the suite itself: sanitizers on, run by `make test`.
$(BUILD)/san/isocheck: $(SAN_OBJ) $(BUILD)/san/harness/main.o $(SAN_LIB)
	$(CC) $(SAN) -o $@ $(SAN_OBJ) $(BUILD)/san/harness/main.o $(LINK_SAN_LIB) $(LIBS)

# The same harness with cases that misbehave on purpose, to test the runner itself.
$(BUILD)/san/isocheck-selftest: $(BUILD)/san/harness/main.o $(BUILD)/san/harness/tests/selfcases.o \
		$(SAN_LIB)
	$(CC) $(SAN) -o $@ $(filter %.o,$^) $(LINK_SAN_LIB) $(LIBS)

# Unit tests link the modules without main() and without cases; a test's extra objects
# (test_bench: the bench's library) are further prerequisites, linked before the modules
# (objects and archives only: the headers its .d file lists are prerequisites too).
$(BUILD)/san/tests/%: harness/tests/%.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -O1 -g $(SAN) $(WARNINGS) $(DEPFLAGS) -o $@ $< \
		$(filter %.o %.a,$(filter-out $< $(SAN_LIB),$^)) $(LINK_SAN_LIB) $(LIBS) $(CMOCKA)

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

# The layers of docs/architecture.md, and a check that no include points up.
layers:
	@python3 harness/tests/layers.py

clean:
	rm -rf $(BUILD)

# Targets with a file of their own: mk/vm.mk (check-vm), mk/bench.mk (bench), ...
include $(wildcard mk/*.mk)

# The header dependencies the compiler wrote (-MMD -MP), for every object built so far.
-include $(wildcard $(DEPFILES) $(BUILD)/san/tests/*.d)

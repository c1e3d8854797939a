# libFuzzer targets (issue 6), one per file in harness/fuzz/, built with clang into build/fuzz/.
#   make fuzz-build     the targets and their seed corpora (build/fuzz/seeds/<target>/)
#   make fuzz-smoke     every target briefly (harness/tests/fuzz_smoke.sh): what `make test` runs
#   make fuzz           every target for FUZZ_SECONDS (default 60), corpus kept in
#                       build/fuzz/corpus/<target>/; crashes in build/fuzz/artifacts/
# Seeds come from fixtures/samples/ (copied, never changed), harness/fuzz/corpus/<target>/ and,
# as regression tests, the inputs of fixed bugs: harness/fuzz/crashes/<target without fuzz_>-*.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(STD) $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARNINGS)
FUZZ_TARGETS := $(patsubst harness/fuzz/%.c,%,$(wildcard harness/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

# Every target links the modules' library built for fuzzing (build/fuzz/libisocheck.a, only
# the objects it references) and the helpers in harness/fuzz/ that are not targets.
FUZZ_LIB     := $(FUZZ_DIR)/libisocheck.a
FUZZ_HELPERS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out harness/fuzz/fuzz_%.c, \
                  $(wildcard harness/fuzz/*.c)))
# What a target itself uses besides the library's own libraries (fuzz_junit parses with libxml2).
FUZZ_LIBS_fuzz_junit     := $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
FUZZ_XML_CFLAGS          := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || \
                              echo -I/usr/include/libxml2)

# Seeds: the samples each target reads.
FUZZ_SEEDS_fuzz_kmsg      := $(wildcard fixtures/samples/kmsg-*.txt)
FUZZ_SEEDS_fuzz_mountinfo := $(wildcard fixtures/samples/mountinfo-*.txt)
FUZZ_SEEDS_fuzz_stat      := $(wildcard fixtures/samples/proc-stat-*.txt)
FUZZ_SEEDS_fuzz_nspid     := $(wildcard fixtures/samples/status-*.txt)
FUZZ_SEEDS_fuzz_kconfig   := $(wildcard fixtures/samples/config-*)
FUZZ_SEEDS_fuzz_pcap      := $(wildcard fixtures/samples/capture-*.pcap)
FUZZ_SEEDS_fuzz_matrix    := $(wildcard fixtures/reports/*.junit.xml)

.PHONY: fuzz fuzz-build fuzz-smoke
fuzz-build: $(FUZZ_BINS) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/seeds/%/.stamp)

fuzz-smoke: fuzz-build
	@harness/tests/fuzz_smoke.sh

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) harness/tests/fuzz_smoke.sh --long

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_DIR)/obj/%.d
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_XML_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(MODULES:%.c=$(FUZZ_DIR)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

define FUZZ_TARGET_RULES
$(FUZZ_DIR)/$(1): $(FUZZ_DIR)/obj/harness/fuzz/$(1).o $(FUZZ_HELPERS) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $(FUZZ_LIBS_$(1)) $(LIBS)

FUZZ_SEEDS_ALL_$(1) := $(FUZZ_SEEDS_$(1)) $(wildcard harness/fuzz/corpus/$(1)/*) \
		$(wildcard harness/fuzz/crashes/$(1:fuzz_%=%)-*)
$(FUZZ_DIR)/seeds/$(1)/.stamp: $$(FUZZ_SEEDS_ALL_$(1)) mk/fuzz.mk \
		$(wildcard harness/fuzz/corpus/$(1) harness/fuzz/crashes)
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	@$$(if $$(FUZZ_SEEDS_ALL_$(1)),cp $$(FUZZ_SEEDS_ALL_$(1)) $$(dir $$@))
	@touch $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULES,$(t))))

# `make bench` (issue 7): what each case costs against its physical floor, measured on this
# machine in one run. Timings are reported (stdout table, reports/bench.json), never
# asserted, and nothing here runs in `make test`. See bench/README.md.
#   BENCH_REPEAT=R     timed suite runs and repetitions of each floor (default 5)
#   BENCH_STABILITY=N  the suite N times in one process, leaks sampled between (default 20)
#   BENCH_VM=1         also time qemu's bare boot and the VM target's suite against it
#                      (BENCH_QEMU, BENCH_VM_KERNEL, BENCH_VM_ACCEL, BENCH_VM_CGROUP,
#                      BENCH_VM_CMD to time another command instead of isocheck-vm)
#   BENCH_EXCLUDE=GLOB cases left out (default '*.docker': the native runtime only)

BENCH_REPEAT    ?= 5
BENCH_STABILITY ?= 20
BENCH_DIR       := $(BUILD)/bench
# The bench's parts (bench/*.c but its main in bench.c and the two static programs) make
# a library of their own, linked by the bench and by its unit test (harness/tests/test_bench.c).
BENCH_SRC       := $(filter-out bench/bench.c bench/true.c bench/vminit.c bench/pidns01.c,$(wildcard bench/*.c))
BENCH_LIB       := $(BUILD)/bench/libbench.a
BENCH_SAN_LIB   := $(BUILD)/san/bench/libbench.a

.PHONY: bench
bench: all $(BENCH_DIR)/isocheck-bench $(BENCH_DIR)/iso-true $(BENCH_DIR)/iso-vminit \
		$(BENCH_DIR)/iso-pidns01
	@BENCH_REPEAT=$(BENCH_REPEAT) BENCH_STABILITY=$(BENCH_STABILITY) ./$(BENCH_DIR)/isocheck-bench
	@/usr/bin/python3 -m json.tool reports/bench.json >/dev/null && \
		echo "bench: reports/bench.json is valid JSON" >&2

$(BENCH_LIB): $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(BENCH_SAN_LIB): $(BENCH_SRC:%.c=$(BUILD)/san/%.o)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

# The bench drives the same runner and cases as build/isocheck for its stability run.
$(BENCH_DIR)/isocheck-bench: $(BUILD)/obj/bench/bench.o $(BENCH_LIB) $(OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/obj/bench/bench.o $(BENCH_LIB) $(OBJ) $(LINK_LIB) $(LIBS) -lm

# Static, so the fork+exec floor has no dynamic loader in it; and so it can be a VM's /init.
$(BENCH_DIR)/iso-true: bench/true.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARNINGS) -static -o $@ $<

# What LTP's pidns01 checks, as the yardstick of one native case's whole process.
$(BENCH_DIR)/iso-pidns01: bench/pidns01.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -static -o $@ $<

$(BENCH_DIR)/iso-vminit: bench/vminit.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -static -o $@ $<

# The unit test of the bench's parts: the pattern rule links this extra prerequisite.
$(BUILD)/san/tests/test_bench: $(BENCH_SAN_LIB)

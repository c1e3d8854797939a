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
BENCH_SRC       := $(filter-out bench/true.c bench/vminit.c,$(wildcard bench/*.c))
BENCH_OBJ       := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: bench
bench: all $(BENCH_DIR)/isocheck-bench $(BENCH_DIR)/iso-true $(BENCH_DIR)/iso-vminit
	@BENCH_REPEAT=$(BENCH_REPEAT) BENCH_STABILITY=$(BENCH_STABILITY) ./$(BENCH_DIR)/isocheck-bench
	@/usr/bin/python3 -m json.tool reports/bench.json >/dev/null && \
		echo "bench: reports/bench.json is valid JSON" >&2

$(BENCH_OBJ): $(wildcard bench/*.h)

# The bench drives the same runner and cases as build/isocheck for its stability run.
$(BENCH_DIR)/isocheck-bench: $(BENCH_OBJ) $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) -lm

# Static, so the fork+exec floor has no dynamic loader in it; and so it can be a VM's /init.
$(BENCH_DIR)/iso-true: bench/true.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARNINGS) -static -o $@ $<

$(BENCH_DIR)/iso-vminit: bench/vminit.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) -D_GNU_SOURCE $(CFLAGS) $(WARNINGS) -static -o $@ $<

# The unit test of the pure parts (harness/tests/test_bench.c) links them in: the pattern
# rule's $^ takes this extra prerequisite.
$(BUILD)/san/tests/test_bench: $(BUILD)/san/bench/stats.o

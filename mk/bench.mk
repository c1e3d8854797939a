# `make bench` (issue 7): what each case costs against its physical floor. See bench/README.md.

# The unit test of the pure parts (harness/tests/test_bench.c) links them in: the pattern
# rule's $^ takes this extra prerequisite.
$(BUILD)/san/tests/test_bench: $(BUILD)/san/bench/stats.o

# isocheck as a LAVA job (dist/lava/): `make test-lava` runs harness/tests/field/lava.sh with
# its boots on (ISOCHECK_TEST_LAVA=1): lava-run jobs on Debian's kernel in cgroup v2 and v1
# mode and one of self-test cases, each compared case by case with isocheck-vm's own
# boots. `make test` runs the same file without boots (the job validated offline, the
# monitor's pattern and the converter on a recorded log). .ci/run calls it after make test.

# The self-test cases in a build without sanitizers, for a guest: its initramfs holds it as
# /opt/isocheck/isocheck (isocheck-vm --suite), so a LAVA job has cases that fail and err.
$(BUILD)/isocheck-selftest: $(BUILD)/obj/harness/main.o $(BUILD)/obj/harness/tests/selfcases.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIB) $(LIBS)

.PHONY: test-lava
test-lava: deps-test vm-deps
	@$(MAKE) --no-print-directory all $(BUILD)/san/isocheck $(BUILD)/san/isocheck-selftest \
		$(BUILD)/isocheck-selftest >&2
	@ISOCHECK_TEST_LAVA=1 harness/tests/field.sh lava

# The unit test of the guest init's verdict lines links that one file of the static init.
$(BUILD)/san/tests/test_vm_caselines: $(BUILD)/san/harness/vm/init_results.o

# `make test-fleet`: the fleet integrations of dist/ (issue 16) proven on this machine:
# the Ansible playbook against three local hosts (docker containers from a Debian root
# made here), the GitLab CI template under gitlab-ci-local, the Jenkinsfile parsed by
# Groovy. Installs what it needs (scripts/deps.sh fleet, npm into build/fleet/node).
# .ci/run calls it after `make test`. FLEET="ansible gitlab jenkins" picks parts.
.PHONY: test-fleet fleet-deps
FLEET ?=

# The self-test build without sanitizers: the fleet test's failing host runs it (its
# selftest.verdict.fail case fails on purpose), in a root that has no sanitizer runtime.
$(BUILD)/fleet/isocheck-selftest: $(BUILD)/obj/harness/main.o \
		$(BUILD)/obj/harness/tests/selfcases.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIB) $(LIBS)

fleet-deps:
	@scripts/deps.sh fleet

test-fleet: fleet-deps all $(BUILD)/fleet/isocheck-selftest
	@harness/tests/fleet.sh $(FLEET)

# `make check-container`: the suite inside a privileged Docker container with a private
# cgroup namespace; reports come back to reports/container/. Skips (exit 77) without a
# Docker daemon.
.PHONY: check-container
check-container: deps
	@$(MAKE) --no-print-directory all >&2
	@scripts/container-target.sh $(ISOCHECK_ARGS)

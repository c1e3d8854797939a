# The VM target: build/isocheck-vm (host side), build/vm/isocheck-init (the static guest
# init), their unit tests, and `make check-vm`, which boots Debian's kernel under qemu with
# cgroup v1 and v2 and runs the suite in each. See harness/vm/ and include/isocheck/vm.h.

# init.c and init_*.c: the static guest init's own files (kept out of the library, see
# MAINS in the Makefile). The host side's modules (harness/vm/*.c but main.c and the init's)
# are in build/libisocheck.a.
VM_INIT_SRC := harness/vm/init.c $(wildcard harness/vm/init_*.c)
VM_INIT     := $(BUILD)/vm/isocheck-init

# check-vm's defaults: Debian's kernel (the one linux-image-amd64 points to), both modes.
VM_KERNEL   ?= $(shell v=$$(dpkg-query -W -f='$${Depends}' linux-image-amd64 2>/dev/null | \
                 sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'); \
                 if [ -n "$$v" ] && [ -e /boot/vmlinuz-$$v ]; then echo /boot/vmlinuz-$$v; \
                 else ls /boot/vmlinuz-* 2>/dev/null | tail -n 1; fi)
VM_CGROUP   ?= both
VM_ARGS     ?=
VM_OUT      ?= reports
JUNIT_XSD_SHARED := ../shared/schemas/junit-10.xsd

.PHONY: check-vm vm-deps
all: $(BUILD)/isocheck-vm $(VM_INIT)

$(BUILD)/isocheck-vm: $(BUILD)/obj/harness/vm/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/obj/harness/vm/main.o $(LINK_LIB) $(LIBS)

# PID 1 of the guest: static, so the initramfs needs no loader for it.
$(VM_INIT): $(VM_INIT_SRC) harness/vm/init.h harness/vm/codec.c harness/util.c \
		include/isocheck/vm.h include/isocheck/util.h
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -static -o $@ $(VM_INIT_SRC) \
		harness/vm/codec.c harness/util.c -lz

# qemu and Debian's kernel: installed as root with apt-get, else named and refused.
vm-deps:
	@missing=""; for p in qemu-system-x86 linux-image-amd64; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || \
			missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then \
		echo "check-vm needs these packages:$$missing" >&2; \
		echo "install them with: sudo apt-get install$$missing" >&2; exit 1; \
	fi; \
	echo "vm-deps: installing$$missing" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q --no-install-recommends $$missing >/dev/null || \
		{ apt-get update -q >/dev/null && \
		  apt-get install -y -q --no-install-recommends $$missing >/dev/null; }

# Boot Debian's kernel with cgroup v1 and v2, then check the merged report (one
# <testsuite> per kernel x cgroup mode) and each configuration's own against the schemas.
check-vm: deps vm-deps
	@$(MAKE) --no-print-directory all >&2
	@set -e; k="$(VM_KERNEL)"; \
	[ -n "$$k" ] || { echo "check-vm: no kernel image in /boot (linux-image-amd64)" >&2; exit 1; }; \
	rc=0; ./$(BUILD)/isocheck-vm --kernel "$$k" --cgroup $(VM_CGROUP) --output $(VM_OUT) \
		$(VM_ARGS) || rc=$$?; \
	m=$(VM_OUT)/isocheck-vm.junit.xml; \
	xmllint --noout --schema fixtures/schemas/isocheck-junit.xsd $$m; \
	if [ -f $(JUNIT_XSD_SHARED) ]; then /usr/bin/python3 harness/tests/junit10_view.py $$m | \
		xmllint --noout --schema $(JUNIT_XSD_SHARED) -; fi; \
	for j in $(VM_OUT)/vm-*/isocheck.junit.xml; do \
		[ -f "$$j" ] && xmllint --noout --schema fixtures/schemas/isocheck-junit.xsd "$$j"; \
	done; \
	exit $$rc

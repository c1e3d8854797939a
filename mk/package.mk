# Installing isocheck like a tool (issue 15): `make install` / `make uninstall` with the GNU
# directory variables, the man pages (mdoc sources in docs/man/, isocheck-cases(7) generated
# from the case registry), bash completion, the version header, `make deb` (debian/, built
# in a copy under build/deb/ so the checkout stays clean), `make image` (the package in an
# mmdebstrap root, imported into Docker) and `make test-package` (.ci/run runs it after
# `make test`; harness/tests/package.sh). `make help` lists every target.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
# bash-completion's directory for completions loaded on demand.
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR    ?=
# The image `make image` tags (a test passes its own, named after its run).
IMAGE      ?= isocheck

GEN := $(BUILD)/gen
# Computed once per make (scripts/version.sh); `make ISOCHECK_VERSION=...` or the
# environment (make deb passes the checkout's to the copy it builds) overrides it.
ifeq ($(origin ISOCHECK_VERSION),undefined)
ISOCHECK_VERSION := $(shell scripts/version.sh)
endif
# Where the installed programs find their private files, relative to their own directory
# (harness/install.c): a DESTDIR tree, or a moved one, finds its own.
LIBEXEC_FROM_BINDIR := $(shell realpath -m --relative-to='$(BINDIR)' '$(LIBEXECDIR)/isocheck')

.PHONY: install uninstall man deb image test-package help

# The generated headers are written while make reads this file, and rewritten only when
# their text changes (a new commit, other directories): only harness/install.c rebuilds,
# and only then. A rule that always ran (a phony prerequisite) would keep `make -q` from
# ever finding the build up to date. The rules below only recreate a header removed after
# that (make clean all).
gen_header = $(shell mkdir -p '$(GEN)' && \
	printf '\043define %s "%s"\n' '$(2)' '$(3)' >'$(GEN)/$(1).new' && \
	{ cmp -s '$(GEN)/$(1).new' '$(GEN)/$(1)' && rm -f '$(GEN)/$(1).new' || \
	  mv -f '$(GEN)/$(1).new' '$(GEN)/$(1)'; })
$(call gen_header,iso_version.h,ISOCHECK_VERSION,$(ISOCHECK_VERSION))
$(call gen_header,iso_dirs.h,ISO_LIBEXEC_FROM_BINDIR,$(LIBEXEC_FROM_BINDIR))
$(GEN)/iso_version.h:
	@mkdir -p $(@D)
	@printf '#define ISOCHECK_VERSION "%s"\n' '$(ISOCHECK_VERSION)' >$@
$(GEN)/iso_dirs.h:
	@mkdir -p $(@D)
	@printf '#define ISO_LIBEXEC_FROM_BINDIR "%s"\n' '$(LIBEXEC_FROM_BINDIR)' >$@
$(foreach d,obj san fuzz/obj,$(BUILD)/$(d)/harness/install.o): $(GEN)/iso_version.h $(GEN)/iso_dirs.h

# --- man pages --------------------------------------------------------------------------
# Written in mdoc(7) (docs/man/), checked with `mandoc -T lint` by the tests; the version
# goes in when they are copied to build/man/.
MAN_SRC   := $(wildcard docs/man/*.[1-8])
MAN_PAGES := $(MAN_SRC:docs/man/%=$(BUILD)/man/%) $(BUILD)/man/isocheck-cases.7
man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/% $(GEN)/iso_version.h
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(ISOCHECK_VERSION)/g' $< >$@.tmp
	@mv -f $@.tmp $@

# isocheck-cases(7) from the registry of the cases build/isocheck is linked with.
$(BUILD)/isocheck-man-cases: $(OBJ) $(BUILD)/obj/harness/man_cases.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(BUILD)/obj/harness/man_cases.o $(LINK_LIB) $(LIBS)

$(BUILD)/man/isocheck-cases.7: $(BUILD)/isocheck-man-cases
	@mkdir -p $(@D)
	./$< >$@.tmp
	@mv -f $@.tmp $@

# --- install / uninstall ----------------------------------------------------------------
# The programs in BINDIR; the guest init and the fixtures in LIBEXECDIR/isocheck (where
# iso_install_libexec() finds them); the schema in DATADIR/isocheck; pages; completion.
install: all $(MAN_PAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/isocheck/fixtures \
		$(DESTDIR)$(DATADIR)/isocheck $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/isocheck $(BUILD)/isocheck-vm $(DESTDIR)$(BINDIR)/
	install -m 0755 $(VM_INIT) $(DESTDIR)$(LIBEXECDIR)/isocheck/
	cp -R $(BUILD)/fixtures/. $(DESTDIR)$(LIBEXECDIR)/isocheck/fixtures/
	chmod -R go-w $(DESTDIR)$(LIBEXECDIR)/isocheck
	@# Only the loader is executed among the sidecar context's libraries; Dockerfiles are text.
	find $(DESTDIR)$(LIBEXECDIR)/isocheck/fixtures \( -name 'lib*.so*' -o -name Dockerfile \) \
		-type f -exec chmod 0644 {} +
	install -m 0644 fixtures/schemas/isocheck-junit.xsd $(DESTDIR)$(DATADIR)/isocheck/
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 completions/isocheck.bash $(DESTDIR)$(BASHCOMPDIR)/isocheck

# Exactly what install put there. Under a DESTDIR the directories it made go too, up to
# DESTDIR itself, when nothing else is in them; on the real system shared ones stay.
INSTALLED_FILES = $(BINDIR)/isocheck $(BINDIR)/isocheck-vm $(BASHCOMPDIR)/isocheck \
	$(patsubst $(BUILD)/man/%,$(MANDIR)/man1/%,$(filter %.1,$(MAN_PAGES))) \
	$(patsubst $(BUILD)/man/%,$(MANDIR)/man7/%,$(filter %.7,$(MAN_PAGES)))
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	rm -rf $(DESTDIR)$(LIBEXECDIR)/isocheck $(DESTDIR)$(DATADIR)/isocheck
	@if [ -n "$(DESTDIR)" ]; then \
		for d in $(BINDIR) $(BASHCOMPDIR) $(MANDIR)/man1 $(MANDIR)/man7 $(LIBEXECDIR) \
				$(DATADIR); do \
			while [ "$$d" != / ] && [ "$$d" != . ] && [ -n "$$d" ]; do \
				if [ -d "$(DESTDIR)$$d" ]; then rmdir "$(DESTDIR)$$d" 2>/dev/null || break; fi; \
				d=$$(dirname "$$d"); \
			done; \
		done; \
	fi

# --- the Debian package and the image ---------------------------------------------------
# dpkg-buildpackage -us -uc -b in a copy (build/deb/isocheck-VERSION/): its output lands in
# build/deb/, and nothing is written beside or inside the checkout's own files.
deb:
	@ISOCHECK_VERSION='$(ISOCHECK_VERSION)' scripts/deb.sh $(BUILD)/deb

# The package installed in an mmdebstrap minbase root (cached under build/pkgroot/),
# imported as image $(IMAGE). How to run it: README "Installing", or docs/man/isocheck.1.scd.
image: deb
	@scripts/pkgroot.sh image $(BUILD) '$(IMAGE)'

# The long proof of all of the above, run by .ci/run after `make test`.
test-package: deps-test
	@$(MAKE) --no-print-directory all $(MAN_PAGES) >&2
	@harness/tests/package.sh

help:
	@echo 'isocheck: make TARGET [VARIABLE=value...]'
	@echo 'Running the suite (as root):'
	@echo '  check            every case on this machine; TAP on stdout, reports in reports/'
	@echo '  check-container  the suite in a Docker container (reports/container/)'
	@echo '  check-vm         the suite in qemu on VM_KERNEL, cgroup v1 and v2'
	@echo 'Building and installing:'
	@echo '  all              build/isocheck, build/isocheck-vm, the guest init, the fixtures'
	@echo '  man              the man pages into build/man/'
	@echo '  install          install under DESTDIR/PREFIX (BINDIR, LIBEXECDIR, DATADIR, MANDIR)'
	@echo '  uninstall        remove what install put there'
	@echo '  deb              the Debian package, build/deb/isocheck_*.deb'
	@echo '  image            a Docker image of the package (IMAGE, default isocheck)'
	@echo '  clean            remove build/'
	@echo 'Testing isocheck itself:'
	@echo '  test             unit tests, field tests, lint (as root)'
	@echo '  test-field       FIELD="name..." field test files alone'
	@echo '  test-package     install, package, clean-root, lintian, man and image tests'
	@echo '  test-lava        isocheck as a LAVA job under lava-run (boots qemu)'
	@echo '  test-fleet       the Ansible playbook, GitLab template and Jenkinsfile, run here'
	@echo '  unit lint layers fuzz fuzz-smoke bench'
	@echo 'Variables: ISOCHECK_ARGS (options for check), VM_KERNEL, VM_CGROUP, VM_ARGS,'
	@echo '  VM_OUT, PREFIX, DESTDIR, BINDIR, LIBEXECDIR, DATADIR, MANDIR, IMAGE, FIELD.'
	@echo 'make reports any failure as its own exit 2; for exit codes 0/1/2/77/99 call'
	@echo 'build/isocheck (or the installed isocheck) directly.'

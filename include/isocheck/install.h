/* SPDX-License-Identifier: MIT */
/*
 * What the build knows about itself: the version it was built as, and where an installed
 * program finds the files it does not link (fixtures, the VM guest's init). Both come from
 * headers the build generates (build/gen/iso_version.h, build/gen/iso_dirs.h, written by
 * mk/package.mk and rewritten only when their text changes, so only this module rebuilds).
 */
#ifndef ISOCHECK_INSTALL_H
#define ISOCHECK_INSTALL_H

#include <stddef.h>

#include "isocheck/util.h"

/*
 * The version string: `git describe --tags --dirty` for a build from a git checkout (or the
 * package version plus "+git.<commit>" when the history has no tag), the package version
 * (debian/changelog) otherwise, or what ISOCHECK_VERSION was set to at build time.
 * Never NULL. Reports carry it (JUnit property isocheck.version, a TAP comment).
 */
const char *iso_version(void);

/*
 * The installed private directory of the running program: the directory of
 * /proc/self/exe (links resolved, proc(5)) joined with the path from BINDIR to
 * LIBEXECDIR/isocheck that `make` was given ("../libexec/isocheck" by default), so an
 * installation found under any DESTDIR or moved whole still finds its own files.
 * Writes it to @out (@size bytes). Returns 0, or -1 with @e (readlink failed, or the
 * path does not fit: ENAMETOOLONG). The directory is not checked for existence.
 */
int iso_install_libexec(char *out, size_t size, struct iso_err *e);

#endif

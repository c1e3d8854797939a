/* SPDX-License-Identifier: MIT */
/*
 * Private to the OCI runtime (harness/runtime_oci*.c): its directory layout and the
 * runtime binary's command line (crun(1), runc(8); the OCI runtime spec's runtime.md
 * operations create, start, kill, delete). Every call is bounded; none prints.
 */
#ifndef ISOCHECK_RUNTIME_OCI_H
#define ISOCHECK_RUNTIME_OCI_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

/* Every run's directory: /run/isocheck-oci/<run id>/<case>/{state,<bundles>} */
#define OCI_DIR "/run/isocheck-oci"

/* The OCI runtime to use: ISOCHECK_OCI_RUNTIME, else crun, else runc (runc alone when crun
 * would refuse this hybrid hierarchy). NULL when none is installed. */
const char *iso_oci_bin(void);

/* Case @case_name of run @run_id: its directory in @dir, the runtime's --root in @root. */
void iso_oci_dirs(const char *run_id, const char *case_name, char dir[PATH_MAX],
                  char root[PATH_MAX]);

/* `RUNTIME --root @root @args` to completion within @timeout_s seconds: its wait status
 * (-1 with @e when it could not run; ETIMEDOUT in @e when it was killed), its output in
 * @out (@size bytes). */
int iso_oci_cmd(const char *root, char *const args[], char *out, size_t size, double timeout_s,
                struct iso_err *e);

/* iso_oci_cmd within 30 s that must exit 0: 0, or -1 with @e quoting its status and output. */
int iso_oci_must(const char *root, char *const args[], struct iso_err *e);

/* `RUNTIME --root @root create --bundle @bundle --pid-file @bundle/pid @id`, its output to
 * @bundle/log. Bounded: 30 s. Returns the container's host PID, or -1 with @e. */
pid_t iso_oci_create(const char *root, const char *bundle, const char *id, struct iso_err *e);

/* `RUNTIME kill @id @sig`, wait (at most 2 s) for @pid, then KILL. Returns its wait status
 * when it was our child, else 0. */
int iso_oci_end(const char *root, const char *id, pid_t pid, const char *sig);

/* `RUNTIME delete -f @id` and what is left of its cgroups (/<id> in every hierarchy).
 * 0, or -1 with @e. */
int iso_oci_delete(const char *root, const char *id, struct iso_err *e);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Running the lab's own command-line tools (unshare, nsenter, stress-ng, docker...)
 * bounded in time, each in its own process group so whatever it spawns dies with it, and
 * always ended by PID.
 */
#ifndef ISOCHECK_TOOL_H
#define ISOCHECK_TOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

/* A tool started in the background. */
struct iso_tool_proc {
        pid_t pid;     /* leader of its own process group */
        int in_fd;     /* its stdin (write end), -1 once closed */
        int out_fd;    /* its stdout and stderr (read end) */
        char name[64]; /* argv[0], naming its output in the echo */
};

/* At most this much tool output is echoed per process (iso_tool_echo_to). */
#define ISO_TOOL_ECHO_MAX (256 * 1024)

/*
 * Copy what tools print, as it is read, to @fd too (-1: stop). The runner points this at a
 * file it keeps in the case's child, so a case killed while a tool runs still reports what
 * the tool had printed. Everything read through iso_tool_read() is copied; a case reading a
 * child's pipe itself hands each chunk to iso_tool_echo().
 */
void iso_tool_echo_to(int fd);

/* Copy @n bytes of @buf, printed by the tool @name, to the echo (if any; bounded). */
void iso_tool_echo(const char *name, const char *buf, size_t n);

/*
 * Start @argv (argv[0] looked up on PATH) in its own process group, stdin a pipe and
 * stdout + stderr another. Returns 0 or -1 with @e (fork or pipe failure; an exec
 * failure shows as exit status 127 and a message on its output).
 */
int iso_tool_start(char *const argv[], struct iso_tool_proc *tp, struct iso_err *e);

/*
 * Like iso_tool_start, but the child first joins the namespaces @types (CLONE_NEWNET...)
 * of process @target with setns(2), as a sidecar joins an app's network namespace.
 * A failed join shows as exit status 126 and a message on the tool's output.
 */
int iso_tool_start_in(pid_t target, int types, char *const argv[], struct iso_tool_proc *tp,
                      struct iso_err *e);

/*
 * Read the tool's output into @out (@size bytes, NUL-terminated; the rest is drained and
 * dropped) until it closes its end, @until (when not NULL) appears in what was kept, or
 * @deadline (iso_now() seconds) passes. Returns the bytes kept.
 */
size_t iso_tool_read(struct iso_tool_proc *tp, const char *until, char *out, size_t size,
                     double deadline);

/*
 * Wait for the tool until @deadline, then SIGKILL it; in both cases SIGKILL its process
 * group too (the group cannot be reused while the unreaped leader holds its PID), then
 * reap it and close its pipes. Returns the wait status, or -1 if it was not ours to reap.
 * *@timed_out (may be NULL) tells whether it had to be killed.
 */
int iso_tool_finish(struct iso_tool_proc *tp, double deadline, int *timed_out);

/*
 * Run @argv to completion: stdin from @input (NULL: /dev/null; at most 4096 bytes), its
 * stdout + stderr into @out, at most @timeout_s seconds. Returns the wait status, or -1
 * with @e when it could not start; *@timed_out says whether it was killed at the bound.
 */
int iso_tool_run(char *const argv[], const char *input, char *out, size_t size, double timeout_s,
                 int *timed_out, struct iso_err *e);

/*
 * Does `@tool --help` mention @option ("--mount-proc")? Tells an old util-linux from a
 * new one without parsing versions. 1 yes, 0 no, -1 the tool did not run.
 */
int iso_tool_has_option(const char *tool, const char *option);

#endif

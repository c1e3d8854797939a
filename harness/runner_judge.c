// SPDX-License-Identifier: MIT
/*
 * The runner's verdict on one case: what the case recorded, how it ended (exit, signal,
 * timeout, interrupted run) and what it left behind, turned into one result.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "runner_priv.h"

/*
 * A SIGSEGV under a soft RLIMIT_STACK below the usual 8 MiB may be the stack running out,
 * an environment cause rather than the kernel's or the case's: named in the message, so
 * the reader can rerun with a larger `ulimit -s`. The runner's limit is the case's (fork).
 */
static void stack_note(int sig, char *out, size_t size)
{
        struct rlimit rl;
        out[0] = '\0';
        if (sig != SIGSEGV || getrlimit(RLIMIT_STACK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
            rl.rlim_cur >= (rlim_t)8 << 20)
                return;
        snprintf(out, size,
                 "; RLIMIT_STACK is %llu bytes (ulimit -s %llu), below the usual 8 MiB: "
                 "the stack may have run out",
                 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_cur / 1024);
}

/* Turn what the case recorded into its verdict and message. */
void runner_judge(struct iso_result *res, const struct iso_shared *sh, int status, int timed_out,
                  int stopped, unsigned timeout_s, const char *running, const char *leaks)
{
        size_t failed = 0;
        const struct iso_check_rec *first_failed = NULL;
        unsigned reserved = sh->n_reserved;
        for (unsigned i = 0; i < reserved && i < ISO_MAX_CHECKS; i++) {
                if (!sh->published[i])
                        continue; /* the recorder died mid-write */
                res->checks[res->n_checks++] = sh->checks[i];
                if (!sh->checks[i].ok) {
                        failed++;
                        if (!first_failed)
                                first_failed = &sh->checks[i];
                }
        }
        int end_kind = sh->end_ready ? sh->end_kind : 0;

        /* Where a case cut short was: its last log line, else its last check. */
        char step[sizeof(sh->step) + 16];
        iso_strlcpy(step, sh->step, sizeof(step));
        if (!*step && res->n_checks)
                snprintf(step, sizeof(step), "after check %zu \"%.160s\" (%s:%d)", res->n_checks,
                         res->checks[res->n_checks - 1].what, res->checks[res->n_checks - 1].file,
                         res->checks[res->n_checks - 1].line);
        else if (!*step)
                iso_strlcpy(step, "none logged (before its first check)", sizeof(step));
        char also[sizeof(step) + 352] = "";
        if (*running)
                snprintf(also, sizeof(also), "; running %s", running);
        if (timed_out) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "timed out after %u s; last step: %s%s", timeout_s, step, also);
        } else if (stopped) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "interrupted: the run was stopped by a signal; last step: %s%s", step,
                         also);
        } else if (end_kind == ISO_ERROR) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message), "%s", sh->end_message);
                snprintf(res->where, sizeof(res->where), "%s", sh->end_where);
        } else if (WIFSIGNALED(status)) {
                res->verdict = ISO_ERROR;
                char note[160];
                stack_note(WTERMSIG(status), note, sizeof(note));
                snprintf(res->message, sizeof(res->message),
                         "killed by signal %d (%s) after %zu check(s)%s", WTERMSIG(status),
                         strsignal(WTERMSIG(status)), res->n_checks, note);
        } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "the case process exited with status %d", WEXITSTATUS(status));
        } else if (failed || sh->failed_unrecorded) {
                res->verdict = ISO_FAIL;
                if (first_failed) {
                        snprintf(res->message, sizeof(res->message),
                                 "%zu of %zu checks failed; first: %s: expected %s, got %s", failed,
                                 res->n_checks, first_failed->what, first_failed->expected,
                                 first_failed->got);
                        snprintf(res->where, sizeof(res->where), "%s:%d", first_failed->file,
                                 first_failed->line);
                } else {
                        snprintf(res->message, sizeof(res->message),
                                 "a check beyond the first %d failed", ISO_MAX_CHECKS);
                }
        } else if (end_kind == ISO_SKIP) {
                res->verdict = ISO_SKIP;
                snprintf(res->message, sizeof(res->message), "%s", sh->end_message);
                snprintf(res->where, sizeof(res->where), "%s", sh->end_where);
        } else if (res->n_checks == 0) {
                res->verdict = ISO_ERROR;
                snprintf(res->message, sizeof(res->message),
                         "the case ended without recording a check");
        } else {
                res->verdict = ISO_PASS;
        }

        if (*leaks && res->verdict == ISO_ERROR) {
                /* The case broke first: its cause leads, what it left follows. */
                iso_appendf(res->message, sizeof(res->message), "; it also left behind: %s", leaks);
        } else if (*leaks) {
                char prev[sizeof(res->message)];
                iso_strlcpy(prev, res->message, sizeof(prev));
                res->message[0] = '\0';
                iso_appendf(res->message, sizeof(res->message), "left behind: %s", leaks);
                if (*prev)
                        iso_appendf(res->message, sizeof(res->message), "; %s", prev);
                res->verdict = ISO_ERROR;
        }
}

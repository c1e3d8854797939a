// SPDX-License-Identifier: MIT
#include "isocheck/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isocheck/ns.h"

/* Where what tools print is copied as it arrives (iso_tool_echo_to), and how much went. */
static int echo_fd = -1;
static size_t echo_total;
static char echo_last[64];

void iso_tool_echo_to(int fd)
{
        echo_fd = fd;
        echo_total = 0;
        echo_last[0] = '\0';
}

void iso_tool_echo(const char *name, const char *buf, size_t n)
{
        if (echo_fd < 0 || !n || echo_total >= ISO_TOOL_ECHO_MAX)
                return;
        char line[128];
        /* A header whenever the writer changes: two tools' output may interleave. */
        if (strncmp(echo_last, name, sizeof(echo_last) - 1) != 0) {
                snprintf(echo_last, sizeof(echo_last), "%s", name);
                int len = snprintf(line, sizeof(line), "--- output of %s ---\n", echo_last);
                (void)iso_write_all(echo_fd, line, (size_t)len);
        }
        if (n > ISO_TOOL_ECHO_MAX - echo_total)
                n = ISO_TOOL_ECHO_MAX - echo_total;
        (void)iso_write_all(echo_fd, buf, n);
        echo_total += n;
        if (echo_total >= ISO_TOOL_ECHO_MAX) {
                int len = snprintf(line, sizeof(line),
                                   "\n--- (tool output past %d KiB not kept here) ---\n",
                                   ISO_TOOL_ECHO_MAX / 1024);
                (void)iso_write_all(echo_fd, line, (size_t)len);
        }
}

int iso_tool_start(char *const argv[], struct iso_tool_proc *tp, struct iso_err *e)
{
        return iso_tool_start_in(0, 0, argv, tp, e);
}

int iso_tool_start_in(pid_t target, int types, char *const argv[], struct iso_tool_proc *tp,
                      struct iso_err *e)
{
        int in[2], out[2];
        tp->pid = -1;
        tp->in_fd = tp->out_fd = -1;
        snprintf(tp->name, sizeof(tp->name), "%s", argv[0]);
        if (pipe2(in, O_CLOEXEC) < 0)
                return iso_errf(e, errno, "pipe2");
        if (pipe2(out, O_CLOEXEC) < 0) {
                int saved = errno;
                close(in[0]);
                close(in[1]);
                return iso_errf(e, saved, "pipe2");
        }
        fflush(NULL);
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) {
                /* Own group, so anything it spawns is killed with it; default signals. */
                setpgid(0, 0);
                /* Dies with whoever started it, even one killed outright (the case, itself
                 * killed with the runner): a tool is never left to run alone. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(126);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                signal(SIGPIPE, SIG_DFL);
                dup2(in[0], STDIN_FILENO);
                dup2(out[1], STDOUT_FILENO);
                dup2(out[1], STDERR_FILENO);
                struct iso_err je = {0};
                if (target > 0 && iso_ns_join(target, types, 0, &je) < 0) {
                        fprintf(stderr, "%s\n", je.msg);
                        _exit(126);
                }
                execvp(argv[0], argv);
                fprintf(stderr, "execvp %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        int saved = errno;
        close(in[0]);
        close(out[1]);
        if (pid < 0) {
                close(in[1]);
                close(out[0]);
                return iso_errf(e, saved, "fork for %s", argv[0]);
        }
        setpgid(pid, pid); /* also from this side: the group exists before any kill */
        tp->pid = pid;
        tp->in_fd = in[1];
        tp->out_fd = out[0];
        return 0;
}

size_t iso_tool_read(struct iso_tool_proc *tp, const char *until, char *out, size_t size,
                     double deadline)
{
        size_t used = 0;
        if (size)
                out[0] = '\0';
        while (tp->out_fd >= 0) {
                double left = deadline - iso_now();
                if (left <= 0)
                        break;
                struct pollfd pfd = {.fd = tp->out_fd, .events = POLLIN};
                int r = poll(&pfd, 1, (int)(left * 1000) + 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                char chunk[4096];
                ssize_t got = read(tp->out_fd, chunk, sizeof(chunk));
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0)
                        break;
                size_t n = size && (size_t)got > size - 1 - used ? size - 1 - used : (size_t)got;
                memcpy(out + used, chunk, n);
                used += n;
                iso_tool_echo(tp->name, chunk, (size_t)got);
                if (until && size) {
                        out[used] = '\0';
                        if (strstr(out, until))
                                break;
                }
        }
        if (size)
                out[used] = '\0';
        return used;
}

int iso_tool_finish(struct iso_tool_proc *tp, double deadline, int *timed_out)
{
        if (timed_out)
                *timed_out = 0;
        if (tp->in_fd >= 0) {
                close(tp->in_fd);
                tp->in_fd = -1;
        }
        int status = -1;
        if (tp->pid > 0) {
                /* WNOWAIT keeps the finished leader a zombie, so its PID (and the group
                 * ID) cannot be reused before the group kill below. */
                for (;;) {
                        siginfo_t si;
                        memset(&si, 0, sizeof(si));
                        if (waitid(P_PID, (id_t)tp->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        if (si.si_pid == tp->pid)
                                break;
                        if (iso_now() >= deadline) {
                                kill(tp->pid, SIGKILL);
                                if (timed_out)
                                        *timed_out = 1;
                                break;
                        }
                        struct timespec ts = {0, 5 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                }
                kill(-tp->pid, SIGKILL);
                while (waitpid(tp->pid, &status, 0) < 0 && errno == EINTR)
                        ;
                tp->pid = -1;
        }
        if (tp->out_fd >= 0) {
                close(tp->out_fd);
                tp->out_fd = -1;
        }
        return status;
}

/* write(2) to a pipe whose reader may be gone, without dying of SIGPIPE. */
static void write_quietly(int fd, const char *buf, size_t n)
{
        sigset_t pipe_only, old;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        sigprocmask(SIG_BLOCK, &pipe_only, &old);
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EPIPE) {
                struct timespec zero = {0, 0};
                sigtimedwait(&pipe_only, NULL, &zero); /* consume the pending SIGPIPE */
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
}

int iso_tool_run(char *const argv[], const char *input, char *out, size_t size, double timeout_s,
                 int *timed_out, struct iso_err *e)
{
        struct iso_tool_proc tp;
        if (iso_tool_start(argv, &tp, e) < 0)
                return -1;
        /* An empty pipe takes 4096 bytes without blocking (pipe(7)). */
        if (input) {
                size_t n = strlen(input);
                if (n > 4096)
                        n = 4096;
                if (n)
                        write_quietly(tp.in_fd, input, n);
        }
        close(tp.in_fd);
        tp.in_fd = -1;
        double deadline = iso_now() + timeout_s;
        iso_tool_read(&tp, NULL, out, size, deadline);
        return iso_tool_finish(&tp, deadline, timed_out);
}

int iso_tool_has_option(const char *tool, const char *option)
{
        char *argv[] = {(char *)tool, "--help", NULL};
        static char out[32768];
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 2.0, NULL, NULL);
        if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
                return -1;
        return strstr(out, option) != NULL;
}

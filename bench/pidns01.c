// SPDX-License-Identifier: MIT
/*
 * The yardstick of `isocheck --filter pidns.init.pid1` in `make bench`: what LTP's pidns01
 * checks, written here from its description, not its code (LTP is not packaged in Debian
 * 12): a child cloned into a new PID namespace is PID 1 there with parent PID 0. Static,
 * like iso-true, so its time is the kernel's work plus libc's start-up. Exit 0 when the
 * check holds (LTP's TPASS), 1 when not (TFAIL), 2 when clone fails (TBROK).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 * 1024];

static int child(void *arg)
{
        (void)arg;
        return getpid() == 1 && getppid() == 0 ? 0 : 1;
}

int main(void)
{
        pid_t pid = clone(child, stack + sizeof(stack), CLONE_NEWPID | SIGCHLD, NULL);
        if (pid < 0) {
                perror("pidns01: clone(CLONE_NEWPID)");
                return 2;
        }
        int st = 0;
        if (waitpid(pid, &st, 0) < 0) {
                perror("pidns01: waitpid");
                return 2;
        }
        int pass = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        printf("pidns01: %s\n", pass ? "TPASS: the child is PID 1 with parent 0"
                                     : "TFAIL: the child is not PID 1 with parent 0");
        return pass ? 0 : 1;
}

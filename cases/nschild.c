// SPDX-License-Identifier: MIT
/* The child that looks from inside a new namespace (nschild.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/util.h"
#include "nschild.h"

int ns_child_look(struct iso_t *t, const char *what, int (*fn)(void *arg, void *answer), void *arg,
                  void *answer, size_t size, double timeout_s)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                iso_broken(t, "%s: pipe2: %s", what, strerror(errno));
        pid_t pid = fork();
        if (pid < 0)
                iso_broken(t, "%s: fork: %s", what, strerror(errno));
        if (pid == 0) {
                close(fds[0]);
                int rc = fn(arg, answer);
                if (iso_write_all(fds[1], &rc, sizeof(rc)) < 0 ||
                    iso_write_all(fds[1], answer, size) < 0)
                        _exit(2);
                _exit(0);
        }
        close(fds[1]);
        int rc = -1;
        size_t got = 0, want = sizeof(rc) + size;
        char *buf = answer;
        double deadline = iso_now() + timeout_s;
        /* Bounded by the deadline: the pipe ends when the child exits. */
        while (got < want && iso_now() < deadline) {
                struct pollfd p = {.fd = fds[0], .events = POLLIN};
                int ms = (int)((deadline - iso_now()) * 1000) + 1;
                if (poll(&p, 1, ms) <= 0)
                        continue;
                ssize_t n = got < sizeof(rc) ? read(fds[0], (char *)&rc + got, sizeof(rc) - got)
                                             : read(fds[0], buf + got - sizeof(rc), want - got);
                if (n <= 0 && !(n < 0 && errno == EINTR))
                        break;
                if (n > 0)
                        got += (size_t)n;
        }
        close(fds[0]);
        if (got < want)
                kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (got < want)
                iso_broken(t,
                           "%s: expected %zu bytes from the child inside the namespace, got %zu "
                           "(wait status 0x%x%s)",
                           what, want, got, status,
                           iso_now() >= deadline ? ", killed at the time limit" : "");
        return rc;
}

int ns_write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return errno;
        size_t len = strlen(text);
        ssize_t n = write(fd, text, len);
        int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
        close(fd);
        return err;
}

int ns_read_file(const char *path, char *buf, size_t size)
{
        buf[0] = '\0';
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno;
        size_t got = 0;
        for (ssize_t n; got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) != 0;) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;
                        close(fd);
                        return err;
                }
                got += (size_t)n;
        }
        buf[got] = '\0';
        close(fd);
        return 0;
}

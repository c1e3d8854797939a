// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the capture analysis (capture.c, iso_capture_analyze) on any file:
 * pcap and pcapng headers, every link type, records cut short, IPv4/IPv6 and TCP headers
 * whose lengths lie. The input is written to a temporary file
 * /tmp/isocheck-fuzz-<pid>-XXXXXX (removed after each input; harness/tests/fuzz_smoke.sh
 * removes what a crashed run left) and analysed for port 8000, the lab app's.
 *
 * ASan watches every read of a packet against what libpcap handed over; the summary must
 * add up (no count above the TCP segments, none above the records), and a failure must
 * say why.
 */
#include "isocheck/capture.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why)
{
        fprintf(stderr, "fuzz_pcap: %s\n", why);
        abort();
}

/* Write @data to a new temporary file; its path goes to @path. Returns 0 or -1. */
static int write_temp(const uint8_t *data, size_t size, char *path, size_t path_size)
{
        int fd;

        snprintf(path, path_size, "/tmp/isocheck-fuzz-%d-XXXXXX", (int)getpid());
        fd = mkstemp(path);
        if (fd < 0)
                return -1;
        for (size_t off = 0; off < size;) {
                ssize_t w = write(fd, data + off, size - off);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        close(fd);
                        unlink(path);
                        return -1;
                }
                off += (size_t)w;
        }
        return close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct iso_capture_summary s;
        struct iso_err e = {0};
        char path[64];
        int rc;

        if (write_temp(data, size, path, sizeof(path)))
                return 0;
        rc = iso_capture_analyze(path, 8000, &s, &e);
        unlink(path);
        if (rc < 0) {
                if (!e.errnum || !e.msg[0] || !memchr(e.msg, '\0', sizeof(e.msg)))
                        bad("a failed analysis without a reason");
                return 0;
        }
        if (s.packets < 0 || s.tcp < 0 || s.tcp > s.packets || s.syns < 0 || s.syns > s.tcp ||
            s.requests < 0 || s.requests > s.tcp || s.responses_200 < 0 ||
            s.responses_200 > s.tcp || s.bad_checksums < 0 || s.bad_checksums > s.tcp)
                bad("summary counts do not add up");
        return 0;
}

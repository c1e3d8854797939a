// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the frames the VM guest sends (harness/vm/console.c,
 * iso_vm_frames_parse), whose bodies go through base64 and zlib's crc32() (codec.c).
 *
 * The input is the data port's capture. Whatever parses must come back unchanged when
 * written again (iso_vm_frame_write) and parsed a second time: the same names, sizes and
 * bytes; a damaged frame is refused with a message, never read past.
 */
#include "isocheck/vm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((noreturn)) bad(const char *why, const char *name)
{
        fprintf(stderr, "fuzz_vm_frames: %s: %s\n", why, name);
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct iso_vm_file files[MAX_FILES], again[MAX_FILES];
        struct iso_err e = {0};
        long n = iso_vm_frames_parse((const char *)data, size, files, MAX_FILES, &e);

        if (n < 0) {
                if (!e.msg[0])
                        bad("refused without a message", "-");
                return 0;
        }
        int fd = memfd_create("frames", MFD_CLOEXEC);

        if (fd < 0)
                abort();
        for (long i = 0; i < n; i++)
                if (iso_vm_frame_write(fd, files[i].name, files[i].data, files[i].len, &e) < 0)
                        bad("a parsed file could not be written again", files[i].name);
        off_t len = lseek(fd, 0, SEEK_END);
        char *buf = malloc((size_t)len + 1);

        if (len < 0 || !buf || pread(fd, buf, (size_t)len, 0) != len)
                abort();
        long m = iso_vm_frames_parse(buf, (size_t)len, again, MAX_FILES, &e);

        if (m != n)
                bad("a written frame did not parse back", e.msg);
        for (long i = 0; i < n; i++) {
                if (strcmp(files[i].name, again[i].name) || files[i].len != again[i].len ||
                    memcmp(files[i].data, again[i].data, files[i].len))
                        bad("a file changed on the way round", files[i].name);
                if (iso_vm_crc32(0, files[i].data, files[i].len) !=
                    iso_vm_crc32(0, again[i].data, again[i].len))
                        bad("the CRC-32 of equal bytes differs", files[i].name);
        }
        iso_vm_files_free(files, (size_t)n);
        iso_vm_files_free(again, (size_t)m);
        free(buf);
        close(fd);
        return 0;
}

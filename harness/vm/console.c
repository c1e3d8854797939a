// SPDX-License-Identifier: MIT
/*
 * Reading what the guest says: the serial console, followed line by line as it arrives,
 * and the frames of the data port, decoded once the VM is gone. The frame format is
 * isocheck's own (vm.h), so its parser is too; the CRC-32 it checks is zlib's.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void iso_vm_console_init(struct iso_vm_console *c)
{
        memset(c, 0, sizeof(*c));
        c->suite_status = -1;
}

static void copy_from(char *dst, size_t size, const char *src)
{
        iso_strlcpy(dst, src, size);
}

static void judge_line(struct iso_vm_console *c, const char *line, double now)
{
        const char *m;

        if (!*line)
                return;
        copy_from(c->last, sizeof(c->last), line);
        /* Firmware may leave escape sequences before the kernel's first line: search. */
        if (!c->t_kernel && strstr(line, "Linux version "))
                c->t_kernel = now;
        if (!c->t_panic && (m = strstr(line, "Kernel panic - not syncing"))) {
                c->t_panic = now;
                copy_from(c->panic, sizeof(c->panic), m);
        }
        if ((m = strstr(line, ISO_VM_MARK))) {
                if (!c->t_init && !strncmp(m, ISO_VM_MARK_INIT, strlen(ISO_VM_MARK_INIT)))
                        c->t_init = now;
                else if (!c->t_suite && !strncmp(m, ISO_VM_MARK_SUITE, strlen(ISO_VM_MARK_SUITE)))
                        c->t_suite = now;
                else if (!c->t_exit && !strncmp(m, ISO_VM_MARK_EXIT, strlen(ISO_VM_MARK_EXIT))) {
                        c->t_exit = now;
                        c->suite_status = atoi(m + strlen(ISO_VM_MARK_EXIT));
                } else if (!c->t_sent && !strncmp(m, ISO_VM_MARK_SENT, strlen(ISO_VM_MARK_SENT)))
                        c->t_sent = now;
                else if (!c->t_off && !strncmp(m, ISO_VM_MARK_OFF, strlen(ISO_VM_MARK_OFF)))
                        c->t_off = now;
                else if (!c->init_error[0] &&
                         !strncmp(m, ISO_VM_MARK_ERROR, strlen(ISO_VM_MARK_ERROR)))
                        copy_from(c->init_error, sizeof(c->init_error),
                                  m + strlen(ISO_VM_MARK_ERROR));
                else if (!strncmp(m, ISO_VM_MARK_WARNING, strlen(ISO_VM_MARK_WARNING)))
                        /* What the init could not set up belongs in the report, not only
                         * in console.log: a case's skip may rest on it. */
                        iso_appendf(c->warnings, sizeof(c->warnings), "%s%s",
                                    c->warnings[0] ? "; " : "", m + strlen(ISO_VM_MARK_WARNING));
        }
}

void iso_vm_console_feed(struct iso_vm_console *c, const char *data, size_t len, double now)
{
        c->bytes += len;
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char)data[i];

                if (ch == '\n') {
                        c->part[c->part_len] = '\0';
                        judge_line(c, c->part, now);
                        c->part_len = 0;
                        continue;
                }
                if (ch < 0x20 || ch == 0x7f)
                        continue; /* \r, escape sequences' ESC, NULs */
                if (c->part_len < sizeof(c->part) - 1)
                        c->part[c->part_len++] = (char)ch;
        }
}

void iso_vm_files_free(struct iso_vm_file *files, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(files[i].data);
                files[i].data = NULL;
        }
}

/* The largest file a frame may announce: far above any report, far below the RAM. */
#define FRAME_MAX_SIZE (256u << 20)

struct frame {
        struct iso_vm_file *f;
        size_t size;
        unsigned int crc;
        size_t line; /* of the begin marker */
};

static int parse_begin(const char *line, struct frame *fr, struct iso_err *e, size_t lineno)
{
        char name[ISO_VM_NAME_MAX + 2];
        unsigned long long size;
        unsigned int crc;
        int used = 0;
        const char *args = line + strlen(ISO_VM_FRAME_BEGIN);

        if (sscanf(args, "%201s %llu %8x ===%n", name, &size, &crc, &used) != 3 || !used ||
            args[used] != '\0')
                return iso_errf(e, EBADMSG,
                                "line %zu: expected \"%sNAME SIZE CRC32 ===\", got \"%.80s\"",
                                lineno, ISO_VM_FRAME_BEGIN, line);
        if (!iso_vm_name_ok(name))
                return iso_errf(e, EBADMSG, "line %zu: frame name \"%.60s\" refused", lineno, name);
        if (size > FRAME_MAX_SIZE)
                return iso_errf(e, EBADMSG, "frame %s: %llu bytes announced, at most %u expected",
                                name, size, FRAME_MAX_SIZE);
        iso_strlcpy(fr->f->name, name, sizeof(fr->f->name));
        fr->f->data = malloc((size_t)size + 1);
        if (!fr->f->data)
                return iso_errf(e, ENOMEM, "frame %s: %llu bytes", name, size);
        fr->f->len = 0;
        fr->size = (size_t)size;
        fr->crc = crc;
        fr->line = lineno;
        return 0;
}

static int parse_end(const char *line, struct frame *fr, struct iso_err *e, size_t lineno)
{
        char want[ISO_VM_NAME_MAX + 64];
        struct iso_vm_file *f = fr->f;

        snprintf(want, sizeof(want), "%s%s ===", ISO_VM_FRAME_END, f->name);
        if (strcmp(line, want))
                return iso_errf(e, EBADMSG, "line %zu: expected \"%s\", got \"%.80s\"", lineno,
                                want, line);
        unsigned int crc = iso_vm_crc32(0, f->data, f->len);

        if (f->len != fr->size || crc != fr->crc)
                return iso_errf(e, EBADMSG,
                                "frame %s (line %zu): expected %zu bytes with CRC-32 %08x, got "
                                "%zu bytes with CRC-32 %08x",
                                f->name, fr->line, fr->size, fr->crc, f->len, crc);
        f->data[f->len] = '\0';
        return 0;
}

static int parse_body(const char *line, size_t n, struct frame *fr, struct iso_err *e,
                      size_t lineno)
{
        unsigned char out[ISO_VM_FRAME_LINE];
        struct iso_vm_file *f = fr->f;

        if (n > ISO_VM_FRAME_LINE)
                return iso_errf(e, EBADMSG,
                                "frame %s, line %zu: expected at most %d base64 characters, got "
                                "%zu",
                                f->name, lineno, ISO_VM_FRAME_LINE, n);
        ssize_t got = iso_vm_b64_decode(line, n, out);

        if (got < 0)
                return iso_errf(e, EBADMSG, "frame %s, line %zu: expected base64, got \"%.80s\"",
                                f->name, lineno, line);
        if (f->len + (size_t)got > fr->size)
                return iso_errf(e, EBADMSG, "frame %s, line %zu: more than the %zu bytes announced",
                                f->name, lineno, fr->size);
        memcpy(f->data + f->len, out, (size_t)got);
        f->len += (size_t)got;
        return 0;
}

long iso_vm_frames_parse(const char *stream, size_t len, struct iso_vm_file *files, size_t max,
                         struct iso_err *e)
{
        long n = 0;
        int inside = 0;
        struct frame fr = {0};
        size_t lineno = 0;
        char line[512];

        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(stream + pos, '\n', len - pos);
                size_t end = nl ? (size_t)(nl - stream) : len, used = 0, kept = 0;

                lineno++;
                for (size_t i = pos; i < end; i++) {
                        if (stream[i] == '\r')
                                continue;
                        if (used < sizeof(line) - 1)
                                line[used++] = stream[i];
                        kept++;
                }
                line[used] = '\0';
                pos = end + 1;
                int is_begin = !strncmp(line, ISO_VM_FRAME_BEGIN, strlen(ISO_VM_FRAME_BEGIN));
                int rc = 0;

                if (!inside) {
                        if (!is_begin)
                                continue;
                        if ((size_t)n >= max) {
                                rc = iso_errf(e, ENOSPC, "line %zu: more than %zu frames", lineno,
                                              max);
                        } else {
                                fr.f = &files[n];
                                fr.f->data = NULL;
                                rc = parse_begin(line, &fr, e, lineno);
                                if (rc == 0)
                                        inside = 1;
                        }
                } else if (is_begin) {
                        rc = iso_errf(e, EBADMSG,
                                      "line %zu: expected the end of frame %s, got "
                                      "the begin of another",
                                      lineno, fr.f->name);
                } else if (!strncmp(line, ISO_VM_FRAME_END, strlen(ISO_VM_FRAME_END))) {
                        rc = parse_end(line, &fr, e, lineno);
                        if (rc == 0) {
                                inside = 0;
                                n++;
                                fr.f = NULL;
                        }
                } else {
                        rc = parse_body(line, kept, &fr, e, lineno);
                }
                if (rc < 0) {
                        if (fr.f) { /* the frame being read, or whose begin failed */
                                free(fr.f->data);
                                fr.f->data = NULL;
                        }
                        iso_vm_files_free(files, (size_t)n);
                        return -1;
                }
        }
        if (inside) {
                iso_errf(e, EBADMSG,
                         "frame %s (line %zu): expected its end marker, the stream "
                         "ended after %zu bytes",
                         fr.f->name, fr.line, len);
                free(fr.f->data);
                fr.f->data = NULL;
                iso_vm_files_free(files, (size_t)n);
                return -1;
        }
        return n;
}

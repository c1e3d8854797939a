// SPDX-License-Identifier: MIT
/*
 * CRC-32, base64 and the framing of files on the guest's data port. Linked into both the
 * host program and the static guest init, so it uses libc and zlib only (zlib1g-dev ships
 * libz.a, so the static init links it too). CRC-32 is zlib's crc32(). Base64 and the frames
 * stay our own: no Debian library with a static archive does RFC 4648 base64 in a few
 * lines, and the frame format is isocheck's own.
 */
#include "isocheck/vm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

uint32_t iso_vm_crc32(uint32_t crc, const void *data, size_t len)
{
        /* zlib's crc32() takes at most UINT_MAX bytes a call: feed larger buffers in steps. */
        const unsigned char *p = data;
        uLong c = crc;

        while (len) {
                uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

                c = crc32(c, p, n);
                p += n;
                len -= n;
        }
        return (uint32_t)c;
}

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t iso_vm_b64_encode(const void *in, size_t len, char *out)
{
        const unsigned char *p = in;
        size_t o = 0, i = 0;

        for (; i + 3 <= len; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

                out[o++] = b64_alphabet[v >> 18];
                out[o++] = b64_alphabet[(v >> 12) & 63];
                out[o++] = b64_alphabet[(v >> 6) & 63];
                out[o++] = b64_alphabet[v & 63];
        }
        if (len - i == 1) {
                uint32_t v = (uint32_t)p[i] << 16;

                out[o++] = b64_alphabet[v >> 18];
                out[o++] = b64_alphabet[(v >> 12) & 63];
                out[o++] = '=';
                out[o++] = '=';
        } else if (len - i == 2) {
                uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

                out[o++] = b64_alphabet[v >> 18];
                out[o++] = b64_alphabet[(v >> 12) & 63];
                out[o++] = b64_alphabet[(v >> 6) & 63];
                out[o++] = '=';
        }
        out[o] = '\0';
        return o;
}

static int b64_value(char ch)
{
        if (ch >= 'A' && ch <= 'Z')
                return ch - 'A';
        if (ch >= 'a' && ch <= 'z')
                return ch - 'a' + 26;
        if (ch >= '0' && ch <= '9')
                return ch - '0' + 52;
        if (ch == '+')
                return 62;
        if (ch == '/')
                return 63;
        return -1;
}

ssize_t iso_vm_b64_decode(const char *in, size_t len, unsigned char *out)
{
        size_t o = 0;

        if (len % 4)
                return -1;
        for (size_t i = 0; i < len; i += 4) {
                int v[4], pad = 0;
                int last = i + 4 == len;

                for (int k = 0; k < 4; k++) {
                        if (in[i + k] == '=' && last && k >= 2) {
                                v[k] = 0;
                                pad++;
                                continue;
                        }
                        if (pad) /* "=" followed by a character */
                                return -1;
                        v[k] = b64_value(in[i + k]);
                        if (v[k] < 0)
                                return -1;
                }
                uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                             (uint32_t)v[3];

                out[o++] = (unsigned char)(w >> 16);
                if (pad < 2)
                        out[o++] = (unsigned char)(w >> 8);
                if (pad < 1)
                        out[o++] = (unsigned char)w;
        }
        return (ssize_t)o;
}

int iso_vm_name_ok(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > ISO_VM_NAME_MAX || name[0] == '/')
                return 0;
        for (size_t i = 0; i < n; i++) {
                char ch = name[i];

                if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || strchr("._+-/", ch)))
                        return 0;
        }
        /* Components "." and "..", and empty ones ("a//b", "a/"). */
        for (const char *c = name; *c;) {
                size_t len = strcspn(c, "/");

                if (len == 0 || (len == 1 && c[0] == '.') ||
                    (len == 2 && c[0] == '.' && c[1] == '.'))
                        return 0;
                c += len;
                if (*c == '/' && !*++c)
                        return 0;
        }
        return 1;
}

static int data_write(int fd, const void *buf, size_t len, struct iso_err *e)
{
        if (iso_write_all(fd, buf, len) < 0)
                return iso_errf(e, errno, "write to the data port");
        return 0;
}

int iso_vm_frame_write(int fd, const char *name, const void *data, size_t len, struct iso_err *e)
{
        char head[ISO_VM_NAME_MAX + 96];
        /* 48 lines of 76 characters (57 input bytes each) per write. */
        enum { IN_LINE = ISO_VM_FRAME_LINE / 4 * 3, LINES = 48 };
        char buf[LINES * (ISO_VM_FRAME_LINE + 1) + 1];
        const unsigned char *p = data;

        if (!iso_vm_name_ok(name))
                return iso_errf(e, EINVAL, "frame name \"%.60s\" refused", name);
        snprintf(head, sizeof(head), "%s%s %zu %08x ===\n", ISO_VM_FRAME_BEGIN, name, len,
                 (unsigned int)iso_vm_crc32(0, data, len));
        if (data_write(fd, head, strlen(head), e) < 0)
                return -1;
        for (size_t off = 0; off < len;) {
                size_t used = 0;

                for (int l = 0; l < LINES && off < len; l++) {
                        size_t n = len - off < IN_LINE ? len - off : IN_LINE;

                        used += iso_vm_b64_encode(p + off, n, buf + used);
                        buf[used++] = '\n';
                        off += n;
                }
                if (data_write(fd, buf, used, e) < 0)
                        return -1;
        }
        snprintf(head, sizeof(head), "%s%s ===\n", ISO_VM_FRAME_END, name);
        return data_write(fd, head, strlen(head), e);
}

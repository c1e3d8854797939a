// SPDX-License-Identifier: MIT
/*
 * A sidecar's capture as the page's ladder diagram: the segments of one TCP conversation
 * (SYN, SYN-ACK, the request, the 200...) between a client and a server, read with libpcap
 * through iso_capture_each. The first SYN picks the conversation, so traffic captured
 * around it (another connection, a retransmitted handshake of an old one) does not hide
 * the exchange the case made.
 */
#include "evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isocheck/capture.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
/* Segments held while looking for the first SYN: more are counted, not kept. */
#define MAX_HELD 4096

struct seg {
        double t;
        char from[64], to[64];
        char label[72];
        const char *kind;
        size_t len;
        int syn; /* a SYN without ACK: a connection attempt */
};

struct held {
        struct seg *s;
        size_t n;
};

static void endpoint(char *out, size_t size, const char *addr, unsigned port)
{
        snprintf(out, size, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}

/* "SYN", "SYN-ACK", "FIN-ACK", "RST", "ACK"...: the flags people name a segment by. */
static void flag_label(char *out, size_t size, unsigned f)
{
        const char *first = f & TCP_SYN ? "SYN" : f & TCP_FIN ? "FIN" : f & TCP_RST ? "RST" : NULL;

        if (first)
                snprintf(out, size, "%s%s", first, f & TCP_ACK ? "-ACK" : "");
        else
                snprintf(out, size, "%s", f & TCP_ACK ? "ACK" : "(no flags)");
}

/* The payload's first line, printable ASCII only (the JSON stays clean whatever was sent). */
static void payload_label(char *out, size_t size, const uint8_t *p, size_t cap, size_t len)
{
        size_t o = 0;

        for (size_t i = 0; i < cap && o + 1 < size && p[i] != '\r' && p[i] != '\n'; i++)
                out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
        out[o] = '\0';
        if (o == 0)
                snprintf(out, size, "%zu bytes of data", len);
}

static int hold(void *arg, const struct iso_tcp_segment *t)
{
        struct held *h = arg;

        if (h->n == MAX_HELD)
                return 1;

        struct seg *s = &h->s[h->n++];

        memset(s, 0, sizeof(*s));
        s->t = t->t;
        s->len = t->len;
        endpoint(s->from, sizeof(s->from), t->src, t->sport);
        endpoint(s->to, sizeof(s->to), t->dst, t->dport);
        s->syn = (t->flags & TCP_SYN) && !(t->flags & TCP_ACK);
        if (t->len && t->payload) {
                payload_label(s->label, sizeof(s->label), t->payload, t->payload_cap, t->len);
                if (iso_capture_is_http_request(t->payload, t->payload_cap))
                        s->kind = "request";
                else if (t->payload_cap >= 7 && memcmp(t->payload, "HTTP/1.", 7) == 0)
                        s->kind = "response";
                else
                        s->kind = "data";
        } else {
                flag_label(s->label, sizeof(s->label), t->flags);
                s->kind = "control";
        }
        return 0;
}

static struct json_object *str(const char *s)
{
        return iso_evidence_string(s, strlen(s));
}

struct json_object *iso_evidence_ladder(const char *path, const char *name, const char *shown)
{
        struct held h = {.s = calloc(MAX_HELD, sizeof(struct seg))};
        struct iso_err e = {0};
        long records = 0;
        struct json_object *o = json_object_new_object(), *pk = json_object_new_array();

        if (!h.s || !o || !pk) {
                free(h.s);
                json_object_put(o);
                json_object_put(pk);
                return NULL;
        }
        json_object_object_add(o, "name", str(name));
        json_object_object_add(o, "path", str(shown));
        if (iso_capture_each(path, hold, &h, &records, NULL, &e) < 0)
                json_object_object_add(o, "error", str(e.msg));
        json_object_object_add(o, "total", json_object_new_int64(records));

        /* The conversation: the first SYN's two ends, else the first segment's. */
        const struct seg *first = h.n ? &h.s[0] : NULL;

        for (size_t i = 0; i < h.n; i++)
                if (h.s[i].syn) {
                        first = &h.s[i];
                        break;
                }
        size_t drawn = 0, between = 0, syns = 0;

        for (size_t i = 0; i < h.n; i++)
                syns += h.s[i].syn;
        double t0 = 0;

        for (size_t i = 0; first && i < h.n; i++) {
                const struct seg *s = &h.s[i];
                int fwd = !strcmp(s->from, first->from) && !strcmp(s->to, first->to);
                int back = !strcmp(s->from, first->to) && !strcmp(s->to, first->from);

                if (!fwd && !back)
                        continue;
                between++;
                if (drawn == ISO_EVIDENCE_MAX_SEGMENTS)
                        continue;
                if (drawn == 0)
                        t0 = s->t;

                struct json_object *p = json_object_new_object();
                char when[32];

                if (!p)
                        break;
                snprintf(when, sizeof(when), "%.6f", s->t - t0);
                json_object_object_add(p, "t", json_object_new_double_s(s->t - t0, when));
                json_object_object_add(p, "from", str(s->from));
                json_object_object_add(p, "to", str(s->to));
                json_object_object_add(p, "label", str(s->label));
                json_object_object_add(p, "kind", str(s->kind));
                json_object_object_add(p, "len", json_object_new_int64((int64_t)s->len));
                json_object_array_add(pk, p);
                drawn++;
        }
        if (first) {
                struct json_object *ends = json_object_new_array();

                json_object_array_add(ends, str(first->from));
                json_object_array_add(ends, str(first->to));
                json_object_object_add(o, "endpoints", ends);
        }
        json_object_object_add(o, "packets", pk);
        json_object_object_add(o, "truncated", json_object_new_boolean(between > drawn));
        json_object_object_add(o, "connections", json_object_new_int64((int64_t)syns));
        free(h.s);
        return o;
}

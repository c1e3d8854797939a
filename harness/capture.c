// SPDX-License-Identifier: MIT
/*
 * What a sidecar captured, read back with libpcap and decoded by hand down to TCP: enough
 * of each link layer to find the IP header, enough of IP to find TCP, enough of TCP to see
 * handshakes and the first bytes of HTTP exchanges with one port.
 *
 * Every length comes from the packet and every read is checked against the captured
 * length (caplen), never the wire length: a snaplen-cut or hostile record must not make
 * the decoder read past the bytes libpcap handed over.
 *
 * Counting is per record, and there is no deduplication: on the "any" device a packet that
 * crosses two interfaces of the capturing namespace is captured on each, once entering and
 * once leaving. On a Docker-like host (a bridge with the container's veth as a port) every
 * segment to or from the container appears twice: three exchanges give 6 SYNs, 6 requests,
 * 6 responses (fixtures/samples/capture-http-bridge.pcap). libpcap itself drops the outgoing
 * copy on loopback, so lo traffic appears once. Callers that need exact counts capture in
 * the app's own namespace, as the lab's sidecar does, where its traffic crosses one interface.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "isocheck/capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276 /* libpcap < 1.9.1 lacks the name; the value is fixed */
#endif

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define IPPROTO_TCP_NUM 6

#define TCP_SYN 0x02
#define TCP_ACK 0x10

static unsigned get16(const uint8_t *p)
{
        return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One's-complement sum of @len bytes, big-endian words, an odd last byte padded with 0. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t len)
{
        for (; len > 1; p += 2, len -= 2)
                acc += get16(p);
        if (len)
                acc += (uint32_t)p[0] << 8;
        return acc;
}

static unsigned fold(uint32_t acc)
{
        while (acc >> 16)
                acc = (acc & 0xffff) + (acc >> 16);
        return acc;
}

/*
 * A TCP segment verifies when the one's-complement sum over pseudo-header and segment
 * (checksum field included) is 0xffff. @src/@dst are the IP addresses (4 or 16 bytes).
 */
static int tcp_checksum_ok(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *seg,
                           size_t seglen)
{
        uint32_t acc = 0;

        acc = sum16(acc, src, alen);
        acc = sum16(acc, dst, alen);
        /* IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 3 zeros, next header. */
        acc += IPPROTO_TCP_NUM;
        acc += (uint32_t)(seglen & 0xffff) + (uint32_t)(seglen >> 16);
        acc = sum16(acc, seg, seglen);
        return fold(acc) == 0xffff;
}

static const char *const methods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                      "CONNECT", "OPTIONS", "TRACE", "PATCH"};

/* @p (@len captured bytes) starts a request line: METHOD SP ... " HTTP/1." before the EOL. */
static int is_request(const uint8_t *p, size_t len)
{
        size_t i;

        for (i = 0; i < ISO_ARRAY_SIZE(methods); i++) {
                size_t m = strlen(methods[i]);

                if (len > m && memcmp(p, methods[i], m) == 0 && p[m] == ' ')
                        break;
        }
        if (i == ISO_ARRAY_SIZE(methods))
                return 0;

        const uint8_t *eol = memchr(p, '\n', len);
        size_t line = eol ? (size_t)(eol - p) : len;

        return memmem(p, line, " HTTP/1.", 8) != NULL;
}

/* "HTTP/1.0 200" or "HTTP/1.1 200", not the start of a longer number. */
static int is_200(const uint8_t *p, size_t len)
{
        if (len < 12 || (memcmp(p, "HTTP/1.0 200", 12) != 0 && memcmp(p, "HTTP/1.1 200", 12) != 0))
                return 0;
        return len == 12 || p[12] < '0' || p[12] > '9';
}

int iso_capture_is_http_request(const uint8_t *p, size_t len)
{
        return is_request(p, len);
}

/* The walk over one file: who gets each segment, and the record being decoded. */
struct walk {
        iso_capture_fn fn;
        void *arg;
        double t;
        int stop;
};

/*
 * Hand one TCP segment to the walker. @seg holds @cap captured bytes of a segment @seglen
 * long; the checksum is verified only when @verify (not a fragment) and all of it was
 * captured.
 */
static void count_tcp(struct walk *w, const uint8_t *src, const uint8_t *dst, size_t alen,
                      const uint8_t *seg, size_t cap, size_t seglen, int verify)
{
        if (cap < 20 || seglen < 20)
                return;

        struct iso_tcp_segment t = {
                .t = w->t,
                .sport = get16(seg),
                .dport = get16(seg + 2),
                .flags = seg[13],
                .checksum_ok = -1,
        };
        size_t doff = (size_t)(seg[12] >> 4) * 4;

        if (doff < 20 || doff > seglen)
                return;
        inet_ntop(alen == 4 ? AF_INET : AF_INET6, src, t.src, sizeof(t.src));
        inet_ntop(alen == 4 ? AF_INET : AF_INET6, dst, t.dst, sizeof(t.dst));
        if (verify && cap >= seglen)
                t.checksum_ok = tcp_checksum_ok(src, dst, alen, seg, seglen);
        t.len = seglen - doff;
        if (cap > doff) {
                t.payload = seg + doff;
                t.payload_cap = (cap < seglen ? cap : seglen) - doff;
        }
        if (w->fn(w->arg, &t))
                w->stop = 1;
}

/* iso_capture_analyze's walker: counts what a segment to or from its port is. */
struct count {
        struct iso_capture_summary *s;
        unsigned port;
};

static int count_segment(void *arg, const struct iso_tcp_segment *t)
{
        struct count *c = arg;
        struct iso_capture_summary *s = c->s;

        if (t->sport != c->port && t->dport != c->port)
                return 0;
        s->tcp++;
        if (t->checksum_ok == 0)
                s->bad_checksums++;
        if (t->dport == c->port && (t->flags & TCP_SYN) && !(t->flags & TCP_ACK))
                s->syns++;
        if (!t->payload)
                return 0;
        if (t->dport == c->port && is_request(t->payload, t->payload_cap))
                s->requests++;
        else if (t->sport == c->port && is_200(t->payload, t->payload_cap))
                s->responses_200++;
        return 0;
}

static void parse_ipv4(struct walk *w, const uint8_t *p, size_t cap)
{
        if (cap < 20 || p[0] >> 4 != 4)
                return;

        size_t ihl = (size_t)(p[0] & 0x0f) * 4;
        size_t total = get16(p + 2);
        unsigned frag = get16(p + 6);
        int more_fragments = frag & 0x2000;

        if (ihl < 20 || ihl > cap || total < ihl || p[9] != IPPROTO_TCP_NUM)
                return;
        /* Only the first fragment carries the TCP header. */
        if (frag & 0x1fff)
                return;
        /* Ethernet pads short frames: bytes past the IP total length are not the segment. */
        size_t avail = cap < total ? cap : total;

        count_tcp(w, p + 12, p + 16, 4, p + ihl, avail - ihl, total - ihl, !more_fragments);
}

static void parse_ipv6(struct walk *w, const uint8_t *p, size_t cap)
{
        if (cap < 40 || p[0] >> 4 != 6)
                return;

        size_t plen = get16(p + 4);

        /* Extension headers (and jumbograms, payload length 0) are not followed. */
        if (p[6] != IPPROTO_TCP_NUM || plen == 0)
                return;
        size_t avail = cap - 40 < plen ? cap - 40 : plen;

        count_tcp(w, p + 8, p + 24, 16, p + 40, avail, plen, 1);
}

static void parse_ip(struct walk *w, unsigned ethertype, const uint8_t *p, size_t cap)
{
        if (ethertype == ETHERTYPE_IPV4)
                parse_ipv4(w, p, cap);
        else if (ethertype == ETHERTYPE_IPV6)
                parse_ipv6(w, p, cap);
}

/* The address family of a DLT_NULL/DLT_LOOP header, whichever byte order it was written in. */
static unsigned null_family(const uint8_t *p)
{
        uint32_t be = get32(p);
        uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];

        return be <= 0xffff ? be : le;
}

static void parse_packet(struct walk *w, int linktype, const uint8_t *p, size_t cap)
{
        switch (linktype) {
        case DLT_EN10MB: {
                size_t off = 12;
                unsigned type;

                if (cap < 14)
                        return;
                type = get16(p + off);
                /* One 802.1Q (or 802.1ad) tag: 4 bytes before the real EtherType. */
                if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
                        off += 4;
                        if (cap < off + 2)
                                return;
                        type = get16(p + off);
                }
                parse_ip(w, type, p + off + 2, cap - off - 2);
                break;
        }
        case DLT_LINUX_SLL:
                /* packet type, ARPHRD, address length, 8 address bytes, protocol */
                if (cap >= 16)
                        parse_ip(w, get16(p + 14), p + 16, cap - 16);
                break;
        case DLT_LINUX_SLL2:
                /* protocol, reserved, ifindex, ARPHRD, packet type, address length, address */
                if (cap >= 20)
                        parse_ip(w, get16(p), p + 20, cap - 20);
                break;
        case DLT_RAW:
                if (cap >= 1)
                        parse_ip(w, p[0] >> 4 == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, p, cap);
                break;
        case DLT_NULL:
        case DLT_LOOP: {
                if (cap < 4)
                        return;

                /* AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 by OS. */
                unsigned af = null_family(p);

                if (af == 2)
                        parse_ipv4(w, p + 4, cap - 4);
                else if (af == 10 || af == 24 || af == 28 || af == 30)
                        parse_ipv6(w, p + 4, cap - 4);
                break;
        }
        }
}

static int linktype_handled(int lt)
{
        return lt == DLT_EN10MB || lt == DLT_LINUX_SLL || lt == DLT_LINUX_SLL2 || lt == DLT_RAW ||
               lt == DLT_NULL || lt == DLT_LOOP;
}

int iso_capture_each(const char *path, iso_capture_fn fn, void *arg, long *records, int *linktype,
                     struct iso_err *e)
{
        char errbuf[PCAP_ERRBUF_SIZE] = "";
        long n = 0;

        if (records)
                *records = 0;
        /*
         * fopen first, so a missing or unreadable file keeps its errno; pcap_fopen_offline
         * then judges the content. It leaves the FILE to us when it fails.
         */
        FILE *f = fopen(path, "rbe");

        if (!f)
                return iso_errf(e, errno, "open %s", path);

        pcap_t *p = pcap_fopen_offline(f, errbuf);

        if (!p) {
                fclose(f);
                iso_errf(e, 0, "pcap_fopen_offline %s: %s", path, errbuf);
                if (e)
                        e->errnum = EINVAL;
                return -1;
        }

        int lt = pcap_datalink(p);

        if (linktype)
                *linktype = lt;
        if (!linktype_handled(lt)) {
                const char *name = pcap_datalink_val_to_name(lt);

                pcap_close(p);
                return iso_errf(e, EPROTONOSUPPORT, "%s: link type %s (%d)", path,
                                name ? name : "unknown", lt);
        }

        struct pcap_pkthdr *h;
        const u_char *bytes;
        struct walk w = {.fn = fn, .arg = arg};
        int rc = PCAP_ERROR_BREAK;

        while (!w.stop && (rc = pcap_next_ex(p, &h, &bytes)) == 1) {
                n++;
                w.t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
                parse_packet(&w, lt, bytes, h->caplen);
        }
        if (records)
                *records = n;
        if (!w.stop && rc != PCAP_ERROR_BREAK) {
                /* A record cut short (a writer killed mid-record) or a read error. */
                iso_errf(e, 0, "pcap_next_ex %s after %ld records: %s", path, n, pcap_geterr(p));
                if (e)
                        e->errnum = EIO;
                pcap_close(p);
                return -1;
        }
        pcap_close(p);
        return 0;
}

int iso_capture_analyze(const char *path, int port, struct iso_capture_summary *s,
                        struct iso_err *e)
{
        struct count c = {.s = s, .port = (unsigned)port};

        memset(s, 0, sizeof(*s));
        if (port < 1 || port > 65535)
                return iso_errf(e, EINVAL, "analyze %s: port %d", path, port);
        return iso_capture_each(path, count_segment, &c, &s->packets, &s->linktype, e);
}

// SPDX-License-Identifier: MIT
/*
 * Capture analysis: real captures made by this project's app and sidecar, a hand-built
 * capture whose every frame tests one rule, each supported link type, files that are not
 * (whole) captures, and random frames that must never make the decoder read out of bounds.
 *
 * How the real samples were made (root, Debian 12, libpcap 1.10.3, kernel 6.x):
 *   gcc -static -O2 -o app fixtures/app/app.c
 *   gcc -O2 -o sidecar fixtures/sidecar/sidecar.c $(pkg-config --cflags --libs libpcap)
 *   ./app 18000 &
 *   ./sidecar -i lo -f 'tcp port 18000' -w capture-http-lo.pcap -t 20 &   (waited for "ready")
 *   three times, with bash alone (no curl here), the request written in one write(2):
 *     exec 3<>/dev/tcp/127.0.0.1/18000; cat req >&3; head -1 <&3; exec 3<&-
 *   where req holds "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: isocheck-bash\r\n\r\n";
 *   then SIGTERM to the sidecar and the app.
 * capture-http-lo.pcap:   the above; DLT_EN10MB (lo has all-zero MAC headers), 30 records.
 * capture-http-any.pcap:  the same with -i any; DLT_LINUX_SLL, 30 records (libpcap drops the
 *                         outgoing copy of loopback packets, so nothing is seen twice).
 * capture-http-netns.pcap: the lab's layout on port 8000: the app alone in a fresh network
 *                         namespace (only lo up), `sidecar -i any` joined to it with
 *                         nsenter --net=/proc/APP/ns/net (as --network=container:app), three
 *                         bash requests from inside; DLT_LINUX_SLL, 30 records.
 * capture-http-sll2.pcap: tcpdump 4.99.3 -Z root --immediate-mode -i any -y LINUX_SLL2 -U -w
 *                         in another such namespace, same traffic on port 8000. (Without
 *                         --immediate-mode, TPACKET_V3 holds packets until a block retires,
 *                         and a tcpdump stopped half a second after the traffic wrote none.)
 * capture-http-bridge.pcap: `sidecar -i any` on the "host" side of a Docker-like layout: two
 *                         namespaces, a bridge isobr0 (169.254.77.1/24) in the first with one
 *                         end of a veth pair as its port, the other end (169.254.77.2/24) in
 *                         the app's namespace; three requests from the host side. Each segment
 *                         crosses the bridge and the veth port, so it is there twice.
 * Loopback and veth leave TCP checksums to an "offload" that never happens (CHECKSUM_PARTIAL),
 * so every segment of these captures fails verification: counted, never a failure.
 *
 * capture-handmade.pcap is written by this file (build_handmade, see
 * test_handmade_is_reproducible; ISOCHECK_REGEN_SAMPLES=1 rewrites it).
 * capture-not-a-pcap.pcap is a text file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isocheck/capture.h"
#include "samples.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define PORT 8000
#define CLIENT_PORT 41000

static void analyze_ok(const char *path, int port, struct iso_capture_summary *s)
{
        struct iso_err e = {0};

        if (iso_capture_analyze(path, port, s, &e) != 0)
                fail_msg("%s", e.msg);
}

static void analyze_sample(const char *name, int port, struct iso_capture_summary *s)
{
        char path[512];

        sample_path(path, sizeof(path), name);
        analyze_ok(path, port, s);
}

/* ---- frame building ------------------------------------------------------------------ */

struct frame {
        uint8_t b[256];
        size_t len;    /* wire length */
        size_t caplen; /* bytes kept; 0 means len */
};

static const uint8_t v4_client[4] = {169, 254, 10, 2}, v4_app[4] = {169, 254, 10, 1};
static const uint8_t v6_client[16] = {0xfe, 0x80, [15] = 2}, v6_app[16] = {0xfe, 0x80, [15] = 1};

static void put16(uint8_t *p, unsigned v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static uint32_t sum(uint32_t acc, const uint8_t *p, size_t len)
{
        for (; len > 1; p += 2, len -= 2)
                acc += (uint32_t)p[0] << 8 | p[1];
        if (len)
                acc += (uint32_t)p[0] << 8;
        return acc;
}

static unsigned finish(uint32_t acc)
{
        while (acc >> 16)
                acc = (acc & 0xffff) + (acc >> 16);
        return ~acc & 0xffff;
}

struct seg {
        unsigned sport, dport, flags;
        const char *payload;
        int bad_checksum; /* store the right checksum plus one */
};

/* Designated fields, so the flag may be left out (and -Wmissing-field-initializers is quiet). */
#define SEG(sp, dp, fl, pl, ...) \
        ((struct seg){.sport = (sp), .dport = (dp), .flags = (fl), .payload = (pl), __VA_ARGS__})

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08

/* A TCP header (20 bytes, no options) and payload at @p; returns the segment length. */
static size_t put_tcp(uint8_t *p, const struct seg *sg)
{
        size_t plen = sg->payload ? strlen(sg->payload) : 0;

        memset(p, 0, 20);
        put16(p, sg->sport);
        put16(p + 2, sg->dport);
        p[4] = 0x10; /* sequence and ack numbers: arbitrary, fixed */
        p[11] = 0x20;
        p[12] = 5 << 4;
        p[13] = (uint8_t)sg->flags;
        put16(p + 14, 65535);
        memcpy(p + 20, sg->payload ? sg->payload : "", plen);
        return 20 + plen;
}

static void put_tcp_checksum(uint8_t *tcp, size_t seglen, const uint8_t *src, const uint8_t *dst,
                             size_t alen, int bad)
{
        uint32_t acc = sum(0, src, alen);

        acc = sum(acc, dst, alen);
        acc += 6 + (uint32_t)seglen;
        acc = sum(acc, tcp, seglen);

        unsigned ck = finish(acc);

        put16(tcp + 16, bad ? (ck + 1) & 0xffff : ck);
}

/*
 * An IPv4 packet at @p carrying @sg (or, with @proto not 6, the same bytes as another
 * protocol), with a correct header checksum. @frag is the flags+offset field. Returns the
 * packet length.
 */
static size_t put_ipv4(uint8_t *p, const struct seg *sg, int to_app, unsigned proto, unsigned frag)
{
        size_t seglen = put_tcp(p + 20, sg);
        const uint8_t *src = to_app ? v4_client : v4_app, *dst = to_app ? v4_app : v4_client;

        memset(p, 0, 20);
        p[0] = 0x45;
        put16(p + 2, (unsigned)(20 + seglen));
        put16(p + 4, 0x1234);
        put16(p + 6, frag);
        p[8] = 64;
        p[9] = (uint8_t)proto;
        memcpy(p + 12, src, 4);
        memcpy(p + 16, dst, 4);
        put16(p + 10, finish(sum(0, p, 20)));
        put_tcp_checksum(p + 20, seglen, src, dst, 4, sg->bad_checksum);
        return 20 + seglen;
}

static size_t put_ipv6(uint8_t *p, const struct seg *sg, int to_app)
{
        size_t seglen = put_tcp(p + 40, sg);
        const uint8_t *src = to_app ? v6_client : v6_app, *dst = to_app ? v6_app : v6_client;

        memset(p, 0, 40);
        p[0] = 0x60;
        put16(p + 4, (unsigned)seglen);
        p[6] = 6;
        p[7] = 64;
        memcpy(p + 8, src, 16);
        memcpy(p + 24, dst, 16);
        put_tcp_checksum(p + 40, seglen, src, dst, 16, sg->bad_checksum);
        return 40 + seglen;
}

/* Ethernet header with @type (after one 802.1Q tag when @vlan). Returns its length. */
static size_t put_eth(uint8_t *p, unsigned type, int vlan)
{
        static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

        memcpy(p, macs, 12);
        if (vlan) {
                put16(p + 12, 0x8100);
                put16(p + 14, 42); /* priority 0, VLAN 42 */
                put16(p + 16, type);
                return 18;
        }
        put16(p + 12, type);
        return 14;
}

enum ipver { V4, V6 };

static void eth_frame(struct frame *f, enum ipver v, const struct seg *sg, int to_app, int vlan)
{
        size_t off = put_eth(f->b, v == V4 ? 0x0800 : 0x86dd, vlan);

        f->len = off + (v == V4 ? put_ipv4(f->b + off, sg, to_app, 6, 0)
                                : put_ipv6(f->b + off, sg, to_app));
        f->caplen = 0;
}

static void write_pcap(const char *path, int linktype, const struct frame *f, size_t n)
{
        pcap_t *dead = pcap_open_dead(linktype, 65535);

        assert_non_null(dead);

        pcap_dumper_t *d = pcap_dump_open(dead, path);

        if (!d)
                fail_msg("pcap_dump_open %s: %s", path, pcap_geterr(dead));
        for (size_t i = 0; i < n; i++) {
                /* Fixed times keep the file byte-for-byte reproducible. */
                struct pcap_pkthdr h = {.ts = {.tv_sec = 1700000000 + (long)i, .tv_usec = 0},
                                        .caplen =
                                                (bpf_u_int32)(f[i].caplen ? f[i].caplen : f[i].len),
                                        .len = (bpf_u_int32)f[i].len};

                pcap_dump((u_char *)d, &h, f[i].b);
        }
        pcap_dump_close(d);
        pcap_close(dead);
}

/*
 * The hand-built Ethernet capture, one rule per frame. Expected with port 8000:
 * 13 records, 9 TCP segments with the port, 1 SYN, 3 requests, 2 responses 200,
 * 1 bad checksum.
 */
static size_t build_handmade(struct frame *f)
{
        size_t n = 0;
        const struct seg get =
                SEG(CLIENT_PORT, PORT, PSH | ACK, "GET / HTTP/1.0\r\nHost: 169.254.10.1\r\n\r\n");
        const struct seg ok200 = SEG(PORT, CLIENT_PORT, PSH | ACK,
                                     "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nhi\n");

        /* 0: SYN to the app, IPv4, correct checksums: a connection attempt. */
        eth_frame(&f[n++], V4, &SEG(CLIENT_PORT, PORT, SYN, NULL), 1, 0);
        /* 1: SYN+ACK from the app: TCP with the port, not an attempt. */
        eth_frame(&f[n++], V4, &SEG(PORT, CLIENT_PORT, SYN | ACK, NULL), 0, 0);
        /* 2: the request. */
        eth_frame(&f[n++], V4, &get, 1, 0);
        /* 3: the response with a checksum off by one: counted as a response and as bad. */
        eth_frame(&f[n++], V4, &SEG(PORT, CLIENT_PORT, PSH | ACK, ok200.payload, .bad_checksum = 1),
                  0, 0);
        /* 4: a request over IPv6. */
        eth_frame(&f[n++], V6, &get, 1, 0);
        /* 5: a response in a VLAN-tagged frame. */
        eth_frame(&f[n++], V4, &ok200, 0, 1);
        /* 6: UDP to the port, the same bytes as a request: not TCP, not counted. */
        {
                size_t off = put_eth(f[n].b, 0x0800, 0);

                f[n].len = off + put_ipv4(f[n].b + off, &get, 1, 17, 0);
                f[n++].caplen = 0;
        }
        /* 7: cut by a 64-byte snaplen after the request line: still a request; the checksum
         * (deliberately wrong) cannot be verified on part of a segment, so it is not bad. */
        eth_frame(&f[n], V4,
                  &SEG(CLIENT_PORT, PORT, PSH | ACK,
                       "GET /index HTTP/1.1\r\nHost: 169.254.10.1\r\nAccept: */*\r\n\r\n",
                       .bad_checksum = 1),
                  1, 0);
        f[n++].caplen = 14 + 20 + 20 + 21;
        /* 8: cut inside the IP header: a record, nothing more. */
        eth_frame(&f[n], V4, &get, 1, 0);
        f[n++].caplen = 14 + 10;
        /* 9: a non-first fragment whose bytes look like a request: skipped. */
        {
                size_t off = put_eth(f[n].b, 0x0800, 0);

                f[n].len = off + put_ipv4(f[n].b + off, &get, 1, 6, 185);
                f[n++].caplen = 0;
        }
        /* 10: a request between two other ports: not this port's traffic. */
        eth_frame(&f[n++], V4, &SEG(CLIENT_PORT, 9000, PSH | ACK, get.payload), 1, 0);
        /* 11: an ACK padded to the 60-byte Ethernet minimum with non-zero junk: the
         * checksum covers the IP total length only, so it verifies. */
        eth_frame(&f[n], V4, &SEG(CLIENT_PORT, PORT, ACK, NULL), 1, 0);
        memset(f[n].b + f[n].len, 0xa5, 60 - f[n].len);
        f[n++].len = 60;
        /* 12: a 404 from the app: TCP with the port, not a 200. */
        eth_frame(&f[n++], V4, &SEG(PORT, CLIENT_PORT, PSH | ACK, "HTTP/1.0 404 Not Found\r\n\r\n"),
                  0, 0);
        return n;
}

static void check_handmade(const struct iso_capture_summary *s)
{
        assert_int_equal(s->linktype, DLT_EN10MB);
        assert_int_equal(s->packets, 13);
        assert_int_equal(s->tcp, 9);
        assert_int_equal(s->syns, 1);
        assert_int_equal(s->requests, 3);
        assert_int_equal(s->responses_200, 2);
        assert_int_equal(s->bad_checksums, 1);
}

/* A scratch directory for generated captures, emptied and removed by the teardown. */
static char scratch[64];
static const char *const scratch_files[] = {"handmade.pcap", "link.pcap", "wifi.pcap",
                                            "http.pcap",     "cut.pcap",  "hostile.pcap"};

static int setup(void **state)
{
        (void)state;
        iso_strlcpy(scratch, "/tmp/isocheck-capture.XXXXXX", sizeof(scratch));
        return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
        char path[128];

        (void)state;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(scratch_files); i++)
                if (iso_pathf(path, sizeof(path), "%s/%s", scratch, scratch_files[i]) == 0)
                        unlink(path);
        return rmdir(scratch);
}

static void scratch_path(char *buf, size_t size, const char *name)
{
        assert_int_equal(iso_pathf(buf, size, "%s/%s", scratch, name), 0);
}

/* ---- real captures ------------------------------------------------------------------- */

static void check_three_exchanges(const struct iso_capture_summary *s)
{
        assert_int_equal(s->syns, 3);
        assert_int_equal(s->requests, 3);
        assert_int_equal(s->responses_200, 3);
        /* The sidecar's filter kept only this port's TCP. */
        assert_int_equal(s->tcp, s->packets);
        assert_in_range(s->bad_checksums, 0, s->tcp);
}

static void test_lo_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-http-lo.pcap", 18000, &s);
        assert_int_equal(s.linktype, DLT_EN10MB);
        assert_int_equal(s.packets, 30);
        check_three_exchanges(&s);
        /* Every loopback segment carries only the pseudo-header sum (see the top). */
        assert_int_equal(s.bad_checksums, s.tcp);

        /* Another port sees none of it. */
        analyze_sample("capture-http-lo.pcap", 8000, &s);
        assert_int_equal(s.packets, 30);
        assert_int_equal(s.tcp, 0);
        assert_int_equal(s.syns + s.requests + s.responses_200 + s.bad_checksums, 0);
}

static void test_any_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-http-any.pcap", 18000, &s);
        assert_int_equal(s.linktype, DLT_LINUX_SLL);
        assert_int_equal(s.packets, 30);
        check_three_exchanges(&s);
}

static void test_netns_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-http-netns.pcap", PORT, &s);
        assert_int_equal(s.linktype, DLT_LINUX_SLL);
        check_three_exchanges(&s);
}

static void test_sll2_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-http-sll2.pcap", PORT, &s);
        assert_int_equal(s.linktype, DLT_LINUX_SLL2);
        check_three_exchanges(&s);
}

/* Seen on two interfaces, counted twice: the analysis does not deduplicate (see capture.c). */
static void test_bridge_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-http-bridge.pcap", PORT, &s);
        assert_int_equal(s.linktype, DLT_LINUX_SLL);
        assert_int_equal(s.packets, 60);
        assert_int_equal(s.tcp, 60);
        assert_int_equal(s.syns, 6);
        assert_int_equal(s.requests, 6);
        assert_int_equal(s.responses_200, 6);
}

/* ---- the hand-built capture ---------------------------------------------------------- */

static void test_handmade_sample(void **state)
{
        struct iso_capture_summary s;

        (void)state;
        analyze_sample("capture-handmade.pcap", PORT, &s);
        check_handmade(&s);
}

/* The committed file is exactly what build_handmade writes, so the comments above hold. */
static void test_handmade_is_reproducible(void **state)
{
        static struct frame f[16];
        char committed[512], fresh[512];
        struct iso_err e = {0};
        size_t n = build_handmade(f), alen, blen;

        (void)state;
        sample_path(committed, sizeof(committed), "capture-handmade.pcap");
        if (getenv("ISOCHECK_REGEN_SAMPLES"))
                write_pcap(committed, DLT_EN10MB, f, n);
        scratch_path(fresh, sizeof(fresh), "handmade.pcap");
        write_pcap(fresh, DLT_EN10MB, f, n);

        char *a = iso_read_file(committed, &alen, &e);

        if (!a)
                fail_msg("%s", e.msg);

        char *b = iso_read_file(fresh, &blen, &e);

        if (!b)
                fail_msg("%s", e.msg);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        free(a);
        free(b);
}

/* ---- every link type ----------------------------------------------------------------- */

/* The same three exchanges' key packets, wrapped in @linktype's header by @wrap. */
typedef size_t (*wrap_fn)(uint8_t *p, int v6);

static size_t wrap_sll(uint8_t *p, int v6)
{
        memset(p, 0, 16);
        put16(p, 0);     /* to us */
        put16(p + 2, 1); /* ARPHRD_ETHER */
        put16(p + 4, 6);
        put16(p + 14, v6 ? 0x86dd : 0x0800);
        return 16;
}

static size_t wrap_sll2(uint8_t *p, int v6)
{
        memset(p, 0, 20);
        put16(p, v6 ? 0x86dd : 0x0800);
        p[7] = 2;        /* ifindex 2 */
        put16(p + 8, 1); /* ARPHRD_ETHER */
        p[11] = 6;
        return 20;
}

static size_t wrap_raw(uint8_t *p, int v6)
{
        (void)p;
        (void)v6;
        return 0;
}

/* DLT_NULL: the family in the capturing host's order; try both orders and two AF_INET6s. */
static size_t wrap_null_le(uint8_t *p, int v6)
{
        memset(p, 0, 4);
        p[0] = v6 ? 10 : 2; /* Linux AF_INET6, little-endian host */
        return 4;
}

static size_t wrap_null_be(uint8_t *p, int v6)
{
        memset(p, 0, 4);
        p[3] = v6 ? 30 : 2; /* Darwin AF_INET6, big-endian host */
        return 4;
}

/* DLT_LOOP: network order always (OpenBSD, AF_INET6 24). */
static size_t wrap_loop(uint8_t *p, int v6)
{
        memset(p, 0, 4);
        p[3] = v6 ? 24 : 2;
        return 4;
}

static void check_link_type(int linktype, wrap_fn wrap)
{
        struct frame f[5];
        char path[512];
        struct iso_capture_summary s;
        const struct seg segs[] = {
                SEG(CLIENT_PORT, PORT, SYN, NULL),
                SEG(CLIENT_PORT, PORT, PSH | ACK, "HEAD / HTTP/1.1\r\n\r\n"),
                SEG(PORT, CLIENT_PORT, PSH | ACK, "HTTP/1.1 200 OK\r\n\r\n"),
                SEG(PORT, CLIENT_PORT, PSH | ACK, "HTTP/1.1 200 OK\r\n\r\n", .bad_checksum = 1),
                SEG(CLIENT_PORT, PORT, SYN, NULL),
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(segs); i++) {
                int v6 = i % 2; /* both families through every link type */
                int to_app = segs[i].dport == PORT;
                size_t off = wrap(f[i].b, v6);

                f[i].len = off + (v6 ? put_ipv6(f[i].b + off, &segs[i], to_app)
                                     : put_ipv4(f[i].b + off, &segs[i], to_app, 6, 0));
                f[i].caplen = 0;
        }
        scratch_path(path, sizeof(path), "link.pcap");
        write_pcap(path, linktype, f, ISO_ARRAY_SIZE(segs));
        analyze_ok(path, PORT, &s);
        assert_int_equal(s.linktype, linktype);
        assert_int_equal(s.packets, 5);
        assert_int_equal(s.tcp, 5);
        assert_int_equal(s.syns, 2);
        assert_int_equal(s.requests, 1);
        assert_int_equal(s.responses_200, 2);
        assert_int_equal(s.bad_checksums, 1);
}

static void test_link_types(void **state)
{
        (void)state;
        check_link_type(DLT_LINUX_SLL, wrap_sll);
        check_link_type(DLT_LINUX_SLL2, wrap_sll2);
        check_link_type(DLT_RAW, wrap_raw);
        check_link_type(DLT_NULL, wrap_null_le);
        check_link_type(DLT_NULL, wrap_null_be);
        check_link_type(DLT_LOOP, wrap_loop);
}

static void test_unsupported_link_type(void **state)
{
        struct frame f = {.len = 10};
        char path[512];
        struct iso_capture_summary s;
        struct iso_err e = {0};

        (void)state;
        scratch_path(path, sizeof(path), "wifi.pcap");
        write_pcap(path, DLT_IEEE802_11, &f, 1);
        assert_int_equal(iso_capture_analyze(path, PORT, &s, &e), -1);
        assert_int_equal(e.errnum, EPROTONOSUPPORT);
        assert_int_equal(s.linktype, DLT_IEEE802_11);
        assert_non_null(strstr(e.msg, "IEEE802_11"));
        assert_non_null(strstr(e.msg, path));
}

/* ---- HTTP recognition ---------------------------------------------------------------- */

struct http_case {
        int to_app;
        const char *payload;
        int request, response;
};

static void test_http_rules(void **state)
{
        static const struct http_case cases[] = {
                {1, "GET / HTTP/1.0\r\n\r\n", 1, 0},
                {1, "POST /form HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 1, 0},
                {1, "OPTIONS * HTTP/1.1\r\n", 1, 0},
                {1, "GET / HTTP/1.0", 1, 0},             /* the line not yet ended */
                {1, "POSTAL / HTTP/1.0\r\n", 0, 0},      /* not a method */
                {1, "get / HTTP/1.0\r\n", 0, 0},         /* methods are case-sensitive */
                {1, "GET\t/ HTTP/1.0\r\n", 0, 0},        /* method then a space */
                {1, "GET / HTTP/2\r\n", 0, 0},           /* not HTTP/1.x */
                {1, "GET /\r\nX: a HTTP/1.1\r\n", 0, 0}, /* only the first line counts */
                {1, "HTTP/1.0 200 OK\r\n", 0, 0},        /* a response sent to the port */
                {0, "GET / HTTP/1.0\r\n", 0, 0},         /* a request sent from the port */
                {0, "HTTP/1.1 200 OK\r\n", 0, 1},
                {0, "HTTP/1.0 200", 0, 1},
                {0, "HTTP/1.0 2000 odd\r\n", 0, 0},
                {0, "HTTP/1.0 404 Not Found\r\n", 0, 0},
                {0, "HTTP/2 200\r\n", 0, 0},
                {0, "xHTTP/1.0 200 OK\r\n", 0, 0},
        };
        static struct frame f[ISO_ARRAY_SIZE(cases)];
        char path[512];

        (void)state;
        scratch_path(path, sizeof(path), "http.pcap");
        for (size_t i = 0; i < ISO_ARRAY_SIZE(cases); i++) {
                struct iso_capture_summary s;
                const struct seg sg =
                        SEG(cases[i].to_app ? CLIENT_PORT : PORT,
                            cases[i].to_app ? PORT : CLIENT_PORT, PSH | ACK, cases[i].payload);

                eth_frame(&f[i], V4, &sg, cases[i].to_app, 0);
                write_pcap(path, DLT_EN10MB, &f[i], 1);
                analyze_ok(path, PORT, &s);
                if (s.requests != cases[i].request || s.responses_200 != cases[i].response)
                        fail_msg("\"%s\" %s the port: %ld requests, %ld responses",
                                 cases[i].payload, cases[i].to_app ? "to" : "from", s.requests,
                                 s.responses_200);
                assert_int_equal(s.tcp, 1);
                assert_int_equal(s.bad_checksums, 0);
        }
}

/* ---- files that are not (whole) captures --------------------------------------------- */

static void test_not_a_pcap(void **state)
{
        char path[512];
        struct iso_capture_summary s;
        struct iso_err e = {0};

        (void)state;
        sample_path(path, sizeof(path), "capture-not-a-pcap.pcap");
        assert_int_equal(iso_capture_analyze(path, PORT, &s, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        assert_non_null(strstr(e.msg, path));
        /* libpcap's own words follow the path. */
        assert_true(strlen(e.msg) > strlen(path) + 25);
        assert_int_equal(s.packets, 0);
}

static void test_missing_file(void **state)
{
        struct iso_capture_summary s;
        struct iso_err e = {0};

        (void)state;
        assert_int_equal(iso_capture_analyze("/nonexistent/isocheck.pcap", PORT, &s, &e), -1);
        assert_int_equal(e.errnum, ENOENT);
        assert_non_null(strstr(e.msg, "/nonexistent/isocheck.pcap"));
        /* A NULL error is allowed. */
        assert_int_equal(iso_capture_analyze("/nonexistent/isocheck.pcap", PORT, &s, NULL), -1);
}

static void test_bad_port(void **state)
{
        char path[512];
        struct iso_capture_summary s;
        struct iso_err e = {0};

        (void)state;
        sample_path(path, sizeof(path), "capture-handmade.pcap");
        assert_int_equal(iso_capture_analyze(path, 0, &s, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        assert_int_equal(iso_capture_analyze(path, 65536, &s, &e), -1);
}

/* A writer killed mid-record leaves a short last record: an error, counts kept so far. */
static void test_truncated_file(void **state)
{
        static struct frame f[16];
        char path[512];
        struct iso_capture_summary s;
        struct iso_err e = {0};
        size_t n = build_handmade(f), len;

        (void)state;
        scratch_path(path, sizeof(path), "cut.pcap");
        write_pcap(path, DLT_EN10MB, f, n);

        char *data = iso_read_file(path, &len, &e);

        if (!data)
                fail_msg("%s", e.msg);
        assert_int_equal(iso_write_atomic(path, data, len - 7, &e), 0);
        assert_int_equal(iso_capture_analyze(path, PORT, &s, &e), -1);
        assert_int_equal(e.errnum, EIO);
        assert_non_null(strstr(e.msg, "after 12 records"));
        assert_int_equal(s.packets, 12);

        /* The file header alone is a capture of nothing. */
        assert_int_equal(iso_write_atomic(path, data, 24, &e), 0);
        analyze_ok(path, PORT, &s);
        assert_int_equal(s.packets, 0);
        assert_int_equal(s.linktype, DLT_EN10MB);
        free(data);
}

/*
 * Random and mangled frames for every link type: the counts mean nothing, but
 * AddressSanitizer sees any read past a record's captured bytes (libpcap hands each record
 * in a buffer sized to the snapshot length, so the mangled lengths below must be honoured).
 */
static void test_hostile_frames(void **state)
{
        static const int types[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                                    DLT_RAW,    DLT_NULL,      DLT_LOOP};
        static struct frame good[16], f[400];
        size_t ngood = build_handmade(good);
        uint32_t x = 0x12345678; /* xorshift32: the same frames every run */
        char path[512];

        (void)state;
        scratch_path(path, sizeof(path), "hostile.pcap");
        for (size_t t = 0; t < ISO_ARRAY_SIZE(types); t++) {
                for (size_t i = 0; i < ISO_ARRAY_SIZE(f); i++) {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        if (i % 2) {
                                /* A valid frame with one byte changed, cut anywhere. */
                                f[i] = good[x % ngood];
                                f[i].b[(x >> 8) % f[i].len] = (uint8_t)(x >> 16);
                        } else {
                                for (size_t k = 0; k < sizeof(f[i].b); k++)
                                        f[i].b[k] = (uint8_t)(x >> (k % 4 * 8)) ^ (uint8_t)k;
                                /* Version nibbles and lengths that look plausible. */
                                f[i].b[(x >> 3) % 24] = (x & 1) ? 0x45 : 0x60;
                                f[i].len = sizeof(f[i].b);
                        }
                        f[i].caplen = (x >> 20) % (f[i].len + 1);
                        if (f[i].caplen == 0)
                                f[i].caplen = 1;
                }
                write_pcap(path, types[t], f, ISO_ARRAY_SIZE(f));

                struct iso_capture_summary s;

                analyze_ok(path, PORT, &s);
                assert_int_equal(s.packets, (long)ISO_ARRAY_SIZE(f));
                assert_true(s.tcp <= s.packets && s.syns <= s.tcp && s.bad_checksums <= s.tcp);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lo_sample),
                cmocka_unit_test(test_any_sample),
                cmocka_unit_test(test_netns_sample),
                cmocka_unit_test(test_sll2_sample),
                cmocka_unit_test(test_bridge_sample),
                cmocka_unit_test(test_handmade_sample),
                cmocka_unit_test(test_handmade_is_reproducible),
                cmocka_unit_test(test_link_types),
                cmocka_unit_test(test_unsupported_link_type),
                cmocka_unit_test(test_http_rules),
                cmocka_unit_test(test_not_a_pcap),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_bad_port),
                cmocka_unit_test(test_truncated_file),
                cmocka_unit_test(test_hostile_frames),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}

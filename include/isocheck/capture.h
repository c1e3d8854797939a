/* SPDX-License-Identifier: MIT */
/*
 * What a sidecar's capture holds, read back with libpcap (pcap_open_offline(3PCAP)), never
 * by scraping tcpdump's text: TCP handshakes and HTTP exchanges with one port.
 */
#ifndef ISOCHECK_CAPTURE_H
#define ISOCHECK_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "isocheck/util.h"

struct iso_capture_summary {
        long packets;       /* records in the file */
        long tcp;           /* IPv4/IPv6 TCP segments to or from @port */
        long syns;          /* SYN without ACK to @port: connection attempts */
        long requests;      /* segments to @port whose payload starts an HTTP request line
                               ("GET ", "POST ", "HEAD " ... followed by " HTTP/1.") */
        long responses_200; /* segments from @port whose payload starts "HTTP/1.x 200" */
        long bad_checksums; /* TCP checksums that do not verify: checksum offload leaves
                               outgoing segments unfinished when captured, so these are
                               counted, never a failure */
        int linktype;       /* DLT_* of the file (EN10MB, LINUX_SLL, LINUX_SLL2, RAW...) */
};

/*
 * Read the pcap file at @path and summarise the TCP traffic with @port. Link types
 * handled: DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2 (the "any" device), DLT_RAW,
 * DLT_NULL/DLT_LOOP; others give -1 with EPROTONOSUPPORT. Returns 0 with @s filled, or
 * -1 with @e (the file cannot be opened or is not a capture: libpcap's message).
 */
int iso_capture_analyze(const char *path, int port, struct iso_capture_summary *s,
                        struct iso_err *e);

/* One TCP segment of a capture, as iso_capture_each hands it over. */
struct iso_tcp_segment {
        double t;               /* the record's timestamp, seconds since the epoch */
        char src[46], dst[46];  /* IP addresses as inet_ntop(3) writes them */
        unsigned sport, dport;  /* TCP ports */
        unsigned flags;         /* the TCP flags byte: FIN 0x01, SYN 0x02, RST 0x04,
                                   PSH 0x08, ACK 0x10 */
        size_t len;             /* payload bytes on the wire (segment less its header) */
        const uint8_t *payload; /* the captured part of the payload, NULL when none; valid
                                   only during the call */
        size_t payload_cap;     /* bytes at @payload */
        int checksum_ok;        /* 1 verified, 0 wrong (see bad_checksums), -1 not checked
                                   (a fragment, or cut by the snaplen) */
};

/* Called per segment; a non-zero return ends the walk early (not an error). */
typedef int (*iso_capture_fn)(void *arg, const struct iso_tcp_segment *seg);

/*
 * Walk the pcap file at @path (pcap_next_ex(3PCAP)) and call @fn for every IPv4/IPv6 TCP
 * segment in it, in file order, whatever its ports. Link types as iso_capture_analyze.
 * @records (may be NULL) gets the number of records read, @linktype (may be NULL) the
 * file's DLT_*. Returns 0, or -1 with @e: the file cannot be opened, is not a capture, has
 * a link type not handled (EPROTONOSUPPORT) or ends inside a record (EIO; the segments
 * before it were handed over).
 */
int iso_capture_each(const char *path, iso_capture_fn fn, void *arg, long *records, int *linktype,
                     struct iso_err *e);

/* 1 when the @len bytes at @p start an HTTP/1.x request line ("GET / HTTP/1.1"), else 0. */
int iso_capture_is_http_request(const uint8_t *p, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What a sidecar's capture holds, read back with libpcap (pcap_open_offline(3PCAP)), never
 * by scraping tcpdump's text: TCP handshakes and HTTP exchanges with one port.
 */
#ifndef ISOCHECK_CAPTURE_H
#define ISOCHECK_CAPTURE_H

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

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Network links through rtnetlink (rtnetlink(7), netlink(7)): the kernel's own interface,
 * not ip(8)'s output. All calls act in the calling process's network namespace.
 */
#ifndef ISOCHECK_NETLINK_H
#define ISOCHECK_NETLINK_H

#include <sys/types.h>

#include "isocheck/util.h"

/* Interface names isocheck makes start with this (15 bytes at most, IFNAMSIZ - 1). */
#define ISO_IF_PREFIX "iso"

/*
 * Create a veth pair (veth(4)): @name here and @peer in the network namespace of process
 * @peer_ns_pid (0: here too). Returns 0, or -1 with @e (EEXIST for a taken name,
 * EOPNOTSUPP without CONFIG_VETH, EPERM without CAP_NET_ADMIN).
 */
int iso_nl_veth_create(const char *name, const char *peer, pid_t peer_ns_pid, struct iso_err *e);

/* Add IPv4 address @addr ("169.254.7.1") with @prefix bits to @ifname. 0 or -1 with @e. */
int iso_nl_addr_add(const char *ifname, const char *addr, int prefix, struct iso_err *e);

/* Set @ifname up. 0 or -1 with @e (ENODEV when there is no such interface). */
int iso_nl_link_up(const char *ifname, struct iso_err *e);

/* Delete @ifname (for a veth, both ends go). ENODEV is success. 0 or -1 with @e. */
int iso_nl_link_delete(const char *ifname, struct iso_err *e);

#endif

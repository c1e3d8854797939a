// SPDX-License-Identifier: MIT
/*
 * rtnetlink requests (rtnetlink(7)) built and acknowledged through libmnl: its message
 * builder (mnl_nlmsg_put_header, mnl_attr_put*, nests) and its reply walker
 * (mnl_cb_run), which handles NLMSG_ERROR and sequence checks. What stays ours is the
 * choice of requests and the messages naming what was asked.
 */
#include "isocheck/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Start a request of @type in @buf: header flags REQUEST | ACK | @flags, a fresh sequence. */
static struct nlmsghdr *req_start(char *buf, int type, int flags)
{
        struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

        h->nlmsg_type = (unsigned short)type;
        h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
        h->nlmsg_seq = (unsigned int)time(NULL);
        return h;
}

/* Send @h and wait for the kernel's acknowledgement; its error becomes errno. */
static int talk(struct nlmsghdr *h, const char *what, struct iso_err *e)
{
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

        if (!nl)
                return iso_errf(e, errno, "netlink socket for %s", what);
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int saved = errno;

                mnl_socket_close(nl);
                return iso_errf(e, saved, "netlink bind for %s", what);
        }
        unsigned int portid = mnl_socket_get_portid(nl);
        unsigned int seq = h->nlmsg_seq;

        if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0) {
                int saved = errno;

                mnl_socket_close(nl);
                return iso_errf(e, saved, "netlink send for %s", what);
        }
        char reply[MNL_SOCKET_BUFFER_SIZE];
        int rc;
        /* One request, one acknowledgement: mnl_cb_run returns MNL_CB_STOP (0) on the ACK,
         * -1 with errno from an NLMSG_ERROR; bounded by the replies the kernel sends. */
        do {
                ssize_t n;

                do
                        n = mnl_socket_recvfrom(nl, reply, sizeof(reply));
                while (n < 0 && errno == EINTR);
                if (n < 0) {
                        int saved = errno;

                        mnl_socket_close(nl);
                        return iso_errf(e, saved, "netlink reply for %s", what);
                }
                if (n == 0) {
                        mnl_socket_close(nl);
                        return iso_errf(e, EPROTO, "%s: no acknowledgement from the kernel", what);
                }
                rc = mnl_cb_run(reply, (size_t)n, seq, portid, NULL, NULL);
        } while (rc > 0);
        int saved = errno;

        mnl_socket_close(nl);
        if (rc < 0)
                return iso_errf(e, saved, "%s", what);
        return 0;
}

int iso_nl_veth_create(const char *name, const char *peer, pid_t peer_ns_pid, struct iso_err *e)
{
        char what[96];

        snprintf(what, sizeof(what), "create veth pair %s / %s", name, peer);
        if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
                return iso_errf(e, EINVAL, "%s: names are at most %d bytes", what, IFNAMSIZ - 1);
        char buf[1024];
        struct nlmsghdr *h = req_start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(h, IFLA_IFNAME, name);
        struct nlattr *linkinfo = mnl_attr_nest_start(h, IFLA_LINKINFO);

        mnl_attr_put_str(h, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
        struct nlattr *peer_info = mnl_attr_nest_start(h, VETH_INFO_PEER);
        /* The peer's own ifinfomsg comes first inside VETH_INFO_PEER (veth(4) netlink). */
        struct ifinfomsg *peer_ifi = mnl_nlmsg_put_extra_header(h, sizeof(*peer_ifi));

        peer_ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(h, IFLA_IFNAME, peer);
        if (peer_ns_pid > 0)
                mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)peer_ns_pid);
        mnl_attr_nest_end(h, peer_info);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, linkinfo);
        return talk(h, what, e);
}

int iso_nl_addr_add(const char *ifname, const char *addr, int prefix, struct iso_err *e)
{
        char what[96];

        snprintf(what, sizeof(what), "add address %s/%d to %s", addr, prefix, ifname);
        unsigned idx = if_nametoindex(ifname);

        if (!idx)
                return iso_errf(e, errno, "%s", what);
        struct in_addr a;

        if (inet_pton(AF_INET, addr, &a) != 1)
                return iso_errf(e, EINVAL, "%s: not an IPv4 address", what);
        char buf[256];
        struct nlmsghdr *h = req_start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));

        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = (unsigned char)prefix;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = idx;
        mnl_attr_put(h, IFA_LOCAL, sizeof(a), &a);
        mnl_attr_put(h, IFA_ADDRESS, sizeof(a), &a);
        return talk(h, what, e);
}

/* An RTM_NEWLINK or RTM_DELLINK on interface @idx, with @flags changed under @change. */
static int link_request(int type, unsigned idx, unsigned flags, unsigned change, const char *what,
                        struct iso_err *e)
{
        char buf[256];
        struct nlmsghdr *h = req_start(buf, type, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = (int)idx;
        ifi->ifi_flags = flags;
        ifi->ifi_change = change;
        return talk(h, what, e);
}

int iso_nl_link_up(const char *ifname, struct iso_err *e)
{
        char what[64];

        snprintf(what, sizeof(what), "set %s up", ifname);
        unsigned idx = if_nametoindex(ifname);

        if (!idx)
                return iso_errf(e, errno, "%s", what);
        return link_request(RTM_NEWLINK, idx, IFF_UP, IFF_UP, what, e);
}

int iso_nl_link_delete(const char *ifname, struct iso_err *e)
{
        char what[64];

        snprintf(what, sizeof(what), "delete %s", ifname);
        unsigned idx = if_nametoindex(ifname);

        if (!idx)
                return 0; /* already gone: a veth goes with its namespace */
        struct iso_err tmp = {0};

        if (link_request(RTM_DELLINK, idx, 0, 0, what, &tmp) < 0 && tmp.errnum != ENODEV) {
                if (e)
                        *e = tmp;
                return -1;
        }
        return 0;
}

// SPDX-License-Identifier: MIT
#include "isocheck/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One request under construction: header, fixed part, attributes. */
struct nl_req {
        char buf[1024];
        size_t len;
};

static struct nlmsghdr *req_init(struct nl_req *r, int type, int flags)
{
        memset(r, 0, sizeof(*r));
        struct nlmsghdr *h = (struct nlmsghdr *)r->buf;
        h->nlmsg_type = (unsigned short)type;
        h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
        h->nlmsg_seq = 1;
        r->len = NLMSG_HDRLEN;
        return h;
}

static void *req_put(struct nl_req *r, const void *data, size_t n)
{
        void *at = r->buf + r->len;
        if (r->len + NLMSG_ALIGN(n) > sizeof(r->buf))
                return NULL;
        if (data)
                memcpy(at, data, n);
        r->len += NLMSG_ALIGN(n);
        return at;
}

static struct rtattr *attr_put(struct nl_req *r, int type, const void *data, size_t n)
{
        struct rtattr *a = req_put(r, NULL, RTA_LENGTH(n));
        if (!a)
                return NULL;
        a->rta_type = (unsigned short)type;
        a->rta_len = (unsigned short)RTA_LENGTH(n);
        if (n)
                memcpy(RTA_DATA(a), data, n);
        return a;
}

/* Close a nested attribute opened with attr_put(r, type, NULL, 0). */
static void nest_end(struct nl_req *r, struct rtattr *nest)
{
        nest->rta_len = (unsigned short)(r->buf + r->len - (char *)nest);
}

/* Send @r and read the kernel's acknowledgement; its error becomes errno. */
static int talk(struct nl_req *r, const char *what, struct iso_err *e)
{
        ((struct nlmsghdr *)r->buf)->nlmsg_len = (unsigned)r->len;
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return iso_errf(e, errno, "netlink socket for %s", what);
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        if (sendto(fd, r->buf, r->len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
                int saved = errno;
                close(fd);
                return iso_errf(e, saved, "netlink send for %s", what);
        }
        char reply[4096];
        ssize_t n;
        do
                n = recv(fd, reply, sizeof(reply), 0);
        while (n < 0 && errno == EINTR);
        int saved = errno;
        close(fd);
        if (n < 0)
                return iso_errf(e, saved, "netlink reply for %s", what);
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned)n);
             h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type != NLMSG_ERROR)
                        continue;
                const struct nlmsgerr *err = NLMSG_DATA(h);
                if (err->error == 0)
                        return 0;
                return iso_errf(e, -err->error, "%s", what);
        }
        return iso_errf(e, EPROTO, "%s: no acknowledgement from the kernel", what);
}

int iso_nl_veth_create(const char *name, const char *peer, pid_t peer_ns_pid, struct iso_err *e)
{
        char what[96];
        snprintf(what, sizeof(what), "create veth pair %s / %s", name, peer);
        if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
                return iso_errf(e, EINVAL, "%s: names are at most %d bytes", what, IFNAMSIZ - 1);
        struct nl_req r;
        req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
        req_put(&r, &ifi, sizeof(ifi));
        attr_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
        struct rtattr *linkinfo = attr_put(&r, IFLA_LINKINFO, NULL, 0);
        attr_put(&r, IFLA_INFO_KIND, "veth", 4);
        struct rtattr *data = attr_put(&r, IFLA_INFO_DATA, NULL, 0);
        struct rtattr *peer_info = attr_put(&r, VETH_INFO_PEER, NULL, 0);
        if (!peer_info)
                return iso_errf(e, EMSGSIZE, "%s", what);
        req_put(&r, &ifi, sizeof(ifi)); /* the peer's own ifinfomsg */
        attr_put(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
        if (peer_ns_pid > 0) {
                unsigned int pid = (unsigned int)peer_ns_pid;
                attr_put(&r, IFLA_NET_NS_PID, &pid, sizeof(pid));
        }
        nest_end(&r, peer_info);
        nest_end(&r, data);
        nest_end(&r, linkinfo);
        return talk(&r, what, e);
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
        struct nl_req r;
        req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        struct ifaddrmsg ifa = {.ifa_family = AF_INET,
                                .ifa_prefixlen = (unsigned char)prefix,
                                .ifa_scope = RT_SCOPE_UNIVERSE,
                                .ifa_index = idx};
        req_put(&r, &ifa, sizeof(ifa));
        attr_put(&r, IFA_LOCAL, &a, sizeof(a));
        attr_put(&r, IFA_ADDRESS, &a, sizeof(a));
        return talk(&r, what, e);
}

int iso_nl_link_up(const char *ifname, struct iso_err *e)
{
        char what[64];
        snprintf(what, sizeof(what), "set %s up", ifname);
        unsigned idx = if_nametoindex(ifname);
        if (!idx)
                return iso_errf(e, errno, "%s", what);
        struct nl_req r;
        req_init(&r, RTM_NEWLINK, 0);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
                                .ifi_index = (int)idx,
                                .ifi_flags = IFF_UP,
                                .ifi_change = IFF_UP};
        req_put(&r, &ifi, sizeof(ifi));
        return talk(&r, what, e);
}

int iso_nl_link_delete(const char *ifname, struct iso_err *e)
{
        char what[64];
        snprintf(what, sizeof(what), "delete %s", ifname);
        unsigned idx = if_nametoindex(ifname);
        if (!idx)
                return 0; /* already gone: a veth goes with its namespace */
        struct nl_req r;
        req_init(&r, RTM_DELLINK, 0);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = (int)idx};
        req_put(&r, &ifi, sizeof(ifi));
        struct iso_err tmp = {0};
        if (talk(&r, what, &tmp) < 0 && tmp.errnum != ENODEV) {
                if (e)
                        *e = tmp;
                return -1;
        }
        return 0;
}

// SPDX-License-Identifier: MIT
/*
 * Network namespaces: a new one holds only the loopback device, down, and reaches none
 * of the host's addresses (network_namespaces(7), unshare(1) --net, ip-link(8)).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/case.h"
#include "isocheck/tool.h"
#include "nschild.h"

#define NEEDS_NETNS ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_NS("net"), ISO_KCONFIG("CONFIG_NET_NS")

/* One of the host's own IPv4 addresses that is not loopback, or 127.0.0.1 when it has
 * none: what the namespace must not reach. */
static struct in_addr host_address(void)
{
        struct in_addr a = {htonl(INADDR_LOOPBACK)};
        struct ifaddrs *ifs;
        if (getifaddrs(&ifs) < 0)
                return a;
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
                    !(i->ifa_flags & IFF_LOOPBACK)) {
                        a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
                        break;
                }
        freeifaddrs(ifs);
        return a;
}

struct net_look {
        int step;          /* 1: unshare failed */
        int n_links;       /* devices listed by if_nameindex() */
        char names[256];   /* their names, space-separated */
        int lo_up;         /* IFF_UP on lo: 1, 0, or -1 when SIOCGIFFLAGS failed */
        int connect_errno; /* UDP connect() to the host's address; 0 = it had a route */
};

static int look_net(void *arg, void *answer)
{
        struct net_look *a = answer;
        const struct in_addr *host = arg;
        if (unshare(CLONE_NEWNET) < 0)
                return a->step = 1, errno;
        struct if_nameindex *ni = if_nameindex();
        for (struct if_nameindex *i = ni; i && i->if_index; i++) {
                a->n_links++;
                size_t len = strlen(a->names);
                snprintf(a->names + len, sizeof(a->names) - len, "%s%s", len ? " " : "",
                         i->if_name);
        }
        if (ni)
                if_freenameindex(ni);
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq r = {0};
        snprintf(r.ifr_name, sizeof(r.ifr_name), "lo");
        a->lo_up = s < 0 || ioctl(s, SIOCGIFFLAGS, &r) < 0 ? -1 : !!(r.ifr_flags & IFF_UP);
        /* connect() on UDP asks the routing table and sends nothing. */
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr = *host};
        a->connect_errno = s >= 0 && connect(s, (struct sockaddr *)&to, sizeof(to)) < 0 ? errno : 0;
        if (s >= 0)
                close(s);
        return 0;
}

ISO_CASE(netns_loopback_only, "netns.loopback.only",
         .doc = "network_namespaces(7), unshare(2), netdevice(7)",
         .summary = "a new network namespace holds only lo, down, and has no route to the "
                    "host's addresses",
         .lab_step = "namespaces(7): unshare --net; ip link; ip route get <host address>",
         .needs = {NEEDS_NETNS}, .timeout_s = 10)
{
        struct in_addr host = host_address();
        char addr[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &host, addr, sizeof(addr));
        struct net_look a = {0};
        int err = ns_child_look(t, "net", look_net, &host, &a, sizeof(a), 5.0);
        if (err)
                iso_broken(t, "expected unshare(CLONE_NEWNET) to succeed as root, got %s",
                           strerror(err));
        iso_log(t, "devices inside: %s; lo up: %d; connect to %s: %s", a.names, a.lo_up, addr,
                a.connect_errno ? strerror(a.connect_errno) : "succeeded");
        iso_check(t, a.n_links == 1 && !strcmp(a.names, "lo"),
                  "the only network device inside is lo", "lo", "%s", a.names);
        iso_check(t, a.lo_up == 0, "lo inside is down", "IFF_UP clear", "%s",
                  a.lo_up < 0 ? "SIOCGIFFLAGS failed" : "IFF_UP set");
        char want[96];
        snprintf(want, sizeof(want), "connect to %s fails with ENETUNREACH", addr);
        iso_check(t, a.connect_errno == ENETUNREACH, "no route inside reaches a host address", want,
                  "%s", a.connect_errno ? strerror(a.connect_errno) : "a route was found");
}

ISO_CASE(netns_loopback_only_tool, "netns.loopback.only.tool",
         .doc = "network_namespaces(7), unshare(1), ip-link(8), ip-route(8)",
         .summary = "`ip link` under `unshare --net` lists only lo, down, and `ip route get` "
                    "finds no route to the host's address",
         .lab_step = "namespaces(7): unshare --net; ip link; ip route get <host address>",
         .needs = {NEEDS_NETNS, ISO_TOOL("unshare"), ISO_TOOL("ip"), ISO_TOOL("sh")},
         .timeout_s = 10)
{
        struct in_addr host = host_address();
        char addr[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &host, addr, sizeof(addr));
        /* One line per device, then what ip route get said, after a marker. */
        char *argv[] = {"unshare",
                        "--net",
                        "sh",
                        "-c",
                        "ip -o link show; echo ROUTE; ip -4 route get \"$0\" 2>&1; echo rc=$?",
                        addr,
                        NULL};
        char out[4096];
        struct iso_err e = {0};
        int status = iso_tool_run(argv, NULL, out, sizeof(out), 5.0, NULL, &e);
        if (status < 0)
                iso_broken(t, "expected to run unshare --net, but %s", e.msg);
        iso_log(t, "unshare --net: ip -o link show; ip -4 route get %s (status 0x%x):\n%s", addr,
                status, out);
        iso_check(t, WIFEXITED(status) && WEXITSTATUS(status) == 0, "unshare --net and sh exit 0",
                  "exit status 0", "wait status 0x%x", status);
        int links = 0, lo_down = 0;
        char *route = strstr(out, "ROUTE\n");
        for (char *l = out; l && *l && l != route; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                char name[64];
                if (sscanf(l, "%*d: %63[^:]:", name) == 1) {
                        links++;
                        if (!strcmp(name, "lo") && strstr(l, "state DOWN") && !strstr(l, ",UP"))
                                lo_down = 1;
                }
        }
        iso_check(t, links == 1, "ip link inside lists one device", "1 device (lo)", "%d", links);
        iso_check(t, lo_down, "lo inside is DOWN", "lo ... state DOWN", "%.200s", out);
        int unreachable = route && strstr(route, "unreachable") && !strstr(route, "rc=0");
        iso_check(t, unreachable, "ip route get finds no route to the host's address",
                  "Network is unreachable", "%.200s", route ? route + 6 : "(no output)");
}

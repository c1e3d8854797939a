// SPDX-License-Identifier: MIT
/*
 * rtnetlink calls against the real kernel, inside a network namespace of the test's own
 * (unshare(CLONE_NEWNET)), so nothing touches the host's links; skipped without the
 * privilege to make one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "isocheck/netlink.h"

static int in_own_netns;

static int setup(void **state)
{
        (void)state;
        in_own_netns = unshare(CLONE_NEWNET) == 0;
        return 0;
}

static int flags_of(const char *ifname)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
        int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
        close(fd);
        return rc < 0 ? -1 : ifr.ifr_flags;
}

static void veth_lifecycle(void **state)
{
        (void)state;
        if (!in_own_netns)
                skip();
        struct iso_err e = {0};
        assert_int_equal(iso_nl_veth_create("isotest0", "isotest1", 0, &e), 0);
        assert_true(if_nametoindex("isotest0") > 0);
        assert_true(if_nametoindex("isotest1") > 0);
        /* The name is taken now. */
        assert_int_equal(iso_nl_veth_create("isotest0", "isotest2", 0, &e), -1);
        assert_int_equal(e.errnum, EEXIST);
        assert_non_null(strstr(e.msg, "isotest0"));

        assert_int_equal(iso_nl_addr_add("isotest0", "169.254.250.1", 30, &e), 0);
        assert_int_equal(iso_nl_link_up("isotest0", &e), 0);
        assert_true(flags_of("isotest0") & IFF_UP);
        assert_int_equal(iso_nl_link_up("lo", &e), 0);

        assert_int_equal(iso_nl_link_delete("isotest0", &e), 0);
        assert_int_equal(if_nametoindex("isotest0"), 0);
        assert_int_equal(if_nametoindex("isotest1"), 0);         /* the peer went with it */
        assert_int_equal(iso_nl_link_delete("isotest0", &e), 0); /* gone is fine */
}

static void bad_input(void **state)
{
        (void)state;
        struct iso_err e = {0};
        assert_int_equal(iso_nl_veth_create("iso-this-name-is-too-long", "x", 0, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
        assert_int_equal(iso_nl_addr_add("isonosuch", "169.254.1.1", 30, &e), -1);
        assert_int_equal(iso_nl_link_up("isonosuch", &e), -1);
        assert_non_null(strstr(e.msg, "isonosuch"));
        if (!in_own_netns)
                return;
        assert_int_equal(iso_nl_addr_add("lo", "not-an-address", 8, &e), -1);
        assert_int_equal(e.errnum, EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(veth_lifecycle),
                cmocka_unit_test(bad_input),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}

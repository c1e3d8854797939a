// SPDX-License-Identifier: MIT
/*
 * Environment probe: are we in a container or a virtual machine, and which.
 */
#include "env_probe.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* ---- probe: container and virtualization ------------------------------------------- */

/* Path fragments that container managers put into cgroup paths and rootfs locations. */
static int looks_containerized(const char *s)
{
        static const char *const hints[] = {
                "/docker",          "/lxc",  "kubepods",        "containerd",
                "libpod",           "crio-", "/machine.slice/", "/var/lib/machines/",
                "/var/lib/docker/",
        };

        for (size_t i = 0; s && i < ISO_ARRAY_SIZE(hints); i++)
                if (strstr(s, hints[i]))
                        return 1;
        return 0;
}

/* The root of the filesystem mounted on "/" names a container manager's directory. */
static int root_mount_suggests_container(void)
{
        char root[PATH_MAX];

        return mount_root_of("/", root, sizeof(root)) == 0 && strcmp(root, "/") &&
               looks_containerized(root);
}

void probe_container(struct iso_env *env)
{
        env->container[0] = '\0';
        if (access("/.dockerenv", F_OK) == 0) {
                /* Say which evidence: VM images built from a container export keep this file. */
                copy_str(env->container, sizeof(env->container), "docker (/.dockerenv)");
                return;
        }
        if (access("/run/.containerenv", F_OK) == 0) {
                copy_str(env->container, sizeof(env->container), "podman (/run/.containerenv)");
                return;
        }

        /* systemd's convention: the container manager sets container= for PID 1. */
        size_t len = 0;
        iso_autofree char *environ1 = iso_read_file("/proc/1/environ", &len, NULL);

        /* NUL-separated entries; iso_read_file() adds the NUL that ends the last one. */
        for (const char *v = environ1; v && v < environ1 + len; v += strlen(v) + 1) {
                if (!strncmp(v, "container=", 10) && v[10]) {
                        copy_str(env->container, sizeof(env->container), v + 10);
                        return;
                }
        }

        iso_autofree char *cg1 = iso_read_file("/proc/1/cgroup", NULL, NULL);

        if (looks_containerized(cg1) || root_mount_suggests_container())
                copy_str(env->container, sizeof(env->container), "container");
}

static const char *dmi_vendor_name(const char *vendor, const char *product)
{
        static const struct {
                const char *needle, *name;
        } map[] = {
                {"QEMU", "QEMU"},
                {"KVM", "KVM"},
                {"VMware", "VMware"},
                {"VirtualBox", "VirtualBox"},
                {"innotek", "VirtualBox"},
                {"Xen", "Xen"},
                {"Amazon EC2", "Amazon EC2"},
                {"Google Compute Engine", "Google"},
                {"Parallels", "Parallels"},
                {"Bochs", "Bochs"},
                {"BHYVE", "bhyve"},
                {"OpenStack", "OpenStack"},
        };

        for (size_t i = 0; i < ISO_ARRAY_SIZE(map); i++)
                if ((vendor && strstr(vendor, map[i].needle)) ||
                    (product && strstr(product, map[i].needle)))
                        return map[i].name;
        if (vendor && product && strstr(vendor, "Microsoft") && strstr(product, "Virtual Machine"))
                return "Hyper-V";
        return NULL;
}

/* The CPUID hypervisor leaf names the hypervisor even where DMI is absent (Firecracker). */
static const char *cpuid_hypervisor(char *raw, size_t size)
{
#if defined(__x86_64__) || defined(__i386__)
        static const struct {
                const char *sig, *name;
        } map[] = {
                {"KVMKVMKVM", "KVM"},           {"Linux KVM Hv", "KVM"},
                {"TCGTCGTCGTCG", "QEMU"},       {"Microsoft Hv", "Hyper-V"},
                {"VMwareVMware", "VMware"},     {"XenVMMXenVMM", "Xen"},
                {"VBoxVBoxVBox", "VirtualBox"}, {"bhyve bhyve ", "bhyve"},
                {"ACRNACRNACRN", "ACRN"},       {" lrpepyh  vr", "Parallels"},
        };
        unsigned int a, b, c, d;
        char sig[13];

        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
                return NULL;
        __cpuid(0x40000000, a, b, c, d);
        memcpy(sig, &b, 4);
        memcpy(sig + 4, &c, 4);
        memcpy(sig + 8, &d, 4);
        sig[12] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(map); i++)
                if (!strcmp(sig, map[i].sig))
                        return map[i].name;
        for (size_t i = 0; i < 12; i++)
                if (sig[i] && !isprint((unsigned char)sig[i]))
                        return NULL;
        copy_str(raw, size, trim(sig));
        return raw[0] ? raw : NULL;
#else
        (void)raw;
        (void)size;
        return NULL;
#endif
}

void probe_virt(struct iso_env *env)
{
        iso_autofree char *vendor = iso_read_file("/sys/class/dmi/id/sys_vendor", NULL, NULL);
        iso_autofree char *product = iso_read_file("/sys/class/dmi/id/product_name", NULL, NULL);
        char raw[16];
        const char *name = dmi_vendor_name(vendor, product);

        env->virt[0] = '\0';
        if (!name)
                name = cpuid_hypervisor(raw, sizeof(raw));
        if (name) {
                copy_str(env->virt, sizeof(env->virt), name);
                return;
        }

        /* Other architectures, or a CPUID we do not know: the flag still says "a VM". */
        iso_autofree char *cpuinfo = iso_read_file("/proc/cpuinfo", NULL, NULL);
        char *save = NULL;

        for (char *l = cpuinfo ? strtok_r(cpuinfo, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, "flags", 5))
                        continue;

                char *colon = strchr(l, ':');

                if (colon && has_word(trim(colon + 1), "hypervisor", ' '))
                        copy_str(env->virt, sizeof(env->virt), "hypervisor");
                break;
        }
}

// SPDX-License-Identifier: MIT
/*
 * Environment probe: who we are and what we may do: uid, capabilities, namespace types,
 * resource limits and whether /dev/kmsg can be read.
 */
#include "env_probe.h"

/* ---- probe: identity --------------------------------------------------------------- */

void probe_identity(struct iso_env *env)
{
        struct utsname u;

        env->euid = geteuid();
        if (uname(&u) == 0) {
                copy_str(env->kernel_release, sizeof(env->kernel_release), u.release);
                copy_str(env->kernel_version, sizeof(env->kernel_version), u.version);
                iso_autofree char *sig = iso_read_file("/proc/version_signature", NULL, NULL);
                /* The dpkg database only when the version line does not say. */
                FILE *dpkg = strstr(u.version, "Debian ") || sig
                                     ? NULL
                                     : fopen("/var/lib/dpkg/status", "re");
                iso_env_kernel_package(u.version, sig, dpkg, u.release, env->kernel_package,
                                       sizeof(env->kernel_package));
                if (dpkg)
                        fclose(dpkg);
        }
        if (gethostname(env->hostname, sizeof(env->hostname)) < 0)
                env->hostname[0] = '\0';
        env->hostname[sizeof(env->hostname) - 1] = '\0';

        iso_autofree char *status = iso_read_file("/proc/self/status", NULL, NULL);
        const char *p = status ? strstr(status, "\nCapEff:") : NULL;

        if (p)
                env->cap_eff = strtoull(p + strlen("\nCapEff:"), NULL, 16);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void probe_namespaces(struct iso_env *env)
{
        char names[32][NAME_MAX + 1];
        char *sorted[32];
        size_t n = 0;
        DIR *d = opendir("/proc/self/ns");
        struct dirent *de;

        env->namespaces[0] = '\0';
        if (!d)
                return;
        while ((de = readdir(d)) && n < ISO_ARRAY_SIZE(names)) {
                if (de->d_name[0] == '.')
                        continue;
                copy_str(names[n], sizeof(names[n]), de->d_name);
                sorted[n] = names[n];
                n++;
        }
        closedir(d);
        qsort(sorted, n, sizeof(*sorted), cmp_str);

        size_t used = 0;

        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(sorted[i]);

                if (used + len + 2 > sizeof(env->namespaces))
                        break;
                if (used)
                        env->namespaces[used++] = ' ';
                memcpy(env->namespaces + used, sorted[i], len + 1);
                used += len;
        }
}

static long long soft_limit(int resource)
{
        struct rlimit rl;
        if (getrlimit(resource, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return -1;
        return rl.rlim_cur > (rlim_t)LLONG_MAX ? LLONG_MAX : (long long)rl.rlim_cur;
}

void probe_rlimits(struct iso_env *env)
{
        env->rlimit_as = soft_limit(RLIMIT_AS);
        env->rlimit_data = soft_limit(RLIMIT_DATA);
        env->rlimit_nproc = soft_limit(RLIMIT_NPROC);
        env->rlimit_nofile = soft_limit(RLIMIT_NOFILE);
        /* A small STACK kills a case with SIGSEGV and a small FSIZE cuts a report short
         * (EFBIG): named here so such a run says which limit was in force. */
        env->rlimit_stack = soft_limit(RLIMIT_STACK);
        env->rlimit_fsize = soft_limit(RLIMIT_FSIZE);
}

void iso_env_format_rlimits(const struct iso_env *env, char *out, size_t size)
{
        const struct {
                const char *name;
                long long v;
        } r[] = {{"AS", env->rlimit_as},       {"DATA", env->rlimit_data},
                 {"NPROC", env->rlimit_nproc}, {"NOFILE", env->rlimit_nofile},
                 {"STACK", env->rlimit_stack}, {"FSIZE", env->rlimit_fsize}};
        size_t len = 0;
        out[0] = '\0';
        for (size_t i = 0; i < ISO_ARRAY_SIZE(r) && len < size; i++) {
                if (r[i].v < 0)
                        len += (size_t)snprintf(out + len, size - len, "%s%s unlimited",
                                                i ? ", " : "", r[i].name);
                else
                        len += (size_t)snprintf(out + len, size - len, "%s%s %lld", i ? ", " : "",
                                                r[i].name, r[i].v);
        }
}

/* ---- probe: /dev/kmsg -------------------------------------------------------------- */

/*
 * Opening is not enough: with dmesg_restrict the open or the read fails with EPERM. Seek
 * to the end so the read does not consume anything a case wants, then one non-blocking
 * read: EAGAIN (nothing new) or a record both prove read access.
 */
void probe_kmsg(struct iso_env *env)
{
        char buf[8192];
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        env->kmsg_readable = 0;
        env->kmsg_error[0] = '\0';
        if (fd < 0) {
                copy_str(env->kmsg_error, sizeof(env->kmsg_error), strerror(errno));
                return;
        }
        lseek(fd, 0, SEEK_END);

        ssize_t r;

        do {
                r = read(fd, buf, sizeof(buf));
        } while (r < 0 && errno == EINTR);
        /* EPIPE: a record was overwritten under us; EINVAL: one too long for buf. Both read. */
        if (r >= 0 || errno == EAGAIN || errno == EPIPE || errno == EINVAL)
                env->kmsg_readable = 1;
        else
                copy_str(env->kmsg_error, sizeof(env->kmsg_error), strerror(errno));
        close(fd);
}

/* The first space- or newline-ended word at @p into @out. */
static int word_at(const char *p, char *out, size_t size)
{
        size_t n = strcspn(p, " \t\n()");
        if (!n || n >= size)
                return 0;
        memcpy(out, p, n);
        out[n] = '\0';
        return 1;
}

int iso_env_kernel_package(const char *uname_v, const char *version_signature, FILE *dpkg_status,
                           const char *release, char *out, size_t size)
{
        const char *p;
        out[0] = '\0';
        if (uname_v && (p = strstr(uname_v, "Debian ")) && word_at(p + 7, out, size))
                return 1;
        if (version_signature && (p = strchr(version_signature, ' ')) && word_at(p + 1, out, size))
                return 1;
        if (!dpkg_status || !release || !*release)
                return 0;
        char want[192], line[512];
        snprintf(want, sizeof(want), "Package: linux-image-%s\n", release);
        int in_it = 0;
        while (fgets(line, sizeof(line), dpkg_status)) {
                if (line[0] == '\n')
                        in_it = 0; /* a paragraph ends at an empty line */
                else if (!strncmp(line, "Package: ", 9))
                        in_it = !strcmp(line, want);
                else if (in_it && !strncmp(line, "Version: ", 9))
                        return word_at(line + 9, out, size);
        }
        return 0;
}

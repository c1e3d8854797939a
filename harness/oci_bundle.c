// SPDX-License-Identifier: MIT
/*
 * OCI bundles (OCI runtime spec, config.md and bundle.md): a directory holding config.json
 * and the container's root, for runtime_oci.c. The config is written here by hand: no JSON
 * library is linked, the strings are ours (paths, a pcap filter, argv), and json_put
 * escapes them as RFC 8259 says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocheck/oci_bundle.h"

/* @s as a JSON string (RFC 8259: quote, backslash and control characters escaped). */
static void json_put(char *buf, size_t size, const char *s)
{
        iso_appendf(buf, size, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        iso_appendf(buf, size, "\\%c", *p);
                else if (*p < 0x20)
                        iso_appendf(buf, size, "\\u%04x", *p);
                else
                        iso_appendf(buf, size, "%c", *p);
        }
        iso_appendf(buf, size, "\"");
}

#define CONFIG_SIZE 8192

static int oci_config(const struct iso_oci_spec *s, char *buf, size_t size, struct iso_err *e)
{
        buf[0] = '\0';
        iso_appendf(buf, size,
                    "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":false,"
                    "\"user\":{\"uid\":0,\"gid\":0},\"args\":[");
        for (size_t i = 0; s->args[i]; i++) {
                iso_appendf(buf, size, i ? "," : "");
                json_put(buf, size, s->args[i]);
        }
        /* runc spec's default capabilities, plus NET_RAW for the sidecar. */
        const char *caps = s->net_raw
                                   ? "[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\","
                                     "\"CAP_NET_RAW\"]"
                                   : "[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]";
        iso_appendf(buf, size,
                    "],\"env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"],\"cwd\":\"/\","
                    "\"capabilities\":{\"bounding\":%s,\"effective\":%s,\"permitted\":%s},"
                    "\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},",
                    caps, caps, caps);
        if (s->hostname) {
                iso_appendf(buf, size, "\"hostname\":");
                json_put(buf, size, s->hostname);
                iso_appendf(buf, size, ",");
        }
        iso_appendf(buf, size,
                    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]}");
        for (size_t i = 0; i < ISO_ARRAY_SIZE(s->binds) && s->binds[i][0]; i++) {
                iso_appendf(buf, size, ",{\"destination\":");
                json_put(buf, size, s->binds[i][1]);
                iso_appendf(buf, size, ",\"type\":\"bind\",\"source\":");
                json_put(buf, size, s->binds[i][0]);
                iso_appendf(buf, size, ",\"options\":[\"rbind\",\"ro\",\"nosuid\",\"nodev\"]}");
        }
        if (s->out_dir) {
                iso_appendf(buf, size, ",{\"destination\":\"/out\",\"type\":\"bind\",\"source\":");
                json_put(buf, size, s->out_dir);
                iso_appendf(buf, size, ",\"options\":[\"rbind\",\"rw\",\"nosuid\",\"nodev\"]}");
        }
        iso_appendf(buf, size,
                    "],\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                    "{\"type\":\"mount\"},{\"type\":\"ipc\"},");
        if (s->hostname)
                iso_appendf(buf, size, "{\"type\":\"uts\"},");
        iso_appendf(buf, size, "{\"type\":\"network\"");
        if (s->net_path) {
                iso_appendf(buf, size, ",\"path\":");
                json_put(buf, size, s->net_path);
        }
        iso_appendf(buf, size,
                    "}],\"maskedPaths\":[\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\","
                    "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/sched_debug\","
                    "\"/proc/scsi\"],\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\","
                    "\"/proc/sys\",\"/proc/sysrq-trigger\"]}}\n");
        if (strlen(buf) + 1 >= size)
                return iso_errf(e, ENOSPC, "config.json: more than %zu bytes", size);
        return 0;
}

/* Copy the file @src to @dst (mode 0755): the app binary into its root. */
static int copy_file(const char *src, const char *dst, struct iso_err *e)
{
        size_t len = 0;
        iso_autofree char *data = iso_read_file(src, &len, e);
        if (!data)
                return -1;
        int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
        if (fd < 0)
                return iso_errf(e, errno, "create %s", dst);
        int rc = iso_write_all(fd, data, len);
        int saved = errno;
        close(fd);
        return rc < 0 ? iso_errf(e, saved, "write %s", dst) : 0;
}

/* Make bundle @id in the case's directory: its rootfs and config.json. */
int iso_oci_bundle(const char *dir, const char *id, const struct iso_oci_spec *s,
                   char bundle[PATH_MAX], struct iso_err *e)
{
        char rootfs[PATH_MAX], path[PATH_MAX];
        iso_pathf(bundle, PATH_MAX, "%s/%s", dir, id);
        iso_pathf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
        if (iso_mkdir_p(rootfs, e) < 0)
                return -1;
        /* Mount points for the binds: the root is read-only once the container starts. */
        for (size_t i = 0; i < ISO_ARRAY_SIZE(s->binds) && s->binds[i][0]; i++) {
                struct stat st;
                iso_pathf(path, sizeof(path), "%s%s", rootfs, s->binds[i][1]);
                if (stat(s->binds[i][0], &st) < 0)
                        return iso_errf(e, errno, "stat %s", s->binds[i][0]);
                int rc = S_ISDIR(st.st_mode) ? mkdir(path, 0755)
                                             : open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (rc < 0)
                        return iso_errf(e, errno, "make mount point %s", path);
                if (!S_ISDIR(st.st_mode))
                        close(rc);
        }
        static char config[CONFIG_SIZE];
        if (oci_config(s, config, sizeof(config), e) < 0)
                return -1;
        iso_pathf(path, sizeof(path), "%s/config.json", bundle);
        return iso_write_atomic(path, config, strlen(config), e);
}

int iso_oci_bundle_file(const char *bundle, const char *src, const char *dest, struct iso_err *e)
{
        char path[PATH_MAX];
        if (iso_pathf(path, sizeof(path), "%s/rootfs%s", bundle, dest) < 0)
                return iso_errf(e, ENAMETOOLONG, "%s/rootfs%s", bundle, dest);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        if (iso_mkdir_p(path, e) < 0)
                return -1;
        *slash = '/';
        return copy_file(src, path, e);
}

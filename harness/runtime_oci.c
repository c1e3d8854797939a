// SPDX-License-Identifier: MIT
/*
 * An OCI runtime used directly (crun or runc): the layer Docker and Podman sit on. This
 * module writes each container's bundle itself (OCI runtime spec, config.md): a config.json
 * and a rootfs holding only the app binary (the sidecar's root holds only mount points: its
 * binary and libraries are bind-mounted read-only from the build context). The app gets new
 * PID, mount, network, UTS and IPC namespaces; between `create` and `start` a veth pair
 * joins its network namespace to the case's, as a CNI plugin would, so the case reaches
 * port 8000 at the app's link-local address. The sidecar joins the app's network namespace
 * by path (/proc/PID/ns/net), or gets its own, loopback only.
 *
 * Everything lives under /run/isocheck-oci/<run id>/<case>/: `state/` is the runtime's
 * --root, each container's bundle beside it, so reclaim and scan find a run's containers
 * from the directory names alone. Container ids carry the isocheck prefix, and so do the
 * cgroups the runtime makes for them (/<id> in each hierarchy).
 *
 * The bundles are written by oci_bundle.c, the runtime binary is run by runtime_oci_cli.c.
 * crun refuses a hybrid
 * hierarchy whose v2 half has controllers ("cgroups in hybrid mode not supported"), so
 * runc is used there (ISOCHECK_OCI_RUNTIME names one explicitly).
 */
#include <dirent.h>
#include <glob.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isocheck/container.h"
#include "isocheck/oci_bundle.h"
#include "isocheck/netlink.h"
#include "isocheck/ns.h"
#include "isocheck/runtime.h"
#include "isocheck/tool.h"
#include "runtime_oci.h"

/* The case's directory and state root, made. */
static int oci_case_dirs(const struct iso_rt_ctx *c, char dir[PATH_MAX], char root[PATH_MAX],
                         struct iso_err *e)
{
        iso_oci_dirs(c->run_id, c->case_name, dir, root);
        return iso_mkdir_p(root, e);
}

/* A container this case started. Stop reads only this record, found by the handle's
 * address (the case's context owns the handles: runtime_case.c), so what it stops is what
 * this module started, whatever the handle holds by then. */
struct oci_app {
        const void *owner; /* the iso_rt_app or iso_rt_sidecar it was started for */
        char name[192];
        pid_t pid;
        int live;
        char root[PATH_MAX];
        char host_if[16], app_if[16];
        ino_t net;
};

/* What a case made (c->priv: iso_rt_end reclaims the case's objects when it is set, then
 * frees it): two apps and two sidecars at most (runtime.h). */
struct oci_case {
        struct oci_app ctrs[4];
        unsigned n;
};

/* A new record in the case's state, made on first use. NULL with @e when out of room. */
static struct oci_app *oci_record(struct iso_rt_ctx *c, const void *owner, struct iso_err *e)
{
        if (!c->priv && !(c->priv = calloc(1, sizeof(struct oci_case)))) {
                iso_errf(e, ENOMEM, "OCI runtime: %zu bytes of case state",
                         sizeof(struct oci_case));
                return NULL;
        }
        struct oci_case *oc = c->priv;
        if (oc->n >= ISO_ARRAY_SIZE(oc->ctrs)) {
                iso_errf(e, ENOSPC, "OCI runtime: more than %zu containers in one case",
                         ISO_ARRAY_SIZE(oc->ctrs));
                return NULL;
        }
        struct oci_app *oa = &oc->ctrs[oc->n++];
        memset(oa, 0, sizeof(*oa));
        oa->owner = owner;
        return oa;
}

/* The live record started for @owner (compared, not dereferenced), or NULL. */
static struct oci_app *oci_find(struct iso_rt_ctx *c, const void *owner)
{
        struct oci_case *oc = c->priv;
        for (unsigned i = 0; oc && i < oc->n; i++)
                if (oc->ctrs[i].owner == owner && oc->ctrs[i].live)
                        return &oc->ctrs[i];
        return NULL;
}

/* The veth pair between the case and the app (created but not started), named from a
 * random tag as the native runtime's are (a taken name is retried, 8 times at most). */
static int oci_veth(struct oci_app *oa, struct iso_rt_app *app, struct iso_err *e)
{
        struct iso_err ve = {0};
        for (int try = 0; try < 8; try++) {
                unsigned tag = 0;
                if (getrandom(&tag, sizeof(tag), GRND_NONBLOCK) != (ssize_t)sizeof(tag))
                        tag = (unsigned)getpid() * 2654435761u + (unsigned)try;
                tag &= 0xffffff;
                snprintf(oa->host_if, sizeof(oa->host_if), ISO_IF_PREFIX "%06xho", tag);
                snprintf(oa->app_if, sizeof(oa->app_if), ISO_IF_PREFIX "%06xco", tag);
                if (iso_nl_veth_create(oa->host_if, oa->app_if, app->pid, &ve) == 0)
                        break;
                oa->host_if[0] = '\0';
                if (ve.errnum != EEXIST)
                        break;
        }
        if (!oa->host_if[0]) {
                if (e)
                        *e = ve;
                return -1;
        }
        char host_addr[16];
        unsigned index = if_nametoindex(oa->host_if);
        if (!index)
                return iso_errf(e, errno, "if_nametoindex %s", oa->host_if);
        if (iso_app_addresses(index, host_addr, app->addr, e) < 0 ||
            iso_nl_addr_add(oa->host_if, host_addr, 30, e) < 0 ||
            iso_nl_link_up(oa->host_if, e) < 0)
                return -1;
        return iso_app_link_inside(app->pid, oa->app_if, app->addr, e);
}

static int oci_app_start(struct iso_rt_ctx *c, const struct iso_rt_app_opts *o,
                         struct iso_rt_app *app, struct iso_err *e)
{
        memset(app, 0, sizeof(*app));
        struct oci_app *oa = oci_record(c, app, e);
        if (!oa)
                return -1;
        /* The container's first process outlives `create`: as the subreaper of this case
         * process, it becomes our child, so its wait status is ours to read at the end. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return iso_errf(e, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
        memset(oa, 0, sizeof(*oa));
        app->priv = oa;
        char dir[PATH_MAX], bundle[PATH_MAX], bin[PATH_MAX];
        if (oci_case_dirs(c, dir, oa->root, e) < 0 ||
            iso_fixture_path("app", bin, sizeof(bin), e) < 0)
                return -1;
        snprintf(app->name, sizeof(app->name), "isocheck-%s-app%u", c->run_id, c->n++);
        char *args[] = {"/app", NULL};
        struct iso_oci_spec s = {.args = args, .hostname = o && o->hostname ? o->hostname : "app"};
        if (iso_oci_bundle(dir, app->name, &s, bundle, e) < 0)
                return -1;
        if (iso_oci_bundle_file(bundle, bin, "/app", e) < 0)
                return -1;
        /* Test build: a "shell" in the root. */
        if (o && o->has_shell && iso_oci_bundle_file(bundle, bin, "/bin/bash", e) < 0)
                return -1;
        iso_strlcpy(oa->name, app->name, sizeof(oa->name));
        pid_t pid = iso_oci_create(oa->root, bundle, app->name, e);
        if (pid < 0)
                return -1;
        app->pid = oa->pid = pid;
        oa->live = 1;
        dev_t dev;
        iso_ns_id(pid, "net", &dev, &oa->net, NULL);
        char *start[] = {"start", app->name, NULL};
        if (oci_veth(oa, app, e) < 0 || iso_oci_must(oa->root, start, e) < 0)
                return -1;
        /* Test build: a port the app does not serve. */
        app->port = o && o->not_serving ? ISO_APP_PORT + 1 : ISO_APP_PORT;
        iso_rt_await_answer(app, ISO_RT_ANSWER_TRIES); /* bounded: 10 s */
        return 0;
}

static int oci_sidecar_start(struct iso_rt_ctx *c, const struct iso_rt_app *app,
                             const struct iso_rt_sidecar_opts *o, struct iso_rt_sidecar *sc,
                             struct iso_err *e)
{
        memset(sc, 0, sizeof(*sc));
        char dir[PATH_MAX], ctx[PATH_MAX], bundle[PATH_MAX];
        struct oci_app *rec = oci_record(c, sc, e);
        if (!rec)
                return -1;
        char *root = rec->root;
        if (oci_case_dirs(c, dir, root, e) < 0 ||
            iso_fixture_path("sidecar-image", ctx, sizeof(ctx), e) < 0)
                return -1;
        snprintf(sc->name, sizeof(sc->name), "isocheck-%s-sidecar%u", c->run_id, c->n++);
        char out_dir[PATH_MAX], file[PATH_MAX], secs[16], net[64];
        /* The capture's directory, absolute (a bind source must be), mounted at /out. */
        char rel[PATH_MAX];
        iso_strlcpy(rel, o->pcap, sizeof(rel));
        char *slash = strrchr(rel, '/');
        if (!slash)
                return iso_errf(e, EINVAL, "sidecar capture %s: expected a path with a directory",
                                o->pcap);
        *slash = '\0';
        if (!realpath(rel, out_dir))
                return iso_errf(e, errno, "realpath %s", rel);
        snprintf(file, sizeof(file), "/out/%s", slash + 1);
        snprintf(secs, sizeof(secs), "%u", o->seconds ? o->seconds : 30);
        snprintf(net, sizeof(net), "/proc/%d/ns/net", (int)app->pid);
        char *args[] = {"/sidecar", "-i", "any", "-f", (char *)o->filter,
                        "-w",       file, "-t",  secs, NULL};
        char lib[PATH_MAX], lib64[PATH_MAX], usr[PATH_MAX], binary[PATH_MAX];
        iso_pathf(lib, sizeof(lib), "%s/lib", ctx);
        iso_pathf(lib64, sizeof(lib64), "%s/lib64", ctx);
        iso_pathf(usr, sizeof(usr), "%s/usr", ctx);
        iso_pathf(binary, sizeof(binary), "%s/sidecar", ctx);
        struct iso_oci_spec s = {
                .args = args,
                .net_path = o->joined ? net : NULL,
                .net_raw = 1,
                .binds = {{lib, "/lib"}, {lib64, "/lib64"}, {usr, "/usr"}, {binary, "/sidecar"}},
                .out_dir = out_dir};
        if (iso_oci_bundle(dir, sc->name, &s, bundle, e) < 0)
                return -1;
        iso_strlcpy(rec->name, sc->name, sizeof(rec->name));
        pid_t pid = iso_oci_create(root, bundle, sc->name, e);
        if (pid < 0)
                return -1;
        sc->pid = rec->pid = pid;
        rec->live = 1;
        char *start[] = {"start", sc->name, NULL};
        if (iso_oci_must(root, start, e) < 0)
                return -1;
        /* Its "ready" line goes to the bundle's log (bounded: 500 x 10 ms). */
        char log[PATH_MAX];
        iso_pathf(log, sizeof(log), "%s/log", bundle);
        for (int i = 0; i < 500; i++) {
                iso_autofree char *said = iso_read_file(log, NULL, NULL);
                if (said && strstr(said, "ready\n"))
                        return 0;
                usleep(10000);
        }
        iso_autofree char *said = iso_read_file(log, NULL, NULL);
        return iso_errf(e, ETIMEDOUT,
                        "expected the sidecar container %s to report ready within 5 s; its log "
                        "%s: %.300s",
                        sc->name, log, said ? said : "(none)");
}

static int oci_sidecar_stop(struct iso_rt_ctx *c, struct iso_rt_sidecar *sc, char *out, size_t size,
                            struct iso_err *e)
{
        if (size)
                out[0] = '\0';
        struct oci_app *rec = oci_find(c, sc);
        if (!rec)
                return 0; /* never started, or stopped already */
        rec->live = 0;
        char dir[PATH_MAX], root[PATH_MAX], log[PATH_MAX];
        iso_oci_dirs(c->run_id, c->case_name, dir, root);
        int status = rec->pid > 0 ? iso_oci_end(root, rec->name, rec->pid, "TERM") : 0;
        iso_pathf(log, sizeof(log), "%s/%s/log", dir, rec->name);
        iso_autofree char *said = iso_read_file(log, NULL, NULL);
        if (size)
                iso_strlcpy(out, said ? said : "", size);
        if (iso_oci_delete(root, rec->name, e) < 0)
                return -1;
        return status;
}

static int oci_exec(struct iso_rt_ctx *c, const struct iso_rt_app *app, char *const argv[],
                    char *detail, size_t size, struct iso_err *e)
{
        (void)c;
        const struct oci_app *oa = app->priv;
        char *args[24] = {"exec", (char *)app->name};
        size_t n = 2;
        for (size_t i = 0; argv[i] && n < ISO_ARRAY_SIZE(args) - 1; i++)
                args[n++] = argv[i];
        args[n] = NULL;
        char out[2048];
        struct iso_err ce = {0};
        int st = iso_oci_cmd(oa->root, args, out, sizeof(out), 30.0, &ce);
        out[strcspn(out, "\n")] = '\0';
        if (st < 0 || !WIFEXITED(st))
                return iso_errf(e, ce.errnum ? ce.errnum : EIO,
                                "expected `%s exec %s %s` to finish, got %s 0x%x%s%s",
                                iso_oci_bin(), app->name, argv[0],
                                st < 0 ? "no status" : "wait status", st, ce.msg[0] ? ": " : "",
                                ce.msg);
        snprintf(detail, size, "exit status %d: %.300s", WEXITSTATUS(st), out);
        if (WEXITSTATUS(st) == 0)
                return ISO_RT_EXEC_RAN;
        /* The runtime fails the exec itself when the program cannot be started: crun and
         * runc then exit 1 (runc) or 127 (crun) and say why: only "not found" in the
         * container tells the image has no such program. */
        if (WEXITSTATUS(st) == 127 || strstr(out, "executable file not found") ||
            strstr(out, "No such file or directory"))
                return ISO_RT_EXEC_NOT_FOUND;
        if (WEXITSTATUS(st) == 126 || strstr(out, "permission denied") ||
            strstr(out, "Permission denied"))
                return ISO_RT_EXEC_FAILED;
        return ISO_RT_EXEC_RAN;
}

static int oci_app_unchanged(struct iso_rt_ctx *c, const struct iso_rt_app *app, struct iso_err *e)
{
        (void)c;
        const struct oci_app *oa = app->priv;
        dev_t dev;
        ino_t now = 0;
        if (app->pid > 0 && iso_ns_id(app->pid, "net", &dev, &now, NULL) == 0 && oa &&
            now == oa->net)
                return 0;
        return iso_errf(e, ESTALE,
                        "the app container %s changed (stopped or killed from outside the run), "
                        "not a kernel verdict: it was PID %d in net:[%lu], now net:[%lu]",
                        app->name, (int)app->pid, oa ? (unsigned long)oa->net : 0UL,
                        (unsigned long)now);
}

static int oci_app_stop(struct iso_rt_ctx *c, struct iso_rt_app *app, struct iso_err *e)
{
        struct oci_app *oa = oci_find(c, app);
        if (!oa)
                return 0; /* never started, or stopped already */
        oa->live = 0;
        int status = oa->pid > 0 ? iso_oci_end(oa->root, oa->name, oa->pid, "TERM") : 0;
        int rc = iso_oci_delete(oa->root, oa->name, e);
        /* The veth goes with the namespace; this is for a namespace something still holds. */
        if (oa->host_if[0] && if_nametoindex(oa->host_if))
                iso_nl_link_delete(oa->host_if, NULL);
        oa->host_if[0] = '\0';
        return rc < 0 ? -1 : status;
}

/* Delete every container under state root @root and remove the case directory @name under
 * @dirfd (@shown its path). Returns how many containers there were. */
static long oci_reclaim_case(int dirfd, const char *shown, const char *name)
{
        char root[PATH_MAX], out[8192];
        iso_pathf(root, sizeof(root), "%s/%s/state", shown, name);
        long n = 0;
        char *list[] = {"list", "-q", NULL};
        if (access(root, F_OK) == 0 && iso_oci_cmd(root, list, out, sizeof(out), 20.0, NULL) == 0) {
                for (char *save = NULL, *id = strtok_r(out, "\n", &save); id;
                     id = strtok_r(NULL, "\n", &save)) {
                        iso_oci_delete(root, id, NULL);
                        n++;
                }
        }
        iso_remove_tree_at(dirfd, name, shown, NULL);
        return n;
}

/*
 * The cgroups the OCI runtime made for a run's containers: /<id> in each hierarchy (its
 * default cgroupsPath), ids "isocheck-<run>-app<n>" / "-sidecar<n>". A delete normally takes
 * them, but one left busy past iso_oci_delete's wait (seen: cpuset, under load) would have
 * no state left to find it by. Swept by name, empty ones only (rmdir refuses the others),
 * for at most 3 s; the runtime's own bookkeeping, so not counted as the case's leak.
 */
/*
 * Where runc puts a container's cgroups when config.json names no cgroupsPath: below the
 * caller's own cgroup in each v1 hierarchy (the runner's memory cgroup, say, which may be
 * a service's: /sys/fs/cgroup/memory/<service>/isocheck-<run>-sidecar1), and at the top
 * of a hierarchy for a caller at its root. Fills @dirs with the parents to look in (the
 * top's glob first, then the caller's own paths not at "/"). Returns how many.
 */
static size_t container_cgroup_parents(char dirs[][PATH_MAX], size_t max)
{
        size_t n = 0;
        iso_strlcpy(dirs[n++], "/sys/fs/cgroup/*", PATH_MAX);
        iso_strlcpy(dirs[n++], "/sys/fs/cgroup", PATH_MAX);
        FILE *f = fopen("/proc/self/cgroup", "re");
        char line[PATH_MAX + 64];
        while (f && n < max && fgets(line, sizeof(line), f)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || c2 == c1 + 1) /* the v2 line: its cgroups are made by path */
                        continue;
                c2[1 + strcspn(c2 + 1, "\n")] = '\0';
                if (!strcmp(c2 + 1, "/") || strstr(c2 + 1, "/.."))
                        continue;
                if (iso_pathf(dirs[n], PATH_MAX, "/sys/fs/cgroup/*%s", c2 + 1) == 0)
                        n++;
        }
        if (f)
                fclose(f);
        return n;
}

static void oci_sweep_cgroups(const char *run_id)
{
        char parents[12][PATH_MAX];
        size_t n = container_cgroup_parents(parents, ISO_ARRAY_SIZE(parents));
        double start = iso_now();
        for (size_t k = 0; k < n; k++) {
                char pattern[PATH_MAX + 64];
                glob_t g;
                if (iso_pathf(pattern, sizeof(pattern), "%s/isocheck-%s-*", parents[k], run_id) <
                            0 ||
                    glob(pattern, GLOB_NOSORT | GLOB_ONLYDIR, NULL, &g) != 0)
                        continue;
                for (size_t i = 0; i < g.gl_pathc; i++)
                        while (rmdir(g.gl_pathv[i]) < 0 && errno == EBUSY &&
                               iso_now() - start < 3.0)
                                usleep(20000);
                globfree(&g);
        }
}

static long oci_reclaim(const char *run_id, const char *case_name, char *what, size_t size)
{
        char run_dir[PATH_MAX];
        iso_pathf(run_dir, sizeof(run_dir), OCI_DIR "/%s", run_id);
        if (size)
                what[0] = '\0';
        int fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int saved = errno;
                oci_sweep_cgroups(run_id);
                return saved == ENOENT ? 0 : -1;
        }
        long n = 0, dirs = 0;
        if (case_name) {
                struct stat st;
                if (fstatat(fd, case_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        n = oci_reclaim_case(fd, run_dir, case_name);
                        dirs = 1;
                }
        } else {
                DIR *d = fdopendir(dup(fd));
                for (struct dirent *de; d && (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        n += oci_reclaim_case(fd, run_dir, de->d_name);
                        dirs++;
                }
                if (d)
                        closedir(d);
        }
        close(fd);
        oci_sweep_cgroups(run_id);
        /* The run's directory goes with its last case (rmdir refuses while others remain). */
        rmdir(run_dir);
        if (size && dirs)
                snprintf(what, size, "%ld OCI container(s) and %ld bundle director%s under %s", n,
                         dirs, dirs == 1 ? "y" : "ies", run_dir);
        return n + dirs;
}

static long oci_scan(void (*found)(void *arg, const char *run_id), void *arg)
{
        DIR *d = opendir(OCI_DIR);
        if (!d)
                return errno == ENOENT ? 0 : -1;
        long calls = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                found(arg, de->d_name);
                calls++;
        }
        closedir(d);
        /* A container cgroup whose run left nothing else: "isocheck-<pid>-<hex>-<what>",
         * at a hierarchy's top or below this process's own cgroup (container_cgroup_parents). */
        char parents[12][PATH_MAX], pattern[PATH_MAX + 32];
        size_t n_parents = container_cgroup_parents(parents, ISO_ARRAY_SIZE(parents));
        for (size_t k = 0; k < n_parents; k++) {
                glob_t g;
                if (k == 1 ||
                    iso_pathf(pattern, sizeof(pattern), "%s/isocheck-*-*-*", parents[k]) < 0 ||
                    glob(pattern, GLOB_NOSORT | GLOB_ONLYDIR, NULL, &g) != 0)
                        continue;
                for (size_t i = 0; i < g.gl_pathc; i++) {
                        char id[96];
                        const char *base = strrchr(g.gl_pathv[i], '/') + 1 + strlen("isocheck-");
                        const char *dash = strchr(base, '-');
                        const char *end = dash ? strchr(dash + 1, '-') : NULL;
                        if (!end || (size_t)(end - base) >= sizeof(id) ||
                            (strncmp(end, "-app", 4) && strncmp(end, "-sidecar", 8)))
                                continue;
                        memcpy(id, base, (size_t)(end - base));
                        id[end - base] = '\0';
                        found(arg, id);
                        calls++;
                }
                globfree(&g);
        }
        return calls;
}

/* Bundle directories of every run under OCI_DIR: a container's objects (its state, its
 * cgroups, its veth) live no longer than its directory. No runtime is asked. */
static long oci_count(void)
{
        DIR *d = opendir(OCI_DIR);
        if (!d)
                return errno == ENOENT ? 0 : -1;
        long n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                int fd = openat(dirfd(d), de->d_name,
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                DIR *run = fd >= 0 ? fdopendir(fd) : NULL;
                if (!run) {
                        if (fd >= 0)
                                close(fd);
                        n++;
                        continue;
                }
                for (struct dirent *ce; (ce = readdir(run));)
                        n += ce->d_name[0] != '.';
                closedir(run);
        }
        closedir(d);
        return n;
}

static int oci_probe(struct iso_env *env, char *why, size_t size)
{
        (void)env;
        const char *bin = iso_oci_bin();
        if (!bin) {
                snprintf(why, size, "no OCI runtime: neither crun nor runc is installed");
                return -1;
        }
        if (geteuid() != 0) {
                snprintf(why, size, "%s as used here needs root (euid %u)", bin,
                         (unsigned)geteuid());
                return 0;
        }
        char out[512];
        char *argv[] = {(char *)bin, "--version", NULL};
        struct iso_err e = {0};
        int timed_out = 0;
        int st = iso_tool_run(argv, NULL, out, sizeof(out), 10.0, &timed_out, &e);
        if (st != 0) {
                snprintf(why, size, "`%s --version` did not answer (%s)", bin,
                         st < 0 ? e.msg : "non-zero status");
                return 0;
        }
        out[strcspn(out, "\n")] = '\0';
        snprintf(why, size, "%s", out);
        return 1;
}

static const struct iso_runtime oci_runtime = {
        .name = "oci",
        .suffix = ".oci",
        /* The veth between create and start is made over rtnetlink (CAP_NET_ADMIN,
         * rtnetlink(7)) and configured inside with setns (CAP_SYS_ADMIN, setns(2)). */
        .needs = {ISO_ROOT, ISO_CAP_SYS_ADMIN, ISO_CAP("CAP_NET_ADMIN", 12), ISO_NS("net"),
                  ISO_KCONFIG("CONFIG_VETH")},
        /* The capture's AF_PACKET socket: the runtime grants the sidecar CAP_NET_RAW only
         * when the caller's bounding set still holds it (packet(7)). */
        .sidecar_needs = {ISO_CAP("CAP_NET_RAW", 13)},
        .requirement = "an OCI runtime (crun or runc)",
        .min_timeout_s = 30,
        .root_entries = "dev proc",
        .probe = oci_probe,
        .app_start = oci_app_start,
        .sidecar_start = oci_sidecar_start,
        .sidecar_stop = oci_sidecar_stop,
        .exec = oci_exec,
        .app_unchanged = oci_app_unchanged,
        .app_stop = oci_app_stop,
        .reclaim = oci_reclaim,
        .scan = oci_scan,
        .count = oci_count,
};
ISO_RUNTIME(oci_runtime);

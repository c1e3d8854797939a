// SPDX-License-Identifier: MIT
/*
 * Environment probe: the mounts. The cgroup mode and the cgroup hierarchies, from
 * statfs(2) and /proc/self/mountinfo (proc(5)).
 *
 * mountinfo is read with util-linux's libmount (mnt_table_parse_stream), the parser
 * mount(8) and findmnt(8) use: it splits the fields, finds the " - " separator after the
 * optional fields and undoes the octal escapes. What stays here is what libmount does not
 * answer: which cgroup mounts are covered by later mounts, and which super options of a
 * v1 hierarchy name its controllers.
 */
#include "env_probe.h"

#include <libmount.h>

/* ---- cgroup mode ------------------------------------------------------------------- */

const char *iso_cg_mode_name(enum iso_cg_mode m)
{
        switch (m) {
        case ISO_CG_LEGACY:
                return "legacy";
        case ISO_CG_HYBRID:
                return "hybrid";
        case ISO_CG_UNIFIED:
                return "unified";
        case ISO_CG_NONE:
        default:
                return "none";
        }
}

enum iso_cg_mode iso_cg_mode_from_magic(long root_magic, long unified_magic)
{
        if (root_magic == CGROUP2_SUPER_MAGIC)
                return ISO_CG_UNIFIED;
        if (root_magic == TMPFS_MAGIC)
                return unified_magic == CGROUP2_SUPER_MAGIC ? ISO_CG_HYBRID : ISO_CG_LEGACY;
        return ISO_CG_NONE;
}

long fs_magic(const char *path)
{
        struct statfs sf;

        if (statfs(path, &sf) < 0)
                return 0;
        return (long)sf.f_type;
}

/* ---- mountinfo --------------------------------------------------------------------- */

/* One mount of a libmount table; the strings belong to the table's entries. */
struct mnt_line {
        long id, parent;
        const char *root, *mount, *opts, *fstype, *super;
};

/*
 * libmount guesses a stream's format from its first line that is neither blank nor a
 * comment ("%u %u" at its start: mountinfo, else fstab). A stream whose first line is
 * damaged would then be read as an fstab, so start it at the first line shaped like
 * mountinfo; the lines skipped could not have been parsed anyway.
 */
static const char *first_mountinfo_line(const char *text)
{
        for (const char *l = text; l && *l;) {
                unsigned a, b;

                if (sscanf(l, "%u %u", &a, &b) == 2)
                        return l;
                l = strchr(l, '\n');
                l = l ? l + 1 : NULL;
        }
        return NULL;
}

/*
 * @text (mountinfo, proc(5)) parsed by libmount; lines it cannot parse are left out, as
 * its parser does by default. NULL when no line is mountinfo or memory ran out.
 */
static struct libmnt_table *parse_table(const char *text)
{
        const char *start = first_mountinfo_line(text);

        if (!start)
                return NULL;

        struct libmnt_table *tb = mnt_new_table();
        FILE *f = fmemopen((void *)start, strlen(start), "r");

        if (!tb || !f || mnt_table_parse_stream(tb, f, "mountinfo") < 0) {
                if (f)
                        fclose(f);
                mnt_unref_table(tb);
                return NULL;
        }
        fclose(f);
        return tb;
}

/* The table's mounts in its order, into a new array of *@n; NULL when out of memory. */
static struct mnt_line *table_lines(struct libmnt_table *tb, size_t *n)
{
        struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct mnt_line *all = calloc((size_t)mnt_table_get_nents(tb) + 1, sizeof(*all));
        struct libmnt_fs *fs;

        *n = 0;
        if (!it || !all) {
                mnt_free_iter(it);
                free(all);
                return NULL;
        }
        while (mnt_table_next_fs(tb, it, &fs) == 0) {
                struct mnt_line *m = &all[*n];
                const char *v;

                m->id = mnt_fs_get_id(fs);
                m->parent = mnt_fs_get_parent_id(fs);
                m->root = (v = mnt_fs_get_root(fs)) ? v : "";
                m->mount = (v = mnt_fs_get_target(fs)) ? v : "";
                m->opts = (v = mnt_fs_get_vfs_options(fs)) ? v : "";
                m->fstype = (v = mnt_fs_get_fstype(fs)) ? v : "";
                m->super = (v = mnt_fs_get_fs_options(fs)) ? v : "";
                (*n)++;
        }
        mnt_free_iter(it);
        return all;
}

static const struct mnt_line *find_mount(const struct mnt_line *all, size_t n, long id)
{
        for (size_t i = 0; i < n; i++)
                if (all[i].id == id)
                        return &all[i];
        return NULL;
}

/*
 * Is mount @m covered by a later mount, so that its path now shows something else?
 * Mounting over a path makes the new mount a child of whatever was on top there, so walk
 * up @m's parent chain: at each step, a sibling of the chain mounted at or above the
 * chain's path (and after it) covers it, as does a mount stacked directly on @m itself.
 * This keeps a container runtime's tmpfs over /sys/fs/cgroup from leaving the host's
 * hidden cgroup2 mount looking usable.
 */
static int mount_hidden(const struct mnt_line *all, size_t n, const struct mnt_line *m)
{
        for (size_t i = 0; i < n; i++)
                if (&all[i] != m && all[i].parent == m->id && !strcmp(all[i].mount, m->mount))
                        return 1;

        const struct mnt_line *c = m;

        for (size_t depth = 0; depth < n; depth++) {
                const struct mnt_line *a = find_mount(all, n, c->parent);

                if (!a || a == c)
                        break;
                for (size_t i = 0; i < n; i++) {
                        const struct mnt_line *s = &all[i];

                        if (s == c || s->parent != a->id || !path_under(c->mount, s->mount))
                                continue;
                        if (strcmp(c->mount, s->mount) || s > c)
                                return 1;
                }
                c = a;
        }
        return 0;
}

/*
 * v1 super options mix controllers with mount flags. They need no unescaping: controller
 * names are fixed, and cgroup1 accepts only [A-Za-z0-9._-] in a hierarchy name. Keep
 * the controllers and the "name=" of a named hierarchy; drop rw/ro, the cgroup1/cgroup2
 * flags and anything else of the key=value kind (release_agent=, SELinux context=).
 */
static int is_mount_flag(const char *opt, size_t len)
{
        static const char *const flags[] = {
                "rw",
                "ro",
                "none",
                "all",
                "noprefix",
                "clone_children",
                "cpuset_v2_mode",
                "xattr",
                "favordynmods",
                "nsdelegate",
                "memory_recursiveprot",
                "memory_localevents",
                "memory_hugetlb_accounting",
                "pids_localevents",
                "seclabel",
        };

        if (len > 5 && !strncmp(opt, "name=", 5))
                return 0;
        if (memchr(opt, '=', len))
                return 1;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(flags); i++)
                if (strlen(flags[i]) == len && !strncmp(opt, flags[i], len))
                        return 1;
        return 0;
}

static void v1_controllers(const char *super, char *out, size_t size)
{
        size_t used = 0;

        out[0] = '\0';
        for (const char *p = super; *p;) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t)(end - p) : strlen(p);

                if (len && !is_mount_flag(p, len) && used + len + 2 <= size) {
                        if (used)
                                out[used++] = ',';
                        memcpy(out + used, p, len);
                        used += len;
                        out[used] = '\0';
                }
                if (!end)
                        break;
                p = end + 1;
        }
}

static void add_hierarchy(struct iso_env *env, const struct mnt_line *m)
{
        if (env->n_hierarchies >= ISO_MAX_HIERARCHIES)
                return;

        struct iso_cg_hierarchy *h = &env->hierarchies[env->n_hierarchies];

        memset(h, 0, sizeof(*h));
        h->version = strcmp(m->fstype, "cgroup2") ? 1 : 2;
        /* A cut-off path would name some other directory: leave such a mount out. */
        if (iso_pathf(h->mount, sizeof(h->mount), "%s", m->mount) < 0 ||
            iso_pathf(h->root, sizeof(h->root), "%s", m->root) < 0)
                return;
        if (h->version == 1)
                v1_controllers(m->super, h->controllers, sizeof(h->controllers));
        /* Read-only either per mount (docker's default) or for the whole superblock. */
        h->readonly = has_word(m->opts, "ro", ',') || has_word(m->super, "ro", ',');
        env->n_hierarchies++;
}

/* The memory controller's home as far as the mounts tell: a v1 hierarchy listing it. */
void choose_memory(struct iso_env *env)
{
        const struct iso_cg_hierarchy *h = iso_env_hierarchy(env, "memory");

        env->memory_version = 0;
        env->memory_path[0] = '\0';
        if (!h) {
                /* v2 has it when the root's cgroup.controllers lists it (filled by probe). */
                h = iso_env_hierarchy(env, NULL);
                if (!h || !has_word(h->controllers, "memory", ' '))
                        return;
        }
        env->memory_version = h->version;
        copy_str(env->memory_path, sizeof(env->memory_path), h->mount);
}

size_t iso_env_parse_mountinfo(struct iso_env *env, const char *text)
{
        env->n_hierarchies = 0;
        if (!text)
                return 0;

        struct libmnt_table *tb = parse_table(text);
        size_t n = 0;
        struct mnt_line *all = tb ? table_lines(tb, &n) : NULL;

        for (size_t i = 0; i < n; i++) {
                if (strcmp(all[i].fstype, "cgroup") && strcmp(all[i].fstype, "cgroup2"))
                        continue;
                if (!mount_hidden(all, n, &all[i]))
                        add_hierarchy(env, &all[i]);
        }
        free(all);
        mnt_unref_table(tb);
        choose_memory(env);
        return env->n_hierarchies;
}

int mount_root_of(const char *mountpoint, char *root, size_t size)
{
        iso_autofree char *mi = iso_read_file("/proc/self/mountinfo", NULL, NULL);
        struct libmnt_table *tb = mi ? parse_table(mi) : NULL;
        size_t n = 0;
        struct mnt_line *all = tb ? table_lines(tb, &n) : NULL;
        int found = -1;

        /* The visible one: the last listed. */
        for (size_t i = n; i-- > 0;)
                if (!strcmp(all[i].mount, mountpoint)) {
                        copy_str(root, size, all[i].root);
                        found = 0;
                        break;
                }
        free(all);
        mnt_unref_table(tb);
        return found;
}

const struct iso_cg_hierarchy *iso_env_hierarchy(const struct iso_env *env, const char *ctrl)
{
        for (size_t i = 0; i < env->n_hierarchies; i++) {
                const struct iso_cg_hierarchy *h = &env->hierarchies[i];

                if (!ctrl && h->version == 2)
                        return h;
                if (ctrl && h->version == 1 && has_word(h->controllers, ctrl, ','))
                        return h;
        }
        return NULL;
}

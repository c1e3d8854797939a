// SPDX-License-Identifier: MIT
/*
 * Environment probe: the external tools the lab steps run, their versions and the
 * variables that change what they do.
 */
#include "env_probe.h"
#include "isocheck/docker.h"

/*
 * The suite's own external tools: what the lab steps run. iproute2's ip(8) only learned
 * --version in 2023 (older ones answer 'Option "-version" is unknown'); -V works in all.
 */
static const struct {
        const char *name, *version_arg;
} tool_list[] = {
        {"unshare", "--version"},
        {"nsenter", "--version"},
        {"stress-ng", "--version"},
        {"stress", "--version"},
        {"ip", "-V"},
        {"docker", "--version"},
        {"qemu-system-x86_64", "--version"},
};

_Static_assert(ISO_ARRAY_SIZE(tool_list) <= ISO_MAX_TOOLS, "ISO_MAX_TOOLS too small");

/* ---- probe: tools ------------------------------------------------------------------ */

static int is_executable(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * Search $PATH like execvp(3) would, plus /usr/sbin and /sbin: an unprivileged user's
 * PATH often lacks them, yet ip(8) lives there. Empty entries (the current directory)
 * are skipped: a conformance run must not pick up whatever sits in its work tree.
 */
int find_on_path(const char *name, char *out, size_t size)
{
        const char *env_path = getenv("PATH");
        char dirs[8192];

        out[0] = '\0';
        if (!name || !*name)
                return 0;
        /* A path cut to fit @out would name another file: treat it as not found. */
        if (strchr(name, '/')) {
                if (iso_pathf(out, size, "%s", name) == 0 && is_executable(out))
                        return 1;
                out[0] = '\0';
                return 0;
        }
        copy_str(dirs, sizeof(dirs),
                 env_path && *env_path ? env_path : "/usr/local/bin:/usr/bin:/bin");
        if (!has_word(dirs, "/usr/sbin", ':'))
                strncat(dirs, ":/usr/sbin", sizeof(dirs) - strlen(dirs) - 1);
        if (!has_word(dirs, "/sbin", ':'))
                strncat(dirs, ":/sbin", sizeof(dirs) - strlen(dirs) - 1);

        char *save = NULL;

        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (iso_pathf(out, size, "%s/%s", d, name) == 0 && is_executable(out))
                        return 1;
        out[0] = '\0';
        return 0;
}

/*
 * The version line of @text into @out: the first line with a digit in it (stderr shares
 * the pipe, and a tool may warn before it answers, as docker does about an unreadable
 * config file), else the first non-empty line. Control characters are dropped (ANSI
 * colours, \r), blanks trimmed, and the text cut on a UTF-8 character boundary so the
 * report writers get well-formed text.
 */
static void first_line(const char *text, char *out, size_t size)
{
        char line[512];
        size_t n = 0;
        const char *p = text;

        out[0] = '\0';
        for (const char *l = text; *l;) {
                size_t len = strcspn(l, "\n");

                if (strcspn(l, "0123456789") < len) {
                        p = l;
                        break;
                }
                l += len;
                if (*l)
                        l++;
        }
        while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
                p++;
        for (; *p && *p != '\n' && n < sizeof(line) - 1; p++) {
                if ((unsigned char)*p >= 0x20 && *p != 0x7f)
                        line[n++] = *p;
                else if (*p == '\t')
                        line[n++] = ' ';
        }
        line[n] = '\0';

        char *t = trim(line);
        size_t len = strlen(t);

        if (len >= size) {
                len = size - 1;
                while (len && ((unsigned char)t[len] & 0xc0) == 0x80)
                        len--;
        }
        memcpy(out, t, len);
        out[len] = '\0';
}

/*
 * Run "@path @arg" with stdout and stderr captured, for at most TOOL_TIMEOUT_S. Output of
 * a run that failed or timed out is an error message, not a version: left empty.
 */
static void tool_version(const char *path, const char *arg, char *out, size_t size)
{
        char buf[4096];
        char *argv[] = {(char *)path, (char *)arg, NULL};
        int timed_out = 0;
        int status = iso_tool_run(argv, NULL, buf, sizeof(buf), TOOL_TIMEOUT_S, &timed_out, NULL);

        out[0] = '\0';
        if (status >= 0 && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0)
                first_line(buf, out, size);
}

/* Where each tool is: a stat per PATH entry. Running them is left to
 * iso_env_probe_versions: seven `--version`s took 0.15 s of every run, one case or all. */
void probe_tools(struct iso_env *env)
{
        env->n_tools = 0;
        for (size_t i = 0; i < ISO_ARRAY_SIZE(tool_list); i++) {
                struct iso_tool *t = &env->tools[env->n_tools++];

                memset(t, 0, sizeof(*t));
                t->name = tool_list[i].name;
                find_on_path(t->name, t->path, sizeof(t->path));
        }
}

void iso_env_probe_versions(struct iso_env *env, const char *name)
{
        for (size_t i = 0; i < env->n_tools && i < ISO_ARRAY_SIZE(tool_list); i++) {
                struct iso_tool *t = &env->tools[i];

                if ((name && strcmp(name, t->name)) || t->version_probed)
                        continue;
                t->version_probed = 1;
                if (t->path[0])
                        tool_version(t->path, tool_list[i].version_arg, t->version,
                                     sizeof(t->version));
        }
}

/* ---- probe ------------------------------------------------------------------------- */

/* Append "NAME=value" of @nv to @buf for the report, never a credential: a variable named
 * like one (GitLab's DOCKER_AUTH_CONFIG holds registry passwords) shows only that it is
 * set, and the password of a URL's user:password@ is masked. */
static void append_tool_var(char *buf, size_t size, const char *nv)
{
        static const char *const secret[] = {"AUTH", "PASS", "TOKEN", "SECRET", "KEY", "CRED"};
        size_t name_len = strcspn(nv, "=");
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)name_len, nv);
        const char *sep = buf[0] ? ", " : "";
        for (size_t i = 0; i < ISO_ARRAY_SIZE(secret); i++)
                if (strstr(name, secret[i])) {
                        iso_appendf(buf, size, "%s%s=(set, not shown)", sep, name);
                        return;
                }
        char value[96];
        iso_docker_url_masked(nv[name_len] ? nv + name_len + 1 : "", value, sizeof(value));
        iso_appendf(buf, size, "%s%s=%.80s", sep, name, value);
}

/* The variables that change a tool's behaviour or words: reported, so that a run under
 * DOCKER_HOST=..., LC_ALL=de_DE.UTF-8 or TMPDIR=/small can be told from a plain one. */
void probe_tool_env(struct iso_env *env)
{
        extern char **environ;
        static const char *const prefixes[] = {"DOCKER_", "BUILDKIT_", "BUILDX_", "LC_",
                                               "LANG=",   "LANGUAGE=", "TMPDIR="};
        env->tool_env[0] = '\0';
        for (char **v = environ; v && *v; v++)
                for (size_t i = 0; i < ISO_ARRAY_SIZE(prefixes); i++)
                        if (!strncmp(*v, prefixes[i], strlen(prefixes[i]))) {
                                append_tool_var(env->tool_env, sizeof(env->tool_env), *v);
                                break;
                        }
}

# Field faults of issue 11 for the PID namespace and nsenter cases: status files without
# NSpid (item 3), every case shown to fail on the misbehaviour it exists to catch
# (section 8), and the leftover check of make test that looks only at its own runs.
# Sourced by run.sh and field.sh: expects $top, $work and lib.sh's helpers.
pidns_dir=$work/pidns
mkdir -p "$pidns_dir"

# pidns_run NAME [VAR=VALUE...] -- ISOCHECK-ARGS...: one run of the test build, its TAP,
# JUnit, output and exit status kept under $pidns_dir as NAME.*.
pidns_run() {
        local name=$1
        shift
        local vars=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                vars+=("$1")
                shift
        done
        shift
        env "${vars[@]}" build/san/isocheck "$@" --tap "$pidns_dir/$name.tap" --junit "$pidns_dir/$name.xml" \
                --artifacts "$pidns_dir/art-$name" >"$pidns_dir/$name.out" 2>&1
        echo $? >"$pidns_dir/$name.rc"
}

# pidns_verdict TAP CASE: "pass", "fail", "error" or "skip" as the TAP says.
pidns_verdict() {
        awk -v c="$2" '
                $0 ~ "^ok [0-9]+ - " && $4 == c { v = ($0 ~ / # SKIP/) ? "skip" : "pass"; exit }
                $0 ~ "^not ok [0-9]+ - " && $5 == c { getv = 1; next }
                getv && /^  severity: / { gsub(/"/, "", $2); v = $2; exit }
                END { print v ? v : "missing" }' "$1"
}

# pidns_fails TAP CASE TEXT: CASE failed (not error, not skip) and one of its failed checks
# names TEXT, so the report says which misbehaviour it caught.
pidns_fails() {
        local v
        v=$(pidns_verdict "$1" "$2")
        [ "$v" = fail ] || { echo "$2: verdict $v, expected fail"; sed -n "/# Subtest: $2\$/,/^[a-z]/p" "$1"; return 1; }
        awk -v c="$2" -v txt="$3" '
                $0 == "# Subtest: " c { inside = 1; next }
                inside && /^(not )?ok [0-9]+ - / { exit }
                inside && /^    not ok [0-9]+ - / && index($0, txt) { found = 1; exit }
                END { exit !found }' "$1" || { echo "$2 failed, but no failed check names \"$3\":"; grep "^    not ok" "$1"; return 1; }
}

# pidns_passes TAP CASE: CASE passed.
pidns_passes() {
        local v
        v=$(pidns_verdict "$1" "$2")
        [ "$v" = pass ] || { echo "$2: verdict $v, expected pass"; sed -n "/# Subtest: $2\$/,/^  \.\.\./p" "$1"; return 1; }
}

# --- /proc/PID/status without NSpid (item 3) ----------------------------------------------
# An LD_PRELOAD shim, built here, serves every /proc/.../status isocheck (and ps) opens
# without its NS* lines, as kernels before 4.1 and some sandboxes show them; with
# NOSPID_MODE=empty it leaves an "NSpid:" line with no PID instead.
cat >"$pidns_dir/nonspid.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int is_status(int dirfd, const char *path)
{
        char full[PATH_MAX];
        if (path[0] != '/' && dirfd != AT_FDCWD) {
                char link[64];
                snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
                ssize_t n = readlink(link, full, sizeof(full) - 1);
                if (n < 0)
                        return 0;
                full[n] = '\0';
                snprintf(full + n, sizeof(full) - (size_t)n, "/%s", path);
                path = full;
        }
        size_t len = strlen(path);
        return !strncmp(path, "/proc/", 6) && len > 7 && !strcmp(path + len - 7, "/status");
}

static int filtered(int real, int flags)
{
        static char buf[65536];
        size_t used = 0;
        ssize_t r;
        while (used < sizeof(buf) - 1 && (r = read(real, buf + used, sizeof(buf) - 1 - used)) > 0)
                used += (size_t)r;
        close(real);
        buf[used] = '\0';
        int fd = memfd_create("status", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
        if (fd < 0)
                return -1;
        const char *mode = getenv("NOSPID_MODE");
        for (char *l = buf; *l;) {
                char *nl = strchr(l, '\n');
                size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);
                if (strncmp(l, "NS", 2))
                        (void)!write(fd, l, n);
                else if (mode && !strcmp(mode, "empty") && !strncmp(l, "NSpid:", 6))
                        (void)!write(fd, "NSpid:\n", 7);
                l += n;
        }
        lseek(fd, 0, SEEK_SET);
        return fd;
}

static int do_open(int dirfd, const char *path, int flags, mode_t mode)
{
        static int (*real)(int, const char *, int, ...);
        if (!real)
                real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
        int fd = real(dirfd, path, flags, mode);
        if (fd < 0 || (flags & O_ACCMODE) != O_RDONLY || !is_status(dirfd, path))
                return fd;
        return filtered(fd, flags);
}

#define MODE_ARG(flags) \
        va_list ap; \
        va_start(ap, flags); \
        mode_t m = (mode_t)va_arg(ap, int); \
        va_end(ap)
int open(const char *p, int flags, ...) { MODE_ARG(flags); return do_open(AT_FDCWD, p, flags, m); }
int open64(const char *p, int flags, ...) { MODE_ARG(flags); return do_open(AT_FDCWD, p, flags, m); }
int openat(int d, const char *p, int flags, ...) { MODE_ARG(flags); return do_open(d, p, flags, m); }
int openat64(int d, const char *p, int flags, ...) { MODE_ARG(flags); return do_open(d, p, flags, m); }
int __open_2(const char *p, int flags) { return do_open(AT_FDCWD, p, flags, 0); }
int __open64_2(const char *p, int flags) { return do_open(AT_FDCWD, p, flags, 0); }
int __openat_2(int d, const char *p, int flags) { return do_open(d, p, flags, 0); }
int __openat64_2(int d, const char *p, int flags) { return do_open(d, p, flags, 0); }
FILE *fopen(const char *p, const char *m)
{
        static FILE *(*real)(const char *, const char *);
        if (!real)
                real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
        if (m[0] != 'r' || strchr(m, '+') || !is_status(AT_FDCWD, p))
                return real(p, m);
        int fd = do_open(AT_FDCWD, p, O_RDONLY | (strchr(m, 'e') ? O_CLOEXEC : 0), 0);
        return fd < 0 ? NULL : fdopen(fd, "r");
}
FILE *fopen64(const char *p, const char *m) { return fopen(p, m); }
EOF
# The four cases that read NSpid; each must pass, its NSpid check skipped with the reason.
pidns_nspid_cases="pidns.init.pid1 pidns.pid.differs pidns.pid.differs.tool pidns.view.isolated.tool"
pidns_nspid_ok() { # NAME REASON: the run NAME exited 0 and each NSpid check is a skip naming REASON
        local c
        [ "$(cat "$pidns_dir/$1.rc")" = 0 ] || { echo "exit $(cat "$pidns_dir/$1.rc")"; grep -E "^not ok|^    not ok|got:" "$pidns_dir/$1.tap"; return 1; }
        for c in $pidns_nspid_cases; do
                pidns_passes "$pidns_dir/$1.tap" "$c" || return 1
                sed -n "/# Subtest: $c\$/,/^ok /p" "$pidns_dir/$1.tap" | grep -q "NSpid.*# SKIP .*$2.*the verdict rests on" ||
                        { echo "$c: no NSpid check skipped for \"$2\""; return 1; }
        done
}
if cc -shared -fPIC -O1 -o "$pidns_dir/nonspid.so" "$pidns_dir/nonspid.c" -ldl 2>"$pidns_dir/nonspid.cc.out"; then
        # The ASan runtime wants to come first; the shim is the only other preload.
        shim=(ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD="$pidns_dir/nonspid.so")
        filters=()
        for c in $pidns_nspid_cases; do filters+=(--filter "$c"); done
        # The input of item 3: status files with no NS* lines at all.
        pidns_run nonspid "${shim[@]}" -- "${filters[@]}"
        check "pidns: without NSpid in /proc/PID/status the four cases pass, NSpid checks skipped with the reason" \
                pidns_nspid_ok nonspid "has no NSpid line"
        # Further input of the kind: an NSpid line with no PID on it (a sandbox's stub).
        pidns_run emptynspid NOSPID_MODE=empty "${shim[@]}" -- "${filters[@]}"
        check "pidns: an empty NSpid line is a check that cannot be made either, not a failure" \
                pidns_nspid_ok emptynspid "NSpid line with no PID"
else
        not_ok "pidns: build the NSpid-hiding shim" "$(tail -n 5 "$pidns_dir/nonspid.cc.out")"
fi

# --- every case fails on the misbehaviour it exists to catch (section 8) -----------------
# Fault hooks of the test build (include/isocheck/fault.h) where only the kernel could
# misbehave: CASE HOOK TEXT, TEXT being words of the failed check that names it.
while read -r c hook text; do
        [ -n "$c" ] || continue
        pidns_run "fault-$c-$hook" ISOCHECK_FAULT="$hook" -- --filter "$c"
        check "pidns: $c fails when $hook" pidns_fails "$pidns_dir/fault-$c-$hook.tap" "$c" "$text"
done <<'EOF'
pidns.init.pid1 pidns.clone.ignored getpid() inside the new PID namespace returns 1
pidns.view.isolated pidns.clone.ignored kill(host PID of the case, 0) from inside fails with ESRCH
pidns.view.isolated pidns.proc.host no host PID is listed inside (none above 3)
pidns.pid.differs pidns.clone.ignored the sleep's PID on the host differs from inside
pidns.parent.visible pidns.clone.ignored inside, the init is PID 1 and its parent PID is 0
pidns.unshare.nofork pidns.unshare.ignored pid_for_children differs
nsenter.pidns.same nsenter.setns.ignored the child forked after setns is in the target's PID namespace
nsenter.pidns.same pidns.unshare.ignored joining unshare's parent instead of its child lands in the old namespace
nsenter.view.matches nsenter.setns.ignored as nsenter --pid --mount: same table
EOF

# ... and none of these hooks is in the binary `make install` ships.
pidns_no_hooks() {
        local h
        for h in pidns.clone.ignored pidns.unshare.ignored pidns.proc.host nsenter.setns.ignored; do
                grep -q -a -F "$h" build/san/isocheck || { echo "$h not even in the test build"; return 1; }
                ! grep -q -a -F "$h" build/isocheck || { echo "$h is in build/isocheck"; return 1; }
        done
}
check "pidns: the fault hooks are in the test build only" pidns_no_hooks

# The tool variants run the lab's own unshare and nsenter: a misbehaving tool is put first
# on PATH, a wrapper that calls the real one with the namespace taken out of its hands.
bin=$pidns_dir/bin
mkdir -p "$bin/nopid" "$bin/elsewhere" "$bin/nsnopid"
real_unshare=$(command -v unshare) real_nsenter=$(command -v nsenter)
# unshare that ignores --pid: the shell stays in the host's PID namespace.
printf '#!/bin/sh\nfor a; do shift; [ "$a" = --pid ] || set -- "$@" "$a"; done\nexec "%s" "$@"\n' \
        "$real_unshare" >"$bin/nopid/unshare"
# nsenter that lands elsewhere: whatever -t says, it enters PID 1's namespaces.
printf '#!/bin/sh\np=\nfor a; do shift; if [ "$p" = -t ]; then set -- "$@" 1; else set -- "$@" "$a"; fi; p=$a; done\nexec "%s" "$@"\n' \
        "$real_nsenter" >"$bin/elsewhere/nsenter"
# Further input of the kind: nsenter that ignores --pid (ps runs outside the namespace,
# but reads its /proc through --root or --mount).
printf '#!/bin/sh\nfor a; do shift; [ "$a" = --pid ] || set -- "$@" "$a"; done\nexec "%s" "$@"\n' \
        "$real_nsenter" >"$bin/nsnopid/nsenter"
chmod +x "$bin"/*/*
# pidns.pid.differs.tool under nopid is judged by its namespace check: with the host's
# /proc, ps may list another sleep of the machine first, whose PID differs by chance.
while read -r c tool text; do
        [ -n "$c" ] || continue
        pidns_run "tool-$c-$tool" PATH="$bin/$tool:$PATH" -- --filter "$c"
        check "pidns: $c fails with a tool that misbehaves ($tool)" \
                pidns_fails "$pidns_dir/tool-$c-$tool.tap" "$c" "$text"
done <<'EOF'
pidns.view.isolated.tool nopid ps lists exactly sh, sleep and ps
pidns.pid.differs.tool nopid the sleep is in a PID namespace other than the case's
pidns.parent.visible.tool nopid inside, ps shows sh's parent as 0
nsenter.pidns.same.tool elsewhere nsenter -t <sh's PID> lands in the namespace
nsenter.view.matches.tool elsewhere nsenter --pid --root lists the same processes
nsenter.view.matches.tool nsnopid nsenter --pid --mount lists the same processes
EOF

# --- make test's leftover check looks only at its own runs ---------------------------------
# The input: another run's `sleep 30` was running while make test checked for leftovers.
# Here a foreign `sleep 30` runs across one of our runs: the check must not count it; and
# (further input) a `sleep 30` carrying our runs' mark is found, so the check can fail.
sleep 30 &
foreign=$!
mark=ISOCHECK_TEST_MARK=field-pidns-$$
pidns_run left "$mark" -- --filter 'pidns.view.isolated*'
check "pidns: the leftover check ignores another run's sleep 30" \
        harness/tests/ns_left.sh "$mark" "$pidns_dir/left.xml"
env "$mark" sleep 30 &
ours=$!
if harness/tests/ns_left.sh "$mark" "$pidns_dir/left.xml" >"$pidns_dir/left.out"; then
        not_ok "pidns: the leftover check finds a sleep 30 of our own run" "it found none"
elif grep -q "^left: $ours sleep 30" "$pidns_dir/left.out"; then
        ok "pidns: the leftover check finds a sleep 30 of our own run"
else
        not_ok "pidns: the leftover check finds a sleep 30 of our own run" "$(cat "$pidns_dir/left.out")"
fi
kill "$foreign" "$ours" 2>/dev/null
wait "$foreign" "$ours" 2>/dev/null
check "pidns: the runs above left no cgroup of theirs" no_cgroups_of "$pidns_dir"/*.xml

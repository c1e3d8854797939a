# The build of issue 12: generated header dependencies and one library of the modules.
# Sourced by run.sh / field.sh with $top as the working directory, after the test build.
# Everything here asks make what it would do (-n, -q, -W): nothing in the tree changes.

# make as a user types it: not a child of `make test` with its flags and jobserver.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }
# What make would run, a command a line (its backslash-continued lines joined).
would_run() { mk -n "$@" 2>/dev/null | sed -e ':a' -e '/\\$/N; s/\\\n//; ta'; }
# The compile commands make would run, as the objects they write, sorted.
would_compile() { would_run "$@" | sed -n 's/.* -c -o \([^ ]*\.o\) .*/\1/p' | sort -u; }

check "build: the test build is up to date: make -q finds nothing to do" \
        mk -q all build/san/isocheck build/san/isocheck-selftest

# Touching a private header (-W: as if it were newer) rebuilds exactly what includes it.
# Its includers: the .c files that include it, or include a private header that does
# (runner_priv.h does, for the runner's parts).
via=$(grep -lE '#include "(\.\./)*shared\.h"' harness/*.h | xargs -r -n1 basename | sed 's/\./\\./g' | paste -sd'|')
want=$(grep -rlE --include='*.c' "#include \"(\\.\\./)*(shared\\.h${via:+|$via})\"" harness |
        grep -v -e '^harness/tests/' -e '^harness/fuzz/' -e '^harness/vm/main\.c' -e '^harness/vm/init\.c' |
        sed 's,^,build/obj/,; s,\.c$,.o,' | sort -u)
got=$(would_compile -W harness/shared.h build/isocheck)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
        ok "build: harness/shared.h newer: exactly its includers are recompiled ($(echo $got))"
else
        not_ok "build: harness/shared.h newer: exactly its includers are recompiled" \
                "expected: $(echo $want)" "got: $(echo $got)"
fi
case "$got" in
*harness/util.o*) not_ok "build: ... util.c, which does not include it, is left alone" ;;
*) ok "build: ... util.c, which does not include it, is left alone" ;;
esac

# A public header: the probe's parts all include env.h through env_probe.h.
got=$(would_compile -W include/isocheck/env.h build/isocheck)
missing=""
for f in harness/env*.c; do
        o=build/obj/${f%.c}.o
        printf '%s\n' "$got" | grep -qx "$o" || missing="$missing $o"
done
if [ -z "$missing" ]; then
        ok "build: include/isocheck/env.h newer: every env*.c part is recompiled"
else
        not_ok "build: include/isocheck/env.h newer: every env*.c part is recompiled" \
                "not recompiled:$missing"
fi

# The programs link the library, not lists of objects.
links() { would_run -W "$1" "$2" | grep -- "-o $2 "; }
for prog in build/isocheck build/san/isocheck build/isocheck-vm build/san/tests/test_env; do
        line=$(links harness/util.c "$prog")
        case "$line" in
        *libisocheck.a*)
                if printf '%s\n' "$line" | grep -q 'harness/util\.o'; then
                        not_ok "build: $prog links the library, not the modules' objects" "$line"
                else
                        ok "build: $prog links the library, not the modules' objects"
                fi
                ;;
        *) not_ok "build: $prog links the library, not the modules' objects" "${line:-no link line}" ;;
        esac
done

# bash completion for isocheck (installed as bash-completion/completions/isocheck).
# Options come from `isocheck --help`, case names for --filter/--exclude from
# `isocheck --list`, so neither can drift from the program being completed. Replies go
# through mapfile, never word splitting, so a glob such as "pidns.*" is not expanded here.
_isocheck()
{
        local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
        local prog=${COMP_WORDS[0]}

        case $prev in
        -f | --filter | -x | --exclude)
                # Case names, and the area.* globs that select a whole area.
                local names
                names=$("$prog" --list 2>/dev/null | awk '{ print $1 }')
                names="$names $(printf '%s\n' $names | awk -F. '{ print $1 ".*" }' | sort -u)"
                mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
                return
                ;;
        --tap | --junit)
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return
                ;;
        --artifacts)
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return
                ;;
        --tap-version)
                mapfile -t COMPREPLY < <(compgen -W "13 14" -- "$cur")
                return
                ;;
        --timeout-mult | --target | --property)
                return
                ;;
        esac
        if [ "$COMP_CWORD" -eq 1 ] && [[ $cur != -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "report" -- "$cur")
                return
        fi
        if [[ $cur == -* ]]; then
                local opts
                opts=$("$prog" --help 2>/dev/null | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' |
                        grep -oE -- '--?[a-zA-Z][a-z0-9-]*')
                mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        fi
}
complete -F _isocheck isocheck

# bash completion for capsolver                                -*- shell-script -*-
#
# Commands and options come from the command's own --help pages, task types
# and their fields from `capsolver types --names`, providers from
# `capsolver providers --names`: what the installed command knows, nothing
# written twice.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# The options of a --help page, one a line, short and long; those that
# take a value end with "=".
_capsolver_options()
{
    local help
    help=$("$@" --help 2>/dev/null)
    sed -n 's/^  \(-[a-zA-Z]\), --[a-z-]*\(=\)\{0,1\}.*/\1\2/p' <<<"$help"
    sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\)\(=\)\{0,1\}.*/\2\3/p' <<<"$help"
}

# The commands that `capsolver --help` lists.
_capsolver_commands()
{
    "$1" --help 2>/dev/null |
        sed -n '/^Commands:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p' | sort -u
}

# The actions that `capsolver key --help` lists.
_capsolver_key_actions()
{
    "$1" key --help 2>/dev/null |
        sed -n '/^Actions:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p'
}

_capsolver()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local program=${COMP_WORDS[0]}
    local command='' type='' word i valued

    # the command and the task type: the first words that are neither
    # options nor their values
    valued=" $(_capsolver_options "$program" | grep '=$' | tr '\n' ' ') "
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
        --image | -i)
            type=ImageToTextTask
            ((i++))
            ;;
        -*=* | *=* | =) ;;
        -*)
            [[ $valued == *" $word= "* ]] && ((i++))
            ;;
        *)
            if [[ -z $command ]]; then
                command=$word
                valued+="$(_capsolver_options "$program" "$command" | grep '=$' |
                           tr '\n' ' ') "
            elif [[ -z $type && ($command == solve || $command == create ||
                                 $command == key) ]]; then
                type=$word
            fi
            ;;
        esac
    done

    case $prev in
    --image | -i)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --dialect | --provider)
        COMPREPLY=($(compgen -W "$("$program" providers --names 2>/dev/null)" -- "$cur"))
        return
        ;;
    =)
        # NAME@=FILE: a file; bash splits the word at "="
        if [[ ${COMP_WORDS[COMP_CWORD-2]} == *@ ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_capsolver_options "$program" $command |
                                   grep -e '^--' | sed 's/=$//')" -- "$cur"))
        return
    fi

    case $command in
    '' | help)
        COMPREPLY=($(compgen -W "$(_capsolver_commands "$program")" -- "$cur"))
        ;;
    types)
        COMPREPLY=($(compgen -W "$("$program" types --names 2>/dev/null)" -- "$cur"))
        ;;
    key)
        if [[ -z $type ]]; then
            COMPREPLY=($(compgen -W "$(_capsolver_key_actions "$program")" -- "$cur"))
        fi
        ;;
    solve | create)
        if [[ -z $type ]]; then
            COMPREPLY=($(compgen -W "$("$program" types --names 2>/dev/null)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("$program" types --names "$type" 2>/dev/null |
                                       sed 's/$/=/')" -- "$cur"))
            compopt -o nospace 2>/dev/null
        fi
        ;;
    esac
}

complete -F _capsolver capsolver

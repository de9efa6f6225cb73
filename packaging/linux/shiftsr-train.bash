# bash completion for shiftsr-train (installed as bash-completion/completions/shiftsr-train).
# The unit test linux_data checks that every option `shiftsr-train --help` prints is here.

_shiftsr_train_files() { # $1: a file name extension; empty: folders only
    local IFS=$'\n' f
    for f in $(compgen -f -- "$cur"); do
        if [[ -d ${f/#\~/$HOME} || (-n $1 && $f == *."$1") ]]; then
            COMPREPLY+=("$f")
        fi
    done
    compopt -o filenames 2>/dev/null
}

_shiftsr_train() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "teacher rsd decoder yonos export reconstruct --resume --help --version" -- "$cur"))
        return
    fi
    case $prev in
    --config) _shiftsr_train_files json; return ;;
    --out | --resume)
        # export writes a package; every other --out is a run folder.
        if [[ ${COMP_WORDS[1]} == export ]]; then _shiftsr_train_files safetensors; else _shiftsr_train_files ""; fi
        return
        ;;
    -o) _shiftsr_train_files safetensors; return ;;
    --data) _shiftsr_train_files ""; return ;;
    --max-steps | --strength | --crop | --limit) return ;;
    esac
    local opts
    case ${COMP_WORDS[1]} in
    export) opts="-o --out --half --raw --strength" ;;
    reconstruct) opts="--data --crop --limit --no-color-fix --json" ;;
    *) opts="--config --out --resume --max-steps" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    elif [[ ${COMP_WORDS[1]} == export ]]; then
        _shiftsr_train_files ""
    elif [[ ${COMP_WORDS[1]} == reconstruct ]]; then
        _shiftsr_train_files safetensors
    fi
}
complete -F _shiftsr_train shiftsr-train

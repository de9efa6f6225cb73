# bash completion for shiftsr-cli (installed as bash-completion/completions/shiftsr-cli).
# The options are those each command's parser accepts (app/cli/*.cpp); the unit test linux_data
# checks that every option `shiftsr-cli --help` prints is here.

_shiftsr_cli_files() { # $1: file name extensions as an ERE ('png|jpe?g'); empty: every file
    local IFS=$'\n' f
    for f in $(compgen -f -- "$cur"); do
        if [[ -z $1 || -d ${f/#\~/$HOME} || ${f,,} =~ \.($1)$ ]]; then
            COMPREPLY+=("$f")
        fi
    done
    compopt -o filenames 2>/dev/null
}

_shiftsr_cli() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local images='png|jpe?g|tiff?|webp|bmp'
    COMPREPLY=()
    local commands="upscale info models import convert bench eval reference help"
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[1]}

    # Values of the options that take one.
    case $prev in
    --format) COMPREPLY=($(compgen -W "keep png jpg tif webp bmp" -- "$cur")); return ;;
    --color-fix) COMPREPLY=($(compgen -W "auto luma wavelet adain none" -- "$cur")); return ;;
    --device) COMPREPLY=($(compgen -W "auto cpu cuda" -- "$cur")); return ;;
    --precision) COMPREPLY=($(compgen -W "auto fp32 bf16 fp16" -- "$cur")); return ;;
    --preset)
        COMPREPLY=($(compgen -W "v3 tiny realesrgan-x4plus realesr-general-x4v3 realesrgan-x4fast" -- "$cur"))
        return
        ;;
    --degradation) COMPREPLY=($(compgen -W "bicubic realesrgan" -- "$cur")); return ;;
    --model)
        # Embedded models by name (asks the program, so only when the word can be one).
        if [[ embedded: == "$cur"* || $cur == embedded:* ]]; then
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" models 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
            compopt -o nospace 2>/dev/null
        fi
        _shiftsr_cli_files safetensors
        return
        ;;
    --unet | --autoencoder) _shiftsr_cli_files pth; return ;;
    --config) _shiftsr_cli_files json; return ;;
    --ncnn | --reference) _shiftsr_cli_files param; return ;;
    --input) _shiftsr_cli_files "$images"; return ;;
    -o | --output | --data | --hr | --save | --report)
        _shiftsr_cli_files ""
        return
        ;;
    --family) COMPREPLY=($(compgen -W "resshift yonos" -- "$cur")); return ;;
    --name | --quality | --steps | --seed | --tile | --overlap | --max-memory | --threads | \
        --max-pixels | --lq | --repeats | --crop | --memory-tile | --external | --limit | --schedule)
        return
        ;;
    esac

    local opts=""
    case $cmd in
    upscale)
        opts="-o --output -r --recursive --name --format --quality --skip-existing --accept-damaged --model --steps
              --seed --tile --overlap --max-memory --color-fix --device --cpu-fallback --precision
              --threads --max-pixels --no-metadata --json -q --quiet"
        ;;
    info) opts="--json" ;;
    import) opts="-o --output --name --config --schedule --json" ;;
    convert) opts="-o --output --name --config --schedule --json --unet --autoencoder --family" ;;
    bench)
        opts="--input --model --crop --repeats --tile --memory-tile --no-bf16 --no-memory --json
              --reference --threads --preset --lq --precision --device --random-weights"
        ;;
    eval)
        opts="--data --hr --model --crop --degradation --one-step --steps --seed --threads --device
              --precision --external --save --limit --tile --report --json"
        ;;
    reference) opts="--ncnn --threads" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    case $cmd in
    upscale) _shiftsr_cli_files "$images" ;;
    info) _shiftsr_cli_files safetensors ;;
    reference) _shiftsr_cli_files "$images" ;;
    import | convert) _shiftsr_cli_files 'pth|ckpt|pt|safetensors|param|bin' ;;
    esac
}
complete -F _shiftsr_cli shiftsr-cli

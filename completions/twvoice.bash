#!/bin/bash

__twvoice_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__twvoice_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__twvoice_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__twvoice_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_twvoice() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    token|twiml|codec|stream|call|relay|report|webhook|repl|help)
        # Offer subcommand argument completions
        "_twvoice_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'token twiml codec stream call relay report webhook repl help' -- "${cur}"))
        ;;
    esac
}

_twvoice_token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    mint|decode)
        # Offer subcommand argument completions
        "_twvoice_token_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'mint decode' -- "${cur}"))
        ;;
    esac
}

_twvoice_token_mint() {
    repeating_flags=()
    non_repeating_flags=(--api-secret-stdin --no-env-file --random-identity --incoming --allow-incoming --no-nbf --version -h --help)
    repeating_options=(--param --grant)
    non_repeating_options=(--account-sid --api-key --api-secret --api-secret-file --env-file --identity --seed --application-sid --voice-app-sid --push-credential-sid --endpoint-id --ttl --valid-until --nbf --region --now --output --count --identity-prefix)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--account-sid')
        return
        ;;
    '--api-key')
        return
        ;;
    '--api-secret')
        return
        ;;
    '--api-secret-file')
        __twvoice_add_completions -f
        return
        ;;
    '--env-file')
        __twvoice_add_completions -f
        return
        ;;
    '--identity')
        return
        ;;
    '--seed')
        return
        ;;
    '--application-sid'|'--voice-app-sid')
        return
        ;;
    '--param')
        return
        ;;
    '--push-credential-sid')
        return
        ;;
    '--endpoint-id')
        return
        ;;
    '--grant')
        return
        ;;
    '--ttl')
        return
        ;;
    '--valid-until')
        return
        ;;
    '--nbf')
        return
        ;;
    '--region')
        return
        ;;
    '--now')
        return
        ;;
    '--output')
        __twvoice_add_completions -W 'token'$'\n''json'
        return
        ;;
    '--count')
        return
        ;;
    '--identity-prefix')
        return
        ;;
    esac
}

_twvoice_token_decode() {
    repeating_flags=()
    non_repeating_flags=(--json --api-secret-stdin --no-env-file --version -h --help)
    repeating_options=()
    non_repeating_options=(--now --account-sid --api-key --api-secret --api-secret-file --env-file)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--now')
        return
        ;;
    '--account-sid')
        return
        ;;
    '--api-key')
        return
        ;;
    '--api-secret')
        return
        ;;
    '--api-secret-file')
        __twvoice_add_completions -f
        return
        ;;
    '--env-file')
        __twvoice_add_completions -f
        return
        ;;
    esac
}

_twvoice_twiml() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    render|validate)
        # Offer subcommand argument completions
        "_twvoice_twiml_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'render validate' -- "${cur}"))
        ;;
    esac
}

_twvoice_twiml_render() {
    repeating_flags=()
    non_repeating_flags=(--pretty --no-declaration --version -h --help)
    repeating_options=()
    non_repeating_options=(--from)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        __twvoice_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    start|dial|relay)
        # Offer subcommand argument completions
        "_twvoice_twiml_render_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'start dial relay' -- "${cur}"))
        ;;
    esac
}

_twvoice_twiml_render_start() {
    repeating_flags=()
    non_repeating_flags=(--unidirectional --pretty --no-declaration --version -h --help)
    repeating_options=(--param)
    non_repeating_options=(--url --name --pause --status-callback --status-callback-method --track)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--name')
        return
        ;;
    '--param')
        return
        ;;
    '--pause')
        return
        ;;
    '--status-callback')
        return
        ;;
    '--status-callback-method')
        return
        ;;
    '--track')
        return
        ;;
    esac
}

_twvoice_twiml_render_dial() {
    repeating_flags=()
    non_repeating_flags=(--answer-on-bridge --hangup-on-star --sequential --pretty --no-declaration --version -h --help)
    repeating_options=(--client --client-param --number --sip --conference --queue)
    non_repeating_options=(--caller-id --timeout --time-limit --record --trim --action --method --ring-tone --recording-status-callback --recording-track)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--client')
        return
        ;;
    '--client-param')
        return
        ;;
    '--number')
        return
        ;;
    '--sip')
        return
        ;;
    '--conference')
        return
        ;;
    '--queue')
        return
        ;;
    '--caller-id')
        return
        ;;
    '--timeout')
        return
        ;;
    '--time-limit')
        return
        ;;
    '--record')
        return
        ;;
    '--trim')
        return
        ;;
    '--action')
        return
        ;;
    '--method')
        return
        ;;
    '--ring-tone')
        return
        ;;
    '--recording-status-callback')
        return
        ;;
    '--recording-track')
        return
        ;;
    esac
}

_twvoice_twiml_render_relay() {
    repeating_flags=()
    non_repeating_flags=(--dtmf-detection --no-dtmf-detection --preemptible --no-preemptible --partial-prompts --no-partial-prompts --profanity-filter --no-profanity-filter --pretty --no-declaration --version -h --help)
    repeating_options=(--lang --param)
    non_repeating_options=(--url --welcome-greeting --welcome-greeting-interruptible --language --tts-language --transcription-language --tts-provider --voice --transcription-provider --speech-model --interruptible --interrupt-sensitivity --report-input-during-agent-speech --hints --debug --events --speech-timeout --intelligence-service --elevenlabs-text-normalization --action --method)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--welcome-greeting')
        return
        ;;
    '--welcome-greeting-interruptible')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'
        return
        ;;
    '--language')
        return
        ;;
    '--tts-language')
        return
        ;;
    '--transcription-language')
        return
        ;;
    '--tts-provider')
        return
        ;;
    '--voice')
        return
        ;;
    '--transcription-provider')
        return
        ;;
    '--speech-model')
        return
        ;;
    '--interruptible')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'$'\n''true'$'\n''false'
        return
        ;;
    '--interrupt-sensitivity')
        __twvoice_add_completions -W 'low'$'\n''medium'$'\n''high'
        return
        ;;
    '--report-input-during-agent-speech')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'
        return
        ;;
    '--hints')
        return
        ;;
    '--debug')
        return
        ;;
    '--events')
        return
        ;;
    '--speech-timeout')
        return
        ;;
    '--intelligence-service')
        return
        ;;
    '--elevenlabs-text-normalization')
        __twvoice_add_completions -W 'on'$'\n''auto'$'\n''off'
        return
        ;;
    '--lang')
        return
        ;;
    '--param')
        return
        ;;
    '--action')
        return
        ;;
    '--method')
        __twvoice_add_completions -W 'GET'$'\n''POST'
        return
        ;;
    esac
}

_twvoice_twiml_validate() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -o plusdirs -fX '!*.@(xml)'
        return
        ;;
    esac
}

_twvoice_codec() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    decode|encode|info)
        # Offer subcommand argument completions
        "_twvoice_codec_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'decode encode info' -- "${cur}"))
        ;;
    esac
}

_twvoice_codec_decode() {
    repeating_flags=()
    non_repeating_flags=(--as-heard --raw --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--output -o --track --encoding --rate)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output'|'-o')
        return
        ;;
    '--track')
        __twvoice_add_completions -W 'inbound'$'\n''outbound'$'\n''both'
        return
        ;;
    '--encoding')
        __twvoice_add_completions -W 'pcm16'$'\n''mulaw'$'\n''alaw'
        return
        ;;
    '--rate')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -f
        return
        ;;
    esac
}

_twvoice_codec_encode() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--output -o --format --frame --stream-sid --seed --mark)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output'|'-o')
        return
        ;;
    '--format')
        __twvoice_add_completions -W 'messages'$'\n''payloads'$'\n''raw'$'\n''wav'
        return
        ;;
    '--frame')
        return
        ;;
    '--stream-sid')
        return
        ;;
    '--seed')
        return
        ;;
    '--mark')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -o plusdirs -fX '!*.@(wav)'
        return
        ;;
    esac
}

_twvoice_codec_info() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--width)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--width')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -f
        return
        ;;
    esac
}

_twvoice_stream() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    replay|capture|proxy|summary)
        # Offer subcommand argument completions
        "_twvoice_stream_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'replay capture proxy summary' -- "${cur}"))
        ;;
    esac
}

_twvoice_stream_replay() {
    repeating_flags=()
    non_repeating_flags=(--unidirectional --fast --insecure --json --strict --quiet -q --version -h --help)
    repeating_options=(--param --dtmf --allow --scenario)
    non_repeating_options=(--url --signed-url --resolve --auth-token --silence --stream-sid --call-sid --account-sid --seed --track --speed --tail --hangup-after --connect-timeout --record --log --report --junit --jobs --calls --inputs --ramp --shard --record-dir --log-dir)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--signed-url')
        return
        ;;
    '--resolve')
        return
        ;;
    '--auth-token')
        return
        ;;
    '--silence')
        return
        ;;
    '--param')
        return
        ;;
    '--dtmf')
        return
        ;;
    '--stream-sid')
        return
        ;;
    '--call-sid')
        return
        ;;
    '--account-sid')
        return
        ;;
    '--seed')
        return
        ;;
    '--track')
        return
        ;;
    '--speed')
        return
        ;;
    '--tail')
        return
        ;;
    '--hangup-after')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--record')
        __twvoice_add_completions -o plusdirs -fX '!*.@(wav)'
        return
        ;;
    '--log')
        __twvoice_add_completions -o plusdirs -fX '!*.@(jsonl)'
        return
        ;;
    '--report')
        __twvoice_add_completions -o plusdirs -fX '!*.@(html)'
        return
        ;;
    '--allow')
        __twvoice_add_completions -W 'talk-over'$'\n''underrun'$'\n''burst'$'\n''container-bytes'$'\n''mark-after-clear'$'\n''cut-off'
        return
        ;;
    '--scenario')
        __twvoice_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--junit')
        __twvoice_add_completions -o plusdirs -fX '!*.@(xml)'
        return
        ;;
    '--jobs')
        return
        ;;
    '--calls')
        return
        ;;
    '--inputs')
        __twvoice_add_completions -d
        return
        ;;
    '--ramp')
        return
        ;;
    '--shard')
        return
        ;;
    '--record-dir')
        __twvoice_add_completions -d
        return
        ;;
    '--log-dir')
        __twvoice_add_completions -d
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -f
        return
        ;;
    esac
}

_twvoice_stream_capture() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet -q --echo --version -h --help)
    repeating_options=()
    non_repeating_options=(--listen --path -o --output-dir --auth-token)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--path')
        return
        ;;
    '-o'|'--output-dir')
        __twvoice_add_completions -d
        return
        ;;
    '--auth-token')
        return
        ;;
    esac
}

_twvoice_stream_proxy() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet -q --insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--listen --path -o --output-dir --auth-token --upstream --upstream-auth-token --connect-timeout)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--path')
        return
        ;;
    '-o'|'--output-dir')
        __twvoice_add_completions -d
        return
        ;;
    '--auth-token')
        return
        ;;
    '--upstream')
        return
        ;;
    '--upstream-auth-token')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    esac
}

_twvoice_stream_summary() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    merge)
        # Offer subcommand argument completions
        "_twvoice_stream_summary_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'merge' -- "${cur}"))
        ;;
    esac
}

_twvoice_stream_summary_merge() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options -1

    # Offer positional completions
    case "${positional_number}" in
    *)
        __twvoice_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    esac
}

_twvoice_call() {
    repeating_flags=()
    non_repeating_flags=(--fast --insecure --json --quiet -q --version -h --help)
    repeating_options=(--param --dtmf --digits --speech --prompt --status-callback-event)
    non_repeating_options=(--voice-url --method --identity --to --audio --silence --dial-status --status-callback --status-callback-method --account-sid --call-sid --application-sid --seed --auth-token --signing-key --webhook-timeout --speed --tail --hangup-after --connect-timeout --record --log --report --api-listen --recordings-dir --scenario --junit)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--voice-url')
        return
        ;;
    '--method')
        __twvoice_add_completions -W 'GET'$'\n''POST'
        return
        ;;
    '--identity')
        return
        ;;
    '--to')
        return
        ;;
    '--param')
        return
        ;;
    '--audio')
        __twvoice_add_completions -f
        return
        ;;
    '--silence')
        return
        ;;
    '--dtmf')
        return
        ;;
    '--digits')
        return
        ;;
    '--speech')
        return
        ;;
    '--prompt')
        return
        ;;
    '--dial-status')
        return
        ;;
    '--status-callback')
        return
        ;;
    '--status-callback-method')
        __twvoice_add_completions -W 'GET'$'\n''POST'
        return
        ;;
    '--status-callback-event')
        return
        ;;
    '--account-sid')
        return
        ;;
    '--call-sid')
        return
        ;;
    '--application-sid')
        return
        ;;
    '--seed')
        return
        ;;
    '--auth-token')
        return
        ;;
    '--signing-key')
        return
        ;;
    '--webhook-timeout')
        return
        ;;
    '--speed')
        return
        ;;
    '--tail')
        return
        ;;
    '--hangup-after')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--record')
        __twvoice_add_completions -o plusdirs -fX '!*.@(wav)'
        return
        ;;
    '--log')
        __twvoice_add_completions -o plusdirs -fX '!*.@(jsonl)'
        return
        ;;
    '--report')
        __twvoice_add_completions -o plusdirs -fX '!*.@(html)'
        return
        ;;
    '--api-listen')
        return
        ;;
    '--recordings-dir')
        __twvoice_add_completions -d
        return
        ;;
    '--scenario')
        __twvoice_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--junit')
        __twvoice_add_completions -o plusdirs -fX '!*.@(xml)'
        return
        ;;
    esac
}

_twvoice_relay() {
    repeating_flags=()
    non_repeating_flags=(--sign-query-as-params --preemptible --dtmf-detection --partial-prompts --fast --insecure --json --transcript --strict --quiet -q --version -h --help)
    repeating_options=(--prompt --dtmf --param --scenario)
    non_repeating_options=(--url --signed-url --resolve --auth-token --welcome-greeting --welcome-greeting-interruptible --interruptible --report-input-during-agent-speech --events --debug --language --tts-language --transcription-language --tts-rate --turn-gap --interrupt-after --reply-timeout --session-sid --call-sid --account-sid --seed --from --to --direction --call-type --speed --tail --hangup-after --connect-timeout --junit --log --report --calls --ramp)
    __twvoice_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--signed-url')
        return
        ;;
    '--resolve')
        return
        ;;
    '--auth-token')
        return
        ;;
    '--prompt')
        return
        ;;
    '--welcome-greeting')
        return
        ;;
    '--welcome-greeting-interruptible')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'
        return
        ;;
    '--interruptible')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'
        return
        ;;
    '--report-input-during-agent-speech')
        __twvoice_add_completions -W 'none'$'\n''dtmf'$'\n''speech'$'\n''any'
        return
        ;;
    '--events')
        return
        ;;
    '--debug')
        return
        ;;
    '--language')
        return
        ;;
    '--tts-language')
        return
        ;;
    '--transcription-language')
        return
        ;;
    '--tts-rate')
        return
        ;;
    '--turn-gap')
        return
        ;;
    '--interrupt-after')
        return
        ;;
    '--reply-timeout')
        return
        ;;
    '--dtmf')
        return
        ;;
    '--session-sid')
        return
        ;;
    '--call-sid')
        return
        ;;
    '--account-sid')
        return
        ;;
    '--seed')
        return
        ;;
    '--from')
        return
        ;;
    '--to')
        return
        ;;
    '--direction')
        return
        ;;
    '--call-type')
        return
        ;;
    '--param')
        return
        ;;
    '--speed')
        return
        ;;
    '--tail')
        return
        ;;
    '--hangup-after')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--scenario')
        __twvoice_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--junit')
        __twvoice_add_completions -o plusdirs -fX '!*.@(xml)'
        return
        ;;
    '--log')
        __twvoice_add_completions -o plusdirs -fX '!*.@(jsonl)'
        return
        ;;
    '--report')
        __twvoice_add_completions -o plusdirs -fX '!*.@(html)'
        return
        ;;
    '--calls')
        return
        ;;
    '--ramp')
        return
        ;;
    esac
}

_twvoice_report() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-o --output)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        __twvoice_add_completions -o plusdirs -fX '!*.@(html)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __twvoice_add_completions -f
        return
        ;;
    esac
}

_twvoice_webhook() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    sign|verify)
        # Offer subcommand argument completions
        "_twvoice_webhook_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'sign verify' -- "${cur}"))
        ;;
    esac
}

_twvoice_webhook_sign() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--param)
    non_repeating_options=(--body --auth-token --signing-key)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--param')
        return
        ;;
    '--body')
        __twvoice_add_completions -f
        return
        ;;
    '--auth-token')
        return
        ;;
    '--signing-key')
        return
        ;;
    esac
}

_twvoice_webhook_verify() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--param)
    non_repeating_options=(--body --auth-token --signing-key --signature)
    __twvoice_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--param')
        return
        ;;
    '--body')
        __twvoice_add_completions -f
        return
        ;;
    '--auth-token')
        return
        ;;
    '--signing-key')
        return
        ;;
    '--signature')
        return
        ;;
    esac
}

_twvoice_repl() {
    repeating_flags=()
    non_repeating_flags=(--keep-going --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options 0
}

_twvoice_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __twvoice_offer_flags_options -1
}

complete -o filenames -F _twvoice twvoice

function __twvoice_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __twvoice_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __twvoice_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __twvoice_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __twvoice_parse_tokens -S
    set -l unparsed_tokens (__twvoice_tokens -pc)
    switch $unparsed_tokens[1]
    case 'twvoice'
        __twvoice_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'token'
            __twvoice_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'mint'
                __twvoice_parse_subcommand 0 'account-sid=' 'api-key=' 'api-secret=' 'api-secret-file=' 'api-secret-stdin' 'env-file=' 'no-env-file' 'identity=' 'random-identity' 'seed=' 'application-sid=' 'incoming' 'param=+' 'push-credential-sid=' 'endpoint-id=' 'grant=+' 'ttl=' 'valid-until=' 'nbf=' 'no-nbf' 'region=' 'now=' 'output=' 'count=' 'identity-prefix=' 'version' 'h/help'
            case 'decode'
                __twvoice_parse_subcommand 1 'json' 'now=' 'account-sid=' 'api-key=' 'api-secret=' 'api-secret-file=' 'api-secret-stdin' 'env-file=' 'no-env-file' 'version' 'h/help'
            end
        case 'twiml'
            __twvoice_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'render'
                __twvoice_parse_subcommand 0 'from=' 'pretty' 'no-declaration' 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'start'
                    __twvoice_parse_subcommand 0 'url=' 'name=' 'param=+' 'pause=' 'status-callback=' 'status-callback-method=' 'unidirectional' 'track=' 'pretty' 'no-declaration' 'version' 'h/help'
                case 'dial'
                    __twvoice_parse_subcommand 0 'client=+' 'client-param=+' 'number=+' 'sip=+' 'conference=+' 'queue=+' 'caller-id=' 'timeout=' 'time-limit=' 'record=' 'trim=' 'answer-on-bridge' 'action=' 'method=' 'ring-tone=' 'hangup-on-star' 'sequential' 'recording-status-callback=' 'recording-track=' 'pretty' 'no-declaration' 'version' 'h/help'
                case 'relay'
                    __twvoice_parse_subcommand 0 'url=' 'welcome-greeting=' 'welcome-greeting-interruptible=' 'language=' 'tts-language=' 'transcription-language=' 'tts-provider=' 'voice=' 'transcription-provider=' 'speech-model=' 'interruptible=' 'interrupt-sensitivity=' 'dtmf-detection' 'no-dtmf-detection' 'report-input-during-agent-speech=' 'preemptible' 'no-preemptible' 'hints=' 'debug=' 'events=' 'partial-prompts' 'no-partial-prompts' 'speech-timeout=' 'profanity-filter' 'no-profanity-filter' 'intelligence-service=' 'elevenlabs-text-normalization=' 'lang=+' 'param=+' 'action=' 'method=' 'pretty' 'no-declaration' 'version' 'h/help'
                end
            case 'validate'
                __twvoice_parse_subcommand 1 'json' 'version' 'h/help'
            end
        case 'codec'
            __twvoice_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'decode'
                __twvoice_parse_subcommand 1 'o/output=' 'track=' 'encoding=' 'rate=' 'as-heard' 'raw' 'q/quiet' 'version' 'h/help'
            case 'encode'
                __twvoice_parse_subcommand 1 'o/output=' 'format=' 'frame=' 'stream-sid=' 'seed=' 'mark=' 'q/quiet' 'version' 'h/help'
            case 'info'
                __twvoice_parse_subcommand 1 'json' 'width=' 'version' 'h/help'
            end
        case 'stream'
            __twvoice_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'replay'
                __twvoice_parse_subcommand 1 'url=' 'signed-url=' 'resolve=' 'auth-token=' 'silence=' 'param=+' 'dtmf=+' 'stream-sid=' 'call-sid=' 'account-sid=' 'seed=' 'unidirectional' 'track=' 'speed=' 'fast' 'tail=' 'hangup-after=' 'insecure' 'connect-timeout=' 'record=' 'log=' 'report=' 'json' 'strict' 'allow=+' 'scenario=+' 'junit=' 'jobs=' 'calls=' 'inputs=' 'ramp=' 'shard=' 'record-dir=' 'log-dir=' 'q/quiet' 'version' 'h/help'
            case 'capture'
                __twvoice_parse_subcommand 0 'listen=' 'path=' 'o/output-dir=' 'auth-token=' 'json' 'q/quiet' 'echo' 'version' 'h/help'
            case 'proxy'
                __twvoice_parse_subcommand 0 'listen=' 'path=' 'o/output-dir=' 'auth-token=' 'json' 'q/quiet' 'upstream=' 'upstream-auth-token=' 'insecure' 'connect-timeout=' 'version' 'h/help'
            case 'summary'
                __twvoice_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'merge'
                    __twvoice_parse_subcommand -r 1 'json' 'version' 'h/help'
                end
            end
        case 'call'
            __twvoice_parse_subcommand 0 'voice-url=' 'method=' 'identity=' 'to=' 'param=+' 'audio=' 'silence=' 'dtmf=+' 'digits=+' 'speech=+' 'prompt=+' 'dial-status=' 'status-callback=' 'status-callback-method=' 'status-callback-event=+' 'account-sid=' 'call-sid=' 'application-sid=' 'seed=' 'auth-token=' 'signing-key=' 'webhook-timeout=' 'speed=' 'fast' 'tail=' 'hangup-after=' 'insecure' 'connect-timeout=' 'record=' 'log=' 'report=' 'api-listen=' 'recordings-dir=' 'scenario=' 'junit=' 'json' 'q/quiet' 'version' 'h/help'
        case 'relay'
            __twvoice_parse_subcommand 0 'url=' 'signed-url=' 'resolve=' 'auth-token=' 'sign-query-as-params' 'prompt=+' 'welcome-greeting=' 'welcome-greeting-interruptible=' 'interruptible=' 'preemptible' 'dtmf-detection' 'report-input-during-agent-speech=' 'partial-prompts' 'events=' 'debug=' 'language=' 'tts-language=' 'transcription-language=' 'tts-rate=' 'turn-gap=' 'interrupt-after=' 'reply-timeout=' 'dtmf=+' 'session-sid=' 'call-sid=' 'account-sid=' 'seed=' 'from=' 'to=' 'direction=' 'call-type=' 'param=+' 'speed=' 'fast' 'tail=' 'hangup-after=' 'insecure' 'connect-timeout=' 'scenario=+' 'junit=' 'log=' 'report=' 'json' 'transcript' 'strict' 'q/quiet' 'calls=' 'ramp=' 'version' 'h/help'
        case 'report'
            __twvoice_parse_subcommand 1 'o/output=' 'version' 'h/help'
        case 'webhook'
            __twvoice_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'sign'
                __twvoice_parse_subcommand 1 'param=+' 'body=' 'auth-token=' 'signing-key=' 'json' 'version' 'h/help'
            case 'verify'
                __twvoice_parse_subcommand 1 'param=+' 'body=' 'auth-token=' 'signing-key=' 'signature=' 'version' 'h/help'
            end
        case 'repl'
            __twvoice_parse_subcommand 0 'keep-going' 'version' 'h/help'
        case 'help'
            __twvoice_parse_subcommand -r 1 'version'
        end
    end
end

function __twvoice_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __twvoice_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __twvoice_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __twvoice_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__twvoice_tokens -p)
    if test -z "$(__twvoice_tokens -t)"
        set -l index (count (__twvoice_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'twvoice' -f
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'token' -d 'Mint and inspect Twilio Access Tokens.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'twiml' -d 'Render TwiML exactly as twilio-python does, and validate TwiML before Twilio sees it.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'codec' -d 'Turn Media Streams captures into WAV, and audio into Media Streams payloads.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'stream' -d 'Play the Twilio side of a Media Stream against your WebSocket server, or record real ones.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'call' -d 'Place a call to your voice backend as Twilio does: webhook, TwiML, streams.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'relay' -d 'Be Twilio\'s ConversationRelay toward an app: setup, prompts, barge-in, and the app\'s replies timed.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'report' -d 'Draw a call as one self-contained HTML page, from a session log or a capture.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'webhook' -d 'Compute and check X-Twilio-Signature as Twilio signs its webhooks.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'repl' -d 'Run twvoice commands interactively, with line editing, history and completion.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice token" -eq 1' -fa 'mint' -d 'Mint a Voice Access Token (JWT), exactly as twilio-python does.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice token" -eq 1' -fa 'decode' -d 'Inspect an Access Token: header, claims, grants; verify it when a secret is known.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" account-sid' -l 'account-sid' -d 'Account SID (AC…). Default: $TWILIO_ACCOUNT_SID.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" api-key' -l 'api-key' -d 'API key SID (SK…) that signs the token. Default: $TWILIO_API_KEY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" api-secret' -l 'api-secret' -d 'API key secret. Visible to other users in ps and shell history; prefer $TWILIO_API_SECRET, --api-secret-file or --api-secret-stdin.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" api-secret-file' -l 'api-secret-file' -d 'Read the API key secret from a file (one line).' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" api-secret-stdin' -l 'api-secret-stdin' -d 'Read the API key secret from standard input.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" env-file' -l 'env-file' -d 'Read settings from this file instead of ./.env.' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" no-env-file' -l 'no-env-file' -d 'Do not read ./.env.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" identity' -l 'identity' -d 'The client identity (letters, digits and underscore for Voice).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" random-identity' -l 'random-identity' -d 'Use a random user-style identity, as the seed\'s token endpoint does.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" seed' -l 'seed' -d 'Seed for --random-identity, for reproducible output.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" application-sid voice-app-sid' -l 'application-sid' -l 'voice-app-sid' -d 'TwiML App SID (AP…) that outgoing calls reach. Default: $TWILIO_APPLICATION_SID.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" allow-incoming incoming' -l 'incoming' -l 'allow-incoming' -d 'Allow incoming calls to this identity (incoming.allow).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint"' -l 'param' -d 'An outgoing parameter for the TwiML App\'s webhook (repeatable, kept in order).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" push-credential-sid' -l 'push-credential-sid' -d 'Push credential SID (CR…) for incoming-call notifications.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" endpoint-id' -l 'endpoint-id' -d 'Endpoint ID telling apart devices of one identity.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint"' -l 'grant' -d 'Another product\'s grant: video[:room=NAME], chat:service_sid=IS…, sync:service_sid=IS…, task-router:workspace_sid=WS… (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" ttl' -l 'ttl' -d 'Seconds until the token expires (at most 86400).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" valid-until' -l 'valid-until' -d 'Expire at this Unix time instead.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" nbf' -l 'nbf' -d 'Not valid before this Unix time (default: now).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" no-nbf' -l 'no-nbf' -d 'Leave out the nbf claim.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" region' -l 'region' -d 'Twilio region that authenticates the token (header twr), e.g. ie1, au1.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" now' -l 'now' -d 'The clock, in Unix seconds, for jti, exp and nbf.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" output' -l 'output' -d 'token: the JWT alone (default); json: {"token", "identity"} as the seed\'s endpoint returns.' -rfka 'token json'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" count' -l 'count' -d 'Mint this many tokens, one per line (JSON lines unless --output token).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" identity-prefix' -l 'identity-prefix' -d 'With --count: identities PREFIX1 … PREFIXN.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token mint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" json' -l 'json' -d 'Print {"header": …, "payload": …} exactly as decoded.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" now' -l 'now' -d 'The clock, in Unix seconds, for the exp and nbf checks.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" account-sid' -l 'account-sid' -d 'Account SID (AC…). Default: $TWILIO_ACCOUNT_SID.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" api-key' -l 'api-key' -d 'API key SID (SK…) that signs the token. Default: $TWILIO_API_KEY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" api-secret' -l 'api-secret' -d 'API key secret. Visible to other users in ps and shell history; prefer $TWILIO_API_SECRET, --api-secret-file or --api-secret-stdin.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" api-secret-file' -l 'api-secret-file' -d 'Read the API key secret from a file (one line).' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" api-secret-stdin' -l 'api-secret-stdin' -d 'Read the API key secret from standard input.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" env-file' -l 'env-file' -d 'Read settings from this file instead of ./.env.' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" no-env-file' -l 'no-env-file' -d 'Do not read ./.env.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice token decode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml" -eq 1' -fa 'render' -d 'Render TwiML: the stream webhook (start), a dial (dial), a ConversationRelay (relay), or any document from JSON (--from).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml" -eq 1' -fa 'validate' -d 'Check TwiML and report, by line and column, what Twilio would reject and with which error.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render" from' -l 'from' -d 'Render the document described by this JSON file (- for standard input).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render" pretty' -l 'pretty' -d 'Indented XML for people (the default is twilio-python\'s single line).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render" no-declaration' -l 'no-declaration' -d 'Leave out the <?xml …?> declaration.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml render" -eq 1' -fa 'start' -d 'Render the stream webhook\'s answer: <Connect><Stream> (or <Start><Stream>) and a <Pause>.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml render" -eq 1' -fa 'dial' -d 'Render <Dial> to clients, numbers, SIP URIs, conferences or queues, in the order given.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml render" -eq 1' -fa 'relay' -d 'Render <Connect><ConversationRelay>, with <Language> and <Parameter> children.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" url' -l 'url' -d 'WebSocket URL of the bot (wss://…, or relative to the webhook).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" name' -l 'name' -d 'Friendly name of the stream.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start"' -l 'param' -d 'A <Parameter> the bot receives in start.customParameters (repeatable, kept in order).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" pause' -l 'pause' -d 'A <Pause> of this many seconds after the stream verb.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" status-callback' -l 'status-callback' -d 'URL Twilio calls with stream events.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" status-callback-method' -l 'status-callback-method' -d 'GET or POST.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" unidirectional' -l 'unidirectional' -d 'Render <Start><Stream> (one-way fork) instead of <Connect><Stream>.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" track' -l 'track' -d 'inbound_track, outbound_track or both_tracks (only inbound_track with <Connect>).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" pretty' -l 'pretty' -d 'Indented XML for people (the default is twilio-python\'s single line).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" no-declaration' -l 'no-declaration' -d 'Leave out the <?xml …?> declaration.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'client' -d 'A Voice SDK client identity (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'client-param' -d 'A <Parameter> for the preceding --client.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'number' -d 'A phone number in E.164 (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'sip' -d 'A SIP URI (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'conference' -d 'A conference room name (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial"' -l 'queue' -d 'A queue name (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" caller-id' -l 'caller-id' -d 'Caller ID shown to the callee.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" timeout' -l 'timeout' -d 'Seconds to wait for an answer.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" time-limit' -l 'time-limit' -d 'Longest call in seconds.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" record' -l 'record' -d 'do-not-record, record-from-answer, record-from-ringing, record-from-answer-dual, record-from-ringing-dual.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" trim' -l 'trim' -d 'trim-silence or do-not-trim.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" answer-on-bridge' -l 'answer-on-bridge' -d 'Keep the caller hearing ringback until the callee answers.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" action' -l 'action' -d 'URL Twilio requests when the dial ends.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" method' -l 'method' -d 'GET or POST for --action.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" ring-tone' -l 'ring-tone' -d 'Ringback tone country code: us, uk, de, …' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" hangup-on-star' -l 'hangup-on-star' -d 'Let the caller hang up the callee with *.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" sequential' -l 'sequential' -d 'Dial the nouns one after another instead of all at once.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" recording-status-callback' -l 'recording-status-callback' -d 'URL for recording status events.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" recording-track' -l 'recording-track' -d 'both, inbound or outbound.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" pretty' -l 'pretty' -d 'Indented XML for people (the default is twilio-python\'s single line).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" no-declaration' -l 'no-declaration' -d 'Leave out the <?xml …?> declaration.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render dial" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" url' -l 'url' -d 'The app\'s WebSocket URL (wss://host/path).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" welcome-greeting' -l 'welcome-greeting' -d 'Spoken when the session starts.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" welcome-greeting-interruptible' -l 'welcome-greeting-interruptible' -d 'What may cut the greeting.' -rfka 'none dtmf speech any'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" language' -l 'language' -d 'Language of speech and transcription (BCP-47 or multi).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" tts-language' -l 'tts-language' -d 'Language of speech, over --language.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" transcription-language' -l 'transcription-language' -d 'Language of transcription, over --language.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" tts-provider' -l 'tts-provider' -d 'Text-to-speech provider: Google, Amazon or ElevenLabs.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" voice' -l 'voice' -d 'The provider\'s voice.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" transcription-provider' -l 'transcription-provider' -d 'Speech-to-text provider: Google or Deepgram.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" speech-model' -l 'speech-model' -d 'The transcription provider\'s model.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" interruptible' -l 'interruptible' -d 'What may cut the agent (true and false: the older any and none).' -rfka 'none dtmf speech any true false'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" interrupt-sensitivity' -l 'interrupt-sensitivity' -d 'How readily speech cuts the agent.' -rfka 'low medium high'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" dtmf-detection' -l 'dtmf-detection' -d 'Pass key presses to the app as dtmf messages.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" no-dtmf-detection' -l 'no-dtmf-detection' -d 'Pass key presses to the app as dtmf messages.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" report-input-during-agent-speech' -l 'report-input-during-agent-speech' -d 'Which input reaches the app while the agent speaks.' -rfka 'none dtmf speech any'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" preemptible' -l 'preemptible' -d 'Let the app\'s next talk cycle cut the current one.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" no-preemptible' -l 'no-preemptible' -d 'Let the app\'s next talk cycle cut the current one.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" hints' -l 'hints' -d 'Phrases that help transcription, comma-separated.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" debug' -l 'debug' -d 'Turn on info messages: debugging, speaker-events, tokens-played.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" events' -l 'events' -d 'Event subscriptions: speaker-events, tokens-played, config-updated.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" partial-prompts' -l 'partial-prompts' -d 'Send prompts with last: false while the caller speaks.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" no-partial-prompts' -l 'no-partial-prompts' -d 'Send prompts with last: false while the caller speaks.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" speech-timeout' -l 'speech-timeout' -d 'Silence before the final prompt: auto, or milliseconds.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" profanity-filter' -l 'profanity-filter' -d 'Filter profanities out of transcripts.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" no-profanity-filter' -l 'no-profanity-filter' -d 'Filter profanities out of transcripts.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" intelligence-service' -l 'intelligence-service' -d 'Conversational Intelligence service SID or unique name.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" elevenlabs-text-normalization' -l 'elevenlabs-text-normalization' -d 'ElevenLabs text normalization (auto acts as off).' -rfka 'on auto off'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay"' -l 'lang' -d 'A <Language> child (repeatable, kept in order).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay"' -l 'param' -d 'A <Parameter> the app receives in setup.customParameters (repeatable, kept in order).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" action' -l 'action' -d 'URL Twilio requests when the session ends (<Connect action>).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" method' -l 'method' -d 'The HTTP method for --action.' -rfka 'GET POST'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" pretty' -l 'pretty' -d 'Indented XML for people (the default is twilio-python\'s single line).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" no-declaration' -l 'no-declaration' -d 'Leave out the <?xml …?> declaration.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml render relay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice twiml validate" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'xml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml validate" json' -l 'json' -d 'Print the findings as JSON.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml validate" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice twiml validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec" -eq 1' -fa 'decode' -d 'Decode a Media Streams capture (JSON lines, JSON array or base64 lines) to WAV.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec" -eq 1' -fa 'encode' -d 'Encode a WAV file to Media Streams payloads: outbound messages, base64, raw or µ-law WAV.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec" -eq 1' -fa 'info' -d 'Describe a WAV file or a Media Streams capture: format, tracks, gaps, events, levels.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec decode" -eq 1' -F
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" o output' -l 'output' -s 'o' -d 'Output file, or - for standard output (the default when it is not a terminal).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" track' -l 'track' -d 'Which track: inbound, outbound or both (stereo). Default: inbound, or the only track present.' -rfka 'inbound outbound both'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" encoding' -l 'encoding' -d 'Sample encoding written: pcm16, mulaw or alaw.' -rfka 'pcm16 mulaw alaw'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" rate' -l 'rate' -d 'Sample rate of the output in Hz (resampled from 8000; pcm16 only).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" as-heard' -l 'as-heard' -d 'Outbound audio as the caller heard it: Twilio\'s playout (8,000 bytes/s) with clear applied.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" raw' -l 'raw' -d 'Write samples only, without a WAV header.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" q quiet' -l 'quiet' -s 'q' -d 'No summary on standard error.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec decode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec encode" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'wav\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" o output' -l 'output' -s 'o' -d 'Output file, or - for standard output.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" format' -l 'format' -d 'messages (outbound media JSON lines), payloads (base64 lines), raw (µ-law bytes) or wav (µ-law WAV).' -rfka 'messages payloads raw wav'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" frame' -l 'frame' -d 'Audio per payload, with its unit: 20ms (160 bytes), 0.5s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" stream-sid' -l 'stream-sid' -d 'streamSid of the messages (MZ…). Default: a random one.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" seed' -l 'seed' -d 'Seed for the random streamSid, for reproducible output.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" mark' -l 'mark' -d 'Append a mark message with this name after the audio (messages format).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" q quiet' -l 'quiet' -s 'q' -d 'No summary on standard error.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec encode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice codec info" -eq 1' -F
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec info" json' -l 'json' -d 'Print JSON for scripts.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec info" width' -l 'width' -d 'Columns of the level meter.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec info" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice codec info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream" -eq 1' -fa 'replay' -d 'Connect to a Media Streams server as Twilio does and replay a WAV, a capture or silence.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream" -eq 1' -fa 'capture' -d 'Record the Media Streams sent to a WebSocket server, one session log per stream.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream" -eq 1' -fa 'proxy' -d 'Sit between Twilio and a Media Streams bot: forward every frame both ways, record both.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream" -eq 1' -fa 'summary' -d 'Combine the summaries of many-call runs.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream replay" -eq 1' -F
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" url' -l 'url' -d 'The bot\'s WebSocket URL: wss://… (as Twilio dials) or ws://… for a local test. No query string: Twilio does not allow one; use --param.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" signed-url' -l 'signed-url' -d 'The URL Twilio would dial (the public wss:// address behind a tunnel): signed for X-Twilio-Signature instead of --url.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" resolve' -l 'resolve' -d 'Connect to ADDRESS for HOST:PORT, keeping HOST for Host, TLS SNI and the signature (as curl --resolve).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" auth-token' -l 'auth-token' -d 'Sign the upgrade with X-Twilio-Signature. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" silence' -l 'silence' -d 'Send this much silence instead of an input, e.g. 10s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay"' -l 'param' -d 'start.customParameters entry (repeatable); overrides the capture\'s value for the same name.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay"' -l 'dtmf' -d 'A key press at a time, e.g. 5@2.5s (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" stream-sid' -l 'stream-sid' -d 'streamSid (MZ…). Default: random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" call-sid' -l 'call-sid' -d 'callSid (CA…). Default: random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" account-sid' -l 'account-sid' -d 'accountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" seed' -l 'seed' -d 'Seed for the random SIDs.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" unidirectional' -l 'unidirectional' -d 'Act as a <Start><Stream> (one way): the bot must send nothing.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" track' -l 'track' -d 'With --unidirectional: inbound_track, outbound_track or both_tracks.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" speed' -l 'speed' -d 'Run this many times faster than real time (0.1 to 100): every wait, Pauses included.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" fast' -l 'fast' -d '1000× real time, for CI against bots that do not pace in real time (an echo, a scripted bot). A bot that answers in real time cannot answer in time: its utterances are reported unanswered. Times are then session time.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" tail' -l 'tail' -d 'After the caller\'s audio ends and the bot\'s audio has played, stay on the line this long. Default: 2s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" hangup-after' -l 'hangup-after' -d 'Hang up after this long whatever happens.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" insecure' -l 'insecure' -d 'Do not verify servers\' TLS certificates.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" connect-timeout' -l 'connect-timeout' -d 'Seconds for a stream\'s whole opening: DNS, TCP connect, TLS handshake and the WebSocket upgrade.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" record' -l 'record' -d 'Write the conversation as the caller heard it: stereo WAV, left caller, right bot.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'wav\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" log' -l 'log' -d 'Write every frame both ways with its time, as a session log (JSON lines: t, from, message).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'jsonl\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" report' -l 'report' -d 'Write the call as one self-contained HTML page: both sides\' audio and every event on a time axis.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'html\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" json' -l 'json' -d 'Print the summary as JSON.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" strict' -l 'strict' -d 'Exit 1 when the bot broke the protocol or showed a finding (talk-over, underrun, burst, container-bytes, mark-after-clear, cut-off).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay"' -l 'allow' -d 'With --strict: do not fail on this finding (repeatable).' -rfka 'talk-over underrun burst container-bytes mark-after-clear cut-off'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay"' -l 'scenario' -d 'Play a scenario instead of an input: a caller that reacts to the bot, with expectations (a YAML file, or a folder of them; repeatable). See twvoice-scenario(5).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" junit' -l 'junit' -d 'With --scenario: write JUnit XML, one testcase per step.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'xml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" jobs' -l 'jobs' -d 'With --scenario: run this many scenarios at once.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" calls' -l 'calls' -d 'Run this many calls at once against the URL, each its own stream, and summarise them all.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" inputs' -l 'inputs' -d 'With --calls: the calls\' inputs, taken in turn from the files of DIR.' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" ramp' -l 'ramp' -d 'With --calls: start the calls evenly over this long (default 0: all at once), e.g. 10s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" shard' -l 'shard' -d 'With --calls: run only calls K, K+N, K+2N… of them (shard K of N, from 1); merge the summaries with `stream summary merge`.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" record-dir' -l 'record-dir' -d 'With --calls: record each call to DIR/<streamSid>.wav.' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" log-dir' -l 'log-dir' -d 'With --calls: write each call\'s session log to DIR/<streamSid>.jsonl.' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" q quiet' -l 'quiet' -s 'q' -d 'No progress line and no text summary.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream replay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" listen' -l 'listen' -d 'Where to listen.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" path' -l 'path' -d 'Take streams on this path only (others get 404), e.g. /media.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" o output-dir' -s 'o' -l 'output-dir' -d 'The folder the session logs go to (made if missing).' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" auth-token' -l 'auth-token' -d 'Require X-Twilio-Signature made with this auth token. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" json' -l 'json' -d 'Print the summary as JSON on standard output when stopped.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" q quiet' -l 'quiet' -s 'q' -d 'No live line, no line per stream and no summary (the line saying where it listens stays).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" echo' -l 'echo' -d 'Answer each stream as a minimal echo bot.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream capture" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" listen' -l 'listen' -d 'Where to listen.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" path' -l 'path' -d 'Take streams on this path only (others get 404), e.g. /media.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" o output-dir' -s 'o' -l 'output-dir' -d 'The folder the session logs go to (made if missing).' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" auth-token' -l 'auth-token' -d 'Require X-Twilio-Signature made with this auth token. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" json' -l 'json' -d 'Print the summary as JSON on standard output when stopped.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" q quiet' -l 'quiet' -s 'q' -d 'No live line, no line per stream and no summary (the line saying where it listens stays).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" upstream' -l 'upstream' -d 'The bot\'s WebSocket URL, ws://… or wss://…, that every stream is forwarded to.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" upstream-auth-token' -l 'upstream-auth-token' -d 'Sign the upgrade to the bot with X-Twilio-Signature made with this auth token.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" insecure' -l 'insecure' -d 'Do not verify the bot\'s TLS certificate (wss:// to a test server).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" connect-timeout' -l 'connect-timeout' -d 'Seconds to reach the bot and have it upgrade, before answering 502.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream proxy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream summary" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream summary" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream summary" -eq 1' -fa 'merge' -d 'Merge the --json summaries of `stream replay --calls N --shard K/N` runs into one.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice stream summary merge" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream summary merge" json' -l 'json' -d 'Print the merged summary as JSON (mergeable again).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream summary merge" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice stream summary merge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" voice-url' -l 'voice-url' -d 'The TwiML App\'s Voice URL: http:// or https://.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" method' -l 'method' -d 'GET or POST (as the TwiML App\'s Voice Method).' -rfka 'GET POST'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" identity' -l 'identity' -d 'The caller\'s client identity: From and Caller are client:IDENTITY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" to' -l 'to' -d 'The To parameter the client passes (a number, a client, or anything the app reads).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'param' -d 'A parameter the client passes with the call (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" audio' -l 'audio' -d 'What the caller says: a WAV or a Media Streams capture.' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" silence' -l 'silence' -d 'The caller says nothing for this long instead of --audio, e.g. 10s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'dtmf' -d 'A key press during the streams, e.g. 5@2.5s from the first stream\'s start (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'digits' -d 'The keys the caller presses at the next <Gather> (repeatable, one per Gather).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'speech' -d 'What the caller says at the next <Gather input="speech"> (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'prompt' -d 'A caller turn in the first <Connect><ConversationRelay> session, sent as a prompt (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" dial-status' -l 'dial-status' -d 'DialCallStatus sent to a <Dial action>: completed, answered, busy, no-answer, failed or canceled.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" status-callback' -l 'status-callback' -d 'The call\'s status callback URL (as the TwiML App\'s Status Callback): requested, signed, at the events asked for.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" status-callback-method' -l 'status-callback-method' -d 'GET or POST for --status-callback. Default: POST.' -rfka 'GET POST'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call"' -l 'status-callback-event' -d 'ringing, answered or completed (repeatable, or space-separated as in Twilio\'s API). Default: completed.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" account-sid' -l 'account-sid' -d 'AccountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" call-sid' -l 'call-sid' -d 'CallSid (CA…). Default: random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" application-sid' -l 'application-sid' -d 'ApplicationSid (AP…). Default: $TWILIO_APPLICATION_SID, else random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" seed' -l 'seed' -d 'Seed for the random SIDs.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" auth-token' -l 'auth-token' -d 'The account\'s auth token (HMAC-SHA1). Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" signing-key' -l 'signing-key' -d 'A webhook shared key (HMAC-SHA256, X-Twilio-Webhooks-Signature-Settings) instead of the auth token. Default: $TWILIO_WEBHOOK_SIGNING_KEY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" webhook-timeout' -l 'webhook-timeout' -d 'How long each webhook may take, connecting included. Default: 15s (Twilio\'s).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" speed' -l 'speed' -d 'Run this many times faster than real time (0.1 to 100): every wait, Pauses included.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" fast' -l 'fast' -d '1000× real time, for CI against bots that do not pace in real time (an echo, a scripted bot). A bot that answers in real time cannot answer in time: its utterances are reported unanswered. Times are then session time.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" tail' -l 'tail' -d 'After the caller\'s audio ends and the bot\'s audio has played, stay on the line this long. Default: 2s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" hangup-after' -l 'hangup-after' -d 'Hang up after this long whatever happens.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" insecure' -l 'insecure' -d 'Do not verify servers\' TLS certificates.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" connect-timeout' -l 'connect-timeout' -d 'Seconds for a stream\'s whole opening: DNS, TCP connect, TLS handshake and the WebSocket upgrade.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" record' -l 'record' -d 'Write the whole call as the caller had it: stereo WAV, left what the caller said, right what they heard.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'wav\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" log' -l 'log' -d 'Write every request, answer and stream message with its call time, as a session log (JSON lines).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'jsonl\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" report' -l 'report' -d 'Write the call as one self-contained HTML page: requests, streams\' audio and every event on a time axis.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'html\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" api-listen' -l 'api-listen' -d 'Serve the call\'s REST resource here while it runs (POST …/Calls/{CallSid}.json with Status=completed, Twiml= or Url=; Basic auth: AccountSid and the auth token).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" recordings-dir' -l 'recordings-dir' -d 'Write what each <Record> recorded here as RE….wav (its RecordingUrl a file:// URL). Default: not written.' -rfa '(__twvoice_complete_directories)'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" scenario' -l 'scenario' -d 'Instead of --audio: the caller follows a scenario on the first <Connect><Stream> (steps and expectations, see twvoice-scenario(5)).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" junit' -l 'junit' -d 'With --scenario: write JUnit XML, one testcase per step.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'xml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" json' -l 'json' -d 'Print the summary as JSON on standard output.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" q quiet' -l 'quiet' -s 'q' -d 'No timeline and no text summary.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" url' -l 'url' -d 'The app\'s WebSocket URL: wss://… (as Twilio dials) or ws://… for a local test.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" signed-url' -l 'signed-url' -d 'The URL Twilio would dial (the public wss:// address behind a tunnel): signed for X-Twilio-Signature instead of --url.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" resolve' -l 'resolve' -d 'Connect to ADDRESS for HOST:PORT, keeping HOST for Host, TLS SNI and the signature (as curl --resolve).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" auth-token' -l 'auth-token' -d 'Sign the upgrade with X-Twilio-Signature. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" sign-query-as-params' -l 'sign-query-as-params' -d 'Sign a query string as parameters over the URL without it (as Twilio\'s Agent Connect SDK checks it), not as part of the URL (unconfirmed which Twilio does).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay"' -l 'prompt' -d 'A caller turn, sent as a prompt (repeatable, in order).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" welcome-greeting' -l 'welcome-greeting' -d 'Spoken first, as <ConversationRelay welcomeGreeting>.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" welcome-greeting-interruptible' -l 'welcome-greeting-interruptible' -d 'What may cut the greeting: none, dtmf, speech or any (default any).' -rfka 'none dtmf speech any'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" interruptible' -l 'interruptible' -d 'What may cut the agent: none, dtmf, speech or any (default any; true/false as in TwiML).' -rfka 'none dtmf speech any'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" preemptible' -l 'preemptible' -d 'The agent\'s playback may be cut by the app\'s next message (preemptible="true").'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" dtmf-detection' -l 'dtmf-detection' -d 'Pass key presses on as dtmf frames.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" report-input-during-agent-speech' -l 'report-input-during-agent-speech' -d 'Which input reaches the app while the agent speaks: none (the default), dtmf, speech or any.' -rfka 'none dtmf speech any'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" partial-prompts' -l 'partial-prompts' -d 'Send cumulative prompts with last: false while the caller speaks.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" events' -l 'events' -d 'info events to send: speaker-events, tokens-played (comma- or space-separated).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" debug' -l 'debug' -d 'As <ConversationRelay debug>: debugging (roundTripDelayMs), speaker-events, tokens-played.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" language' -l 'language' -d 'Language of prompts and speech (default en-US).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" tts-language' -l 'tts-language' -d 'Speech language, over --language.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" transcription-language' -l 'transcription-language' -d 'The prompts\' lang, over --language.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" tts-rate' -l 'tts-rate' -d 'Characters the simulated text-to-speech speaks per second (default 19, Twilio\'s captured greeting).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" turn-gap' -l 'turn-gap' -d 'Send each prompt this long after the previous one, whatever the agent is doing, instead of after its reply.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" interrupt-after' -l 'interrupt-after' -d 'Speak each prompt after the first over the agent\'s reply, once it has talked this long.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" reply-timeout' -l 'reply-timeout' -d 'How long the caller waits for the app to start answering before going on (default 10s).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay"' -l 'dtmf' -d 'A key press at a time, e.g. 5@2.5s (repeatable; with --dtmf-detection).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" session-sid' -l 'session-sid' -d 'setup.sessionId (VX…). Default: random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" call-sid' -l 'call-sid' -d 'setup.callSid (CA…). Default: random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" account-sid' -l 'account-sid' -d 'setup.accountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" seed' -l 'seed' -d 'Seed for the random SIDs.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" from' -l 'from' -d 'setup.from.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" to' -l 'to' -d 'setup.to.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" direction' -l 'direction' -d 'setup.direction: inbound, outbound-api, …' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" call-type' -l 'call-type' -d 'setup.callType: PSTN, SIP, CLIENT.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay"' -l 'param' -d 'setup.customParameters entry, as a <Parameter> (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" speed' -l 'speed' -d 'Run this many times faster than real time (0.1 to 100): every wait, Pauses included.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" fast' -l 'fast' -d '1000× real time, for CI against bots that do not pace in real time (an echo, a scripted bot). A bot that answers in real time cannot answer in time: its utterances are reported unanswered. Times are then session time.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" tail' -l 'tail' -d 'After the caller\'s audio ends and the bot\'s audio has played, stay on the line this long. Default: 2s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" hangup-after' -l 'hangup-after' -d 'Hang up after this long whatever happens.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" insecure' -l 'insecure' -d 'Do not verify servers\' TLS certificates.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" connect-timeout' -l 'connect-timeout' -d 'Seconds for a stream\'s whole opening: DNS, TCP connect, TLS handshake and the WebSocket upgrade.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay"' -l 'scenario' -d 'Play a scripted caller with expectations instead of --prompt: a YAML file or a folder of them, each its own session (repeatable). See twvoice-scenario(5).' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" junit' -l 'junit' -d 'With --scenario: write JUnit XML, one testcase per step.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'xml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" log' -l 'log' -d 'Write every frame both ways with its time, as a session log (JSON lines: t, from, message).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'jsonl\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" report' -l 'report' -d 'Write the session as one self-contained HTML page: the transcript and every frame on a time axis.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'html\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" json' -l 'json' -d 'Print the summary as JSON.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" transcript' -l 'transcript' -d 'Print the transcript to standard output as it happens (it goes to a terminal\'s standard error anyway).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" strict' -l 'strict' -d 'Exit 1 when the app sent a frame Twilio refuses (64107).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" q quiet' -l 'quiet' -s 'q' -d 'No transcript and no text summary.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" calls' -l 'calls' -d 'Run this many sessions at once against the app, each its own call, and summarise them all.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" ramp' -l 'ramp' -d 'With --calls: start the sessions evenly over this long (default 0: all at once), e.g. 10s.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice relay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice report" -eq 1' -F
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice report" o output' -s 'o' -l 'output' -d 'The HTML file to write (- for standard output).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'html\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice report" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice webhook" -eq 1' -fa 'sign' -d 'Print the X-Twilio-Signature Twilio would send for a request.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_positional "twvoice webhook" -eq 1' -fa 'verify' -d 'Check an X-Twilio-Signature as twilio-python\'s RequestValidator does (exit 0 valid, 1 not).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign"' -l 'param' -d 'A POST form parameter (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" body' -l 'body' -d 'A JSON body (a file, or - for standard input): signed through bodySHA256 in the URL, as Twilio does.' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" auth-token' -l 'auth-token' -d 'The account\'s auth token (HMAC-SHA1). Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" signing-key' -l 'signing-key' -d 'A webhook shared key (HMAC-SHA256, X-Twilio-Webhooks-Signature-Settings) instead of the auth token. Default: $TWILIO_WEBHOOK_SIGNING_KEY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" json' -l 'json' -d 'Print the URL signed, the signature and the headers as JSON.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook sign" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify"' -l 'param' -d 'A POST form parameter (repeatable).' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" body' -l 'body' -d 'A JSON body (a file, or - for standard input): signed through bodySHA256 in the URL, as Twilio does.' -rF
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" auth-token' -l 'auth-token' -d 'The account\'s auth token (HMAC-SHA1). Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" signing-key' -l 'signing-key' -d 'A webhook shared key (HMAC-SHA256, X-Twilio-Webhooks-Signature-Settings) instead of the auth token. Default: $TWILIO_WEBHOOK_SIGNING_KEY.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" signature' -l 'signature' -d 'The X-Twilio-Signature header\'s value.' -rfka ''
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice webhook verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice repl" keep-going' -l 'keep-going' -d 'In a script, go on after a failing line (exit with the last failure).'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice repl" version' -l 'version' -d 'Show the version.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice repl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'twvoice' -n '__twvoice_should_offer_completions_for_flags_or_options "twvoice help" version' -l 'version' -d 'Show the version.'

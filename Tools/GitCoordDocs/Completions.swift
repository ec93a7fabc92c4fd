/// Completion scripts for bash, zsh and fish, generated from the command tree: the data (subcommands, options,
/// how each value completes) is written out per command; one small engine per shell walks the words typed so far.
/// Values that live in the repository (session names, claimed paths, remotes) come from the binary at TAB time
/// (`git coord complete ...`), so they are always current.
struct Completions {
    let tool: CommandInfo
    let version: String

    /// A command of the tree, by its path below the root ("" for the root, "hook claude").
    struct Node {
        var path: String
        var command: CommandInfo
    }

    var nodes: [Node] {
        var result: [Node] = []
        func walk(_ command: CommandInfo, _ path: String) {
            result.append(Node(path: path, command: command))
            for sub in command.shownSubcommands { walk(sub, path.isEmpty ? sub.commandName : path + " " + sub.commandName) }
        }
        walk(tool, "")
        return result
    }

    /// Subcommands offered at a node, with their abstracts.
    func subcommands(_ node: Node) -> [(String, String)] {
        var subs = node.command.shownSubcommands.map { ($0.commandName, $0.abstract ?? "") }
        if node.path.isEmpty, node.command.subcommands?.contains(where: { $0.commandName == "help" }) == true {
            subs.append(("help", "Show help for a command."))
        }
        return subs
    }

    /// Every spelling of every option and flag of a node (with --help), with its abstract.
    func options(_ node: Node) -> [(String, String)] {
        let arguments = (node.command.arguments ?? []).filter {
            !$0.isPositional && ($0.isShown || $0.preferredName?.name == "help")
                && (node.path.isEmpty || $0.preferredName?.name != "version")
        }
        return arguments.flatMap { argument in argument.spellings.map { ($0, argument.abstract ?? "") } }
    }

    /// How a value completes, as the engines read it: `none`, `file`, `dir`, `words:A B C`, `cmd:COMMAND`.
    static func kind(_ completion: ArgumentInfo.Completion) -> String {
        switch completion {
        case .list(let values): return "words:" + values.joined(separator: " ")
        case .file: return "file"
        case .directory: return "dir"
        case .command(let command): return "cmd:" + command
        case .none: return "none"
        }
    }

    /// (`"claim --session"`, kind) for every option that takes a value.
    var valueKinds: [(String, String)] {
        nodes.flatMap { node in
            (node.command.arguments ?? []).filter(\.takesValue).flatMap { argument in
                argument.spellings.map { (key(node.path, $0), Self.kind(argument.completion)) }
            }
        }
    }

    /// (`"send 0"` or `"claim *"`, kind) for every positional argument; a repeating last one matches any index.
    var positionalKinds: [(String, String)] {
        nodes.flatMap { node -> [(String, String)] in
            let positionals = (node.command.arguments ?? []).filter(\.isPositional)
            return positionals.enumerated().map { index, argument in
                let repeats = argument.isRepeating == true && index == positionals.count - 1
                return (repeats ? key(node.path, "*") : key(node.path, String(index)), Self.kind(argument.completion))
            }
        }
    }

    func key(_ path: String, _ word: String) -> String { path.isEmpty ? " " + word : path + " " + word }

    // MARK: Shared data, in sh syntax (bash and zsh read it alike)

    var shData: String {
        var lines = ["__git_coord_subcommands () {", "\tcase \"$1\" in"]
        for node in nodes where !subcommands(node).isEmpty {
            lines.append("\t\(sh(node.path))) echo \(sh(subcommands(node).map(\.0).joined(separator: " "))) ;;")
        }
        lines += ["\tesac", "}", "", "__git_coord_options () {", "\tcase \"$1\" in"]
        for node in nodes {
            lines.append("\t\(sh(node.path))) echo \(sh(options(node).map(\.0).joined(separator: " "))) ;;")
        }
        lines += ["\tesac", "}", "",
                  "# How the value of option $2 of command $1 completes; nothing when it takes no value.",
                  "__git_coord_value () {", "\tcase \"$1 $2\" in"]
        for (pattern, kind) in valueKinds { lines.append("\t\(sh(pattern))) echo \(sh(kind)) ;;") }
        lines += ["\tesac", "}", "",
                  "# How positional argument number $2 (from 0) of command $1 completes.",
                  "__git_coord_positional () {", "\tcase \"$1 $2\" in"]
        for (pattern, kind) in positionalKinds {
            let quoted = pattern.hasSuffix(" *") ? sh(String(pattern.dropLast())) + "*" : sh(pattern)
            lines.append("\t\(quoted)) echo \(sh(kind)) ;;")
        }
        lines += ["\t*) echo none ;;", "\tesac", "}"]
        return lines.joined(separator: "\n")
    }

    /// Single-quoted for sh.
    func sh(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    // MARK: bash

    func bash() -> String {
        """
        # bash completion for git-coord \(version), generated by git-coord-docs from the binary's own description of
        # its commands: do not edit. It completes 'git-coord ...' and, through git's completion (which loads this file
        # and calls _git_coord), 'git coord ...': subcommands, options, session names, claimed paths and remotes.

        \(shData)

        # Runs 'git coord complete ...' (through git's completion's __git when there is one, so 'git -C DIR' is
        # honoured) and prints its words.
        __git_coord_run () {
        \tlocal -a argv
        \tIFS=' ' read -ra argv <<< "$1"
        \tif [ "${argv[0]}" = git ] && declare -F __git >/dev/null 2>&1; then
        \t\t__git "${argv[@]:1}" 2>/dev/null
        \telse
        \t\t"${argv[@]}" 2>/dev/null
        \tfi
        }

        # Completes the last of "$@", the words after 'coord' (or 'git-coord'), into COMPREPLY.
        __git_coord_complete_words () {
        \tlocal cur="${!#}" at="" word pending="" option="" ended="" kind="" subs
        \tlocal -i npos=0
        \tlocal -a before=("${@:1:$#-1}")
        \tfor word in "${before[@]}"; do
        \t\t[ "$word" = "=" ] && continue
        \t\tif [ -n "$pending" ]; then pending=""; continue; fi
        \t\tif [ -z "$ended" ]; then
        \t\t\tcase "$word" in
        \t\t\t--) ended=1; continue ;;
        \t\t\t-*=*) continue ;;
        \t\t\t-?*) option=$word; [ -n "$(__git_coord_value "$at" "$word")" ] && pending=1; continue ;;
        \t\t\tesac
        \t\tfi
        \t\tsubs=" $(__git_coord_subcommands "$at") "
        \t\tif [ -z "$ended" ] && [ $npos -eq 0 ] && [[ "$subs" == *" $word "* ]]; then
        \t\t\tat="${at:+$at }$word"
        \t\telse
        \t\t\tnpos+=1
        \t\tfi
        \tdone
        \tif [ -n "$pending" ]; then
        \t\tkind=$(__git_coord_value "$at" "$option")
        \telif [ -z "$ended" ] && [[ "$cur" == --*=* ]]; then
        \t\tkind=$(__git_coord_value "$at" "${cur%%=*}")
        \t\tcur=${cur#*=}
        \telif [ -z "$ended" ] && [[ "$cur" == -* ]]; then
        \t\tkind="words:$(__git_coord_options "$at")"
        \telse
        \t\tsubs=$(__git_coord_subcommands "$at")
        \t\tif [ -n "$subs" ] && [ $npos -eq 0 ] && [ -z "$ended" ]; then
        \t\t\tkind="words:$subs"
        \t\telse
        \t\t\tkind=$(__git_coord_positional "$at" $npos)
        \t\tfi
        \tfi
        \tlocal IFS=$'\\n'
        \tcase "$kind" in
        \twords:*) IFS=$' \\n'; COMPREPLY=($(compgen -W "${kind#words:}" -- "$cur")) ;;
        \tcmd:*) COMPREPLY=($(compgen -W "$(__git_coord_run "${kind#cmd:}")" -- "$cur")) ;;
        \tfile) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
        \tdir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
        \t*) COMPREPLY=() ;;
        \tesac
        }

        # 'git coord ...': git's completion calls this with words, cword and __git_cmd_idx (the index of 'coord').
        _git_coord () {
        \tlocal i=${__git_cmd_idx:-0}
        \tif [ "$i" -eq 0 ]; then
        \t\tfor ((i = 1; i < cword; i++)); do [ "${words[i]}" = coord ] && break; done
        \tfi
        \t__git_coord_complete_words "${words[@]:i+1:cword-i}"
        }

        # 'git-coord ...' typed as such.
        _git_coord_command () {
        \tlocal cur words cword
        \tif declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        \t\t_get_comp_words_by_ref -n =: cur words cword
        \telse
        \t\twords=("${COMP_WORDS[@]}")
        \t\tcword=$COMP_CWORD
        \tfi
        \t__git_coord_complete_words "${words[@]:1:cword}"
        }

        complete -F _git_coord_command git-coord

        """
    }

    // MARK: zsh

    func zsh() -> String {
        var described = ["__git_coord_describe () {", "\tcase \"$1\" in"]
        for node in nodes {
            let subs = subcommands(node).map { zshPair($0.0, $0.1) }
            let opts = options(node).map { zshPair($0.0, $0.1) }
            if !subs.isEmpty { described.append("\t\(sh("subs " + node.path))) print -rl -- \(subs.joined(separator: " ")) ;;") }
            if !opts.isEmpty { described.append("\t\(sh("opts " + node.path))) print -rl -- \(opts.joined(separator: " ")) ;;") }
        }
        described += ["\tesac", "}"]
        return """
        #compdef git-coord
        # zsh completion for git-coord \(version), generated by git-coord-docs from the binary's own description of
        # its commands: do not edit. It completes 'git-coord ...' and, through zsh's git completion (which calls
        # _git-coord for 'git coord'), 'git coord ...'.

        \(shData)

        # "word:description" lines for the subcommands ("subs PATH") or options ("opts PATH") of a command.
        \(described.joined(separator: "\n"))

        __git_coord_run () {
        \tlocal IFS=' '
        \tlocal -a run
        \trun=(${=1})
        \t"${run[@]}" 2>/dev/null
        }

        _git-coord () {
        \tlocal cur="${words[CURRENT]}" at="" word pending="" option="" ended="" kind="" subs
        \tinteger npos=0
        \tlocal -a before described
        \tbefore=("${(@)words[2,CURRENT-1]}")
        \tfor word in "${before[@]}"; do
        \t\tif [[ -n "$pending" ]]; then pending=""; continue; fi
        \t\tif [[ -z "$ended" ]]; then
        \t\t\tcase "$word" in
        \t\t\t--) ended=1; continue ;;
        \t\t\t-*=*) continue ;;
        \t\t\t-?*) option=$word; [[ -n "$(__git_coord_value "$at" "$word")" ]] && pending=1; continue ;;
        \t\t\tesac
        \t\tfi
        \t\tsubs=" $(__git_coord_subcommands "$at") "
        \t\tif [[ -z "$ended" && $npos -eq 0 && "$subs" == *" $word "* ]]; then
        \t\t\tat="${at:+$at }$word"
        \t\telse
        \t\t\t(( npos++ ))
        \t\tfi
        \tdone
        \tif [[ -n "$pending" ]]; then
        \t\tkind=$(__git_coord_value "$at" "$option")
        \telif [[ -z "$ended" && "$cur" == --*=* ]]; then
        \t\tkind=$(__git_coord_value "$at" "${cur%%=*}")
        \t\tcompset -P '*='
        \telif [[ -z "$ended" && "$cur" == -* ]]; then
        \t\tdescribed=("${(@f)$(__git_coord_describe "opts $at")}")
        \t\t_describe -t options 'option' described
        \t\treturn
        \telse
        \t\tsubs=$(__git_coord_subcommands "$at")
        \t\tif [[ -n "$subs" && $npos -eq 0 && -z "$ended" ]]; then
        \t\t\tdescribed=("${(@f)$(__git_coord_describe "subs $at")}")
        \t\t\t_describe -t commands 'git coord command' described
        \t\t\treturn
        \t\tfi
        \t\tkind=$(__git_coord_positional "$at" $npos)
        \tfi
        \tcase "$kind" in
        \twords:*) compadd -- ${=kind#words:} ;;
        \tcmd:*) compadd -- "${(@f)$(__git_coord_run "${kind#cmd:}")}" ;;
        \tfile) _files ;;
        \tdir) _files -/ ;;
        \tesac
        }

        _git-coord "$@"

        """
    }

    /// For fish's vendor_conf.d: 'git coord ...' handed to the completion of 'git-coord ...'. fish's git completion
    /// means to do that for every git-* command on PATH, but in fish 3.6 it registers them under the wrong name.
    func fishGit() -> String {
        """
        # 'git coord ...' in fish: completed as 'git-coord ...' (generated by git-coord-docs; do not edit).
        function __git_coord_from_git
            set -l tokens (commandline -opc)
            set -l index (contains -i -- coord $tokens); or return
            set -l rest $tokens[(math $index + 1)..]
            complete -C "git-coord $rest "(commandline -ct)
        end
        complete -c git -f -n '__fish_seen_subcommand_from coord' -a '(__git_coord_from_git)'

        """
    }

    /// `'--json:Print machine-readable JSON.'` for _describe (a colon in the word is escaped).
    func zshPair(_ word: String, _ description: String) -> String {
        sh(word.replacingOccurrences(of: ":", with: "\\:") + ":" + description)
    }

    // MARK: fish

    func fish() -> String {
        func quoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        func describedLines(_ pairs: [(String, String)]) -> String {
            pairs.map { "printf '%s\\t%s\\n' \(quoted($0.0)) \(quoted($0.1))" }.joined(separator: "; ")
        }
        var data = ["function __git_coord_data -a what path",
                    "    # subs/opts: 'word<TAB>description' lines; value/positional: how it completes (engine kinds)",
                    "    switch \"$what $path\""]
        for node in nodes {
            if !subcommands(node).isEmpty {
                data += ["        case \(quoted("subs " + node.path))", "            " + describedLines(subcommands(node))]
            }
            data += ["        case \(quoted("opts " + node.path))", "            " + describedLines(options(node))]
        }
        for (pattern, kind) in valueKinds {
            data += ["        case \(quoted("value " + pattern))", "            echo \(quoted(kind))"]
        }
        for (pattern, kind) in positionalKinds {
            let text = "positional " + pattern
            let fishPattern = text.hasSuffix(" *") ? quoted(String(text.dropLast())) + "'*'" : quoted(text)
            data += ["        case \(fishPattern)", "            echo \(quoted(kind))"]
        }
        data += ["    end", "end"]
        return """
        # fish completion for git-coord \(version), generated by git-coord-docs from the binary's own description of
        # its commands: do not edit. It completes 'git-coord ...', and 'git coord ...' through fish's git completion
        # (which hands custom git commands to their own completion).

        \(data.joined(separator: "\n"))

        function __git_coord_complete
            set -l tokens (commandline -opc)
            set -l cur (commandline -ct)
            # The words after 'git-coord', or after 'coord' in 'git [options] coord'.
            set -l start 2
            if test "$tokens[1]" = git
                set start (contains -i -- coord $tokens); or return
                set start (math $start + 1)
            end
            set -l at ''
            set -l pending ''
            set -l option ''
            set -l ended ''
            set -l npos 0
            set -l i $start
            while test $i -le (count $tokens)
                set -l word $tokens[$i]
                set i (math $i + 1)
                if test -n "$pending"
                    set pending ''
                    continue
                end
                if test -z "$ended"
                    switch $word
                        case --
                            set ended 1
                            continue
                        case '-*=*'
                            continue
                        case '-?*'
                            set option $word
                            test -n "$(__git_coord_data value "$at $word")"; and set pending 1
                            continue
                    end
                end
                set -l subs (__git_coord_data subs "$at" | string replace -r '\\t.*' '')
                if test -z "$ended" -a $npos -eq 0; and contains -- $word $subs
                    set at (string trim -- "$at $word")
                else
                    set npos (math $npos + 1)
                end
            end
            set -l kind
            if test -n "$pending"
                set kind (__git_coord_data value "$at $option")
            else if test -z "$ended"; and string match -q -- '--*=*' $cur
                set -l name (string replace -r '=.*' '' -- $cur)
                set kind (__git_coord_data value "$at $name")
                for word in (__git_coord_words $kind)
                    echo "$name=$word"
                end
                return
            else if test -z "$ended"; and string match -q -- '-*' $cur
                __git_coord_data opts "$at"
                return
            else
                set -l subs (__git_coord_data subs "$at")
                if test -n "$subs" -a $npos -eq 0 -a -z "$ended"
                    printf '%s\\n' $subs
                    return
                end
                set kind (__git_coord_data positional "$at $npos")
            end
            switch "$kind"
                case file
                    __fish_complete_path $cur
                case dir
                    __fish_complete_directories $cur
                case '*'
                    __git_coord_words $kind
            end
        end

        function __git_coord_words -a kind
            switch "$kind"
                case 'words:*'
                    string split ' ' -- (string replace 'words:' '' -- $kind)
                case 'cmd:*'
                    eval (string replace 'cmd:' '' -- $kind) 2>/dev/null
            end
        end

        complete -c git-coord -f -a '(__git_coord_complete)'

        """
    }
}

/*
 * kanon completion bash|zsh|fish: a shell completion script. The scripts
 * ask the kanon they complete for its commands (kanon help), options
 * (kanon CMD --help) and formats, so they never go stale as commands and
 * formats are added.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "core/banned.h"

/* awk program: the command names of `kanon help` (its "Commands:" block). */
#define AWK_COMMANDS "awk '/^Commands:/{c=1;next} c&&/^$/{exit} c&&/^  [a-z]/{print $1}'"

static const char bash_script[] =
    "# bash completion for kanon: eval \"$(kanon completion bash)\", or install it as\n"
    "# /usr/share/bash-completion/completions/kanon (make install does)\n"
    "_kanon() {\n"
    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    "\tlocal kanon=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} words\n"
    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
    "\t\twords=\"$(\"$kanon\" help 2>/dev/null | " AWK_COMMANDS ") help --version\"\n"
    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
    "\t\treturn\n"
    "\tfi\n"
    "\tcase $prev in\n"
    "\t-f | --format)\n"
    "\t\twords=$(\"$kanon\" \"$cmd\" --help 2>/dev/null |\n"
    "\t\t\tsed -n 's/.*--format FORMAT *\\(.*\\) (text is the default).*/\\1/p' | tr -d ,)\n"
    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
    "\t\treturn ;;\n"
    "\t--fail-on)\n"
    "\t\tCOMPREPLY=($(compgen -W \"info low medium high critical none\" -- \"$cur\"))\n"
    "\t\treturn ;;\n"
    "\t--color)\n"
    "\t\tCOMPREPLY=($(compgen -W \"auto always never\" -- \"$cur\"))\n"
    "\t\treturn ;;\n"
    "\tesac\n"
    "\tif [ \"$cmd\" = completion ]; then\n"
    "\t\tCOMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n"
    "\telif [[ $cur == -* ]]; then\n"
    "\t\twords=$(\"$kanon\" \"$cmd\" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort "
    "-u)\n"
    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
    "\telse\n"
    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
    "\tfi\n"
    "}\n"
    "complete -o filenames -F _kanon kanon\n";

static const char zsh_script[] =
    "#compdef kanon\n"
    "# zsh completion for kanon: kanon completion zsh > \"${fpath[1]}/_kanon\"\n"
    "# (make install puts it in share/zsh/site-functions/_kanon)\n"
    "_kanon() {\n"
    "\tlocal kanon=${words[1]} cmd=${words[2]}\n"
    "\tlocal -a list\n"
    "\tif (( CURRENT == 2 )); then\n"
    "\t\tlist=(${(f)\"$($kanon help 2>/dev/null | " AWK_COMMANDS ")\"})\n"
    "\t\tcompadd -a list\n"
    "\t\treturn\n"
    "\tfi\n"
    "\tcase ${words[CURRENT-1]} in\n"
    "\t-f|--format)\n"
    "\t\tlist=(${=\"$($kanon $cmd --help 2>/dev/null | sed -n 's/.*--format FORMAT *\\(.*\\) "
    "(text is the default).*/\\1/p' | tr -d ,)\"})\n"
    "\t\tcompadd -a list; return ;;\n"
    "\t--fail-on) compadd info low medium high critical none; return ;;\n"
    "\t--color) compadd auto always never; return ;;\n"
    "\tesac\n"
    "\tif [[ $cmd == completion ]]; then\n"
    "\t\tcompadd bash zsh fish\n"
    "\telif [[ ${words[CURRENT]} == -* ]]; then\n"
    "\t\tlist=(${(f)\"$($kanon $cmd --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | "
    "sort -u)\"})\n"
    "\t\tcompadd -a list\n"
    "\telse\n"
    "\t\t_files\n"
    "\tfi\n"
    "}\n"
    "compdef _kanon kanon\n";

static const char fish_script[] =
    "# fish completion for kanon: kanon completion fish > "
    "~/.config/fish/completions/kanon.fish\n"
    "# (make install puts it in share/fish/vendor_completions.d/kanon.fish)\n"
    "function __kanon_commands\n"
    "\tkanon help 2>/dev/null | " AWK_COMMANDS "\n"
    "end\n"
    "function __kanon_cmd\n"
    "\tset -l w (commandline -opc)\n"
    "\tif test (count $w) -ge 2\n"
    "\t\techo $w[2]\n"
    "\tend\n"
    "end\n"
    "function __kanon_formats\n"
    "\tkanon (__kanon_cmd) --help 2>/dev/null | sed -n 's/.*--format FORMAT *\\(.*\\) (text is "
    "the default).*/\\1/p' | string split ', '\n"
    "end\n"
    "function __kanon_options\n"
    "\tkanon (__kanon_cmd) --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u\n"
    "end\n"
    "complete -c kanon -f -n __fish_use_subcommand -a '(__kanon_commands)'\n"
    "complete -c kanon -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n"
    "complete -c kanon -n 'not __fish_use_subcommand' -s f -l format -x -a '(__kanon_formats)'\n"
    "complete -c kanon -n 'not __fish_use_subcommand' -l fail-on -x -a 'info low medium high "
    "critical none'\n"
    "complete -c kanon -n 'not __fish_use_subcommand' -l color -x -a 'auto always never'\n"
    "complete -c kanon -n 'not __fish_use_subcommand; and string match -q -- \"-*\" "
    "(commandline -ct)' -a '(__kanon_options)'\n";

static const char help[] =
    "usage: kanon completion bash|zsh|fish\n"
    "\n"
    "Print a completion script for the shell:\n"
    "  bash   eval \"$(kanon completion bash)\"\n"
    "  zsh    kanon completion zsh > \"${fpath[1]}/_kanon\"\n"
    "  fish   kanon completion fish > ~/.config/fish/completions/kanon.fish\n"
    "make install installs all three.\n";

int cmd_completion(int argc, char **argv)
{
	static const struct {
		const char *shell, *script;
	} shells[] = {{"bash", bash_script}, {"zsh", zsh_script}, {"fish", fish_script}};

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(help, stdout);
		return 0;
	}
	if (argc != 2)
		return usage_error("completion", "give one shell: bash, zsh or fish");
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (!strcmp(argv[1], shells[i].shell)) {
			fputs(shells[i].script, stdout);
			return fflush(stdout) ? 2 : 0;
		}
	return usage_error("completion", "unknown shell '%s' (bash, zsh or fish)", argv[1]);
}

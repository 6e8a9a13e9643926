#!/usr/bin/env bash
# make install (PREFIX, DESTDIR) and kanon completion bash|zsh|fish: the
# files land where the shells and man look, the scripts parse (bash -n,
# zsh -n, fish -n) and complete the commands, options and formats.
. "$(dirname "$0")/lib.sh"
root=$tmp/root
make -s install DESTDIR="$root" PREFIX=/usr KANON_BIN="$KANON" >"$tmp/make.out" 2>&1
check "make install DESTDIR=... PREFIX=/usr" $?
[ -x "$root/usr/bin/kanon" ] && [ -f "$root/usr/share/man/man1/kanon.1" ] &&
	[ -f "$root/usr/share/bash-completion/completions/kanon" ] &&
	[ -f "$root/usr/share/zsh/site-functions/_kanon" ] &&
	[ -f "$root/usr/share/fish/vendor_completions.d/kanon.fish" ] &&
	[ -f "$root/usr/share/doc/kanon/rules/kubelet-anonymous-auth.md" ] &&
	[ "$(stat -c %a "$root/usr/share/man/man1/kanon.1")" = 644 ] &&
	[ "$(stat -c %a "$root/usr/bin/kanon")" = 755 ]
check "binary, man page, rule pages and completions installed with their modes" $?
"$root/usr/bin/kanon" --version | grep -q "^kanon "
check "the installed binary runs" $?
MANPATH=$root/usr/share/man man -w kanon 2>/dev/null | grep -q "$root/usr/share/man/man1/kanon.1" &&
	! groff -man -Tutf8 -wmac -z docs/kanon.1 2>&1 | grep -v "cannot adjust line" | grep -q .
check "man finds it; groff reads it without macro warnings" $?
grep -qF 'baseline " FILE' docs/kanon.1 && grep -qF 'B kanon completion' docs/kanon.1 && grep -qF 'sarif|junit|prometheus|html' docs/kanon.1
check "the man page has the formats, --baseline and completion" $?
make -s uninstall DESTDIR="$root" PREFIX=/usr KANON_BIN="$KANON" >/dev/null 2>&1 &&
	[ -z "$(find "$root" -type f)" ]
check "make uninstall removes every file" $?

# the scripts
"$KANON" completion bash >"$tmp/c.bash" && bash -n "$tmp/c.bash"
check "completion bash: bash -n" $?
bin=$(dirname "$KANON")
# COMP_WORDS[0] is the kanon under test
out=$(bash -c 'source "$1"; COMP_WORDS=("$2" ""); COMP_CWORD=1; _kanon; echo "${COMPREPLY[*]}"
	COMP_WORDS=("$2" scan -f ""); COMP_CWORD=3; _kanon; echo "${COMPREPLY[*]}"
	COMP_WORDS=("$2" scan --base); COMP_CWORD=2; _kanon; echo "${COMPREPLY[*]}"
	COMP_WORDS=("$2" completion ""); COMP_CWORD=2; _kanon; echo "${COMPREPLY[*]}"' _ "$tmp/c.bash" "$KANON")
# every command kanon help lists, and nothing else
want=$("$KANON" help | awk '/^Commands:/{c=1;next} c&&/^$/{exit} c&&/^  [a-z]/{print $1}' | tr '\n' ' ')
[ "$(echo "$out" | sed -n 1p)" = "${want}help --version" ] && [ "$(echo "$want" | wc -w)" -ge 9 ] &&
	echo "$out" | sed -n 2p | grep -qx "text json sarif junit prometheus html" &&
	echo "$out" | sed -n 3p | grep -qx -- "--baseline" && echo "$out" | sed -n 4p | grep -qx "bash zsh fish"
check "bash: completes the commands, the formats, options and shells" $?
[ -n "$out" ] || echo "$out"
for sh in zsh fish; do
	if ! command -v $sh >/dev/null; then
		notok "- $sh is missing: scripts/install-deps.sh installs it"
		continue
	fi
	"$KANON" completion $sh >"$tmp/c.$sh" && $sh -n "$tmp/c.$sh"
	check "completion $sh: $sh -n" $?
done
if command -v zsh >/dev/null; then
	out=$(PATH=$bin:$PATH zsh -c 'compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "$@"; fi }
		_files() { print FILES }; compdef() { }; source "$1"
		words=(kanon ""); CURRENT=2; _kanon; words=(kanon scan -f ""); CURRENT=4; _kanon' _ "$tmp/c.zsh" | tr '\n' ' ')
	[ "$out" = "${want}text json sarif junit prometheus html " ]
	check "zsh: completes the commands and formats" $?
fi
if command -v fish >/dev/null; then
	out=$(PATH=$bin:$PATH fish -c "source $tmp/c.fish; complete -C 'kanon '; complete -C 'kanon scan -f '" | tr '\n' ' ')
	echo "$out" | grep -q "scan" && echo "$out" | grep -q "sarif" && echo "$out" | grep -q "completion"
	check "fish: completes the commands and formats" $?
fi
"$KANON" completion tcsh >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "unknown shell" "$tmp/err"
check "an unknown shell is a usage error" $?

#ifndef KANON_FIX_TEXT_H
#define KANON_FIX_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

/*
 * Edits of one word of a command line where a file writes it: a systemd
 * ExecStart= or Environment= line, an environment file's VAR=value, an
 * item of a YAML list (k3s/RKE2 kubelet-arg, a static pod's command), in
 * block ("- word") or flow ("[a, b]") style. The word is found literally
 * on its line (1-based), quoted or not, and must be there exactly once;
 * the rest of the file is left byte for byte. A YAML list item is matched
 * with or without its leading "--" (k3s accepts both).
 */

enum fix_word_style {
	FIX_WORDS_SHELL, /* whitespace-separated words (units, env files) */
	FIX_WORDS_YAML,	 /* the word is one YAML list item */
};

/* Replace word (and, when next is not NULL, the word after it, which
 * must follow after blanks) by repl; in YAML style repl is written
 * without the "--" when the item had none. */
int fix_word_replace(struct strbuf *buf, int line, enum fix_word_style style, const char *word,
		     const char *next, const char *repl, struct err *e);

/* Remove word (and next, as above) with the blanks that separated it; a
 * YAML block item's whole line goes. */
int fix_word_remove(struct strbuf *buf, int line, enum fix_word_style style, const char *word,
		    const char *next, struct err *e);

/* Insert a YAML block list item "- word" after line, indented as that
 * line's item. */
int fix_item_insert_after(struct strbuf *buf, int line, const char *word, struct err *e);

/* The bytes of line (1-based) in buf: offset and length without the end
 * of line. -1 when buf has no such line. */
int fix_line_span(const struct strbuf *buf, int line, size_t *off, size_t *len);

/* "\r\n" when the file's first line ends so, else "\n". */
const char *fix_eol(const struct strbuf *buf);

#endif

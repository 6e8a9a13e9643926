/*
 * systemd unit file syntax, ExecStart= words and their expansion. The
 * semantics follow systemd's sources, cited per function:
 * src/shared/conf-parser.c (config_parse, parse_line),
 * src/basic/extract-word.c (extract_first_word), src/basic/escape.c
 * (cunescape_one), src/core/load-fragment.c (config_parse_exec),
 * src/core/unit-printf.c (unit specifiers), src/basic/env-util.c
 * (replace_env_full, replace_env_argv).
 */
#include "parsers/unit.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

void unit_file_init(struct unit_file *u)
{
	memset(u, 0, sizeof(*u));
}

void unit_file_release(struct unit_file *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->a[i].section);
		free(u->a[i].key);
		free(u->a[i].value);
	}
	for (size_t i = 0; i < u->nwarn; i++)
		free(u->warn[i].text);
	free(u->a);
	free(u->warn);
	unit_file_init(u);
}

static void add_warn(struct unit_file *u, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_warn(struct unit_file *u, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (u->nwarn >= 64) /* enough to tell the user; a hostile file has more */
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(u->warn, u->nwarn + 1, u->awarn);
	u->warn[u->nwarn].line = line;
	u->warn[u->nwarn++].text = strbuf_detach(&sb);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* strstrip(): the span of s without leading and trailing whitespace */
static void strip(const char **s, size_t *n)
{
	while (*n && is_ws(**s))
		(*s)++, (*n)--;
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

/* conf-parser.c parse_line() for one logical line. */
static int parse_line(struct unit_file *u, char **section, const char *l, size_t n, int line,
		      struct err *e)
{
	const char *eq;
	struct unit_assign *a;
	size_t kl;

	strip(&l, &n);
	if (!n)
		return 0;
	if (*l == '[') {
		if (n < 2 || l[n - 1] != ']')
			return err_set(e, "", line,
				       "invalid section header '%.*s': systemd "
				       "refuses the file",
				       (int)(n > 200 ? 200 : n), l);
		free(*section);
		*section = xstrndup(l + 1, n - 2);
		return 0;
	}
	if (!*section) {
		add_warn(u, line, "assignment outside of section, ignored");
		return 0;
	}
	eq = memchr(l, '=', n);
	if (!eq) {
		add_warn(u, line, "missing '=', line ignored");
		return 0;
	}
	if (u->n >= UNIT_MAX_ASSIGN)
		return err_set(e, "", line, "more than %d assignments: not modeled",
			       UNIT_MAX_ASSIGN);
	ALLOC_GROW(u->a, u->n + 1, u->alloc);
	a = &u->a[u->n++];
	kl = (size_t)(eq - l);
	while (kl && is_ws(l[kl - 1]))
		kl--;
	a->section = xstrdup(*section);
	a->key = xstrndup(l, kl);
	{
		const char *v = eq + 1;
		size_t vn = n - (size_t)(v - l);

		strip(&v, &vn);
		a->value = xstrndup(v, vn);
	}
	a->line = line;
	return 0;
}

/* An odd number of trailing backslashes (config_parse's escape scan). */
static bool continues(const char *s, size_t n)
{
	bool escaped = false;

	for (size_t i = 0; i < n; i++)
		escaped = escaped ? false : s[i] == '\\';
	return escaped;
}

static int logical_line(struct unit_file *u, char **section, struct strbuf *cont, int first,
			struct err *e)
{
	int r = parse_line(u, section, cont->buf ? cont->buf : "", cont->len, first, e);

	strbuf_reset(cont);
	return r;
}

int unit_parse(const char *buf, size_t len, struct unit_file *out, struct err *e)
{
	struct strbuf cont = STRBUF_INIT;
	char *section = NULL;
	size_t i = 0;
	int line = 0, first = 0, ret = 0;
	bool pending = false;

	/* a UTF-8 byte order mark is skipped */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len) {
		size_t start = i, n;
		const char *l;

		/* read_line(): \n, \r, \r\n and NUL end a line */
		while (i < len && buf[i] != '\n' && buf[i] != '\r' && buf[i])
			i++;
		n = i - start;
		if (i < len && buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		i++;
		line++;
		l = buf + start;
		if (n > UNIT_LINE_MAX || cont.len + n > UNIT_LINE_MAX) {
			ret = err_set(e, "", line, "line too long: systemd refuses the file");
			goto out;
		}
		{
			size_t k = 0;
			while (k < n && is_ws(l[k]))
				k++;
			/* comments are skipped, also inside a continuation */
			if (k < n && (l[k] == '#' || l[k] == ';'))
				continue;
		}
		if (!pending)
			first = line;
		strbuf_add(&cont, l, n);
		if (continues(cont.buf, cont.len)) {
			cont.buf[cont.len - 1] = ' ';
			pending = true;
			continue;
		}
		pending = false;
		if ((ret = logical_line(out, &section, &cont, first, e)) < 0)
			goto out;
	}
	/* a backslash on the last line: what was collected still counts */
	if (pending)
		ret = logical_line(out, &section, &cont, first, e);
out:
	strbuf_release(&cont);
	free(section);
	return ret;
}

/* ------------------------------------------------------------------ words */

static void add_utf8(struct strbuf *w, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(w, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addch(w, (char)(0xc0 | (cp >> 6)));
		strbuf_addch(w, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(w, (char)(0xe0 | (cp >> 12)));
		strbuf_addch(w, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(w, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(w, (char)(0xf0 | (cp >> 18)));
		strbuf_addch(w, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(w, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(w, (char)(0x80 | (cp & 0x3f)));
	}
}

/* n hex digits at p, or -1 */
static long hexn(const char *p, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		int d = hex_value(p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * escape.c cunescape_one(): the escape after a backslash at p. Returns
 * the characters used, or 0 for an unknown or invalid escape (a NUL, a
 * surrogate, past U+10FFFF).
 */
static size_t c_escape(const char *p, struct strbuf *w)
{
	static const char from[] = "abfnrtv\\\"'s", to[] = "\a\b\f\n\r\t\v\\\"' ";
	const char *k = *p ? strchr(from, *p) : NULL;
	long v;

	if (k) {
		strbuf_addch(w, to[k - from]);
		return 1;
	}
	if (*p == 'x') {
		v = hexn(p + 1, 2);
		if (v <= 0)
			return 0;
		strbuf_addch(w, (char)v);
		return 3;
	}
	if (*p == 'u' || *p == 'U') {
		int nd = *p == 'u' ? 4 : 8;
		v = hexn(p + 1, nd);
		if (v <= 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		add_utf8(w, (unsigned)v);
		return (size_t)nd + 1;
	}
	if (*p >= '0' && *p <= '7') {
		if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
			return 0;
		v = (p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0');
		if (v == 0 || v > 255)
			return 0;
		strbuf_addch(w, (char)v);
		return 3;
	}
	return 0;
}

/*
 * extract_first_word() with EXTRACT_UNQUOTE: the next word at *p into w.
 * Returns 1 (a word), 0 (none left) or -1 with *e set.
 */
static int next_word(const char **p, unsigned flags, struct strbuf *w, struct err *e)
{
	const char *s = *p;
	char quote = 0;

	strbuf_reset(w);
	while (*s && is_ws(*s))
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	for (;; s++) {
		char c = *s;

		if (c == '\\') {
			size_t used;

			if (!s[1]) {
				if (flags & UNIT_SPLIT_RELAX)
					break;
				return err_set(e, "", 0, "trailing backslash");
			}
			s++;
			if (!(flags & UNIT_SPLIT_CUNESCAPE)) {
				strbuf_addch(w, *s);
				continue;
			}
			used = c_escape(s, w);
			if (used) {
				s += used - 1;
			} else if (flags & UNIT_SPLIT_ESCAPE_RELAX) {
				strbuf_addch(w, '\\');
				strbuf_addch(w, *s);
			} else {
				return err_set(e, "", 0, "unknown escape '\\%c'", *s);
			}
			continue;
		}
		if (quote) {
			if (!c) {
				if (flags & UNIT_SPLIT_RELAX)
					break;
				return err_set(e, "", 0, "unterminated %c quote", quote);
			}
			if (c == quote)
				quote = 0;
			else
				strbuf_addch(w, c);
			continue;
		}
		if (!c || is_ws(c))
			break;
		if (c == '\'' || c == '"')
			quote = c;
		else
			strbuf_addch(w, c);
	}
	while (*s && is_ws(*s))
		s++;
	*p = s;
	return 1;
}

int unit_split_words(const char *s, unsigned flags, struct argv_list *out, struct err *e)
{
	struct strbuf w = STRBUF_INIT;
	int r;

	while ((r = next_word(&s, flags, &w, e)) > 0)
		argv_push(out, strbuf_str(&w));
	strbuf_release(&w);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ specifiers */

int unit_specifiers(const char *s, const char *unit, struct strbuf *out, struct err *e)
{
	const char *dot = strrchr(unit, '.');
	size_t nl = dot ? (size_t)(dot - unit) : strlen(unit);
	for (; *s; s++) {
		if (*s != '%') {
			strbuf_addch(out, *s);
			continue;
		}
		s++;
		switch (*s) {
		case '%':
			strbuf_addch(out, '%');
			break;
		case 'n':
			strbuf_addstr(out, unit);
			break;
		case 'N': /* the name without the type suffix */
		case 'p': /* the prefix (no '@' instance in a plain unit) */
			strbuf_add(out, unit, nl);
			break;
		case 'i': /* a unit that is not a template instance has none */
		case 'I':
			break;
		case 'j': /* the prefix after its last '-' */
		case 'J':
			if (*s == 'J' || memchr(unit, '-', nl)) {
				/* unescaping is not modeled */
				return err_set(e, "", 0, "specifier %%%c is not modeled", *s) - 1;
			}
			strbuf_add(out, unit, nl);
			break;
		default:
			/* host, user, paths: they depend on the running system */
			if (!*s)
				return err_set(e, "", 0, "a '%%' ends the value: not modeled") - 1;
			return err_set(e, "", 0, "specifier %%%c depends on the host: not modeled",
				       *s) -
			       1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- ExecStart */

void unit_cmd_release(struct unit_cmd *c)
{
	free(c->path);
	argv_release(&c->argv);
	memset(c, 0, sizeof(*c));
}

/* The prefixes before the executable (config_parse_exec). */
static const char *exec_prefixes(const char *f, unsigned *flags)
{
	for (;; f++) {
		if (*f == '-' && !(*flags & UNIT_EXEC_IGNORE))
			*flags |= UNIT_EXEC_IGNORE;
		else if (*f == '@' && !(*flags & UNIT_EXEC_ARGV0))
			*flags |= UNIT_EXEC_ARGV0;
		else if (*f == ':' && !(*flags & UNIT_EXEC_NO_ENV))
			*flags |= UNIT_EXEC_NO_ENV;
		else if ((*f == '+' || *f == '!') && !(*flags & UNIT_EXEC_PRIVILEGED))
			*flags |= UNIT_EXEC_PRIVILEGED;
		else if (*f == '!' && f[-1] == '!')
			; /* "!!" */
		else if (*f == '|' && !(*flags & UNIT_EXEC_SHELL))
			*flags |= UNIT_EXEC_SHELL;
		else
			return f;
	}
}

static bool has_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* The words after the executable, up to a ";" separator. */
static int exec_args(const char **p, const char *unit, struct unit_cmd *c, bool *semicolon,
		     struct err *e)
{
	struct strbuf w = STRBUF_INIT, res = STRBUF_INIT;
	int r = 0;

	*semicolon = false;
	while (**p) {
		const char *q = *p;

		if (q[0] == ';' && (!q[1] || is_ws(q[1]))) {
			for (q++; *q && is_ws(*q); q++)
				;
			*p = q;
			*semicolon = true;
			break;
		}
		if (q[0] == '\\' && q[1] == ';' && (!q[2] || is_ws(q[2]))) {
			for (q += 2; *q && is_ws(*q); q++)
				;
			*p = q;
			argv_push(&c->argv, ";");
			continue;
		}
		r = next_word(p, UNIT_SPLIT_CUNESCAPE | UNIT_SPLIT_ESCAPE_RELAX, &w, e);
		if (r <= 0)
			break;
		strbuf_reset(&res);
		if ((r = unit_specifiers(strbuf_str(&w), unit, &res, e)) < 0)
			break;
		argv_push(&c->argv, strbuf_str(&res));
	}
	strbuf_release(&w);
	strbuf_release(&res);
	return r < 0 ? r : 0;
}

/* One command from *p; 0 when only a lone ";" was there. */
static int exec_one(const char **p, const char *unit, struct unit_cmd *c, bool *semicolon,
		    struct err *e)
{
	struct strbuf first = STRBUF_INIT, path = STRBUF_INIT;
	const char *f;
	int r;

	memset(c, 0, sizeof(*c));
	*semicolon = false;
	r = next_word(p, UNIT_SPLIT_CUNESCAPE | UNIT_SPLIT_ESCAPE_RELAX, &first, e);
	if (r <= 0)
		goto out;
	if (!strcmp(strbuf_str(&first), ";")) {
		*semicolon = true;
		r = 0;
		goto out;
	}
	f = exec_prefixes(strbuf_str(&first), &c->flags);
	if ((r = unit_specifiers(f, unit, &path, e)) < 0)
		goto out;
	if (!path.len || path.buf[path.len - 1] == '/' || has_ctrl(path.buf) ||
	    (path.buf[0] != '/' && strchr(path.buf, '/'))) {
		r = err_set(e, "", 0, "'%s' is neither an absolute path nor a file name",
			    strbuf_str(&path));
		goto out;
	}
	c->path = strbuf_detach(&path);
	if (!(c->flags & UNIT_EXEC_ARGV0))
		argv_push(&c->argv, c->path);
	if ((r = exec_args(p, unit, c, semicolon, e)) < 0)
		goto out;
	if (!c->argv.n) {
		r = err_set(e, "", 0, "empty executable name or zeroeth argument");
		goto out;
	}
	r = 1;
out:
	if (r <= 0)
		unit_cmd_release(c);
	strbuf_release(&first);
	strbuf_release(&path);
	return r;
}

int unit_exec_parse(const char *value, const char *unit, struct unit_cmd **cmds, size_t *n,
		    size_t *alloc, struct err *e)
{
	const char *p = value;
	int added = 0;
	bool semicolon;

	do {
		struct unit_cmd c;
		int r = exec_one(&p, unit, &c, &semicolon, e);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (added >= UNIT_MAX_CMDS) {
			unit_cmd_release(&c);
			return err_set(e, "", 0, "more than %d commands in one line: not modeled",
				       UNIT_MAX_CMDS);
		}
		ALLOC_GROW(*cmds, *n + 1, *alloc);
		(*cmds)[(*n)++] = c;
		added++;
	} while (semicolon && *p);
	return added;
}

/* ---------------------------------------------------------------- expand */

struct expand {
	const struct env_list *env;
	struct argv_list *out, *unset;
	size_t bytes;
	struct err *e;
};

static void note_unset(struct expand *x, const char *name, size_t n)
{
	char *s;

	if (!x->unset || x->unset->n >= 64)
		return;
	s = xstrndup(name, n);
	for (size_t i = 0; i < x->unset->n; i++) {
		if (!strcmp(x->unset->v[i], s)) {
			free(s);
			return;
		}
	}
	argv_push(x->unset, s);
	free(s);
}

static int over(struct expand *x, size_t add)
{
	x->bytes = st_add(x->bytes, add);
	if (x->bytes > UNIT_EXPAND_MAX_BYTES || x->out->n >= UNIT_EXPAND_MAX_WORDS)
		return err_set(x->e, "", 0,
			       "the expanded command line is larger than %u bytes "
			       "or %u words: not modeled",
			       UNIT_EXPAND_MAX_BYTES, UNIT_EXPAND_MAX_WORDS);
	return 0;
}

static void push_word(struct expand *x, const char *s, const struct env_var *v, const char *ref,
		      const struct argv_origin *o)
{
	struct strbuf note = STRBUF_INIT;

	if (!v) {
		argv_push_at(x->out, s, o ? o->path : NULL, o ? o->line : 0, o ? o->note : NULL);
		return;
	}
	strbuf_addf(&note, "%s in ExecStart", ref);
	if (o && o->path)
		strbuf_addf(&note, " (%s:%d)", o->path, o->line);
	argv_push_at(x->out, s, v->path, v->line, note.buf);
	strbuf_release(&note);
}

/* "$NAME" as a whole word: the value split into words (replace_env_argv). */
static int expand_split(struct expand *x, const char *name, const struct argv_origin *o)
{
	size_t nl = strlen(name);
	const struct env_var *v = env_name_valid(name, nl) ? env_list_get(x->env, name, nl) : NULL;
	struct argv_list words;
	struct strbuf ref = STRBUF_INIT;
	int r = 0;

	if (!v) {
		/* unset, or not a valid name: zero words */
		note_unset(x, name, nl);
		return 0;
	}
	argv_init(&words);
	unit_split_words(v->value, UNIT_SPLIT_RELAX, &words, NULL);
	strbuf_addf(&ref, "$%s", name);
	for (size_t i = 0; i < words.n && r == 0; i++) {
		if ((r = over(x, strlen(words.v[i]) + 1)) == 0)
			push_word(x, words.v[i], v, ref.buf, o);
	}
	argv_release(&words);
	strbuf_release(&ref);
	return r;
}

/* replace_env_full() with no flags: ${NAME} and $$ inside a word. */
static int expand_inline(struct expand *x, const char *w, const struct argv_origin *o)
{
	struct strbuf out = STRBUF_INIT, ref = STRBUF_INIT;
	const struct env_var *last = NULL;
	const char *lit = w, *p = w;
	int r = 0;

	while (*p) {
		const char *close;

		if (p[0] != '$' || (p[1] != '{' && p[1] != '$')) {
			p++;
			continue;
		}
		if (p[1] == '$') { /* "$$" is one '$' */
			strbuf_add(&out, lit, (size_t)(p + 1 - lit));
			lit = p += 2;
			continue;
		}
		close = strpbrk(p + 2, "}:");
		if (!close)
			break; /* unterminated: the rest stays as written */
		if (*close == ':') {
			/* ${A:-b} is not supported here: no replacement */
			p = close + 1;
			continue;
		}
		strbuf_add(&out, lit, (size_t)(p - lit));
		{
			size_t nl = (size_t)(close - p - 2);
			const struct env_var *v =
			    env_name_valid(p + 2, nl) ? env_list_get(x->env, p + 2, nl) : NULL;
			if (v) {
				strbuf_addstr(&out, v->value);
				last = v;
			} else {
				note_unset(x, p + 2, nl);
			}
		}
		lit = p = close + 1;
		if (out.len > UNIT_EXPAND_MAX_BYTES)
			break;
	}
	strbuf_addstr(&out, lit);
	if ((r = over(x, out.len + 1)) == 0) {
		if (last)
			strbuf_addf(&ref, "${%s}", last->name);
		push_word(x, strbuf_str(&out), last, ref.buf, o);
	}
	strbuf_release(&out);
	strbuf_release(&ref);
	return r;
}

int unit_expand_argv(const struct argv_list *in, const struct env_list *env, struct argv_list *out,
		     struct argv_list *unset, struct err *e)
{
	struct expand x = {env, out, unset, 0, e};

	for (size_t i = 0; i < in->n; i++) {
		const char *w = in->v[i];
		const struct argv_origin *o = argv_origin(in, i);
		int r;

		if (w[0] == '$' && w[1] != '{' && w[1] != '$')
			r = expand_split(&x, w + 1, o);
		else
			r = expand_inline(&x, w, o);
		if (r < 0)
			return -1;
	}
	return 0;
}

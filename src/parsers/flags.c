#include "parsers/flags.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

void flagset_init(struct flagset *fs)
{
	memset(fs, 0, sizeof(*fs));
	argv_init(&fs->positional);
	argv_init(&fs->shorthand);
}

void flagset_release(struct flagset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->f[i].name);
		free(fs->f[i].raw);
		free(fs->f[i].value);
	}
	free(fs->f);
	argv_release(&fs->positional);
	argv_release(&fs->shorthand);
	flagset_init(fs);
}

static char *normalize(const char *s, size_t len)
{
	char *n = xstrndup(s, len);

	for (char *p = n; *p; p++)
		if (*p == '_')
			*p = '-';
	return n;
}

static const struct flag_spec *spec_find(const struct flag_spec *specs,
					 size_t nspecs, const char *name)
{
	for (size_t i = 0; i < nspecs; i++)
		if (!strcmp(specs[i].name, name))
			return &specs[i];
	return NULL;
}

static void occ_add(struct flagset *fs, char *name, const char *raw,
		    const char *value, size_t argi)
{
	struct flag_occ *o;

	ALLOC_GROW(fs->f, fs->n + 1, fs->alloc);
	o = &fs->f[fs->n++];
	o->name = name;
	o->raw = xstrdup(raw);
	o->value = xstrdup_or_null(value);
	o->argi = argi;
}

void flags_parse(const struct argv_list *argv, const struct flag_spec *specs,
		 size_t nspecs, struct flagset *out)
{
	size_t i = 0;

	if (argv->n && argv->v[0][0] != '-')
		i = 1;
	for (; i < argv->n; i++) {
		const char *w = argv->v[i];
		const char *eq;
		const struct flag_spec *sp;
		char *name;

		if (!strcmp(w, "--")) {
			for (i++; i < argv->n; i++)
				argv_push(&out->positional, argv->v[i]);
			break;
		}
		if (w[0] != '-' || !w[1]) {
			argv_push(&out->positional, w);
			continue;
		}
		if (w[1] != '-') {
			/* "-v 4": a two-letter shorthand other than -h takes the
			 * next word as its value, like any non-boolean pflag */
			if (!w[2] && w[1] != 'h' && i + 1 < argv->n &&
			    argv->v[i + 1][0] != '-') {
				struct strbuf sh = STRBUF_INIT;
				strbuf_addf(&sh, "%s %s", w, argv->v[i + 1]);
				argv_push(&out->shorthand, sh.buf);
				strbuf_release(&sh);
				i++;
				continue;
			}
			argv_push(&out->shorthand, w);
			continue;
		}
		w += 2;
		eq = strchr(w, '=');
		name = normalize(w, eq ? (size_t)(eq - w) : strlen(w));
		sp = spec_find(specs, nspecs, name);
		if (eq) {
			occ_add(out, name, argv->v[i], eq + 1, i);
		} else if ((sp && sp->type == FLAG_BOOL) || i + 1 >= argv->n ||
			   (!sp && argv->v[i + 1][0] == '-')) {
			occ_add(out, name, argv->v[i], NULL, i);
		} else {
			struct strbuf raw = STRBUF_INIT;
			strbuf_addf(&raw, "%s %s", argv->v[i], argv->v[i + 1]);
			occ_add(out, name, raw.buf, argv->v[i + 1], i);
			strbuf_release(&raw);
			i++;
		}
	}
}

const struct flag_occ *flags_last(const struct flagset *fs, const char *name)
{
	for (size_t i = fs->n; i-- > 0;)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	return NULL;
}

size_t flags_count(const struct flagset *fs, const char *name)
{
	size_t c = 0;

	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].name, name))
			c++;
	return c;
}

int go_parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcmp(s, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int go_parse_int(const char *s, int bits, long long *out)
{
	char buf[80];
	size_t j = 0;
	const char *p = s;
	bool neg = false, prefixed = false;
	int base = 10;
	char *end;
	long long v, lim;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16, p += 2, prefixed = true;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8, p += 2, prefixed = true;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2, p += 2, prefixed = true;
	} else if (p[0] == '0' && p[1]) {
		base = 8, p += 1, prefixed = true;
	}
	for (; *p && j + 1 < sizeof(buf); p++) {
		if (*p == '_' && prefixed)
			continue;
		if (*p == '+' || *p == '-' || *p == ' ')
			return -1;
		buf[j++] = *p;
	}
	if (*p || !j)
		return -1;
	buf[j] = '\0';
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno || *end)
		return -1;
	lim = bits >= 64 ? 0 : (1LL << (bits - 1));
	if (neg)
		v = -v;
	if (lim && (v >= lim || v < -lim))
		return -1;
	*out = v;
	return 0;
}

#include "parsers/node.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

void node_destroy(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_destroy(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

void node_take_str(struct node *n, char *s, size_t len)
{
	size_t nuls = 0, j = 0;
	char *e;

	for (size_t i = 0; i < len; i++)
		nuls += !s[i];
	n->nul = nuls > 0;
	if (!nuls) {
		n->str = s;
		n->len = len;
		return;
	}
	e = xmalloc(st_add3(len, nuls, 1));
	for (size_t i = 0; i < len; i++) {
		if (s[i]) {
			e[j++] = s[i];
		} else {
			e[j++] = (char)0xc0;
			e[j++] = (char)0x80;
		}
	}
	e[j] = '\0';
	free(s);
	n->str = e;
	n->len = j;
}

bool node_str_is(const struct node *n, const char *s)
{
	size_t l = strlen(s);

	return n && n->kind == NODE_SCALAR && n->len == l && !memcmp(n->str, s, l);
}

size_t node_map_len(const struct node *map)
{
	return map && map->kind == NODE_MAP ? map->n / 2 : 0;
}

const struct node *node_map_key(const struct node *map, size_t i)
{
	return map->kids[2 * i];
}

const struct node *node_map_val(const struct node *map, size_t i)
{
	return map->kids[2 * i + 1];
}

static bool key_is(const struct node *k, const char *key)
{
	return node_str_is(k, key);
}

const struct node *node_map_get(const struct node *map, const char *key)
{
	const struct node *found = NULL;

	for (size_t i = 0; i < node_map_len(map); i++)
		if (key_is(node_map_key(map, i), key))
			found = node_map_val(map, i);
	return found;
}

size_t node_map_count(const struct node *map, const char *key)
{
	size_t c = 0;

	for (size_t i = 0; i < node_map_len(map); i++)
		if (key_is(node_map_key(map, i), key))
			c++;
	return c;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

bool node_is_null(const struct node *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};

	return n && n->kind == NODE_SCALAR && !n->quoted && one_of(n->str, nulls);
}

/*
 * go-yaml v2 (used by sigs.k8s.io/yaml, which Kubernetes uses to turn YAML
 * into JSON before decoding) resolves these plain scalars to booleans.
 */
static const char *const yaml_true[] = {"y",	"Y",	"yes", "Yes", "YES", "true",
					"True", "TRUE", "on",  "On",  "ON",  NULL};
static const char *const yaml_false[] = {"n",	  "N",	   "no",  "No",	 "NO",	"false",
					 "False", "FALSE", "off", "Off", "OFF", NULL};

int node_get_bool(const struct node *n, bool *out)
{
	if (!n || n->kind != NODE_SCALAR || n->quoted)
		return -1;
	if (one_of(n->str, yaml_true)) {
		*out = true;
		return 0;
	}
	if (one_of(n->str, yaml_false)) {
		*out = false;
		return 0;
	}
	return -1;
}

/*
 * Numbers as go-yaml v2 resolves plain scalars (resolve.go, resolve();
 * sigs.k8s.io/yaml uses v2): the first byte decides what a scalar may be
 * (resolveTable): a digit or a sign may make an int or a float, '.' a
 * float, anything else neither. So "nan", "inf", "Infinity" and "_1" are
 * strings, unlike what strtod() reads.
 */
static bool number_hint(char c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '-';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * strconv.ParseInt(plain, 0, 64), then ParseUint(plain, 0, 64), on plain
 * (the scalar without '_'): an optional sign, then 0x/0X (hex), 0o/0O or a
 * bare leading 0 (octal: "017" is 15), 0b/0B (binary) or decimal, with at
 * least one digit and every digit valid in its base ("08" is no int).
 * Returns 1 for an int64 in *out, 2 for a value that only fits a uint64
 * (an int for YAML, but not in *out), 0 for no int.
 */
static int parse_go_int(const char *plain, long long *out)
{
	const char *s = plain;
	unsigned long long v = 0, max;
	unsigned base = 10;
	bool neg = false, sign = false;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		sign = true;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2;
	else if (s[0] == '0' && s[1])
		base = 8; /* "017": a bare leading 0, one byte of prefix */
	if (base != 10)
		s += s[1] >= '0' && s[1] <= '9' ? 1 : 2;
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned d = (unsigned)digit_value(*s);
		if (d >= base || v > (ULLONG_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	max = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	if (v > max)
		return sign ? 0 : 2; /* ParseUint takes no sign */
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 1;
}

/* The scalar without '_' (go-yaml strips them before parsing numbers). */
static char *strip_underscores(const struct node *n)
{
	char *p = xmalloc(st_add(n->len, 1));
	size_t j = 0;

	for (size_t i = 0; i < n->len; i++)
		if (n->str[i] != '_')
			p[j++] = n->str[i];
	p[j] = '\0';
	return p;
}

/* A plain scalar that go-yaml v2 resolves to an int: 1 (int64 in *out),
 * 2 (uint64 only) or 0. */
static int resolve_int(const struct node *n, long long *out)
{
	char *plain;
	int r;

	if (!n || n->kind != NODE_SCALAR || n->quoted || !n->len || !number_hint(n->str[0]))
		return 0;
	plain = strip_underscores(n);
	r = parse_go_int(plain, out);
	free(plain);
	return r;
}

int node_get_int(const struct node *n, long long *out)
{
	return resolve_int(n, out) == 1 ? 0 : -1;
}

/* go-yaml v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
 * (so no hex floats, no "nan", no "inf"). */
static bool yaml_style_float(const char *s)
{
	size_t d = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			d++;
		if (!d)
			return false;
	} else {
		for (; *s >= '0' && *s <= '9'; s++)
			d++;
		if (!d)
			return false;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
	}
	if (*s == 'e' || *s == 'E') {
		d = 0;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		for (; *s >= '0' && *s <= '9'; s++)
			d++;
		if (!d)
			return false;
	}
	return !*s;
}

/* The special floats of go-yaml v2's resolveMap. */
static const char *const yaml_float_names[] = {".nan",	".NaN",	 ".NAN",  ".inf",  ".Inf",
					       ".INF",	"+.inf", "+.Inf", "+.INF", "-.inf",
					       "-.Inf", "-.INF", NULL};

static bool looks_numeric(const struct node *n)
{
	long long i;
	char *plain;
	bool f;

	if (n->quoted || !n->len)
		return false;
	if (one_of(n->str, yaml_float_names))
		return true;
	/* '.': strconv.ParseFloat(in) on the scalar as it is */
	if (n->str[0] == '.')
		return yaml_style_float(n->str);
	if (!number_hint(n->str[0]))
		return false;
	if (resolve_int(n, &i))
		return true;
	plain = strip_underscores(n);
	f = yaml_style_float(plain);
	free(plain);
	return f;
}

int node_get_string(const struct node *n, const char **out)
{
	bool b;

	if (!n || n->kind != NODE_SCALAR)
		return -1;
	if (!n->quoted && (node_get_bool(n, &b) == 0 || looks_numeric(n)))
		return -1;
	*out = n->str;
	return 0;
}

const char *node_kind_name(const struct node *n)
{
	bool b;

	if (!n)
		return "nothing";
	switch (n->kind) {
	case NODE_MAP:
		return "a mapping";
	case NODE_SEQ:
		return "a list";
	case NODE_SCALAR:
		if (n->quoted)
			return "a string";
		if (node_is_null(n))
			return "null";
		if (node_get_bool(n, &b) == 0)
			return "a boolean";
		if (looks_numeric(n))
			return "a number";
		return "a string";
	}
	return "?";
}

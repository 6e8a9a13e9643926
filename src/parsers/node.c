#include "parsers/node.h"

#include <errno.h>
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

/* go-yaml v2: drop '_' and parse with strconv.ParseInt(s, 0, 64). */
int node_get_int(const struct node *n, long long *out)
{
	char buf[64];
	size_t j = 0;
	const char *s;
	char *end;
	long long v;
	int base = 10;
	bool neg = false;

	if (!n || n->kind != NODE_SCALAR || n->quoted || !n->len)
		return -1;
	for (size_t i = 0; i < n->len && j + 1 < sizeof(buf); i++)
		if (n->str[i] != '_')
			buf[j++] = n->str[i];
	buf[j] = '\0';
	s = buf;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s += 1;
	}
	if (!*s || *s == '+' || *s == '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno || *end)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static bool looks_numeric(const struct node *n)
{
	long long i;
	char *end;

	if (node_get_int(n, &i) == 0)
		return true;
	errno = 0;
	(void)strtod(n->str, &end);
	return n->len && !*end && !errno;
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

/* libFuzzer target: the YAML/JSON loader and the scalar conversions. */
#include <stddef.h>
#include <stdint.h>

#include "parsers/yaml.h"

static void walk(const struct node *n, int depth)
{
	bool b;
	long long i;
	const char *s;

	if (depth > 300)
		return;
	if (n->kind == NODE_SCALAR) {
		(void)node_get_bool(n, &b);
		(void)node_get_int(n, &i);
		(void)node_get_string(n, &s);
		return;
	}
	for (size_t k = 0; k < n->n; k++)
		walk(n->kids[k], depth + 1);
	if (n->kind == NODE_MAP)
		(void)node_map_get(n, "authentication");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yaml_docs d = { 0 };
	struct err e;

	(void)yaml_parse((const char *)data, size, "fuzz", &d, &e);
	for (size_t i = 0; i < d.n; i++)
		walk(d.doc[i], 0);
	yaml_docs_release(&d);
	return 0;
}

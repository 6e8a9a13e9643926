/* libFuzzer target: the Kubernetes response body reader (Status, List item counts) and the 403
 * user. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/k8s_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct k8s_body b;

	k8s_body_init(&b);
	if (k8s_body_parse(p, size, &b) == 0 && b.message)
		free(k8s_forbidden_user(b.message, strlen(b.message)));
	k8s_body_release(&b);
	free(k8s_forbidden_user(p, size));
	return 0;
}

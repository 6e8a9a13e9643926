/*
 * libFuzzer target: kubeconfig files and what an exec credential plugin
 * prints, as kanon cluster reads them (src/sources/kubeconfig.c,
 * execcred.c), without any network or plugin run. The first byte picks:
 * two kubeconfig files merged as $KUBECONFIG merges them (the input split
 * at its first NUL) and every context resolved; an ExecCredential in each
 * apiVersion; base64 data.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sources/execcred.h"
#include "sources/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void kubeconfigs(const char *p, size_t n)
{
	const char *nul = memchr(p, '\0', n);
	size_t n1 = nul ? (size_t)(nul - p) : n;
	struct kubeconfig kc;
	struct kc_target t;
	struct err e = {0};

	kubeconfig_init(&kc);
	(void)kubeconfig_merge_buf(&kc, p, n1, "/fuzz/a/config", &e);
	if (nul)
		(void)kubeconfig_merge_buf(&kc, nul + 1, n - n1 - 1, "/fuzz/b/config", &e);
	if (kubeconfig_resolve(&kc, NULL, &t, &e) == 0 && t.user)
		(void)kc_user_auth_kind(t.user);
	for (size_t i = 0; i < kc.ncontexts; i++)
		if (kubeconfig_resolve(&kc, kc.contexts[i].name, &t, &e) == 0 && t.user)
			(void)kc_user_auth_kind(t.user);
	kubeconfig_release(&kc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = {"client.authentication.k8s.io/v1",
					       "client.authentication.k8s.io/v1beta1"};
	const char *p = (const char *)data + 1;
	struct execcred c;
	struct kc_bytes b = {0};
	struct err e = {0};

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		kubeconfigs(p, size - 1);
		break;
	case 1:
		execcred_init(&c);
		(void)execcred_parse(p, size - 1, versions[data[0] / 3 % 2], &c, &e);
		execcred_release(&c);
		break;
	default:
		if (kc_base64_decode(p, size - 1, &b) == 0)
			free(b.data);
		break;
	}
	return 0;
}

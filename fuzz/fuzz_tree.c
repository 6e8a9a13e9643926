/*
 * libFuzzer target: a whole directory tree, as `kanon scan` reads it. The
 * input is a list of files; the tree they make is scanned as a cluster
 * snapshot (`kanon scan DIR`: kubelet cmdline/config/conf.d/configz, API
 * server manifests and their root/, RBAC, audit logs) or as a node's /
 * (`kanon scan --root DIR`: systemd units, drop-ins, env files, k3s/RKE2
 * configs, static pods, kubelet configs, AuthenticationConfiguration...,
 * and the edits `kanon fix kubelet|apiserver --root` would make there),
 * by the first byte, in text and JSON. Every parser and model of the node
 * and snapshot paths runs on it, and harness.c checks the output
 * properties (terminal-safe text, well-formed JSON, a documented exit code).
 *
 * Input: MODE, then records PATHLEN(1) PATH LEN(2, little endian) DATA.
 * Paths are relative; records with an absolute path or a ".." component
 * are dropped (the target is the parser, not the scratch directory).
 * fuzz/mkseeds.py packs the test fixtures' trees in this format.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/cli.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int path_ok(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; s; s = strchr(s, '/')) {
		if (*s == '/')
			s++;
		if (!strncmp(s, "..", 2) && (s[2] == '/' || !s[2]))
			return 0;
	}
	return 1;
}

/* At most 24 files: enough for every layout, bounded work per input. */
static void unpack(const uint8_t *p, const uint8_t *end)
{
	for (int nfiles = 0; nfiles < 24 && p < end; nfiles++) {
		char path[256];
		size_t plen = *p++, n;

		if ((size_t)(end - p) < plen + 2)
			return;
		memcpy(path, p, plen);
		path[plen] = '\0';
		p += plen;
		n = (size_t)p[0] | (size_t)p[1] << 8;
		p += 2;
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (strlen(path) == plen && path_ok(path))
			fz_write(path, p, n);
		p += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir;
	bool node;

	if (size < 1)
		return 0;
	fz_setup();
	fz_clean();
	dir = fz_dir();
	node = data[0] & 1;
	unpack(data + 1, data + size);
	if (node) {
		const char *text[] = {"scan", "--root", dir, "--color", "never", "-v", NULL};
		const char *json[] = {"scan", "--root", dir, "-f", "json", NULL};
		/* kanon fix on the same node, as dry runs: the edits it plans
		 * (and checks by loading the result) on whatever the tree holds */
		const char *fixk[] = {"fix", "kubelet", "--root", dir, "--color", "never", NULL};
		const char *fixa[] = {"fix", "apiserver", "--root", dir, "--color", "never", NULL};
		fz_run(cmd_scan, FZ_TEXT, text);
		fz_run(cmd_scan, FZ_JSON, json);
		fz_run(cmd_fix, FZ_TEXT, fixk);
		fz_run(cmd_fix, FZ_TEXT, fixa);
	} else {
		const char *text[] = {"scan", dir, "--color", "never", "-v", NULL};
		const char *json[] = {"scan", dir, "-f", "json", NULL};
		const char *sarif[] = {"scan", dir, "-f", "sarif", NULL};
		fz_run(cmd_scan, FZ_TEXT, text);
		fz_run(cmd_scan, FZ_JSON, json);
		fz_run(cmd_scan, FZ_JSON, sarif);
	}
	return 0;
}

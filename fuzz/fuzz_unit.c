/*
 * libFuzzer target: systemd unit and EnvironmentFile= syntax, ExecStart=
 * parsing and expansion. The input is used as a unit file, an env file
 * and an ExecStart= value at once; the env file's variables expand the
 * ExecStart= words, so one input also exercises the expansion bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/envfile.h"
#include "parsers/unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_file u;
	struct env_list env;
	struct unit_cmd *cmds = NULL;
	size_t n = 0, alloc = 0;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	unit_file_init(&u);
	(void)unit_parse(s, size, &u, NULL);
	env_list_init(&env);
	(void)envfile_parse(s, size, "/fuzz.env", &env, NULL);
	for (size_t i = 0; i < u.n; i++) {
		if (strcmp(u.a[i].key, "ExecStart") || !*u.a[i].value)
			continue;
		(void)unit_exec_parse(u.a[i].value, "kubelet.service", &cmds, &n, &alloc, NULL);
	}
	/* the whole input as one ExecStart= value too */
	(void)unit_exec_parse(s, "kubelet.service", &cmds, &n, &alloc, NULL);
	for (size_t i = 0; i < n; i++) {
		struct argv_list out, unset;
		argv_init(&out);
		argv_init(&unset);
		(void)unit_expand_argv(&cmds[i].argv, &env, &out, &unset, NULL);
		argv_release(&out);
		argv_release(&unset);
		unit_cmd_release(&cmds[i]);
	}
	free(cmds);
	env_list_release(&env);
	unit_file_release(&u);
	free(s);
	return 0;
}

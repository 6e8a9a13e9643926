/* libFuzzer target: command-line splitting and pflag parsing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/cmdline.h"
#include "parsers/flags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct flag_spec specs[] = {
		{ "anonymous-auth", FLAG_BOOL },
		{ "config", FLAG_STRING },
	};
	struct argv_list a;
	struct flagset fs;
	char *s = malloc(size + 1);
	bool b;
	long long v;

	memcpy(s, data, size);
	s[size] = '\0';
	argv_init(&a);
	if (cmdline_split(s, &a, NULL) == 0) {
		flagset_init(&fs);
		flags_parse(&a, specs, 2, &fs);
		for (size_t i = 0; i < fs.n; i++) {
			if (fs.f[i].value) {
				(void)go_parse_bool(fs.f[i].value, &b);
				(void)go_parse_int(fs.f[i].value, 32, &v);
			}
		}
		free(cmdline_join(&a));
		flagset_release(&fs);
		(void)cmdline_locate(&a, "kubelet");
	}
	argv_release(&a);
	argv_init(&a);
	cmdline_split_nul(s, size, &a);
	argv_release(&a);
	free(s);
	return 0;
}

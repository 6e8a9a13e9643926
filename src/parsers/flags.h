#ifndef KANON_FLAGS_H
#define KANON_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "parsers/cmdline.h"

/*
 * Command-line flags as Go's spf13/pflag parses them for Kubernetes
 * components: "--name=value", "--name value" (non-boolean flags only),
 * a bare boolean "--name" meaning true; "_" and "-" are the same
 * (component-base WordSepNormalizeFunc); "--" ends the flags.
 */
enum flag_type { FLAG_STRING, FLAG_BOOL };

struct flag_spec {
	const char *name; /* without dashes */
	enum flag_type type;
};

struct flag_occ {
	char *name;      /* normalized, without dashes */
	char *raw;       /* the word(s) as written, for evidence */
	char *value;     /* NULL for a bare flag */
	size_t argi;     /* index of the word in argv */
};

struct flagset {
	struct flag_occ *f;
	size_t n, alloc;
	/* words that are not flags (after the program name) */
	struct argv_list positional;
	/* "-abc"-style words that pflag reads as shorthand letters */
	struct argv_list shorthand;
};

void flagset_init(struct flagset *fs);
void flagset_release(struct flagset *fs);

/*
 * Parse argv (argv[0] is skipped when it does not start with '-'). Flags
 * not in specs take the next word as value when they have no "=" and the
 * next word does not start with '-', which is what pflag does for every
 * non-boolean flag.
 */
void flags_parse(const struct argv_list *argv, const struct flag_spec *specs,
		 size_t nspecs, struct flagset *out);

/* The last occurrence of name (pflag: the last one wins), or NULL. */
const struct flag_occ *flags_last(const struct flagset *fs, const char *name);
size_t flags_count(const struct flagset *fs, const char *name);

/* Go strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. */
int go_parse_bool(const char *s, bool *out);
/* Go strconv.ParseInt(s, 0, bits): decimal, 0x, 0o, 0b, leading 0 octal,
 * underscores allowed only with a base prefix. */
int go_parse_int(const char *s, int bits, long long *out);

#endif

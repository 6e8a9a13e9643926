#ifndef KANON_REPORT_H
#define KANON_REPORT_H

#include <stdbool.h>

#include "core/finding.h"
#include "core/strbuf.h"

struct report_opts {
	bool color;
	int verbosity; /* -1 quiet, 0 normal, 1 verbose */
};

struct reporter {
	const char *name;
	void (*write)(struct strbuf *out, const struct result *r,
		      const struct report_opts *o);
};

void report_text(struct strbuf *out, const struct result *r,
		 const struct report_opts *o);
void report_json(struct strbuf *out, const struct result *r,
		 const struct report_opts *o);

/* The reporter for a -f/--format name, or NULL. */
const struct reporter *reporter_find(const char *name);
/* "text, json" for help and errors. */
const char *reporter_names(void);

#endif

#ifndef KANON_PROGRESS_H
#define KANON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A one-line progress bar on stderr, redrawn at most 10 times a second.
 * Only for a terminal: callers check progress_wanted() first.
 */
struct progress {
	const char *label;
	uint64_t last_ms, start_ms;
	bool drawn;
};

/* stderr is a terminal and the input (total bytes, 0 unknown) is large. */
bool progress_wanted(uint64_t total);
void progress_init(struct progress *p, const char *label);
/* A callback for struct audit_opts.progress; ctx is a struct progress. */
void progress_update(void *ctx, uint64_t done, uint64_t total, bool final);

#endif

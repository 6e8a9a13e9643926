#include "cli/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

#define PROGRESS_MIN_BYTES (64ull << 20)

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool progress_wanted(uint64_t total)
{
	/* unknown size (stdin, pipes): show it anyway, it may be large */
	return isatty(STDERR_FILENO) && (total == 0 || total >= PROGRESS_MIN_BYTES);
}

void progress_init(struct progress *p, const char *label)
{
	p->label = label;
	p->start_ms = p->last_ms = now_ms();
	p->drawn = false;
}

void progress_update(void *ctx, uint64_t done, uint64_t total, bool final)
{
	struct progress *p = ctx;
	uint64_t t = now_ms();
	double secs, mb = (double)done / 1e6;
	char bar[31];
	int fill;

	if (final) {
		if (p->drawn)
			fputs("\r\033[K", stderr); /* leave the terminal clean */
		p->drawn = false;
		return;
	}
	if (t - p->last_ms < 100)
		return;
	p->last_ms = t;
	secs = (double)(t - p->start_ms) / 1000.0;
	/* a file that grows while read: the size known at the start is not the end */
	if (total && done > total)
		total = done;
	if (total) {
		fill = (int)(done * 30 / (total ? total : 1));
		if (fill > 30)
			fill = 30;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%s [%s] %3d%% %.0f MB, %.0f MB/s\033[K", p->label, bar,
			(int)(done * 100 / total), mb, secs > 0 ? mb / secs : 0.0);
	} else {
		fprintf(stderr, "\r%s %.0f MB, %.0f MB/s\033[K", p->label, mb,
			secs > 0 ? mb / secs : 0.0);
	}
	fflush(stderr);
	p->drawn = true;
}

/*
 * How the page cache holds a file, for bench/audit-bench.sh: the file is
 * mapped at a 2 MB boundary and made resident one 2 MB unit at a time
 * (MADV_POPULATE_READ); a unit the kernel maps with one page-table entry is
 * one 2 MB folio ("FilePmdMapped" of /proc/self/smaps_rollup grows by it).
 * kanon maps such a file, and reads the others with read() (docs/audit.md,
 * "Speed and memory"): on a machine whose free memory is fragmented, readahead
 * makes fewer 2 MB folios, and the timings differ for that alone.
 *   cc -O2 -o bench/out/audit-folios bench/audit-folios.c
 * Prints "N M": N of the file's M whole 2 MB units are 2 MB folios.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT ((size_t)2 << 20)

static long long pmd_kb(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "FilePmdMapped:", 14))
			kb = strtoll(line + 14, NULL, 10);
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	struct stat st;
	size_t n, large = 0;
	char *area, *p;
	long long before, after;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) < 0)
		return 2;
	n = (size_t)st.st_size & ~(UNIT - 1);
	if (!n) {
		printf("0 0\n");
		return 0;
	}
	area = mmap(NULL, n + UNIT, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	p = (char *)(((uintptr_t)area + UNIT - 1) & ~(uintptr_t)(UNIT - 1));
	if (mmap(p, n, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED)
		return 2;
	before = pmd_kb();
	if (before < 0)
		return 2;
	for (size_t off = 0; off < n; off += UNIT) {
		if (madvise(p + off, UNIT, 22 /* MADV_POPULATE_READ, Linux 5.14 */) < 0)
			return 2;
		after = pmd_kb();
		large += after > before;
		/* given back at once: the next unit's growth is its own */
		madvise(p + off, UNIT, MADV_DONTNEED);
		before = pmd_kb();
	}
	printf("%zu %zu\n", large, n / UNIT);
	return 0;
}

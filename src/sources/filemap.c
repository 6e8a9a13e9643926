#include "sources/filemap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "core/banned.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

/*
 * A map of a file of at least this many bytes starts at an address that is
 * a multiple of it (x86-64's PMD size), and is given back in whole units of
 * it: the page cache holds a file read in order in large folios (ext4 since
 * Linux 6.16, xfs, tmpfs), and a 2 MB folio at an aligned address is mapped
 * by one page-table entry, not 512 (mm/filemap.c filemap_map_pmd()). Mapping
 * and unmapping 4 KB at a time was a tenth of `kanon audit`'s CPU time; a
 * unit given back in part would be split into 4 KB entries again.
 */
#define MAP_UNIT (2u << 20)
#define DROP_UNITS 2 /* given back together (filemap_drop) */

struct filemap {
	char *base;
	uint64_t size;
	size_t len;	/* mapped: the file's pages and the zero page after them */
	size_t dropped; /* pages before this are given back */
	size_t unit;	/* what is given back is whole units of this: MAP_UNIT or a page */
	int slot;
	atomic_int refs;
};

/* The live maps, as the SIGBUS handler sees them (lock-free: it runs in a signal). */
static struct guard {
	atomic_int used;
	atomic_uintptr_t lo, hi;
	atomic_int cut;
} guards[FILEMAP_MAX];

static size_t page;
static struct sigaction old_bus;
static pthread_mutex_t install_mu = PTHREAD_MUTEX_INITIALIZER;

/*
 * A page of a live map past the file's end (it shrank): the rest of the
 * map becomes zero pages, which the faulting read then sees. Anything else
 * is not ours: the handler that was there before is put back and the fault
 * repeats into it (by default, the process ends with SIGBUS as it would
 * have without us).
 */
static void bus_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)sig;
	(void)uc;
	/* sent by kill(): not a fault, so returning would not repeat it */
	if (si->si_code <= 0) {
		sigaction(SIGBUS, &old_bus, NULL);
		raise(SIGBUS);
		return;
	}
	for (int i = 0; i < FILEMAP_MAX; i++) {
		uintptr_t lo = atomic_load(&guards[i].lo), hi = atomic_load(&guards[i].hi);
		uintptr_t pg = a & ~(uintptr_t)(page - 1);

		if (!lo || a < lo || a >= hi)
			continue;
		if (mmap((void *)pg, hi - pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		atomic_store(&guards[i].cut, 1);
		return;
	}
	sigaction(SIGBUS, &old_bus, NULL);
}

/*
 * The handler, unless it is there already: checked at each map, since
 * someone may have put theirs since (a test framework does, per test).
 */
static bool guard_install(void)
{
	struct sigaction sa, cur;
	bool ok = true;

	pthread_mutex_lock(&install_mu);
	page = page_size();
	if (sigaction(SIGBUS, NULL, &cur) < 0) {
		ok = false;
	} else if (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != bus_handler) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = bus_handler;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		old_bus = cur;
		ok = sigaction(SIGBUS, &sa, NULL) == 0;
	}
	pthread_mutex_unlock(&install_mu);
	return ok;
}

static int slot_claim(char *base, size_t len)
{
	for (int i = 0; i < FILEMAP_MAX; i++) {
		int free_ = 0;

		if (!atomic_compare_exchange_strong(&guards[i].used, &free_, 1))
			continue;
		atomic_store(&guards[i].cut, 0);
		atomic_store(&guards[i].hi, (uintptr_t)base + len);
		atomic_store(&guards[i].lo, (uintptr_t)base);
		return i;
	}
	return -1;
}

/*
 * len bytes of address space, anonymous (the zero page after the file's
 * pages is its last one), starting at a multiple of align (a power of two,
 * at least a page): more is reserved, and what is around it given back.
 */
static char *reserve(size_t len, size_t align)
{
	size_t extra = align - page, head;
	char *r = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED)
		return NULL;
	head = (align - ((uintptr_t)r & (align - 1))) & (align - 1);
	if (head)
		munmap(r, head);
	if (extra - head)
		munmap(r + head + len, extra - head);
	return r + head;
}

struct filemap *filemap_create(int fd, uint64_t size)
{
	struct filemap *m;
	size_t flen, len, unit;
	char *base;
	int slot;

	/* without the guard a shrinking file would kill us: read() it instead */
	if (!size || !guard_install() || size > SIZE_MAX - 2 * (uint64_t)MAP_UNIT)
		return NULL;
	unit = size >= MAP_UNIT && page < MAP_UNIT ? MAP_UNIT : page;
	flen = ((size_t)size + page - 1) & ~(page - 1);
	len = flen + page;
	if (!(base = reserve(len, unit)))
		return NULL;
	if (mmap(base, flen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) ==
		MAP_FAILED ||
	    (slot = slot_claim(base, len)) < 0) {
		munmap(base, len);
		return NULL;
	}
	madvise(base, flen, MADV_SEQUENTIAL); /* a file not cached yet: read ahead */
	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->size = size;
	m->len = len;
	m->unit = unit;
	m->slot = slot;
	atomic_init(&m->refs, 1);
	return m;
}

const char *filemap_data(const struct filemap *m)
{
	return m->base;
}

uint64_t filemap_size(const struct filemap *m)
{
	return m->size;
}

int filemap_populate(struct filemap *m, uint64_t off, size_t len)
{
	size_t lo = (size_t)off & ~(page - 1), hi;

	if (off > m->size || len > m->size - off)
		return -1; /* the caller's mistake: not a cut */
	hi = ((size_t)(off + len) + page - 1) & ~(page - 1);
	if (hi > lo && madvise(m->base + lo, hi - lo, MADV_POPULATE_READ) < 0 && errno == EFAULT) {
		atomic_store(&guards[m->slot].cut, 1);
		return -1;
	}
	return 0;
}

void filemap_drop(struct filemap *m, uint64_t upto)
{
	size_t to = (size_t)(upto < m->size ? upto : m->size) & ~(m->unit - 1);

	/*
	 * Two units at a time: each call flushes the other CPUs' TLBs (an
	 * interrupt each, and on a virtual machine a trap), once per block it
	 * was; the unit read last stays until the next one is read too.
	 */
	if (to <= m->dropped || (to - m->dropped < DROP_UNITS * m->unit && upto < m->size))
		return;
	madvise(m->base + m->dropped, to - m->dropped, MADV_DONTNEED);
	m->dropped = to;
}

void filemap_drop_range(struct filemap *m, uint64_t off, size_t len)
{
	size_t lo, hi;

	if (off >= m->size)
		return;
	if (len > m->size - off)
		len = (size_t)(m->size - off);
	lo = ((size_t)off + m->unit - 1) & ~(m->unit - 1);
	hi = (size_t)(off + len) & ~(m->unit - 1);
	if (hi > lo)
		madvise(m->base + lo, hi - lo, MADV_DONTNEED);
}

size_t filemap_unit(const struct filemap *m)
{
	return m->unit;
}

/*
 * The entry of the mapping at base in an smaps file (/proc/PID/smaps): its
 * resident kB and, of them, the kB mapped 2 MB at a time. Lines are read in
 * pieces: a header's path may be longer than the buffer, and only a piece
 * that starts a line is looked at.
 */
int filemap_smaps_read(const char *path, uintptr_t base, unsigned long long *rss,
		       unsigned long long *pmd)
{
	char line[256];
	bool at_start = true, ours = false;
	FILE *f = fopen(path, "re");

	*rss = *pmd = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		bool start = at_start;
		char *e;
		unsigned long long a;

		at_start = strchr(line, '\n') != NULL;
		if (!start)
			continue;
		/* a header, "START-END perms ..." (no field name is hex and a '-') */
		a = strtoull(line, &e, 16);
		if (e != line && *e == '-') {
			if (ours)
				break;
			ours = a == base;
		} else if (ours && !strncmp(line, "Rss:", 4)) {
			*rss = strtoull(line + 4, NULL, 10);
		} else if (ours && !strncmp(line, "FilePmdMapped:", 14)) {
			*pmd = strtoull(line + 14, NULL, 10);
		}
	}
	fclose(f);
	return ours ? 0 : -1; /* the loop ends at the header after ours */
}

/*
 * Mostly large: at least 7/8 of what the map holds resident is mapped 2 MB at
 * a time. Readahead into memory that is fragmented (a machine up for hours)
 * makes a file's folios a mix of 2 MB and smaller ones: mapped with a sixth
 * of it in 2 MB units, the 223 MB benchmark log took 0.133 s here where
 * read() took 0.103 s (0.089 s mapped and 0.093 s read() when all of it was).
 * The share of the whole process (smaps_rollup) said "large" of any file with
 * one 2 MB unit among its pages.
 */
int filemap_large_pages(const struct filemap *m)
{
	unsigned long long rss, pmd;

	if (m->unit != MAP_UNIT ||
	    filemap_smaps_read("/proc/self/smaps", (uintptr_t)m->base, &rss, &pmd) < 0 || !rss)
		return -1;
	return pmd * 8 >= rss * 7;
}

static uint64_t thread_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) < 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ns per page to read one byte of each of the n pages from p */
static uint64_t touch_half(const char *p, size_t n)
{
	volatile const char *v = p;
	uint64_t t0 = thread_ns();
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)v[i * page];
	(void)sum;
	return (thread_ns() - t0) / n;
}

uint64_t filemap_touch_ns(const struct filemap *m, uint64_t off, size_t len)
{
	size_t lo, n;
	uint64_t a, b;

	if (off >= m->size)
		return 0;
	if (len > m->size - off)
		len = (size_t)(m->size - off);
	lo = ((size_t)off + page - 1) & ~(page - 1);
	n = (size_t)(off + len) > lo ? ((size_t)(off + len) - lo) / page : 0;
	if (n < 2)
		return 0;
	a = touch_half(m->base + lo, n / 2);
	b = touch_half(m->base + lo + n / 2 * page, n - n / 2);
	return a < b ? a : b;
}

bool filemap_cut(const struct filemap *m)
{
	return atomic_load(&guards[m->slot].cut) != 0;
}

void filemap_hold(struct filemap *m)
{
	atomic_fetch_add(&m->refs, 1);
}

bool filemap_put(struct filemap *m)
{
	return atomic_fetch_sub(&m->refs, 1) == 1;
}

void filemap_destroy(struct filemap *m)
{
	if (!m)
		return;
	atomic_store(&guards[m->slot].lo, 0);
	atomic_store(&guards[m->slot].hi, 0);
	atomic_store(&guards[m->slot].used, 0);
	munmap(m->base, m->len);
	free(m);
}

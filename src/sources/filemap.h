#ifndef KANON_FILEMAP_H
#define KANON_FILEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A regular file mapped into memory, so that its bytes are read where the
 * page cache holds them instead of copied by read(): `kanon audit` spent a
 * tenth of its time in that copy. The mapping is private (writes, if any,
 * stay in this process) and followed by one zero page, so a reader may look
 * one byte past the file's end.
 *
 * A mapped file can shrink under us (copytruncate rotation); its pages past
 * the new end then fault with SIGBUS, which would kill the process. While a
 * map exists a SIGBUS handler replaces them with zero pages and marks the
 * map cut: its bytes from there on are zeros, and the caller reports the
 * file as changed while read (filemap_cut). Pages already read and given
 * back (filemap_drop) are not held: resident memory stays what is in use.
 */
struct filemap;

/*
 * Maps fd's first size bytes (size > 0). Returns NULL when the file cannot
 * be mapped (the caller reads it then): a special file, no address space,
 * too many maps at once (FILEMAP_MAX).
 */
struct filemap *filemap_create(int fd, uint64_t size);
#define FILEMAP_MAX 4
const char *filemap_data(const struct filemap *m);
uint64_t filemap_size(const struct filemap *m);
/*
 * Makes bytes [off, off + len) resident ahead of their reader. -1: they are
 * past the file's end (now: it shrank, and the map is cut); 0 otherwise
 * (also when the kernel cannot populate: the pages are then faulted in
 * when read).
 */
int filemap_populate(struct filemap *m, uint64_t off, size_t len);
/* Gives back the pages wholly before byte upto (read, never read again). */
void filemap_drop(struct filemap *m, uint64_t upto);
/*
 * Gives back the pages wholly inside [off, off + len), read and not needed
 * any more, while the bytes around them may still be read (by another
 * thread: a page given back is read from the file again if touched).
 */
void filemap_drop_range(struct filemap *m, uint64_t off, size_t len);
/*
 * Whether the kernel maps the file's pages 2 MB at a time (they are in
 * large folios): 1 yes (at least 7/8 of what the map holds resident), 0 no
 * (4 KB and small folios at a time), -1 not known (no /proc/self/smaps, a
 * file under 2 MB, nothing resident). Ask while a unit just made resident is
 * not given back yet: mapping small pages costs more than read()'s copy on
 * some machines (virtual ones whose page-table updates are expensive).
 */
int filemap_large_pages(const struct filemap *m);
/*
 * Nanoseconds of this thread's CPU time per page to read a byte of each
 * page of [off, off + len), just made resident (filemap_populate()): the
 * lesser of its two halves' (one preemption does not decide). Where a
 * hypervisor shadows the page tables, a page's first read after it is
 * mapped traps into the hypervisor even when one entry maps 2 MB: 480 ns a
 * page on the machine this was written on, 223 MB of log cost 26 ms of CPU
 * time so, more than read()'s copy; elsewhere a few ns. 0: under 2 pages.
 */
uint64_t filemap_touch_ns(const struct filemap *m, uint64_t off, size_t len);
/* The smaps entry (path: /proc/self/smaps) of the mapping at base: resident kB and those
 * mapped 2 MB at a time; -1 if there is none. Exposed for the tests. */
int filemap_smaps_read(const char *path, uintptr_t base, unsigned long long *rss,
		       unsigned long long *pmd);
/* What the map gives back at once: the first byte of its second unit is at this offset. */
size_t filemap_unit(const struct filemap *m);
/* The file shrank: a page faulted past its end (from there on the map reads zeros), or
 * filemap_populate found it. */
bool filemap_cut(const struct filemap *m);
/*
 * References, for a map read by several threads: create gives one; put
 * returns true when the last one was given back (the caller then looks at
 * filemap_cut and destroys it).
 */
void filemap_hold(struct filemap *m);
bool filemap_put(struct filemap *m);
void filemap_destroy(struct filemap *m);

#endif

#ifndef KANON_CHECK_AUDIT_HASH_H
#define KANON_CHECK_AUDIT_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Keyed hashes for the audit tables (issue 16, hash flooding): an attacker
 * chooses URIs, user agents and auditIDs (the Audit-ID header), so a fixed
 * hash would let a log be written whose keys all fall into one bucket.
 * SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012)
 * with a 128-bit key drawn once per process from getrandom(); without the
 * key the collisions cannot be computed. Output never depends on the key:
 * tables are walked in insertion order or sorted before anything is shown.
 * KANON_HASH_SEED (any string) fixes the key, for tests only.
 */

/* SipHash-1-3 of n bytes (table buckets). */
uint64_t audit_hash64(const void *p, size_t n);
/* SipHash-1-3 of two words (the auditID table's set). */
uint64_t audit_hash_pair(uint64_t a, uint64_t b);
/* SipHash-2-4 with a 128-bit result (an auditID that is not a UUID). */
void audit_hash128(const void *p, size_t n, uint64_t *hi, uint64_t *lo);
/* SipHash-2-4 under a given key (the reference test vectors, for the tests). */
uint64_t audit_siphash24(uint64_t k0, uint64_t k1, const void *p, size_t n);

#endif

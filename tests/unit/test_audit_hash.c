#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_hash.h"

/* The reference vectors of SipHash-2-4 (key 00..0f, message 00..len-1). */
static void test_siphash_vectors(void **state)
{
	static const uint64_t want[] = {0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
					0x93f5f5799a932462ULL, 0xa129ca6149be45e5ULL,
					0x3f2acc7f57c29bdbULL};
	static const size_t len[] = {0, 1, 8, 15, 16};
	unsigned char m[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		m[i] = (unsigned char)i;
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		assert_true(audit_siphash24(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, m,
					    len[k]) == want[k]);
}

/* Keyed: the same input hashes alike within a process, bits spread. */
static void test_keyed(void **state)
{
	uint64_t h1, l1, h2, l2;
	int same_low = 0;

	(void)state;
	assert_true(audit_hash64("abc", 3) == audit_hash64("abc", 3));
	assert_true(audit_hash64("abc", 3) != audit_hash64("abd", 3));
	assert_true(audit_hash_pair(1, 2) != audit_hash_pair(2, 1));
	audit_hash128("id-1", 4, &h1, &l1);
	audit_hash128("id-1", 4, &h2, &l2);
	assert_true(h1 == h2 && l1 == l2);
	audit_hash128("id-2", 4, &h2, &l2);
	assert_true(h1 != h2 && l1 != l2);
	/* consecutive keys do not share their low bits (as an unkeyed FNV can be made to) */
	for (uint64_t i = 0; i < 4096; i++)
		same_low += (audit_hash_pair(0, i) & 0xfff) == (audit_hash_pair(0, i + 1) & 0xfff);
	assert_true(same_low < 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_siphash_vectors),
	    cmocka_unit_test(test_keyed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

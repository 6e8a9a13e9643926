#ifndef KANON_TEST_XORSHIFT_H
#define KANON_TEST_XORSHIFT_H
/*
 * Marsaglia's xorshift64 (13, 7, 17): reproducible pseudo-random input for
 * the unit tests that try many generated cases (the state must not be 0).
 */
#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif

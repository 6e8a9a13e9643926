/*
 * SipHash-1-3, SipHash-2-4 and its 128-bit variant, written from the
 * paper's description (SipRound, the padding with the length in the last
 * byte, the finalization with 0xff, or 0xee and 0xdd for 128 bits).
 */
#include "checks/audit_hash.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

static uint64_t key0, key1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

/* FNV-1a of the test seed: the key only has to be fixed, not secret */
static uint64_t seed_word(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static void key_init(void)
{
	const char *seed = getenv("KANON_HASH_SEED");
	uint64_t k[2] = {0, 0};
	size_t got = 0;

	if (seed && *seed) {
		key0 = seed_word(seed, 0xcbf29ce484222325ULL);
		key1 = seed_word(seed, key0 ^ 0x9e3779b97f4a7c15ULL);
		return;
	}
	while (got < sizeof(k)) {
		ssize_t n = getrandom((char *)k + got, sizeof(k) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(k)) {
		/* no getrandom (an old kernel, a seccomp filter): weaker, still not fixed */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		k[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
		k[1] ^= (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&got;
	}
	key0 = k[0];
	key1 = k[1];
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sipround(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_init_key(struct sip *s, uint64_t k0, uint64_t k1, bool wide)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
	if (wide)
		s->v1 ^= 0xee;
}

static void sip_init(struct sip *s, bool wide)
{
	pthread_once(&key_once, key_init);
	sip_init_key(s, key0, key1, wide);
}

static inline void sip_word(struct sip *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sipround(s);
	s->v0 ^= m;
}

/* All of p (little-endian words, the last one padded and carrying n). */
static void sip_absorb(struct sip *s, const unsigned char *p, size_t n, int c)
{
	uint64_t last = (uint64_t)(n & 0xff) << 56;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t m = 0;
		for (int j = 7; j >= 0; j--)
			m = m << 8 | p[i + (size_t)j];
		sip_word(s, m, c);
	}
	for (size_t j = 0; i + j < n; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	sip_word(s, last, c);
}

static uint64_t sip_final(struct sip *s, uint64_t mark, int d)
{
	s->v2 ^= mark;
	for (int i = 0; i < d; i++)
		sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t audit_hash64(const void *p, size_t n)
{
	struct sip s;

	sip_init(&s, false);
	sip_absorb(&s, p, n, 1);
	return sip_final(&s, 0xff, 3);
}

uint64_t audit_hash_pair(uint64_t a, uint64_t b)
{
	struct sip s;

	sip_init(&s, false);
	sip_word(&s, a, 1);
	sip_word(&s, b, 1);
	sip_word(&s, (uint64_t)16 << 56, 1);
	return sip_final(&s, 0xff, 3);
}

void audit_hash128(const void *p, size_t n, uint64_t *hi, uint64_t *lo)
{
	struct sip s;

	sip_init(&s, true);
	sip_absorb(&s, p, n, 2);
	*lo = sip_final(&s, 0xee, 4);
	s.v1 ^= 0xdd;
	*hi = sip_final(&s, 0, 4);
}

uint64_t audit_siphash24(uint64_t k0, uint64_t k1, const void *p, size_t n)
{
	struct sip s;

	sip_init_key(&s, k0, k1, false);
	sip_absorb(&s, p, n, 2);
	return sip_final(&s, 0xff, 4);
}

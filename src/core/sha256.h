#ifndef KANON_SHA256_H
#define KANON_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4, section 6.2), for the hashes `kanon collect` writes
 * in a snapshot's manifest. Embedded: init, add any number of times, final.
 */
#define SHA256_LEN     32
#define SHA256_HEX_LEN (2 * SHA256_LEN + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes added so far */
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_add(struct sha256 *c, const void *data, size_t len);
/* The digest; c must be initialised again before it is reused. */
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_final_hex(struct sha256 *c, char out[SHA256_HEX_LEN]);

#endif

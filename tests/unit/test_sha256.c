/* core/sha256 against the FIPS 180-4 examples (NIST CSRC "SHA256.pdf"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"

static void hex_of(const void *data, size_t len, size_t chunk, char out[SHA256_HEX_LEN])
{
	const char *p = data;
	struct sha256 c;

	sha256_init(&c);
	/* fed in pieces: the digest must not depend on how */
	while (len) {
		size_t n = chunk < len ? chunk : len;
		sha256_add(&c, p, n);
		p += n;
		len -= n;
	}
	sha256_final_hex(&c, out);
}

static void one_block(void **state)
{
	char h[SHA256_HEX_LEN];

	(void)state;
	hex_of("abc", 3, 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void two_blocks(void **state)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char h[SHA256_HEX_LEN];

	(void)state;
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		hex_of(m, strlen(m), chunk, h);
		assert_string_equal(
		    h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	}
}

static void empty(void **state)
{
	char h[SHA256_HEX_LEN];

	(void)state;
	hex_of("", 0, 1, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* one million 'a' (the long message of the FIPS 180-2 examples) */
static void million(void **state)
{
	char *m = malloc(1000000), h[SHA256_HEX_LEN];

	(void)state;
	assert_non_null(m);
	memset(m, 'a', 1000000);
	hex_of(m, 1000000, 4093, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

/* lengths around the padding boundary: 55 bytes fit one block, 56 need two
 * (digests from coreutils sha256sum) */
static void padding_edges(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
	    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	};
	char m[64], h[SHA256_HEX_LEN];

	(void)state;
	memset(m, 'a', sizeof(m));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex_of(m, v[i].n, 7, h);
		assert_string_equal(h, v[i].hex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_block), cmocka_unit_test(two_blocks),	  cmocka_unit_test(empty),
	    cmocka_unit_test(million),	 cmocka_unit_test(padding_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

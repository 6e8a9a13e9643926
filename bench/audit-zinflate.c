/*
 * The decompressor's own speed, for bench/audit-bench.sh: inflate a (multi-member) gzip file
 * with zlib into a 4 MB buffer and throw the output away, as kanon's reader does.
 *   cc -O2 -o bench/out/audit-zinflate bench/audit-zinflate.c -lz
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

int main(int argc, char **argv)
{
	static unsigned char in[1 << 20], out[4 << 20];
	unsigned long long total = 0;
	z_stream z = { 0 };
	FILE *f;
	int rc = Z_OK;

	if (argc != 2 || !(f = fopen(argv[1], "rb")))
		return 2;
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return 2;
	for (;;) {
		if (!z.avail_in) {
			z.avail_in = (unsigned)fread(in, 1, sizeof(in), f);
			z.next_in = in;
			if (!z.avail_in)
				break;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = inflate(&z, Z_NO_FLUSH);
		total += sizeof(out) - z.avail_out;
		if (rc == Z_STREAM_END)
			inflateReset(&z); /* the next member, if any */
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return 1;
	}
	printf("%llu\n", total);
	inflateEnd(&z);
	fclose(f);
	return 0;
}

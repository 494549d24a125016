/* collect/variant_src.c: which source files stand for a sibling's variant, and the decode check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "../../../collect/fileset.h"
#include "../../../collect/variant_src.h"
#include "xalloc.h"

static const char text[] = "htmx.defineExtension('x', {onEvent: function(){}});\n";

/* gzip of data through zlib's gzip wrapper; owned. */
static unsigned char *gzip_of(const void *data, size_t len, size_t *out_len)
{
	z_stream z;
	unsigned char *out = xmalloc(len + 128);

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)(len + 128);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void gzip_decodes_only_to_its_bytes(void **state)
{
	size_t n, len = strlen(text);
	unsigned char *gz = gzip_of(text, len, &n);

	assert_true(variant_src_decodes(ENC_GZIP, gz, n, text, len));
	assert_false(variant_src_decodes(ENC_GZIP, gz, n, text, len - 1));   /* longer */
	assert_false(variant_src_decodes(ENC_GZIP, gz, n - 1, text, len));   /* truncated */
	assert_false(variant_src_decodes(ENC_GZIP, gz, n, "htmx", 4));
	assert_false(variant_src_decodes(ENC_GZIP, text, len, text, len));   /* not gzip */
	assert_false(variant_src_decodes(ENC_GZIP, "", 0, "", 0));
	free(gz);
}

static void gzip_members_and_junk(void **state)
{
	size_t n1, n2, half = 20, len = strlen(text);
	unsigned char *a = gzip_of(text, half, &n1), *b = gzip_of(text + half, len - half, &n2);
	unsigned char *both = xmalloc(n1 + n2 + 4);

	memcpy(both, a, n1);
	memcpy(both + n1, b, n2);
	/* gzip -d decodes concatenated members as one stream */
	assert_true(variant_src_decodes(ENC_GZIP, both, n1 + n2, text, len));
	memcpy(both + n1 + n2, "junk", 4);
	assert_false(variant_src_decodes(ENC_GZIP, both, n1 + n2 + 4, text, len));
	free(a);
	free(b);
	free(both);
}

static void a_bomb_stops_early(void **state)
{
	size_t big = (size_t)16 << 20, n;
	char *zeros = xcalloc(big, 1);
	unsigned char *gz = gzip_of(zeros, big, &n);

	/* 16 MiB of zeros against a 64 KiB want: false after the first chunks */
	assert_false(variant_src_decodes(ENC_GZIP, gz, n, zeros, 65536));
	assert_true(variant_src_decodes(ENC_GZIP, gz, n, zeros, big));
	free(gz);
	free(zeros);
}

static void brotli_and_zstd(void **state)
{
	size_t len = strlen(text), bn = BrotliEncoderMaxCompressedSize(len);
	size_t zn = ZSTD_compressBound(len);
	unsigned char *br = xmalloc(bn), *zs = xmalloc(2 * zn);
	size_t z1, z2;

	assert_true(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, len, (const uint8_t *)text,
					  &bn, br));
	assert_true(variant_src_decodes(ENC_BR, br, bn, text, len));
	assert_false(variant_src_decodes(ENC_BR, br, bn - 1, text, len));
	assert_false(variant_src_decodes(ENC_BR, br, bn, text, len - 1));
	assert_false(variant_src_decodes(ENC_GZIP, br, bn, text, len));

	z1 = ZSTD_compress(zs, zn, text, 10, 3);
	assert_false(ZSTD_isError(z1));
	assert_true(variant_src_decodes(ENC_ZSTD, zs, z1, text, 10));
	z2 = ZSTD_compress(zs + z1, zn, text + 10, len - 10, 3);
	assert_false(ZSTD_isError(z2));
	/* two frames, one stream, as zstd -d reads them */
	assert_true(variant_src_decodes(ENC_ZSTD, zs, z1 + z2, text, len));
	assert_false(variant_src_decodes(ENC_ZSTD, zs, z1 + z2 - 1, text, len));
	assert_false(variant_src_decodes(ENC_ZSTD, zs, z1 + z2, text, len + 0 - 1));
	free(br);
	free(zs);
}

static void add(struct fileset *fs, const char *name)
{
	fileset_add(fs)->name = xstrdup(name);
}

static void marks_the_sibling(void **state)
{
	struct fileset fs = { 0 };
	size_t js, gz, png;

	add(&fs, "dist/htmx.min.js");
	add(&fs, "dist/htmx.min.js.gz");
	add(&fs, "dist/htmx.min.js.br");
	add(&fs, "lone.css.gz");       /* no lone.css: an ordinary file */
	add(&fs, "img/x.png");
	add(&fs, "img/x.png.zst");
	add(&fs, ".gz");
	fileset_finish(&fs);
	variant_src_mark(&fs);
	js = fileset_find(&fs, "dist/htmx.min.js");
	gz = fileset_find(&fs, "dist/htmx.min.js.gz");
	png = fileset_find(&fs, "img/x.png");
	assert_int_equal(fs.v[js].varsrc[ENC_GZIP], gz + 1);
	assert_int_equal(fs.v[js].varsrc[ENC_BR], fileset_find(&fs, "dist/htmx.min.js.br") + 1);
	assert_int_equal(fs.v[js].varsrc[ENC_ZSTD], 0);
	/* a type collect never compresses is marked too: its name is still
	 * never written nor removed as a variant */
	assert_int_equal(fs.v[png].varsrc[ENC_ZSTD], fileset_find(&fs, "img/x.png.zst") + 1);
	for (int e = 0; e < ENC_COUNT; e++) {
		assert_int_equal(fs.v[gz].varsrc[e], 0);
		assert_int_equal(fs.v[fileset_find(&fs, "lone.css.gz")].varsrc[e], 0);
	}
	fileset_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gzip_decodes_only_to_its_bytes),
		cmocka_unit_test(gzip_members_and_junk),
		cmocka_unit_test(a_bomb_stops_early),
		cmocka_unit_test(brotli_and_zstd),
		cmocka_unit_test(marks_the_sibling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

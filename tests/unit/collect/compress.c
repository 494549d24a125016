/* collect/compress.c: gzip, brotli and zstd output round-trips, is deterministic, and fails cleanly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: the header fields */
#include <zstd.h>

#include "../../../collect/compress.h"
#include "strbuf.h"

/* Some CSS-like text, repetitive enough to compress well. */
static char *sample(size_t len)
{
	static const char line[] = ".btn-primary { background: url(../img/a.png) no-repeat; }\n";
	char *s = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = line[i % (sizeof(line) - 1)] ^ (char)(i / 4096 % 2);
	s[len] = '\0';
	return s;
}

static void gunzip_check(const char *gz, size_t gzlen, const char *want, size_t wlen)
{
	z_stream zs = { 0 };
	char *out = malloc(wlen + 16);

	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)gz;
	zs.avail_in = (uInt)gzlen;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)wlen + 16;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, wlen);
	assert_int_equal(zs.avail_in, 0);
	assert_memory_equal(out, want, wlen);
	inflateEnd(&zs);
	free(out);
}

static void gzip_roundtrip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 70000, 1 << 20 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		char *in = sample(sizes[k]);
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

		assert_int_equal(compress_gzip(in, sizes[k], &a), 0);
		assert_int_equal(compress_gzip(in, sizes[k], &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		/* magic, deflate, no flags, mtime 0, xfl 2 (best), OS 3 (Unix) */
		assert_memory_equal(a.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03", 10);
		gunzip_check(a.buf, a.len, in, sizes[k]);
		if (sizes[k] > 1000)
			assert_true(a.len < sizes[k] / 4);
		strbuf_release(&a);
		strbuf_release(&b);
		free(in);
	}
}

static void brotli_check(const char *br, size_t brlen, const char *want, size_t wlen)
{
	size_t outlen = wlen + 16;
	char *out = malloc(outlen);

	assert_int_equal(BrotliDecoderDecompress(brlen, (const uint8_t *)br, &outlen,
						 (uint8_t *)out),
			 BROTLI_DECODER_RESULT_SUCCESS);
	assert_int_equal(outlen, wlen);
	assert_memory_equal(out, want, wlen);
	free(out);
}

static void brotli_roundtrip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 70000, 1 << 20 };
	int qualities[] = { -3, 0, 5, 11, 99 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		char *in = sample(sizes[k]);

		for (size_t q = 0; q < sizeof(qualities) / sizeof(*qualities); q++) {
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

			if (sizes[k] > 100000 && qualities[q] >= 11)
				continue; /* slow, and 70000 bytes already cover it */
			assert_int_equal(compress_brotli(in, sizes[k], qualities[q], &a), 0);
			assert_int_equal(compress_brotli(in, sizes[k], qualities[q], &b), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.buf, b.buf, a.len);
			brotli_check(a.buf, a.len, in, sizes[k]);
			strbuf_release(&a);
			strbuf_release(&b);
		}
		free(in);
	}
}

/* libdeflate's gzip: the same header as zlib's, any level decodes. */
static void gzip_fast_roundtrip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 70000, 1 << 20 };
	int levels[] = { -1, 1, 6, 9, 12, 40 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		char *in = sample(sizes[k]);

		for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

			assert_int_equal(compress_gzip_fast(in, sizes[k], levels[l], &a), 0);
			assert_int_equal(compress_gzip_fast(in, sizes[k], levels[l], &b), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.buf, b.buf, a.len);
			/* magic, deflate, no flags, mtime 0, then OS 3 (Unix) */
			assert_memory_equal(a.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
			assert_int_equal((unsigned char)a.buf[9], 3);
			gunzip_check(a.buf, a.len, in, sizes[k]);
			strbuf_release(&a);
			strbuf_release(&b);
		}
		free(in);
	}
}

/* zstd: decodes, deterministic, no checksum, no dictionary id, the size in
 * the frame header, a window browsers accept at the highest level. */
static void zstd_roundtrip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 70000, 1 << 20 };
	int levels[] = { -5, 1, 9, 19, 22 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		char *in = sample(sizes[k]);

		for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
			ZSTD_frameHeader fh;
			char *back = malloc(sizes[k] + 1);
			size_t got;

			assert_int_equal(compress_zstd(in, sizes[k], levels[l], &a), 0);
			assert_int_equal(compress_zstd(in, sizes[k], levels[l], &b), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.buf, b.buf, a.len);
			assert_int_equal(ZSTD_getFrameHeader(&fh, a.buf, a.len), 0);
			assert_int_equal(fh.checksumFlag, 0);
			assert_int_equal(fh.dictID, 0);
			assert_int_equal(fh.frameContentSize, sizes[k]);
			assert_true(fh.windowSize <= (8u << 20));
			got = ZSTD_decompress(back, sizes[k] + 1, a.buf, a.len);
			assert_false(ZSTD_isError(got));
			assert_int_equal(got, sizes[k]);
			assert_memory_equal(back, in, sizes[k]);
			free(back);
			strbuf_release(&a);
			strbuf_release(&b);
		}
		free(in);
	}
}

/* Output appends; a bounded buffer that overflows fails and is restored. */
static void append_and_bound(void **state)
{
	char *in = sample(200000);
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_addstr(&sb, "head");
	assert_int_equal(compress_gzip(in, 200000, &sb), 0);
	assert_memory_equal(sb.buf, "head\x1f\x8b", 6);
	gunzip_check(sb.buf + 4, sb.len - 4, in, 200000);
	strbuf_release(&sb);

	strbuf_init(&sb, 64);
	strbuf_addstr(&sb, "head");
	assert_int_equal(compress_gzip(in, 200000, &sb), -1);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "head");
	assert_int_equal(compress_brotli(in, 200000, 5, &sb), -1);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "head");
	assert_int_equal(compress_gzip_fast(in, 200000, 6, &sb), -1);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "head");
	assert_int_equal(compress_zstd(in, 200000, 3, &sb), -1);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "head");
	strbuf_release(&sb);

	/* a bound the result fits in, though the worst case would not */
	strbuf_init(&sb, 20000);
	assert_int_equal(compress_gzip(in, 200000, &sb), 0);
	gunzip_check(sb.buf, sb.len, in, 200000);
	strbuf_reset(&sb);
	assert_int_equal(compress_brotli(in, 200000, 5, &sb), 0);
	brotli_check(sb.buf, sb.len, in, 200000);
	strbuf_release(&sb);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gzip_roundtrip),
		cmocka_unit_test(brotli_roundtrip),
		cmocka_unit_test(gzip_fast_roundtrip),
		cmocka_unit_test(zstd_roundtrip),
		cmocka_unit_test(append_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

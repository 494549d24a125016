/* collect/delta.c: unit tests for collect/delta.c: RFC 9842 dcz framing, the window
 * limit, determinism, and that a delta decodes back with the dictionary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <zstd.h>

#include "strbuf.h"
#include "../../../collect/delta.h"

static char *make_text(size_t n, unsigned seed)
{
	char *p = malloc(n);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (char)('a' + (seed >> 16) % 26);
		if (i % 61 == 60)
			p[i] = '\n';
	}
	return p;
}

static void test_delta_roundtrip(void **state)
{
	size_t n = 200000;
	char *old = make_text(n, 1), *new = malloc(n + 20);
	unsigned char sha[TREE_SHA256_LEN];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char *back = malloc(n + 20);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t got;

	(void)state;
	memcpy(new, old, n / 2);
	memcpy(new + n / 2, "a one-line change!\n", 19);
	memcpy(new + n / 2 + 19, old + n / 2, n - n / 2);
	assert_int_equal(delta_sha256(old, n, sha), 0);
	assert_int_equal(delta_encode(old, n, sha, new, n + 19, &a), DELTA_MADE);
	/* 8 magic bytes, the dictionary's SHA-256, a zstd frame. */
	assert_memory_equal(a.buf, "\x5e\x2a\x4d\x18\x20\x00\x00\x00", 8);
	assert_memory_equal(a.buf + 8, sha, 32);
	assert_memory_equal(a.buf + 40, "\x28\xb5\x2f\xfd", 4);
	assert_true(a.len < 200);
	/* What a browser does: the old file as raw prefix, an 8 MB window. */
	assert_false(ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 23)));
	assert_false(ZSTD_isError(ZSTD_DCtx_refPrefix(d, old, n)));
	got = ZSTD_decompressDCtx(d, back, n + 20, a.buf + 40, a.len - 40);
	assert_false(ZSTD_isError(got));
	assert_int_equal(got, n + 19);
	assert_memory_equal(back, new, n + 19);
	/* Deterministic bytes, appended after what out held. */
	strbuf_addstr(&b, "xy");
	assert_int_equal(delta_encode(old, n, sha, new, n + 19, &b), DELTA_MADE);
	assert_int_equal(b.len, a.len + 2);
	assert_memory_equal(b.buf + 2, a.buf, a.len);
	ZSTD_freeDCtx(d);
	strbuf_release(&a);
	strbuf_release(&b);
	free(old);
	free(new);
	free(back);
}

static void test_delta_window_limit(void **state)
{
	/* RFC 9842: at most 128 MB, 1.25 x the dictionary: a dictionary over
	 * 102.4 MB gets no delta.  calloc'd pages stay untouched. */
	size_t big = (size_t)103 << 20;
	char *dict = calloc(1, big);
	unsigned char sha[TREE_SHA256_LEN] = { 0 };
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_non_null(dict);
	strbuf_addstr(&out, "keep");
	assert_int_equal(delta_encode(dict, big, sha, "x", 1, &out), DELTA_TOO_BIG);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.buf, "keep");
	strbuf_release(&out);
	free(dict);
}

static void test_sha256(void **state)
{
	unsigned char sha[TREE_SHA256_LEN];
	char hex[2 * TREE_SHA256_LEN + 1];

	(void)state;
	assert_int_equal(delta_sha256("abc", 3, sha), 0);
	tree_sha_hex(sha, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_roundtrip),
		cmocka_unit_test(test_delta_window_limit),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

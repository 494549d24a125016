/* test_hash_mime.c: unit tests for lib/hash.c and lib/mime.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mime.h"

static void expect_name(const char *path, const char *want)
{
	char *got = hash_name(path, 0x0123456789abcdefULL);

	assert_string_equal(got, want);
	free(got);
}

static void test_hash_name(void **state)
{
	expect_name("css/base.css", "css/base.0123456789ab.css");
	expect_name("js/app.min.js", "js/app.min.0123456789ab.js");
	expect_name("LICENSE", "LICENSE.0123456789ab");
	expect_name(".htaccess", ".htaccess.0123456789ab");
	expect_name("a.b/c", "a.b/c.0123456789ab");
	expect_name("..x.y", "..x.0123456789ab.y");
	expect_name("img/logo small.png", "img/logo small.0123456789ab.png");
}

static void test_hash_hex(void **state)
{
	char hex[HASH_HEX_LEN + 1];
	uint64_t back;

	hash_hex(0x0123456789abcdefULL, hex);
	assert_string_equal(hex, "0123456789abcdef");
	assert_int_equal(hash_parse_hex(hex, &back), 0);
	assert_true(back == 0x0123456789abcdefULL);
	assert_int_equal(hash_parse_hex("0123", &back), -1);
	assert_int_equal(hash_parse_hex("0123456789abcdefa", &back), -1);
	/* XXH3-64 of the empty input, a published constant. */
	assert_true(hash_bytes("", 0) == 0x2D06800538D394C2ULL);
}

static void test_mime_table(void **state)
{
	assert_string_equal(mime_from_path("a/b.css"), "text/css; charset=utf-8");
	assert_string_equal(mime_from_path("A.JS"), "text/javascript; charset=utf-8");
	assert_string_equal(mime_from_path("m.mjs"), "text/javascript; charset=utf-8");
	assert_string_equal(mime_from_path("x.wasm"), "application/wasm");
	assert_string_equal(mime_from_path("x.avif"), "image/avif");
	assert_string_equal(mime_from_path("f.woff2"), "font/woff2");
	assert_string_equal(mime_from_path("site.webmanifest"),
			    "application/manifest+json; charset=utf-8");
	assert_string_equal(mime_from_path("a.js.map"), "application/json; charset=utf-8");
	assert_string_equal(mime_from_path("i.svg"), "image/svg+xml; charset=utf-8");
	assert_null(mime_from_path("LICENSE"));
	assert_null(mime_from_path(".css"));
	assert_null(mime_from_path("dir.css/file"));
	assert_null(mime_from_path("x.unknownext"));
}

static void test_mime_compressible(void **state)
{
	assert_true(mime_is_compressible("text/css; charset=utf-8"));
	assert_true(mime_is_compressible("image/svg+xml; charset=utf-8"));
	assert_true(mime_is_compressible("application/wasm"));
	assert_true(mime_is_compressible("application/json"));
	assert_true(mime_is_compressible("font/ttf"));
	assert_false(mime_is_compressible("image/png"));
	assert_false(mime_is_compressible("font/woff2"));
	assert_false(mime_is_compressible("application/zip"));
	assert_false(mime_is_compressible("video/mp4"));
}

static void test_mime_sniff(void **state)
{
	static const char prose[] = "Permission is hereby granted, free of charge, "
		"to any\nperson obtaining a copy, of this software, and so on,\n";
	static const char html[] = "<html><body>x</body></html>\n";
	void *magic = mime_magic_open();
	char out[MIME_TYPE_MAX];
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };

	assert_non_null(magic);
	mime_sniff(magic, png, sizeof(png), out);
	assert_string_equal(out, "image/png");
	mime_sniff(magic, "hello world\n", 12, out);
	assert_string_equal(out, "text/plain; charset=utf-8");
	mime_sniff(magic, prose, strlen(prose), out);
	assert_string_equal(out, "text/plain; charset=utf-8");
	mime_sniff(magic, html, strlen(html), out);
	assert_string_equal(out, "text/plain; charset=utf-8");
	mime_sniff(magic, "", 0, out);
	assert_string_equal(out, MIME_DEFAULT);
	mime_magic_close(magic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_name),
		cmocka_unit_test(test_hash_hex),
		cmocka_unit_test(test_mime_table),
		cmocka_unit_test(test_mime_compressible),
		cmocka_unit_test(test_mime_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

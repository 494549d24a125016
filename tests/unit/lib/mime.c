/* lib/mime.c: the extension table, compressibility, libmagic sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

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
		cmocka_unit_test(test_mime_table),
		cmocka_unit_test(test_mime_compressible),
		cmocka_unit_test(test_mime_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lib/hash.c: content-hashed names, hex digests, XXH3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_name),
		cmocka_unit_test(test_hash_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

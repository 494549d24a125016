/* lib/path.c: unit tests for lib/path.c (normalising, checking, decoding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "path.h"

static void expect_norm(const char *in, const char *out)
{
	char buf[256];
	ssize_t n;

	strcpy(buf, in);
	n = path_normalize(buf, strlen(buf));
	if (!out) {
		assert_int_equal(n, -1);
		return;
	}
	assert_int_equal(n, (ssize_t)strlen(out));
	assert_string_equal(buf, out);
}

static void test_normalize(void **state)
{
	expect_norm("a/b/c", "a/b/c");
	expect_norm("/a//b/", "a/b");
	expect_norm("./a/./b/.", "a/b");
	expect_norm("a/b/../c", "a/c");
	expect_norm("a/../../b", NULL);
	expect_norm("..", NULL);
	expect_norm("a/..", "");
	expect_norm("", "");
	expect_norm("///", "");
	expect_norm("a/b/../../c/d/..", "c");
	expect_norm("...", "...");
	expect_norm("a/..b/c", "a/..b/c");
}

static void test_check_relative(void **state)
{
	assert_null(path_check_relative("css/a.css"));
	assert_null(path_check_relative("a/..b"));
	assert_non_null(path_check_relative(""));
	assert_non_null(path_check_relative("/etc/passwd"));
	assert_non_null(path_check_relative("../x"));
	assert_non_null(path_check_relative("a/../../x"));
	assert_non_null(path_check_relative("a/.."));
	assert_non_null(path_check_relative("a\\b"));
	assert_non_null(path_check_relative("a\nb"));
}

static void test_percent_decode(void **state)
{
	char out[64];

	assert_int_equal(path_percent_decode(out, "a%20b", 5), 3);
	assert_string_equal(out, "a b");
	assert_int_equal(path_percent_decode(out, "%2e%2E", 6), 2);
	assert_string_equal(out, "..");
	assert_int_equal(path_percent_decode(out, "%252e", 5), 3);
	assert_string_equal(out, "%2e"); /* decoded once only */
	assert_int_equal(path_percent_decode(out, "%00", 3), -1);
	assert_int_equal(path_percent_decode(out, "%0a", 3), -1);
	assert_int_equal(path_percent_decode(out, "%", 1), -1);
	assert_int_equal(path_percent_decode(out, "a%2", 3), -1);
	assert_int_equal(path_percent_decode(out, "%zz", 3), -1);
}

static void test_utf8(void **state)
{
	assert_true(path_is_utf8("caf\xc3\xa9", 5));
	assert_true(path_is_utf8("\xf0\x9f\x98\x80", 4));
	assert_false(path_is_utf8("\xc0\xae", 2));         /* overlong '.' */
	assert_false(path_is_utf8("\xe0\x80\xae", 3));     /* overlong '.' */
	assert_false(path_is_utf8("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(path_is_utf8("\xc3", 1));             /* truncated */
	assert_false(path_is_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(path_is_utf8("\xff", 1));
}

/* path_check_servable() of a whole string */
static const char *servable(const char *name)
{
	return path_check_servable(name, strlen(name));
}

static void test_check_servable(void **state)
{
	assert_null(servable("css/a.css"));
	assert_null(servable("it's caf\xc3\xa9 (1).js"));
	assert_null(servable("a%41 b#c?d<e>.js"));
	assert_non_null(servable("a\nb"));
	assert_non_null(servable("a\tb"));
	assert_non_null(servable("a\x7f"));
	assert_non_null(servable("a\\b"));
	assert_non_null(servable("a\"b"));
	assert_non_null(servable("caf\xe9"));
	/* only the len bytes given count */
	assert_null(path_check_servable("ab\n", 2));
}

static void test_helpers(void **state)
{
	assert_int_equal(path_dirlen("a/b/c.css"), 3);
	assert_int_equal(path_dirlen("c.css"), 0);
	assert_true(path_has_dot_component(".git/config"));
	assert_true(path_has_dot_component("a/.env"));
	assert_false(path_has_dot_component("a/b.c/d"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_check_relative),
		cmocka_unit_test(test_percent_decode),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_check_servable),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lib/log.c: unit tests for lib/log.c (names escaped for messages, the error count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static void expect_shown(const char *name, const char *shown)
{
	char buf[LOG_NAME_MAX];

	assert_string_equal(log_name(name, buf), shown);
}

static void test_name_escapes(void **state)
{
	expect_shown("css/a.css", "css/a.css");
	expect_shown("caf\xc3\xa9 it's.js", "caf\xc3\xa9 it's.js");
	expect_shown("a\nb", "a\\nb");
	expect_shown("a\tb\r", "a\\tb\\r");
	expect_shown("a\\b", "a\\\\b");
	expect_shown("a\"b", "a\\\"b");
	expect_shown("a\x7f\x01", "a\\x7f\\x01");
	expect_shown("caf\xe9", "caf\\xe9");             /* not UTF-8 */
	expect_shown("\xc3", "\\xc3");                    /* truncated sequence */
	expect_shown("\xed\xa0\x80", "\\xed\\xa0\\x80");  /* surrogate */
}

static void test_name_cut_short(void **state)
{
	char name[3 * LOG_NAME_MAX], buf[LOG_NAME_MAX];
	size_t n;

	memset(name, '\n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = strlen(log_name(name, buf));
	assert_true(n < LOG_NAME_MAX);
	assert_memory_equal(buf + n - 3, "...", 3);
	memset(name, 'x', sizeof(name) - 1);
	n = strlen(log_name(name, buf));
	assert_true(n < LOG_NAME_MAX);
	assert_memory_equal(buf + n - 3, "...", 3);
}

static void test_error_count(void **state)
{
	unsigned before = log_error_count();

	log_warn("a warning is no error");
	assert_int_equal(log_error_count(), before);
	assert_int_equal(log_error("one error"), -1);
	assert_int_equal(log_error_count(), before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_name_cut_short),
		cmocka_unit_test(test_error_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

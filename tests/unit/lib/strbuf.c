/* lib/strbuf.c: bounded growable buffers and reading a file into one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "../tmproot.h"

static void test_strbuf_bounds(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	assert_string_equal(sb.buf, "");
	assert_int_equal(strbuf_addstr(&sb, "12345678"), 0);
	assert_int_equal(strbuf_addch(&sb, '9'), -EFBIG);
	assert_int_equal(sb.len, 8);
	assert_string_equal(sb.buf, "12345678");
	strbuf_reset(&sb);
	assert_int_equal(strbuf_addf(&sb, "%d-%s", 7, "x"), 0);
	assert_string_equal(sb.buf, "7-x");
	strbuf_release(&sb);
}

/* A file is read into a buffer of its own size, not a 64 KiB one. */
static void test_strbuf_read_file(void **state)
{
	struct strbuf sb = STRBUF_INIT, big = STRBUF_INIT, small;
	char path[256];

	put("small.txt", "hello");
	snprintf(path, sizeof(path), "%s/small.txt", root);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_string_equal(sb.buf, "hello");
	assert_true(sb.alloc <= 64);
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&big, 'a' + i % 26);
	put("big.txt", big.buf);
	snprintf(path, sizeof(path), "%s/big.txt", root);
	strbuf_reset(&sb);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_int_equal(sb.len, big.len);
	assert_memory_equal(sb.buf, big.buf, big.len);
	strbuf_init(&small, 1000);
	assert_int_equal(strbuf_read_file(&small, path), -EFBIG);
	strbuf_release(&small);
	strbuf_init(&small, 5);
	snprintf(path, sizeof(path), "%s/small.txt", root);
	assert_int_equal(strbuf_read_file(&small, path), 0); /* exactly max */
	assert_string_equal(small.buf, "hello");
	strbuf_release(&small);
	strbuf_release(&sb);
	strbuf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_bounds),
		cmocka_unit_test_setup_teardown(test_strbuf_read_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

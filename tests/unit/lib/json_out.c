/* lib/json_out.c: JSON string escaping as Python json.dumps does it. */
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

#include "json_out.h"
#include "strbuf.h"

static void test_json_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	json_put_string(&sb, "a\"b\\c\n\x01\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 \xff");
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\\u007f caf\\u00e9 "
			    "\\ud83d\\ude00 \\ufffd\"");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

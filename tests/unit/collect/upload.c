/* collect/upload.c: the s3://BUCKET[/PREFIX] target. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../../collect/upload.h"

static void check(const char *url, const char *bucket, const char *prefix)
{
	char *b, *p;

	assert_int_equal(upload_parse_target(url, &b, &p), 0);
	assert_string_equal(b, bucket);
	assert_string_equal(p, prefix);
	free(b);
	free(p);
}

static void targets(void **state)
{
	char *b, *p;

	check("s3://assets", "assets", "");
	check("s3://assets/", "assets", "");
	check("s3://assets/static", "assets", "static/");
	check("s3://assets//site/v1/", "assets", "site/v1/");
	assert_int_equal(upload_parse_target("assets", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3://", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3:///x", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3://b/../x", &b, &p), -1);
	assert_null(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

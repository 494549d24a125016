/* collect/s3_xml.c: element text and entities out of S3's XML answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../../collect/s3_xml.h"
#include "strbuf.h"

static const char listing[] =
	"<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
	"<Contents><Key>a&amp;b &lt;c&gt; &#233;&#x263A;</Key><ETag>&quot;x&quot;</ETag></Contents>"
	"<Contents><Key>second</Key></Contents>"
	"<NextContinuationToken>tok/en</NextContinuationToken></ListBucketResult>";

static void elements_in_order(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t pos = 0, start, len;

	assert_true(s3_xml_range(listing, strlen(listing), &pos, "Contents", &start, &len));
	assert_true(s3_xml_next(listing, start + len, &(size_t){ start }, "Key", &sb));
	assert_string_equal(sb.buf, "a&b <c> \xc3\xa9\xe2\x98\xba");
	strbuf_reset(&sb);
	assert_true(s3_xml_next(listing, start + len, &(size_t){ start }, "ETag", &sb));
	assert_string_equal(sb.buf, "\"x\"");
	assert_true(s3_xml_range(listing, strlen(listing), &pos, "Contents", &start, &len));
	assert_false(s3_xml_range(listing, strlen(listing), &pos, "Contents", &start, &len));
	strbuf_release(&sb);
}

static void first_and_missing(void **state)
{
	char out[16];

	s3_xml_first(listing, strlen(listing), "IsTruncated", out, sizeof(out));
	assert_string_equal(out, "true");
	s3_xml_first(listing, strlen(listing), "Code", out, sizeof(out));
	assert_string_equal(out, "");
	/* An unclosed element is not read past the end. */
	s3_xml_first("<Code>Slow", 10, "Code", out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elements_in_order),
		cmocka_unit_test(first_and_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

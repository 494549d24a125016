/* serve/http_range.c: unit tests for serve/http_range.c, including the
 * overflow and abuse cases (nginx CVE-2017-7529). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "../guard.h"
#include "../../../serve/http.h"

/*
 * Each case: the Range value, the representation size, the status and the
 * resulting ranges written as "a-b,c-d" (inclusive).
 */
struct rcase {
	const char *range;
	uint64_t size;
	int want;
	const char *ranges;
};

static const struct rcase cases[] = {
	{ "bytes=0-99", 1000, 206, "0-99" },
	{ "bytes=0-0", 1000, 206, "0-0" },
	{ "bytes=999-999", 1000, 206, "999-999" },
	{ "bytes=100-", 1000, 206, "100-999" },
	{ "bytes=0-", 1000, 206, "0-999" },
	{ "bytes=-100", 1000, 206, "900-999" },
	{ "bytes=-1000", 1000, 206, "0-999" },
	{ "bytes=-5000", 1000, 206, "0-999" },
	{ "bytes=500-5000", 1000, 206, "500-999" },
	{ "Bytes=0-1", 1000, 206, "0-1" },
	{ "bytes=0-1,5-6", 1000, 206, "0-1,5-6" },
	{ "bytes=5-6,0-1", 1000, 206, "5-6,0-1" },
	{ "bytes=0-1, 5-6 ,\t9-9", 1000, 206, "0-1,5-6,9-9" },
	{ "bytes= 0-1", 1000, 206, "0-1" },
	{ "bytes=0-1,,", 1000, 206, "0-1" },
	/* Coalescing: overlapping and adjacent. */
	{ "bytes=0-1,2-3", 1000, 206, "0-3" },
	{ "bytes=0-4,2-3", 1000, 206, "0-4" },
	{ "bytes=10-19,30-39,15-34", 1000, 206, "10-39" },
	{ "bytes=50-59,0-9,20-29,10-19", 1000, 206, "50-59,0-29" },
	{ "bytes=0-9,20-29,10-19", 1000, 206, "0-29" },
	{ "bytes=-10,990-", 1000, 206, "990-999" },
	/* Unsatisfiable ones are dropped, all of them: 416. */
	{ "bytes=1000-", 1000, 416, "" },
	{ "bytes=1000-2000", 1000, 416, "" },
	{ "bytes=-0", 1000, 416, "" },
	{ "bytes=-0,-0", 1000, 416, "" },
	{ "bytes=5000-,0-1", 1000, 206, "0-1" },
	{ "bytes=18446744073709551615-", 1000, 416, "" },
	{ "bytes=99999999999999999999999999-", 1000, 416, "" },
	/* Huge numbers saturate (CVE-2017-7529). */
	{ "bytes=0-18446744073709551615", 1000, 206, "0-999" },
	{ "bytes=0-99999999999999999999999999", 1000, 206, "0-999" },
	{ "bytes=-18446744073709551615", 1000, 206, "0-999" },
	{ "bytes=-9223372036854775808", 1000, 206, "0-999" },
	{ "bytes=-99999999999999999999999999", 1000, 206, "0-999" },
	/* Overlaps summing past the size: the whole file. */
	{ "bytes=0-,0-", 1000, 200, "" },
	{ "bytes=0-999,0-999", 1000, 200, "" },
	{ "bytes=-600,0-500", 1000, 200, "" },
	{ "bytes=0-499,250-749", 1000, 206, "0-749" },
	{ "bytes=-1,-1", 1000, 206, "999-999" },
	/* Syntax errors and other units: ignored. */
	{ "bytes=", 1000, 200, "" },
	{ "bytes=,", 1000, 200, "" },
	{ "bytes=-", 1000, 200, "" },
	{ "bytes=--5", 1000, 200, "" },
	{ "bytes=-5-", 1000, 200, "" },
	{ "bytes=5-1", 1000, 200, "" },
	{ "bytes=0-1,5-1", 1000, 200, "" },
	{ "bytes=+1-2", 1000, 200, "" },
	{ "bytes=0x10-20", 1000, 200, "" },
	{ "bytes=1 -2", 1000, 200, "" },
	{ "bytes=1- 2", 1000, 200, "" },
	{ "bytes=1-2-3", 1000, 200, "" },
	{ "bytes=1.5-2", 1000, 200, "" },
	{ "bytes=a-b", 1000, 200, "" },
	{ "bytes=0-1;x", 1000, 200, "" },
	{ "bytes =0-1", 1000, 200, "" },
	{ "bytes", 1000, 200, "" },
	{ "byte=0-1", 1000, 200, "" },
	{ "items=0-1", 1000, 200, "" },
	{ "", 1000, 200, "" },
	{ "0-1", 1000, 200, "" },
	/* Zero-length representations are always sent whole. */
	{ "bytes=0-", 0, 200, "" },
	{ "bytes=-1", 0, 200, "" },
	/* Sizes near the top of uint64_t. */
	{ "bytes=0-", UINT64_MAX, 200, "" },
	{ "bytes=-1", (uint64_t)1 << 58, 206, "288230376151711743-288230376151711743" },
};

static void format(const struct http_ranges *rs, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < rs->n && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%llu-%llu",
				      i ? "," : "",
				      (unsigned long long)rs->r[i].first,
				      (unsigned long long)rs->r[i].last);
}

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct guarded g = guard_copy(c->range, strlen(c->range));
		struct http_slice v = { g.p, g.len };
		struct http_ranges rs;
		char got[512];
		int r = http_range_parse(v, c->size, &rs);

		format(&rs, got, sizeof(got));
		if (r != c->want || strcmp(got, c->ranges) != 0)
			fail_msg("\"%s\" size %llu: got %d \"%s\", want %d \"%s\"",
				 c->range, (unsigned long long)c->size, r, got,
				 c->want, c->ranges);
		if (r != 206 && rs.n != 0)
			fail_msg("\"%s\": %u ranges with status %d", c->range, rs.n, r);
		guard_free(&g);
	}
}

/* A Range with n specs "bytes=0-0,2-2,4-4,...". */
static void many(char *buf, size_t size, unsigned n)
{
	size_t w = (size_t)snprintf(buf, size, "bytes=");

	for (unsigned i = 0; i < n; i++)
		w += (size_t)snprintf(buf + w, size - w, "%s%u-%u", i ? "," : "",
				      2 * i, 2 * i);
}

static void test_count_cap(void **state)
{
	char buf[4096];
	struct http_ranges rs;
	struct http_slice v;

	many(buf, sizeof(buf), HTTP_RANGES_MAX);
	v.p = buf;
	v.len = strlen(buf);
	assert_int_equal(http_range_parse(v, 1000, &rs), 206);
	assert_int_equal(rs.n, HTTP_RANGES_MAX);
	many(buf, sizeof(buf), HTTP_RANGES_MAX + 1);
	v.len = strlen(buf);
	assert_int_equal(http_range_parse(v, 1000, &rs), 200);
	assert_int_equal(rs.n, 0);
	/* Many small overlapping ranges of one byte region. */
	strcpy(buf, "bytes=0-0,0-0,0-0,0-0,0-0");
	v.len = strlen(buf);
	assert_int_equal(http_range_parse(v, 1000, &rs), 206);
	assert_int_equal(rs.n, 1);
}

static struct http_slice sl(const char *s)
{
	struct http_slice v = { s, s ? strlen(s) : 0 };

	return v;
}

#define ETAG "\"0123456789abcdef\""
#define T0 784111777
#define DATE "Sun, 06 Nov 1994 08:49:37 GMT"

static int eval(int method, const char *range, const char *if_range,
		struct http_ranges *rs)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.range = sl(range);
	req.if_range = sl(if_range);
	return http_range_eval(&req, sl(ETAG), T0, 1000, rs);
}

static void test_eval(void **state)
{
	struct http_ranges rs;

	assert_int_equal(eval(HTTP_METHOD_GET, NULL, NULL, &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", NULL, &rs), 206);
	assert_int_equal(rs.n, 1);
	assert_int_equal(eval(HTTP_METHOD_HEAD, "bytes=0-1", NULL, &rs), 200);
	assert_int_equal(rs.n, 0);
	assert_int_equal(eval(HTTP_METHOD_OTHER, "bytes=0-1", NULL, &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=5000-", NULL, &rs), 416);
	/* If-Range: strong ETag or the exact date. */
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", ETAG, &rs), 206);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "W/" ETAG, &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "\"other\"", &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", ETAG ", " ETAG, &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", DATE, &rs), 206);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1",
			      "Sunday, 06-Nov-94 08:49:37 GMT", &rs), 206);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1",
			      "Sun, 06 Nov 1994 08:49:38 GMT", &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1",
			      "Sun, 06 Nov 1994 08:49:36 GMT", &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "", &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "\"", &rs), 200);
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "W/", &rs), 200);
	/* A date starting with W is a date, not a weak tag. */
	{
		struct http_request req;

		memset(&req, 0, sizeof(req));
		req.method = HTTP_METHOD_GET;
		req.range = sl("bytes=0-1");
		req.if_range = sl("Wed, 25 Nov 2026 15:00:00 GMT");
		assert_int_equal(http_range_eval(&req, sl(ETAG), 1795618800, 1000, &rs), 206);
		assert_int_equal(http_range_eval(&req, sl(ETAG), 1795618801, 1000, &rs), 200);
	}
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=0-1", "garbage", &rs), 200);
	/* A failed If-Range turns even an unsatisfiable range into 200. */
	assert_int_equal(eval(HTTP_METHOD_GET, "bytes=5000-", "\"other\"", &rs), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_count_cap),
		cmocka_unit_test(test_eval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

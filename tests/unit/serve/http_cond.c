/* serve/http_cond.c: unit tests for serve/http_cond.c (RFC 9110 §13 order) and
 * serve/http_date.c (the three HTTP-date formats). */
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

#define T0 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */
#define ETAG "\"0123456789abcdef\""

static void test_date_format(void **state)
{
	char out[HTTP_DATE_SIZE];

	http_date_format(0, out);
	assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_date_format(T0, out);
	assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_date_format(951782400, out);
	assert_string_equal(out, "Tue, 29 Feb 2000 00:00:00 GMT");
	http_date_format(-1, out);
	assert_string_equal(out, "Wed, 31 Dec 1969 23:59:59 GMT");
	http_date_format(253402300799, out);
	assert_string_equal(out, "Fri, 31 Dec 9999 23:59:59 GMT");
	http_date_format(1764028800, out);
	assert_string_equal(out, "Tue, 25 Nov 2025 00:00:00 GMT");
}

static int parse(const char *s, time_t *t)
{
	struct guarded g = guard_copy(s, strlen(s));
	int r = http_date_parse(g.p, g.len, t);

	guard_free(&g);
	return r;
}

static void test_date_parse(void **state)
{
	static const char *const bad[] = {
		"", "0", "784111777", "Sun, 06 Nov 1994 08:49:37 GMT ",
		" Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 gmt",
		"Sun, 06 Nov 1994 08:49:37 UTC", "sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
		"Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2023 00:00:00 GMT",
		"Sun, 29 Feb 1900 00:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
		"Sun, 06 Nov 1994 8:49:37 GMT ", "Sun, 06 Nov 1994 08:49:3x GMT",
		"Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov -994 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT",
		"Sunday, 06 Nov 94 08:49:37 GMT", "Sunday 06-Nov-94 08:49:37 GMT",
		"Funday, 06-Nov-94 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
		"Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 ",
		"Sun Nov  0 08:49:37 1994",
	};
	time_t t;

	assert_int_equal(parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(parse("Sun Nov  6 08:49:37 1994", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(parse("Sun Nov 06 08:49:37 1994", &t), 0);
	assert_int_equal(t, T0);
	/* The weekday is not cross-checked; RFC 9110 does not ask for it. */
	assert_int_equal(parse("Mon, 06 Nov 1994 08:49:37 GMT", &t), 0);
	/* Two-digit years: more than 50 years ahead means the last century
	 * (these hold from 2020 to 2048). */
	assert_int_equal(parse("Thursday, 01-Jan-70 00:00:00 GMT", &t), 0);
	assert_int_equal(t, 3155760000);
	assert_int_equal(parse("Friday, 01-Jan-99 00:00:00 GMT", &t), 0);
	assert_int_equal(t, 915148800);
	assert_int_equal(parse("Thu, 29 Feb 2024 12:00:00 GMT", &t), 0);
	assert_int_equal(parse("Sat, 01 Jan 0000 00:00:00 GMT", &t), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(http_date_parse(NULL, 0, &t), -1);
}

static void test_date_roundtrip(void **state)
{
	char out[HTTP_DATE_SIZE];
	time_t t, back;

	for (t = -86400 * 800; t < (time_t)253402300799; t += 86400 * 37 + 3671) {
		http_date_format(t, out);
		assert_int_equal(strlen(out), 29);
		assert_int_equal(http_date_parse(out, 29, &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_etag_format(void **state)
{
	char out[HTTP_ETAG_SIZE];

	assert_int_equal(http_etag_format(out, 0x0123456789abcdefULL), 18);
	assert_string_equal(out, ETAG);
	http_etag_format(out, 0);
	assert_string_equal(out, "\"0000000000000000\"");
}

struct ccase {
	int method;
	const char *im, *ius, *inm, *ims;
	int want;
};

#define G HTTP_METHOD_GET
#define H HTTP_METHOD_HEAD
#define O HTTP_METHOD_OTHER
#define BEFORE "Sun, 06 Nov 1994 08:49:36 GMT"
#define SAME "Sun, 06 Nov 1994 08:49:37 GMT"
#define AFTER "Sun, 06 Nov 1994 08:49:38 GMT"
#define OTHER "\"fedcba9876543210\""

static const struct ccase ccases[] = {
	{ G, NULL, NULL, NULL, NULL, 0 },
	/* If-Match: strong comparison. */
	{ G, "*", NULL, NULL, NULL, 0 },
	{ G, ETAG, NULL, NULL, NULL, 0 },
	{ G, OTHER ", " ETAG, NULL, NULL, NULL, 0 },
	{ G, OTHER "," ETAG, NULL, NULL, NULL, 0 },
	{ G, OTHER, NULL, NULL, NULL, 412 },
	{ G, "W/" ETAG, NULL, NULL, NULL, 412 },
	{ G, "0123456789abcdef", NULL, NULL, NULL, 412 },
	{ G, "", NULL, NULL, NULL, 412 },
	{ G, "\"0123456789abcdef", NULL, NULL, NULL, 412 },
	{ G, "\"0123456789ABCDEF\"", NULL, NULL, NULL, 412 },
	{ G, ETAG "x", NULL, NULL, NULL, 412 },
	{ O, OTHER, NULL, NULL, NULL, 412 },
	/* If-Unmodified-Since only without If-Match. */
	{ G, NULL, BEFORE, NULL, NULL, 412 },
	{ G, NULL, SAME, NULL, NULL, 0 },
	{ G, NULL, AFTER, NULL, NULL, 0 },
	{ G, NULL, "garbage", NULL, NULL, 0 },
	{ G, ETAG, BEFORE, NULL, NULL, 0 },
	{ G, OTHER, AFTER, NULL, NULL, 412 },
	/* If-None-Match: weak comparison. */
	{ G, NULL, NULL, ETAG, NULL, 304 },
	{ H, NULL, NULL, ETAG, NULL, 304 },
	{ G, NULL, NULL, "W/" ETAG, NULL, 304 },
	{ G, NULL, NULL, "*", NULL, 304 },
	{ G, NULL, NULL, OTHER ", W/" ETAG, NULL, 304 },
	{ G, NULL, NULL, OTHER, NULL, 0 },
	{ G, NULL, NULL, "", NULL, 0 },
	{ G, NULL, NULL, "w/" ETAG, NULL, 0 },
	{ G, NULL, NULL, "garbage, " ETAG, NULL, 0 },
	{ O, NULL, NULL, ETAG, NULL, 412 },
	{ O, NULL, NULL, "*", NULL, 412 },
	/* If-Modified-Since only without If-None-Match, only GET/HEAD. */
	{ G, NULL, NULL, NULL, SAME, 304 },
	{ H, NULL, NULL, NULL, AFTER, 304 },
	{ G, NULL, NULL, NULL, BEFORE, 0 },
	{ G, NULL, NULL, NULL, "Sunday, 06-Nov-94 08:49:37 GMT", 304 },
	{ G, NULL, NULL, NULL, "Sun Nov  6 08:49:37 1994", 304 },
	{ G, NULL, NULL, NULL, "not a date", 0 },
	{ G, NULL, NULL, NULL, SAME " ", 0 },
	{ O, NULL, NULL, NULL, SAME, 0 },
	{ G, NULL, NULL, OTHER, SAME, 0 },
	{ G, NULL, NULL, ETAG, BEFORE, 304 },
	/* Order: the 412s come first. */
	{ G, OTHER, NULL, ETAG, NULL, 412 },
	{ G, NULL, BEFORE, ETAG, SAME, 412 },
	{ H, ETAG, NULL, ETAG, NULL, 304 },
};

static struct http_slice sl(const char *s)
{
	struct http_slice v = { s, s ? strlen(s) : 0 };

	return v;
}

static void test_cond(void **state)
{
	struct http_slice etag = sl(ETAG);

	for (size_t i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *c = &ccases[i];
		struct http_request req;
		int r;

		memset(&req, 0, sizeof(req));
		req.method = c->method;
		req.if_match = sl(c->im);
		req.if_unmodified_since = sl(c->ius);
		req.if_none_match = sl(c->inm);
		req.if_modified_since = sl(c->ims);
		r = http_cond_eval(&req, etag, T0);
		if (r != c->want)
			fail_msg("case %zu: got %d, want %d", i, r, c->want);
	}
}

/* Lists repeated over several field lines are one list (RFC 9110 §5.3). */
static void test_cond_lines(void **state)
{
	static const struct {
		const char *fields;
		int want;
	} k[] = {
		{ "If-None-Match: " OTHER "\r\nIf-None-Match: " ETAG "\r\n", 304 },
		{ "If-None-Match: " OTHER "\r\nX-A: " ETAG "\r\nIf-None-Match: \"z\"\r\n", 0 },
		{ "If-None-Match: garbage\r\nIf-None-Match: W/" ETAG "\r\n", 304 },
		{ "If-None-Match: " OTHER "\r\nIf-None-Match: *\r\n", 304 },
		{ "If-Match: " OTHER "\r\nIf-Match: " ETAG "\r\n", 0 },
		{ "If-Match: " OTHER "\r\nETag: " ETAG "\r\nIf-Match: \"z\"\r\n", 412 },
		{ "If-Match: " OTHER "\r\nIf-Match:\r\n", 412 },
	};
	struct http_slice etag = sl(ETAG);

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		char buf[512];
		struct http_request req;
		int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n",
				 k[i].fields);
		int r;

		assert_int_equal(http_parse_request(buf, (size_t)n, &req), n);
		r = http_cond_eval(&req, etag, T0);
		if (r != k[i].want)
			fail_msg("case %zu: got %d, want %d", i, r, k[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_roundtrip),
		cmocka_unit_test(test_etag_format),
		cmocka_unit_test(test_cond),
		cmocka_unit_test(test_cond_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

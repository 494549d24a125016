/* serve/http_dictionary.c: unit tests for serve/http_dictionary.c (Available-Dictionary
 * parsing, Use-As-Dictionary match patterns) and http_encoding_q() for "dcz". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "../guard.h"
#include "tree_index.h"
#include "../../../serve/http.h"

/* SHA-256("abc"), and its sf-binary form. */
static const unsigned char abc_sha[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
#define ABC_B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="

static int parse_guarded(const char *s, unsigned char out[32])
{
	struct guarded g = guard_copy(s, strlen(s));
	int r = http_dictionary_parse((struct http_slice){ g.p, g.len }, out);

	guard_free(&g);
	return r;
}

static void test_parse_valid(void **state)
{
	unsigned char out[32];

	(void)state;
	assert_int_equal(parse_guarded(":" ABC_B64 ":", out), 0);
	assert_memory_equal(out, abc_sha, 32);
	/* RFC 8941 §4.2.7: the padding may be left out. */
	memset(out, 0, sizeof(out));
	assert_int_equal(parse_guarded(":ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0:", out), 0);
	assert_memory_equal(out, abc_sha, 32);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"", ":", "::", ABC_B64, ":" ABC_B64, ABC_B64 ":",
		"\"" ABC_B64 "\"",                     /* an sf-string */
		":" ABC_B64 ":;id=1",                  /* parameters */
		":" ABC_B64 ":, :" ABC_B64 ":",        /* a list */
		":ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0==:", /* two pads */
		":ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa=:",  /* 31 bytes */
		":ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0AAAA:", /* 35 */
		":ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0=:", /* base64url */
		":ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa1=:", /* non-zero tail bits */
		":ungWv48Bz+pBQUDeXa4iI7AD aOWF3qctBD/YfIAFa0=:", /* space inside */
		":\x80ngWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=:",
		":YWJj:",                              /* 3 bytes */
	};
	unsigned char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_guarded(bad[i], out), -1);
	assert_int_equal(http_dictionary_parse((struct http_slice){ NULL, 0 }, out), -1);
}

struct pcase {
	const char *alias, *path, *want; /* want NULL: no pattern */
};

static void test_pattern(void **state)
{
	static const struct pcase cases[] = {
		{ "/static/", "css/site.0123456789ab.css", "/static/css/site.*.css" },
		{ "/static/", "js/app.min.0123456789ab.js", "/static/js/app.min.*.js" },
		{ "/", "app.0123456789ab.js", "/app.*.js" },
		{ "/static/", "LICENSE.0123456789ab", "/static/LICENSE.*" },
		{ "/static/", "a.tar.0123456789ab.gz", "/static/a.tar.*.gz" },
		/* URLPattern specials, sf-string specials, non-ASCII, '%':
		 * percent-encoded as Django's quote() writes the page's URLs. */
		{ "/static/", "x/a*b:c(d){e}?+.0123456789ab.js",
		  "/static/x/a%2Ab%3Ac%28d%29%7Be%7D%3F%2B.*.js" },
		{ "/static/", "q/a\"b\\c.0123456789ab.css", "/static/q/a%22b%5Cc.*.css" },
		{ "/static/", "img/caf\xc3\xa9.0123456789ab.svg", "/static/img/caf%C3%A9.*.svg" },
		{ "/static/", "a b%.0123456789ab.css", "/static/a%20b%25.*.css" },
		{ "/my static/", "a.0123456789ab.css", "/my%20static/a.*.css" },
		/* Not hashed names. */
		{ "/static/", "css/site.css", NULL },
		{ "/static/", "css/site.0123456789AB.css", NULL },
		{ "/static/", "css/site.0123456789a.css", NULL },
		{ "/static/", "css/.0123456789ab.css", NULL },
		{ "/static/", ".0123456789ab", NULL },
		{ "/static/", "css/0123456789ab", NULL },
		{ "/static/", "css.0123456789ab/site.css", NULL },
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = http_dictionary_pattern(cases[i].alias, cases[i].path, out, sizeof(out));

		if (!cases[i].want) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, strlen(cases[i].want));
		assert_string_equal(out, cases[i].want);
		/* Only what an sf-string may hold, and nothing to escape. */
		for (size_t k = 0; k < n; k++)
			assert_true(out[k] >= 0x20 && out[k] < 0x7f && out[k] != '"' &&
				    out[k] != '\\');
	}
}

static void test_pattern_too_small(void **state)
{
	char out[64];
	const char *want = "/static/css/site.*.css";

	(void)state;
	for (size_t size = 0; size <= strlen(want); size++)
		assert_int_equal(http_dictionary_pattern("/static/", "css/site.0123456789ab.css",
							 out, size), 0);
	assert_int_equal(http_dictionary_pattern("/static/", "css/site.0123456789ab.css",
						 out, strlen(want) + 1), strlen(want));
}

static void test_hashed_split(void **state)
{
	size_t stem, ext;

	(void)state;
	assert_int_equal(http_hashed_split("css/site.0123456789ab.css", &stem, &ext), 0);
	assert_int_equal(stem, 8);
	assert_int_equal(ext, 21);
	assert_int_equal(http_hashed_split("LICENSE.0123456789ab", &stem, &ext), 0);
	assert_int_equal(stem, 7);
	assert_int_equal(ext, 20);
	assert_int_equal(http_hashed_split("site.css", &stem, &ext), -1);
}

struct qcase {
	const char *ae; /* NULL: absent */
	int want;
};

static void test_encoding_q(void **state)
{
	static const struct qcase cases[] = {
		{ NULL, 0 },
		{ "", 0 },
		{ "gzip, deflate, br, zstd, dcb, dcz", 1000 },
		{ "gzip, deflate, br, zstd", 0 },
		{ "DCZ", 1000 },
		{ "dcz;q=0", 0 },
		{ "dcz;q=0.5, br", 500 },
		{ "*", 1000 },
		{ "*;q=0.2, dcz;q=0.7", 700 },
		{ "dcz;q=bad", 0 },
		{ "dczz, xdcz", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ae = cases[i].ae;
		struct http_slice s = { ae, ae ? strlen(ae) : 0 };

		assert_int_equal(http_encoding_q(s, "dcz"), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_pattern_too_small),
		cmocka_unit_test(test_hashed_split),
		cmocka_unit_test(test_encoding_q),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* serve/http_encoding.c: unit tests for serve/http_encoding.c (Accept-Encoding
 * q-values, identity refusal, tie order br > zstd > gzip). */
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

#define BR (1u << ENC_BR)
#define ZS (1u << ENC_ZSTD)
#define GZ (1u << ENC_GZIP)
#define ALLV (BR | ZS | GZ)
#define ID HTTP_ENC_IDENTITY
#define NA (-HTTP_NOT_ACCEPTABLE)

struct ecase {
	const char *ae; /* NULL: no Accept-Encoding field */
	unsigned avail;
	int want;
};

static const struct ecase cases[] = {
	{ NULL, ALLV, ID },
	{ "", ALLV, ID },
	{ "gzip", ALLV, ENC_GZIP },
	{ "gzip", BR, ID },
	{ "gzip", 0, ID },
	{ "x-gzip", GZ, ENC_GZIP },
	{ "GZIP", GZ, ENC_GZIP },
	{ "gzip, deflate, br", ALLV, ENC_BR },
	{ "gzip, deflate, br, zstd", ALLV, ENC_BR },
	{ "gzip, deflate, br, zstd", GZ | ZS, ENC_ZSTD },
	{ "gzip, zstd", ALLV, ENC_ZSTD },
	{ "gzip;q=1.0, br;q=0.9", ALLV, ENC_GZIP },
	{ "br;q=0.5, gzip;q=0.5", ALLV, ENC_BR },
	{ "gzip;q=0.001", GZ, ENC_GZIP },
	{ "gzip ; q=0.5", GZ, ENC_GZIP },
	{ "gzip;Q=0.5", GZ, ENC_GZIP },
	/* q=0 refuses. */
	{ "br;q=0, gzip", ALLV, ENC_GZIP },
	{ "br;q=0.000", BR, ID },
	{ "gzip;q=0", GZ, ID },
	/* identity. */
	{ "identity", ALLV, ID },
	{ "identity, gzip", GZ, ENC_GZIP },
	{ "identity;q=1, gzip;q=0.5", GZ, ID },
	{ "identity;q=0.5, gzip;q=0.5", GZ, ENC_GZIP },
	{ "identity;q=0, gzip", GZ, ENC_GZIP },
	{ "identity;q=0", GZ, NA },
	{ "identity;q=0", 0, NA },
	{ "identity;q=0, gzip", BR, NA },
	{ "gzip;q=0.5", GZ, ENC_GZIP },
	/* "*". */
	{ "*", ALLV, ENC_BR },
	{ "*", 0, ID },
	{ "*;q=0", GZ, NA },
	{ "*;q=0", 0, NA },
	{ "*;q=0, identity", GZ, ID },
	{ "*;q=0, gzip", ALLV, ENC_GZIP },
	{ "gzip;q=0.5, *;q=0.8", ALLV, ENC_BR },
	{ "gzip;q=0.5, *;q=0.8", GZ, ID },
	{ "br;q=0, *", BR | GZ, ENC_GZIP },
	{ "*;q=0.1, identity;q=0", GZ, ENC_GZIP },
	/* Invalid q-values drop the element; odd spacing is tolerated. */
	{ "gzip;q=2", GZ, ID },
	{ "gzip;q=1.5", GZ, ID },
	{ "gzip;q=0.5000", GZ, ID },
	{ "gzip;q=-1", GZ, ID },
	{ "gzip;q=", GZ, ID },
	{ "gzip;q=1.001", GZ, ID },
	{ "gzip;q=1.000", GZ, ENC_GZIP },
	{ "identity;q=bogus", GZ, ID },
	{ ",,, gzip ,,", GZ, ENC_GZIP },
	{ "gzip;level=9;q=0.7", GZ, ENC_GZIP },
	{ "gzipx, xgzip, br2", ALLV, ID },
	{ "gzip;q=0, gzip", GZ, ID },
	{ "compress, deflate", ALLV, ID },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ecase *c = &cases[i];
		struct guarded g = guard_copy(c->ae ? c->ae : "", c->ae ? strlen(c->ae) : 0);
		struct http_slice v = { c->ae ? g.p : NULL, g.len };
		int r = http_encoding_choose(v, c->avail);

		if (r != c->want)
			fail_msg("\"%s\" avail %#x: got %d, want %d",
				 c->ae ? c->ae : "(absent)", c->avail, r, c->want);
		guard_free(&g);
	}
}

/* Accept-Encoding over several field lines is one list. */
static void test_lines(void **state)
{
	static const struct {
		const char *fields;
		unsigned avail;
		int want;
	} k[] = {
		{ "Accept-Encoding: gzip;q=0.1\r\nAccept-Encoding: br;q=0.9\r\n", ALLV, ENC_BR },
		{ "Accept-Encoding: gzip\r\nX-Y: br\r\nAccept-Encoding: zstd;q=0.5\r\n", ALLV, ENC_GZIP },
		{ "Accept-Encoding: identity;q=0\r\nAccept-Encoding: gzip\r\n", BR, NA },
		{ "Accept-Encoding: br;q=0\r\nAccept-Encoding: br\r\n", BR, ID },
		{ "Accept-Encoding:\r\nAccept-Encoding: gzip\r\n", GZ, ENC_GZIP },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		char buf[512];
		struct http_request req;
		int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n",
				 k[i].fields);
		int r;

		assert_int_equal(http_parse_request(buf, (size_t)n, &req), n);
		r = http_encoding_choose(req.accept_encoding, k[i].avail);
		if (r != k[i].want)
			fail_msg("case %zu: got %d, want %d", i, r, k[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* serve/http_parse.c: unit tests for serve/http_parse.c, inputs ending at a
 * guard page, including the hostile requests of the attack list. */
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

#define ALL 1 /* expected: the whole input is the head */

struct pcase {
	const char *name;
	const char *in;
	int want; /* ALL, -2 or -STATUS */
};

static const struct pcase cases[] = {
	/* Accepted. */
	{ "simple", "GET /static/a.css HTTP/1.1\r\nHost: x\r\n\r\n", ALL },
	{ "bare LF", "GET / HTTP/1.1\nHost: x\n\n", ALL },
	{ "head", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", ALL },
	{ "1.0 no host", "GET / HTTP/1.0\r\n\r\n", ALL },
	{ "leading CRLF", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", ALL },
	{ "absolute", "GET http://h.example/a HTTP/1.1\r\nHost: y\r\n\r\n", ALL },
	{ "absolute no path", "GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n", ALL },
	{ "CL 0 on GET", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", ALL },
	{ "POST with body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", ALL },
	{ "POST chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", ALL },
	{ "obs-text value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xc3\xa9\x80\r\n\r\n", ALL },
	{ "empty value", "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", ALL },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", ALL },
	{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", ALL },
	{ "host v6", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", ALL },
	{ "odd method", "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", ALL },
	/* Malformed request line. */
	{ "double SP 1", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "double SP 2", "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "trailing SP", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", -400 },
	{ "tab sep", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "HTTP/0.9", "GET /\r\n\r\n", -400 },
	{ "lower version", "GET / http/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "long version", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", -400 },
	{ "no minor", "GET / HTTP/2\r\nHost: x\r\n\r\n", -400 },
	{ "empty method", " / HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "bad method char", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "TLS hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", -400 },
	{ "NUL in line", "GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "CR in target", "GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "bare CR eol", "GET / HTTP/1.1\rHost: x\r\r", -400 },
	{ "hash in target", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "8bit target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "DEL in target", "GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "relative target", "GET a/b HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "ftp target", "GET ftp://h/a HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "userinfo", "GET http://u@h/a HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "empty authority", "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "GET *", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
	{ "CONNECT form", "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
	/* Host. */
	{ "no host", "GET / HTTP/1.1\r\n\r\n", -400 },
	{ "two hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", -400 },
	{ "empty host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", -400 },
	{ "host space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", -400 },
	{ "host slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", -400 },
	{ "host at", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", -400 },
	/* Field syntax. */
	{ "obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", -400 },
	{ "obs-fold tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", -400 },
	{ "ws first line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", -400 },
	{ "SP before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400 },
	{ "tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", -400 },
	{ "no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", -400 },
	{ "empty name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", -400 },
	{ "bad name char", "GET / HTTP/1.1\r\nHost: x\r\nX@Y: v\r\n\r\n", -400 },
	{ "quote in name", "GET / HTTP/1.1\r\nHost: x\r\nX\"Y: v\r\n\r\n", -400 },
	{ "NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", -400 },
	{ "bare CR value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", -400 },
	{ "ctl in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01\r\n\r\n", -400 },
	{ "DEL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7f\r\n\r\n", -400 },
	{ "ESC in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \x1b[2J\r\n\r\n", -400 },
	/* Framing and smuggling. */
	{ "CL+TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
	{ "TE+CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", -400 },
	{ "dup CL same", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", -400 },
	{ "dup CL differ", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -400 },
	{ "CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", -400 },
	{ "CL plus", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", -400 },
	{ "CL negative", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", -400 },
	{ "CL empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", -400 },
	{ "CL hex", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", -400 },
	{ "CL overflow", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", -400 },
	{ "GET body", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", -400 },
	{ "HEAD body", "HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n", -400 },
	{ "GET chunked", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
	{ "TE on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
	{ "TE empty", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", -400 },
	{ "TE commas", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , ,\r\n\r\n", -400 },
	{ "TE twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", -400 },
	{ "TE not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", -501 },
	{ "TE gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -501 },
	{ "TE gzip on GET", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", -501 },
	{ "TE space colon", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n", -400 },
	{ "TE unknown", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo\r\n\r\n", -501 },
	{ "TE xchunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", -501 },
	{ "TE identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", -501 },
	{ "TE two lines", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: bogus\r\n\r\n", -501 },
	/* Repeated fields serve relies on. */
	{ "dup INM is a list", "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n", ALL },
	{ "dup AE is a list", "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nX: y\r\naccept-encoding: gzip\r\n\r\n", ALL },
	{ "dup If-Range", "GET / HTTP/1.1\r\nHost: x\r\nIf-Range: \"a\"\r\nIf-Range: \"a\"\r\n\r\n", -400 },
	{ "dup IUS", "GET / HTTP/1.1\r\nHost: x\r\nIf-Unmodified-Since: a\r\nIf-Unmodified-Since: a\r\n\r\n", -400 },
	{ "dup Range", "GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n", -400 },
	{ "dup IMS", "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: a\r\nif-modified-since: b\r\n\r\n", -400 },
	/* Versions. */
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", -505 },
	{ "HTTP/3.0", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", -505 },
	{ "HTTP/0.9 line", "GET / HTTP/0.9\r\n\r\n", -505 },
	{ "PRI preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -505 },
	/* Incomplete. */
	{ "empty", "", -2 },
	{ "half", "GET / HTTP/1.1\r\nHost: x\r\n", -2 },
	{ "CR at end", "GET / HTTP/1.1\r\nHost: x\r\n\r", -2 },
	{ "only CRLFs", "\r\n\r\n\r\n", -2 },
};

static void check_case(const struct pcase *c, size_t len)
{
	struct http_request req;
	struct guarded g = guard_copy(c->in, len);
	int r = http_parse_request(g.p, g.len, &req);
	int want = c->want == ALL ? (int)len : c->want;

	if (r != want)
		fail_msg("%s: got %d, want %d", c->name, r, want);
	/* Every prefix is incomplete or already refused the same way. */
	for (size_t i = 0; i < len; i++) {
		struct guarded h = guard_copy(c->in, i);

		r = http_parse_request(h.p, h.len, &req);
		if (r != -2 && !(c->want < -2 && r == c->want))
			fail_msg("%s: prefix %zu: got %d", c->name, i, r);
		guard_free(&h);
	}
	guard_free(&g);
}

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;
		size_t len = strlen(in);

		/* Cases with an embedded NUL: the name says so, length by hand. */
		if (strstr(cases[i].name, "NUL"))
			len += 1 + strlen(in + len + 1);
		check_case(&cases[i], len);
	}
}

static int parse_str(const char *s, struct http_request *req)
{
	struct guarded g = guard_copy(s, strlen(s));
	int r = http_parse_request(g.p, g.len, req);

	/* Slices point into the mapping: compare them before unmapping by
	 * re-parsing the caller's own copy. */
	guard_free(&g);
	if (r >= 0)
		assert_int_equal(http_parse_request(s, strlen(s), req), r);
	return r;
}

#define assert_slice(sl, str)                                          \
	do {                                                           \
		assert_non_null((sl).p);                               \
		assert_int_equal((sl).len, strlen(str));               \
		assert_memory_equal((sl).p, str, strlen(str));         \
	} while (0)

static void test_fields(void **state)
{
	struct http_request req;
	const char *s = "GET /static/a.css?v=1 HTTP/1.1\r\n"
			"host:  Example.COM:8080  \r\n"
			"If-None-Match: \"abc\", W/\"def\"\r\n"
			"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
			"IF-MATCH: *\r\n"
			"If-Unmodified-Since: x\r\n"
			"If-Range: \"abc\"\r\n"
			"Range: bytes=0-1\r\n"
			"Accept-Encoding: br, gzip;q=0.5\r\n"
			"User-Agent: curl/7.88\r\n"
			"Referer: http://r/\r\n"
			"X-Other: y\r\n\r\n";

	assert_int_equal(parse_str(s, &req), (int)strlen(s));
	assert_int_equal(req.method, HTTP_METHOD_GET);
	assert_int_equal(req.minor, 1);
	assert_int_equal(req.keep_alive, 1);
	assert_int_equal(req.nfields, 11);
	assert_slice(req.request_line, "GET /static/a.css?v=1 HTTP/1.1");
	assert_slice(req.method_name, "GET");
	assert_slice(req.target, "/static/a.css?v=1");
	assert_slice(req.host, "Example.COM:8080");
	assert_slice(http_host_name(req.host), "Example.COM");
	assert_slice(req.if_none_match, "\"abc\", W/\"def\"");
	assert_slice(req.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_slice(req.if_match, "*");
	assert_slice(req.if_unmodified_since, "x");
	assert_slice(req.if_range, "\"abc\"");
	assert_slice(req.range, "bytes=0-1");
	assert_slice(req.accept_encoding, "br, gzip;q=0.5");
	assert_slice(req.user_agent, "curl/7.88");
	assert_slice(req.referer, "http://r/");
}

static void test_absent_and_absolute(void **state)
{
	struct http_request req;

	assert_true(parse_str("HEAD http://h.example:81/x/y?q HTTP/1.1\r\nHost: other\r\n\r\n", &req) > 0);
	assert_int_equal(req.method, HTTP_METHOD_HEAD);
	assert_slice(req.target, "/x/y?q");
	assert_slice(req.host, "h.example:81");
	assert_null(req.if_none_match.p);
	assert_null(req.range.p);
	assert_null(req.accept_encoding.p);
	assert_true(parse_str("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", &req) > 0);
	assert_slice(req.target, "/");
	assert_true(parse_str("GET / HTTP/1.0\r\n\r\n", &req) > 0);
	assert_null(req.host.p);
	assert_slice(http_host_name((struct http_slice){ "[::1]:80", 8 }), "[::1]");
	assert_slice(http_host_name((struct http_slice){ "a", 1 }), "a");
	assert_slice(http_host_name((struct http_slice){ "a.example.:80", 13 }), "a.example");
	assert_slice(http_host_name((struct http_slice){ "a.example.", 10 }), "a.example");
	assert_slice(http_host_name((struct http_slice){ ".", 1 }), ".");
	assert_null(http_host_name((struct http_slice){ NULL, 0 }).p);
}

static void test_keep_alive(void **state)
{
	static const struct {
		const char *in;
		int ka, body; /* keep_alive, has_body */
	} k[] = {
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", 0, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", 0, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n", 1, 0 },
		{ "GET / HTTP/1.0\r\n\r\n", 0, 0 },
		{ "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1, 0 },
		{ "GET / HTTP/1.0\r\nConnection: te, keep-alive\r\n\r\n", 1, 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0, 0 },
		{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 0, 1 },
		{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 1, 0 },
		{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 1 },
	};
	struct http_request req;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int r = parse_str(k[i].in, &req);

		if (r <= 0 || req.keep_alive != k[i].ka || req.has_body != k[i].body)
			fail_msg("case %zu: r %d keep_alive %d has_body %d", i, r,
				 req.keep_alive, req.has_body);
	}
}

static void test_pipeline(void **state)
{
	const char *s = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
			"HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
			"GET /c HTTP/1.1\r\nHo";
	struct http_request req;
	size_t off = 0;
	int r;

	r = http_parse_request(s + off, strlen(s + off), &req);
	assert_int_equal(r, 28);
	assert_slice(req.target, "/a");
	off += (size_t)r;
	r = http_parse_request(s + off, strlen(s + off), &req);
	assert_int_equal(r, 29);
	assert_int_equal(req.method, HTTP_METHOD_HEAD);
	off += (size_t)r;
	assert_int_equal(http_parse_request(s + off, strlen(s + off), &req), -2);
}

/* Builds "GET <target> HTTP/1.1\r\nHost: x\r\n<extra>\r\n" into buf. */
static size_t build(char *buf, size_t tlen, size_t nfields, size_t pad)
{
	size_t n = 0;

	n += (size_t)sprintf(buf, "GET /");
	memset(buf + n, 'a', tlen - 1);
	n += tlen - 1;
	n += (size_t)sprintf(buf + n, " HTTP/1.1\r\nHost: x\r\n");
	for (size_t i = 0; i < nfields; i++)
		n += (size_t)sprintf(buf + n, "X-%zu: v\r\n", i);
	if (pad) {
		n += (size_t)sprintf(buf + n, "X-Pad: ");
		memset(buf + n, 'p', pad);
		n += pad;
		n += (size_t)sprintf(buf + n, "\r\n");
	}
	n += (size_t)sprintf(buf + n, "\r\n");
	return n;
}

static int parse_guarded(const char *buf, size_t n)
{
	struct http_request req;
	struct guarded g = guard_copy(buf, n);
	int r = http_parse_request(g.p, g.len, &req);

	guard_free(&g);
	return r;
}

static void test_limits(void **state)
{
	static char buf[65536];
	size_t n;

	n = build(buf, HTTP_TARGET_MAX, 0, 0);
	assert_int_equal(parse_guarded(buf, n), (int)n);
	n = build(buf, HTTP_TARGET_MAX + 1, 0, 0);
	assert_int_equal(parse_guarded(buf, n), -414);
	/* Detected before the target ends. */
	assert_int_equal(parse_guarded(buf, 5 + HTTP_TARGET_MAX + 1), -414);
	n = build(buf, 1, HTTP_FIELDS_MAX - 1, 0);
	assert_int_equal(parse_guarded(buf, n), (int)n);
	n = build(buf, 1, HTTP_FIELDS_MAX, 0);
	assert_int_equal(parse_guarded(buf, n), -431);
	n = build(buf, 1, 0, HTTP_HEAD_MAX - 40);
	assert_true(n <= HTTP_HEAD_MAX);
	assert_int_equal(parse_guarded(buf, n), (int)n);
	n = build(buf, 1, 0, HTTP_HEAD_MAX);
	assert_int_equal(parse_guarded(buf, n), -431);
	/* An endless field line is refused once the buffer is full. */
	assert_int_equal(parse_guarded(buf, HTTP_HEAD_MAX - 1), -2);
	assert_int_equal(parse_guarded(buf, HTTP_HEAD_MAX), -431);
	memset(buf, '\n', HTTP_HEAD_MAX);
	assert_int_equal(parse_guarded(buf, HTTP_HEAD_MAX), -431);
}

/* A bad byte at every offset of a long value (the 8-byte fast path). */
static void test_value_bytes(void **state)
{
	static const unsigned char bad[] = { 0x00, 0x01, 0x08, 0x0b, 0x1f, 0x7f };
	static const unsigned char good[] = { '\t', ' ', '~', 0x80, 0xa0, 0xff };
	char buf[128], val[40];

	for (size_t pos = 0; pos < 30; pos++) {
		for (size_t k = 0; k < sizeof(bad) + sizeof(good); k++) {
			int is_bad = k < sizeof(bad);
			unsigned char b = is_bad ? bad[k] : good[k - sizeof(bad)];
			int n, r;

			memset(val, 'v', 31);
			val[pos] = (char)b;
			n = sprintf(buf, "GET / HTTP/1.1\r\nHost: x\r\nX-V: v");
			memcpy(buf + n, val, 31);
			n += 31;
			n += sprintf(buf + n, "v\r\n\r\n");
			r = parse_guarded(buf, (size_t)n);
			if (r != (is_bad ? -400 : n))
				fail_msg("byte %#x at %zu: got %d", b, pos, r);
		}
	}
}

/* Collects the lines http_field_next() yields, joined with "|". */
static void lines_of(struct http_slice f, const char *name, char *out)
{
	struct http_slice line;
	size_t pos = 0;

	out[0] = '\0';
	while (http_field_next(f, name, &pos, &line)) {
		if (out[0])
			strcat(out, "|");
		strncat(out, line.p, line.len);
	}
}

static void test_list_lines(void **state)
{
	struct http_request req;
	char out[256];
	const char *s = "GET / HTTP/1.1\r\n"
			"If-None-Match: \"a\", \"b\"  \r\n"
			"Host: x\r\n"
			"If-None-Match-X: \"no\"\r\n"
			"IF-NONE-MATCH:\t\"c\"\r\n"
			"X-If-None-Match: \"no\"\r\n"
			"If-None-Match:\r\n"
			"if-none-match: W/\"d\"\r\n"
			"Accept-Encoding: gzip\r\n"
			"Accept-Encoding:   \r\n\r\n";

	assert_int_equal(parse_str(s, &req), (int)strlen(s));
	lines_of(req.if_none_match, "if-none-match", out);
	assert_string_equal(out, "\"a\", \"b\"|\"c\"||W/\"d\"");
	lines_of(req.accept_encoding, "accept-encoding", out);
	assert_string_equal(out, "gzip|");
	lines_of(req.if_match, "if-match", out);
	assert_string_equal(out, "");
	lines_of((struct http_slice){ "x, y", 4 }, "if-match", out);
	assert_string_equal(out, "x, y");
	lines_of((struct http_slice){ "", 0 }, "if-match", out);
	assert_string_equal(out, "");
}

/* What a refused request leaves for the access log. */
static void test_error_log_fields(void **state)
{
	struct http_request req;
	const char *s1 = "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
	const char *s2 = "GET /y HTTP/2.0\r\n\r\n";
	const char *s3 = "G\x01";

	assert_int_equal(http_parse_request(s1, strlen(s1), &req), -400);
	assert_slice(req.request_line, "GET /x HTTP/1.1");
	assert_int_equal(http_parse_request(s2, strlen(s2), &req), -505);
	assert_slice(req.method_name, "GET");
	assert_slice(req.target, "/y");
	assert_int_equal(http_parse_request(s3, strlen(s3), &req), -400);
	assert_null(req.request_line.p);
	assert_null(req.method_name.p);
	assert_null(req.target.p);
}

static void test_reason(void **state)
{
	assert_string_equal(http_reason(200), "OK");
	assert_string_equal(http_reason(404), "Not Found");
	assert_string_equal(http_reason(416), "Range Not Satisfiable");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(999), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_absent_and_absolute),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_value_bytes),
		cmocka_unit_test(test_list_lines),
		cmocka_unit_test(test_error_log_fields),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

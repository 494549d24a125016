/* serve/response.c: unit tests for serve/response.c: the head and body segments of each kind of answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "../../../serve/conn.h"
#include "../../../serve/options.h"

static char dir[64];
static struct options opt;
static struct server srv;
static struct worker w;
static struct conn c;
static char head[CONN_HBUF + 1];

static void put_file(const char *rel, const char *data)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int setup(void **state)
{
	struct index_config cfg;

	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-resp.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file("a.txt", "0123456789abcdefghij");
	put_file("a.txt.gz", "GZ");
	memset(&opt, 0, sizeof(opt));
	opt.alias = "/static/";
	opt.max_connections = 4;
	opt.keepalive_timeout = 30000; /* 0 would turn keep-alive off */
	cfg = (struct index_config){ dir, "no-cache", NULL, 0, NULL };
	memset(&srv, 0, sizeof(srv));
	srv.opt = &opt;
	memset(&w, 0, sizeof(w));
	w.srv = &srv;
	w.gen = index_build(&cfg);
	assert_non_null(w.gen);
	strcpy(w.date_line, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
	w.date_len = strlen(w.date_line);
	response_init();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	index_unref(w.gen);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Builds the answer to raw; returns the status, head NUL-terminated. */
static int answer(const char *raw)
{
	struct http_request req;
	int r = http_parse_request(raw, strlen(raw), &req), st;

	memset(&c, 0, sizeof(c));
	st = r > 0 ? response_build(&w, &c, &req) : response_error(&w, &c, NULL, -r);
	assert_true(c.nseg >= 1 && c.seg[0].len < sizeof(head));
	memcpy(head, c.seg[0].p, c.seg[0].len);
	head[c.seg[0].len] = '\0';
	return st;
}

static uint64_t body_len(void)
{
	uint64_t n = 0;

	for (unsigned i = 1; i < c.nseg; i++)
		n += c.seg[i].len;
	return n;
}

static void test_200(void **state)
{
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_true(!strncmp(head, "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970", 38));
	assert_non_null(strstr(head, "\r\nContent-Length: 20\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(head, "\r\nVary: Accept-Encoding\r\n"));
	assert_null(strstr(head, "Connection:"));
	assert_true(!strcmp(head + strlen(head) - 4, "\r\n\r\n"));
	assert_int_equal(c.nseg, 2);
	assert_memory_equal(c.seg[1].p, "0123456789abcdefghij", 20);
	assert_int_equal(c.keep_alive, 1);
}

static void test_head_and_10(void **state)
{
	assert_int_equal(answer("HEAD /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Content-Length: 20\r\n"));
	assert_int_equal(c.nseg, 1);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.0\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Connection: close\r\n"));
	assert_int_equal(c.keep_alive, 0);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Connection: keep-alive\r\n"));
}

static void test_encoding(void **state)
{
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n"
				"Accept-Encoding: gzip, br\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Content-Encoding: gzip\r\n"));
	assert_non_null(strstr(head, "Content-Length: 2\r\n"));
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n"
				"Accept-Encoding: gzip;q=0.5, identity;q=0\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Content-Encoding: gzip\r\n"));
	/* Nothing acceptable left. */
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n"
				"Accept-Encoding: identity;q=0\r\n\r\n"), 406);
}

static void test_304(void **state)
{
	const struct entry *e = index_lookup(w.gen, "a.txt", 5);
	char raw[256];

	snprintf(raw, sizeof(raw), "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n"
		 "If-None-Match: W/\"zzz\", %s\r\n\r\n", e->var[0].etag);
	assert_int_equal(answer(raw), 304);
	assert_non_null(strstr(head, e->var[0].etag));
	assert_non_null(strstr(head, "Cache-Control: no-cache\r\n"));
	assert_non_null(strstr(head, "Vary: Accept-Encoding\r\n"));
	assert_non_null(strstr(head, "Last-Modified: "));
	assert_null(strstr(head, "Content-Length"));
	assert_int_equal(c.nseg, 1);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"nope\"\r\n\r\n"), 412);
}

static void test_errors(void **state)
{
	assert_int_equal(answer("GET /static/missing/<script> HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	assert_non_null(strstr(head, "Cache-Control: no-store\r\n"));
	assert_null(strstr(head, "script"));
	assert_memory_equal(c.seg[1].p, "404 Not Found\n", 14);
	assert_int_equal(c.keep_alive, 1);
	assert_int_equal(answer("DELETE /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	assert_non_null(strstr(head, "Allow: GET, HEAD\r\n"));
	assert_int_equal(answer("GET /static/%00 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\n\r\n"), 400); /* no Host */
	assert_non_null(strstr(head, "Connection: close\r\n"));
	assert_int_equal(c.keep_alive, 0);
}

static void test_allowed_host(void **state)
{
	const char *hosts[] = { "good.example" };

	srv.allowed_host = hosts;
	srv.nallowed_host = 1;
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: GOOD.example:8080\r\n\r\n"), 200);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: evil.example\r\n\r\n"), 400);
	srv.nallowed_host = 0;
}

static void test_ranges(void **state)
{
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=2-4\r\n\r\n"), 206);
	assert_non_null(strstr(head, "Content-Range: bytes 2-4/20\r\n"));
	assert_non_null(strstr(head, "Content-Length: 3\r\n"));
	assert_memory_equal(c.seg[1].p, "234", 3);
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=50-\r\n\r\n"), 416);
	assert_non_null(strstr(head, "Content-Range: bytes */20\r\n"));
	assert_int_equal(answer("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,-2\r\n\r\n"), 206);
	assert_non_null(strstr(head, "Content-Type: multipart/byteranges; boundary=staticroot-"));
	/* head, then (part header, bytes) x 2, then the closing boundary */
	assert_int_equal(c.nseg, 6);
	assert_non_null(strstr(c.seg[1].p, "Content-Range: bytes 0-1/20\r\n\r\n"));
	assert_memory_equal(c.seg[2].p, "01", 2);
	assert_memory_equal(c.seg[4].p, "ij", 2);
	{
		char want[64];

		snprintf(want, sizeof(want), "Content-Length: %llu\r\n",
			 (unsigned long long)body_len());
		assert_non_null(strstr(head, want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_200),
		cmocka_unit_test(test_head_and_10),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_304),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_allowed_host),
		cmocka_unit_test(test_ranges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

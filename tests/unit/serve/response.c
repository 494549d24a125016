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

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "strbuf.h"
#include "tree_index.h"
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

/* One worker answering from a generation built with cfg. */
static void start_worker(const struct index_config *cfg)
{
	memset(&opt, 0, sizeof(opt));
	opt.alias = "/static/";
	opt.max_connections = 4;
	opt.keepalive_timeout = 30000; /* 0 would turn keep-alive off */
	memset(&srv, 0, sizeof(srv));
	srv.opt = &opt;
	memset(&w, 0, sizeof(w));
	w.srv = &srv;
	w.gen = index_build(cfg);
	assert_non_null(w.gen);
	strcpy(w.date_line, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
	w.date_len = strlen(w.date_line);
	response_init();
}

static int setup(void **state)
{
	struct index_config cfg;

	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-resp.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file("a.txt", "0123456789abcdefghij");
	put_file("a.txt.gz", "GZ");
	cfg = (struct index_config){ dir, "no-cache", NULL, 0, NULL, NULL };
	start_worker(&cfg);
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

/* A collected tree with a dcz delta: index, manifest and files by hand. */
#define DICT_B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
static const unsigned char dict_sha[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static struct file_fact *fact(struct tree_index *ti, const char *path, const char *data,
			      const char *type, unsigned flags)
{
	struct file_fact *f = tree_index_add(ti, path);

	put_file(path, data);
	f->type = strdup(type);
	f->size = strlen(data);
	f->hash = hash_bytes(data, f->size);
	f->flags = flags;
	return f;
}

static int setup_dcz(void **state)
{
	struct index_config cfg;
	struct tree_index ti;
	struct manifest m;
	struct strbuf sb = STRBUF_INIT;
	struct file_fact *f;
	char *name;

	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-dcz.XXXXXX");
	assert_non_null(mkdtemp(dir));
	tree_index_init(&ti);
	manifest_init(&m);
	manifest_add(&m, "app.js", "app.0123456789ab.js");
	manifest_add(&m, "lib.css", "lib.0123456789ab.css");
	manifest_add(&m, "lib.print.css", "lib.print.0123456789ab.css");
	manifest_serialize(&m, &sb);
	put_file(MANIFEST_NAME, sb.buf);
	ti.manifest_hash = hash_bytes(sb.buf, sb.len);
	f = fact(&ti, "app.0123456789ab.js", "NEW VERSION", "text/javascript", FACT_IMMUTABLE);
	put_file("app.0123456789ab.js.br", "BR");
	f->enc[ENC_BR] = (struct file_variant){ 1, 2, hash_bytes("BR", 2) };
	name = tree_delta_name(f->path, dict_sha);
	put_file(name, "DELTA");
	free(name);
	memcpy(f->dcz[0].dict_sha, dict_sha, 32);
	f->dcz[0].size = 5;
	f->dcz[0].hash = hash_bytes("DELTA", 5);
	f->ndcz = 1;
	fact(&ti, "app.aaaaaaaaaaaa.js", "OLD VERSION", "text/javascript", FACT_IMMUTABLE);
	fact(&ti, "app.js", "NEW VERSION", "text/javascript", 0);
	/* lib.*.css would match lib.print.<hash>.css: no dictionary for lib.css */
	fact(&ti, "lib.0123456789ab.css", "a{}", "text/css", FACT_IMMUTABLE);
	fact(&ti, "lib.print.0123456789ab.css", "b{}", "text/css", FACT_IMMUTABLE);
	fact(&ti, "img.0123456789ab.png", "PNG", "image/png", FACT_IMMUTABLE);
	tree_index_sort(&ti);
	assert_int_equal(tree_index_write(&ti, dir), 0);
	tree_index_release(&ti);
	manifest_release(&m);
	strbuf_release(&sb);
	cfg = (struct index_config){ dir, "no-cache", NULL, 0, NULL, "/static/" };
	start_worker(&cfg);
	assert_int_equal(w.gen->stats.from_index, 1);
	assert_int_equal(w.gen->stats.deltas, 1);
	return 0;
}

#define APP "GET /static/app.0123456789ab.js HTTP/1.1\r\nHost: x\r\n"
#define VARY_AD "\r\nVary: Accept-Encoding, Available-Dictionary\r\n"
#define UAD "\r\nUse-As-Dictionary: match=\"/static/app.*.js\", match-dest=(\"script\")\r\n"

static void test_dcz_chosen(void **state)
{
	char etag[HTTP_ETAG_SIZE], want[64];

	http_etag_format(etag, hash_bytes("DELTA", 5));
	snprintf(want, sizeof(want), "\r\nETag: %s\r\n", etag);
	assert_int_equal(answer(APP "Accept-Encoding: gzip, br, zstd, dcb, dcz\r\n"
				"Available-Dictionary: :" DICT_B64 ":\r\n\r\n"), 200);
	assert_non_null(strstr(head, "\r\nContent-Encoding: dcz\r\n"));
	assert_non_null(strstr(head, "\r\nContent-Length: 5\r\n"));
	assert_non_null(strstr(head, want));
	assert_non_null(strstr(head, VARY_AD));
	assert_non_null(strstr(head, UAD));
	assert_non_null(strstr(head, "\r\nCache-Control: public, max-age=31536000, immutable\r\n"));
	assert_memory_equal(c.seg[1].p, "DELTA", 5);
	/* The padding left out: the same dictionary. */
	assert_int_equal(answer(APP "Accept-Encoding: dcz\r\n"
				"Available-Dictionary: :ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0:\r\n\r\n"), 200);
	assert_non_null(strstr(head, "Content-Encoding: dcz\r\n"));
}

static void test_dcz_not_chosen(void **state)
{
	static const char *const reqs[] = {
		/* dcz not offered, or refused */
		APP "Accept-Encoding: gzip, br\r\nAvailable-Dictionary: :" DICT_B64 ":\r\n\r\n",
		APP "Accept-Encoding: br, dcz;q=0\r\nAvailable-Dictionary: :" DICT_B64 ":\r\n\r\n",
		/* no dictionary, an unknown one, malformed ones, two lines */
		APP "Accept-Encoding: br, dcz\r\n\r\n",
		APP "Accept-Encoding: br, dcz\r\nAvailable-Dictionary: "
		    ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:\r\n\r\n",
		APP "Accept-Encoding: br, dcz\r\nAvailable-Dictionary: " DICT_B64 "\r\n\r\n",
		APP "Accept-Encoding: br, dcz\r\nAvailable-Dictionary: :%%%:\r\n\r\n",
		APP "Accept-Encoding: br, dcz\r\nAvailable-Dictionary: \r\n\r\n",
		APP "Accept-Encoding: br, dcz\r\nAvailable-Dictionary: :" DICT_B64 ":\r\n"
		    "Available-Dictionary: :" DICT_B64 ":\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		assert_int_equal(answer(reqs[i]), 200);
		assert_non_null(strstr(head, "\r\nContent-Encoding: br\r\n"));
		assert_non_null(strstr(head, VARY_AD));
		assert_non_null(strstr(head, UAD));
	}
	/* Identity too carries the Vary: a cache must not give it to a dcz client. */
	assert_int_equal(answer(APP "Available-Dictionary: :" DICT_B64 ":\r\n\r\n"), 200);
	assert_null(strstr(head, "Content-Encoding"));
	assert_non_null(strstr(head, VARY_AD));
	assert_non_null(strstr(head, "\r\nContent-Length: 11\r\n"));
}

static void test_dcz_conditional_and_range(void **state)
{
	char etag[HTTP_ETAG_SIZE], raw[512];
	const struct entry *e = index_lookup(w.gen, "app.0123456789ab.js", 19);

	http_etag_format(etag, hash_bytes("DELTA", 5));
	snprintf(raw, sizeof(raw), APP "Accept-Encoding: dcz\r\nAvailable-Dictionary: :"
		 DICT_B64 ":\r\nIf-None-Match: %s\r\n\r\n", etag);
	assert_int_equal(answer(raw), 304);
	assert_non_null(strstr(head, VARY_AD));
	assert_non_null(strstr(head, etag));
	/* The identity ETag does not validate the delta. */
	snprintf(raw, sizeof(raw), APP "Accept-Encoding: dcz\r\nAvailable-Dictionary: :"
		 DICT_B64 ":\r\nIf-None-Match: %s\r\n\r\n", e->var[0].etag);
	assert_int_equal(answer(raw), 200);
	assert_non_null(strstr(head, "Content-Encoding: dcz\r\n"));
	/* Ranges are of the encoded representation (RFC 9110 §14). */
	assert_int_equal(answer(APP "Accept-Encoding: dcz\r\nAvailable-Dictionary: :" DICT_B64
				":\r\nRange: bytes=1-2\r\n\r\n"), 206);
	assert_non_null(strstr(head, "\r\nContent-Range: bytes 1-2/5\r\n"));
	assert_non_null(strstr(head, "Content-Encoding: dcz\r\n"));
	assert_memory_equal(c.seg[1].p, "EL", 2);
	snprintf(raw, sizeof(raw), APP "Accept-Encoding: dcz\r\nAvailable-Dictionary: :"
		 DICT_B64 ":\r\nRange: bytes=0-0\r\nIf-Range: %s\r\n\r\n", e->var[0].etag);
	assert_int_equal(answer(raw), 200);
	assert_non_null(strstr(head, "\r\nContent-Length: 5\r\n"));
}

static void test_dcz_headers_elsewhere(void **state)
{
	char name[128], raw[256];
	char *delta = tree_delta_name("app.0123456789ab.js", dict_sha);

	/* The delta file is no URL of its own. */
	snprintf(name, sizeof(name), "%s", delta);
	free(delta);
	snprintf(raw, sizeof(raw), "GET /static/%s HTTP/1.1\r\nHost: x\r\n\r\n", name);
	assert_int_equal(answer(raw), 404);
	assert_null(strstr(head, "Dictionary"));
	assert_null(strstr(head, "Vary"));
	/* Errors carry no dictionary headers. */
	assert_int_equal(answer(APP "Accept-Encoding: identity;q=0, gzip\r\n"
				"Available-Dictionary: :" DICT_B64 ":\r\n\r\n"), 406);
	assert_null(strstr(head, "Dictionary"));
	/* An older hashed version is a dictionary too, with the same pattern. */
	assert_int_equal(answer("GET /static/app.aaaaaaaaaaaa.js HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_non_null(strstr(head, UAD));
	assert_null(strstr(head, "Available-Dictionary"));
	/* Not hashed, not a dictionary type, a pattern reaching another file. */
	assert_int_equal(answer("GET /static/app.js HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_null(strstr(head, "Use-As-Dictionary"));
	assert_int_equal(answer("GET /static/img.0123456789ab.png HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_null(strstr(head, "Use-As-Dictionary"));
	assert_int_equal(answer("GET /static/lib.0123456789ab.css HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_null(strstr(head, "Use-As-Dictionary"));
	assert_int_equal(answer("GET /static/lib.print.0123456789ab.css HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	assert_non_null(strstr(head, "\r\nUse-As-Dictionary: match=\"/static/lib.print.*.css\", "
			       "match-dest=(\"style\")\r\n"));
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

	const struct CMUnitTest dcz[] = {
		cmocka_unit_test(test_dcz_chosen),
		cmocka_unit_test(test_dcz_not_chosen),
		cmocka_unit_test(test_dcz_conditional_and_range),
		cmocka_unit_test(test_dcz_headers_elsewhere),
	};

	return cmocka_run_group_tests(tests, setup, teardown) |
	       cmocka_run_group_tests(dcz, setup_dcz, teardown);
}

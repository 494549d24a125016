/* fuzz-sources: serve/http_*.c */
/* fuzz_http_parse.c: libFuzzer target for the request parser, feeding what it
 * accepts on to the target, conditional, range and encoding code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tree_index.h"
#include "../../serve/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every slice the parser hands out lies inside the head it consumed. */
static void check_slice(struct http_slice s, const char *buf, int used)
{
	if (!s.p)
		return;
	if (s.p < buf || s.p + s.len > buf + used)
		abort();
}

static void check_ranges(const struct http_ranges *rs, int r, uint64_t size)
{
	if (r != HTTP_OK && r != HTTP_PARTIAL_CONTENT &&
	    r != HTTP_RANGE_NOT_SATISFIABLE)
		abort();
	if ((r == HTTP_PARTIAL_CONTENT) != (rs->n > 0) || rs->n > HTTP_RANGES_MAX)
		abort();
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->r[i].first > rs->r[i].last || rs->r[i].last >= size)
			abort();
}

/* What the daemon does with a parsed request, minus the sockets. */
static void downstream(const struct http_request *req)
{
	static const uint64_t sizes[] = { 0, 1, 1000, UINT64_MAX };
	char key[HTTP_TARGET_MAX + 1];
	char etag[HTTP_ETAG_SIZE];
	struct http_slice e;
	struct http_ranges rs;
	size_t keylen;
	time_t t;
	int r;

	r = http_target_key(req->target, "/static/", key, sizeof(key), &keylen);
	if (r != 0 && r != HTTP_BAD_REQUEST && r != HTTP_NOT_FOUND)
		abort();
	if (r == 0 && (strlen(key) != keylen || key[0] == '/' || keylen == 0))
		abort();
	e.len = http_etag_format(etag, 0x0123456789abcdefULL);
	e.p = etag;
	r = http_cond_eval(req, e, 784111777);
	if (r != 0 && r != HTTP_NOT_MODIFIED && r != HTTP_PRECONDITION_FAILED)
		abort();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		r = http_range_eval(req, e, 784111777, sizes[i], &rs);
		check_ranges(&rs, r, sizes[i]);
	}
	r = http_encoding_choose(req->accept_encoding, 7);
	if (r < -HTTP_NOT_ACCEPTABLE || r >= ENC_COUNT ||
	    (r < HTTP_ENC_IDENTITY && r != -HTTP_NOT_ACCEPTABLE))
		abort();
	if (req->if_modified_since.p)
		http_date_parse(req->if_modified_since.p,
				req->if_modified_since.len, &t);
	http_host_name(req->host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req;
	int r = http_parse_request(buf, size, &req);

	if (r == -2) {
		if (size >= HTTP_HEAD_MAX)
			abort();
		return 0;
	}
	if (r < 0) {
		if (r != -400 && r != -414 && r != -431 && r != -501 && r != -505)
			abort();
		return 0;
	}
	if ((size_t)r > size || r > HTTP_HEAD_MAX)
		abort();
	check_slice(req.request_line, buf, r);
	check_slice(req.method_name, buf, r);
	check_slice(req.host, buf, r);
	check_slice(req.if_none_match, buf, r);
	check_slice(req.range, buf, r);
	check_slice(req.accept_encoding, buf, r);
	if (!(req.target.len == 1 && req.target.p[0] == '/'))
		check_slice(req.target, buf, r);
	downstream(&req);
	/* The head stands on its own: the bytes after it change nothing, and
	 * one byte less is incomplete. */
	if (http_parse_request(buf, (size_t)r, &req) != r ||
	    http_parse_request(buf, (size_t)r - 1, &req) != -2)
		abort();
	return 0;
}

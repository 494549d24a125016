/* http_cond.c: conditional requests (RFC 9110 §13): ETags and precondition order. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "http.h"

size_t http_etag_format(char out[HTTP_ETAG_SIZE], uint64_t hash)
{
	return (size_t)snprintf(out, HTTP_ETAG_SIZE, "\"%016" PRIx64 "\"", hash);
}

/* etagc of RFC 9110 §8.8.3: %x21 / %x23-7E / obs-text. */
static int is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

/*
 * Walks one line of an If-Match / If-None-Match list: "*" or
 * 1#entity-tag.  Returns 1 when an element matches etag (strong: weak tags
 * never match; weak: opaque-tags compared alone), 2 for "*", 0 otherwise.
 * A malformed element ends the line as "no match", which is the
 * conservative answer for both fields (If-Match fails, If-None-Match lets
 * the request through).
 */
static int etag_line_match(struct http_slice list, struct http_slice etag,
			   int weak)
{
	const char *p = list.p, *end = list.p + list.len;

	if (list.len == 1 && list.p[0] == '*')
		return 2;
	while (p < end) {
		const char *tag;
		size_t len;
		int is_weak = 0;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (end - p >= 2 && p[0] == 'W' && p[1] == '/') {
			is_weak = 1;
			p += 2;
		}
		if (p == end || *p != '"')
			return 0;
		tag = p++;
		while (p < end && is_etagc((unsigned char)*p))
			p++;
		if (p == end || *p != '"')
			return 0;
		len = (size_t)(++p - tag);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p != ',')
			return 0;
		if ((!is_weak || weak) && len == etag.len &&
		    memcmp(tag, etag.p, len) == 0)
			return 1;
	}
	return 0;
}

/* etag_line_match() over every line of a possibly repeated field. */
static int etag_list_match(struct http_slice field, const char *name,
			   struct http_slice etag, int weak)
{
	struct http_slice line;
	size_t pos = 0;
	int r;

	while (http_field_next(field, name, &pos, &line))
		if ((r = etag_line_match(line, etag, weak)) != 0)
			return r;
	return 0;
}

/* 1 when the field is present and holds a valid date, stored in *t. */
static int field_date(struct http_slice f, time_t *t)
{
	return f.p && http_date_parse(f.p, f.len, t) == 0;
}

int http_cond_eval(const struct http_request *req, struct http_slice etag,
		   time_t mtime)
{
	int getlike = req->method == HTTP_METHOD_GET ||
		      req->method == HTTP_METHOD_HEAD;
	time_t t;

	/* Step 1-2: the state-changing preconditions. */
	if (req->if_match.p) {
		if (!etag_list_match(req->if_match, "if-match", etag, 0))
			return HTTP_PRECONDITION_FAILED;
	} else if (field_date(req->if_unmodified_since, &t) && mtime > t) {
		return HTTP_PRECONDITION_FAILED;
	}
	/* Step 3-4: cache validation. */
	if (req->if_none_match.p) {
		if (etag_list_match(req->if_none_match, "if-none-match", etag, 1))
			return getlike ? HTTP_NOT_MODIFIED
				       : HTTP_PRECONDITION_FAILED;
	} else if (getlike && field_date(req->if_modified_since, &t) &&
		   mtime <= t) {
		return HTTP_NOT_MODIFIED;
	}
	return 0;
}

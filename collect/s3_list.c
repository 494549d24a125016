/* s3_list.c: paged ListObjectsV2 into a sorted array (see s3_list.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "s3_client.h"
#include "s3_list.h"
#include "s3_sign.h"
#include "s3_xml.h"
#include "xalloc.h"

#define LIST_PAGE_MAX ((size_t)16 << 20)

/* "2026-12-02T12:39:26.158Z" -> seconds since the epoch (UTC). */
static time_t parse_time(const char *s)
{
	struct tm tm = { 0 };

	if (!strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

/* One child's decoded text; "" when absent. */
static void child(const char *xml, size_t start, size_t len, const char *tag,
		  struct strbuf *out)
{
	size_t pos = start;

	strbuf_reset(out);
	s3_xml_next(xml, start + len, &pos, tag, out);
}

/* Appends the <Contents> of one page; returns whether the listing goes on,
 * with the next page's token in token. */
static int take_page(const struct strbuf *xml, struct s3_listing *out, struct strbuf *token)
{
	struct strbuf v = STRBUF_INIT;
	size_t pos = 0, start, len, zero = 0;
	char truncated[8];

	while (s3_xml_range(xml->buf, xml->len, &pos, "Contents", &start, &len)) {
		struct s3_object *o;
		size_t q;

		XGROW(out->v, out->alloc, out->n + 1);
		o = &out->v[out->n++];
		memset(o, 0, sizeof(*o));
		child(xml->buf, start, len, "Key", &v);
		o->key = xstrdup(v.buf);
		child(xml->buf, start, len, "ETag", &v);
		for (q = 0; q < v.len && v.buf[q] == '"'; q++)
			;
		o->etag = xstrdup(v.buf + q);
		o->etag[strcspn(o->etag, "\"")] = '\0';
		child(xml->buf, start, len, "Size", &v);
		o->size = strtoull(v.buf, NULL, 10);
		child(xml->buf, start, len, "LastModified", &v);
		o->mtime = parse_time(v.buf);
	}
	strbuf_release(&v);
	s3_xml_first(xml->buf, xml->len, "IsTruncated", truncated, sizeof(truncated));
	strbuf_reset(token);
	s3_xml_next(xml->buf, xml->len, &zero, "NextContinuationToken", token);
	return !strcmp(truncated, "true") && token->len;
}

static int obj_cmp(const void *a, const void *b)
{
	return strcmp(((const struct s3_object *)a)->key, ((const struct s3_object *)b)->key);
}

int s3_list(struct s3_client *c, const char *prefix, struct s3_listing *out)
{
	struct strbuf token = STRBUF_INIT, what = STRBUF_INIT;
	int more = 1, rc = 0;

	strbuf_addf(&what, "listing s3://%s/%s", c->bucket, prefix);
	memset(out, 0, sizeof(*out));
	while (more && !rc) {
		struct s3_req *r = s3_req_new(S3_GET, NULL);
		struct strbuf q = STRBUF_INIT;

		/* Parameters in sorted order: the query is canonical as written. */
		if (token.len)
			s3_query_add(&q, "continuation-token", token.buf);
		s3_query_add(&q, "list-type", "2");
		s3_query_add(&q, "max-keys", "1000");
		s3_query_add(&q, "prefix", prefix);
		r->query = strbuf_detach(&q, NULL);
		r->resp_max = LIST_PAGE_MAX;
		r->what = what.buf;
		rc = s3_client_run(c, &r, 1, NULL, NULL);
		out->pages++;
		if (!rc)
			more = take_page(&r->resp, out, &token);
		s3_req_free(r);
	}
	strbuf_release(&token);
	strbuf_release(&what);
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), obj_cmp);
	return rc;
}

const struct s3_object *s3_listing_find(const struct s3_listing *l, const char *key)
{
	struct s3_object k = { .key = (char *)key };

	return l->n ? bsearch(&k, l->v, l->n, sizeof(l->v[0]), obj_cmp) : NULL;
}

void s3_listing_release(struct s3_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].etag);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

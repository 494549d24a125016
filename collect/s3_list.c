/* s3_list.c: paged ListObjectsV2 into a sorted array (see s3_list.h). */
#include <stdio.h>
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
#define PAGE_KEYS 1000 /* S3's most per page */
/* Keys per range: under a page, so a bucket holding a few more keys than
 * the tree (older objects) still lists each range in one page. */
#define RANGE_KEYS 900

/*
 * Test hook: SR_S3_LIST_KEYS="RANGE,PAGE" makes both small, so a test
 * tree of a hundred objects crosses many ranges and pages.
 */
static void list_sizes(size_t *range, size_t *page)
{
	const char *e = getenv("SR_S3_LIST_KEYS");
	unsigned long r, p;

	*range = RANGE_KEYS;
	*page = PAGE_KEYS;
	if (e && sscanf(e, "%lu,%lu", &r, &p) == 2 && r >= 1 && p >= 1 && p <= PAGE_KEYS) {
		*range = r;
		*page = p;
	}
}

size_t s3_list_range_keys(void)
{
	size_t range, page;

	list_sizes(&range, &page);
	return range;
}

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

/* Appends the <Contents> of one page up to last (NULL: no end); returns
 * whether the listing goes on, with the next page's token in token. */
static int take_page(const struct strbuf *xml, const char *last, struct s3_listing *out,
		     struct strbuf *token)
{
	struct strbuf v = STRBUF_INIT;
	size_t pos = 0, start, len, zero = 0;
	char truncated[8];
	int passed = 0;

	while (s3_xml_range(xml->buf, xml->len, &pos, "Contents", &start, &len)) {
		struct s3_object *o;
		size_t q;

		child(xml->buf, start, len, "Key", &v);
		/* The next range has it (and everything after it). */
		if (last && strcmp(v.buf, last) > 0) {
			passed = 1;
			break;
		}
		XGROW(out->v, out->alloc, out->n + 1);
		o = &out->v[out->n++];
		memset(o, 0, sizeof(*o));
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
	if (passed)
		return 0;
	s3_xml_first(xml->buf, xml->len, "IsTruncated", truncated, sizeof(truncated));
	strbuf_reset(token);
	s3_xml_next(xml->buf, xml->len, &zero, "NextContinuationToken", token);
	return !strcmp(truncated, "true") && token->len;
}

static int obj_cmp(const void *a, const void *b)
{
	return strcmp(((const struct s3_object *)a)->key, ((const struct s3_object *)b)->key);
}

/* One key range of a listing: (after, last], NULL meaning no bound. */
struct range {
	const char *after, *last; /* borrowed from the caller's bounds */
	struct strbuf token;      /* the next page's, once the first is read */
	int more;
	int parsed;               /* this round's page was read */
};

static struct s3_req *range_req(const struct range *g, const char *prefix, const char *what)
{
	struct s3_req *r = s3_req_new(S3_GET, NULL);
	struct strbuf q = STRBUF_INIT;
	size_t range, page;
	char max[24];

	list_sizes(&range, &page);
	snprintf(max, sizeof(max), "%zu", page);
	/* Parameters in sorted order: the query is canonical as written. */
	if (g->token.len)
		s3_query_add(&q, "continuation-token", g->token.buf);
	s3_query_add(&q, "list-type", "2");
	s3_query_add(&q, "max-keys", max);
	s3_query_add(&q, "prefix", prefix);
	/* S3 ignores start-after once a continuation token is given. */
	if (g->after && !g->token.len)
		s3_query_add(&q, "start-after", g->after);
	r->query = strbuf_detach(&q, NULL);
	r->resp_max = LIST_PAGE_MAX;
	r->what = what;
	return r;
}

/* A page arrived: parsed while the others are still on their way. */
static void page_done(struct s3_req *r, void *ctx)
{
	struct range *g = r->user;

	if (!g)
		return; /* one of the caller's extra requests */
	g->more = take_page(&r->resp, g->last, ctx, &g->token);
	g->parsed = 1;
	strbuf_release(&r->resp);
}

/* One round: the next page of every range that has one, in parallel. */
static int list_round(struct s3_client *c, const char *prefix, const char *what,
		      struct range *g, size_t ng, struct s3_req **extra, size_t nextra,
		      struct s3_listing *out)
{
	struct s3_req **reqs = xcalloc(ng + nextra, sizeof(*reqs));
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < ng; i++)
		if (g[i].more) {
			g[i].parsed = 0;
			reqs[n] = range_req(&g[i], prefix, what);
			reqs[n++]->user = &g[i];
		}
	for (size_t i = 0; i < nextra; i++)
		reqs[n + i] = extra[i];
	rc = s3_client_run(c, reqs, n + nextra, page_done, out);
	out->pages += n;
	for (size_t i = 0; i < n; i++) {
		struct range *r = reqs[i]->user;

		if (rc || !r->parsed)
			r->more = 0;
		s3_req_free(reqs[i]);
	}
	free(reqs);
	return rc;
}

int s3_list_split(struct s3_client *c, const char *prefix, const char *const *bounds,
		  size_t nb, struct s3_req **extra, size_t nextra, struct s3_listing *out)
{
	struct strbuf what = STRBUF_INIT;
	struct range *g = xcalloc(nb + 1, sizeof(*g));
	size_t ng = nb + 1, active = ng;
	int rc = 0;

	strbuf_addf(&what, "listing s3://%s/%s", c->bucket, prefix);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ng; i++) {
		g[i].after = i ? bounds[i - 1] : NULL;
		g[i].last = i < nb ? bounds[i] : NULL;
		strbuf_init(&g[i].token, 0);
		g[i].more = 1;
	}
	while (active && !rc) {
		rc = list_round(c, prefix, what.buf, g, ng, extra, nextra, out);
		nextra = 0;
		active = 0;
		for (size_t i = 0; i < ng; i++)
			active += g[i].more;
	}
	for (size_t i = 0; i < ng; i++)
		strbuf_release(&g[i].token);
	free(g);
	strbuf_release(&what);
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), obj_cmp);
	return rc;
}

int s3_list(struct s3_client *c, const char *prefix, struct s3_listing *out)
{
	return s3_list_split(c, prefix, NULL, 0, NULL, 0, out);
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

/* response.c: decides each request's status and lays out its head and body segments from the index. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "conn.h"

#define STATUS_MAX 600
#define BOUNDARY_PREFIX "staticroot-"
#define BOUNDARY_LEN (sizeof(BOUNDARY_PREFIX) - 1 + HASH_HEX_LEN)

struct canned {
	char line[64];     /* "HTTP/1.1 404 Not Found\r\n" */
	unsigned char line_len;
	char body[48];     /* "404 Not Found\n": never echoes the request */
	unsigned char body_len;
};

static struct canned canned[STATUS_MAX];

void response_init(void)
{
	static const int codes[] = { 200, 206, 304, 400, 403, 404, 405, 406, 408,
				     412, 413, 414, 416, 431, 500, 501, 503, 505 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct canned *k = &canned[codes[i]];

		k->line_len = (unsigned char)snprintf(k->line, sizeof(k->line),
			"HTTP/1.1 %d %s\r\n", codes[i], http_reason(codes[i]));
		k->body_len = (unsigned char)snprintf(k->body, sizeof(k->body),
			"%d %s\n", codes[i], http_reason(codes[i]));
	}
}

static char *put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

static char *head_start(struct worker *w, struct conn *c, int status)
{
	const struct canned *k = &canned[status];
	char *o = put(c->hbuf, k->line, k->line_len);

	return put(o, w->date_line, w->date_len);
}

/* Ends the head and makes it segment 0 (body segments follow). */
static void head_finish(struct conn *c, char *o, const struct http_request *req)
{
	if (!c->keep_alive)
		o = PUTS(o, "Connection: close\r\n");
	else if (req->minor == 0)
		o = PUTS(o, "Connection: keep-alive\r\n");
	o = PUTS(o, "\r\n");
	c->seg[0] = (struct segment){ .p = c->hbuf, .fd = -1, .len = (uint64_t)(o - c->hbuf) };
	if (!c->nseg)
		c->nseg = 1;
}

static void add_body(struct conn *c, const struct variant *v, uint64_t off, uint64_t len)
{
	struct segment *s = &c->seg[c->nseg++];

	s->fd = v->body ? -1 : v->fd;
	s->p = v->body ? v->body + off : NULL;
	s->off = (off_t)off;
	s->len = len;
}

static int finish(struct worker *w, struct conn *c, const struct http_request *req,
		  int status, uint64_t bytes)
{
	if (w->log)
		accesslog_add(w->log, w->now, c->peer, req, status, bytes);
	return status;
}

/* Whether the connection stays open after answering req: the client asked,
 * keep-alive is on (--keepalive-timeout 0 turns it off) and we are not
 * stopping. */
static int keeps_alive(const struct worker *w, const struct http_request *req)
{
	return req && req->keep_alive && w->srv->opt->keepalive_timeout &&
	       !atomic_load(&w->srv->stopping);
}

/*
 * Sets what happens after the answer: keep alive, or close; and when
 * closing, whether the client may still be sending (a body, pipelined
 * requests, the rest of a head we refused), in which case the close must
 * linger (conn.c) or the reset it would cause can destroy the answer.  A
 * client that asked for the close itself and sent no body has nothing left.
 */
static void set_after(const struct worker *w, struct conn *c,
		      const struct http_request *req)
{
	c->keep_alive = keeps_alive(w, req);
	c->linger = !c->keep_alive && (!req || req->keep_alive || req->has_body);
}

/* logreq: what the access log shows (req, or a refused head's line). */
static int error_full(struct worker *w, struct conn *c, const struct http_request *req,
		      const struct http_request *logreq, int status, uint64_t size416)
{
	const struct canned *k = &canned[status < STATUS_MAX ? status : 500];
	int head = req && req->method == HTTP_METHOD_HEAD;
	char *o;

	if (!k->line_len)
		k = &canned[500], status = 500;
	/* A request that did not parse leaves the stream unframed: close. */
	set_after(w, c, req);
	c->nseg = 1;
	o = head_start(w, c, status);
	o = PUTS(o, "Content-Type: text/plain; charset=utf-8\r\n"
		 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n");
	if (status == 405)
		o = PUTS(o, "Allow: GET, HEAD\r\n");
	if (status == 416) {
		o = PUTS(o, "Accept-Ranges: bytes\r\nContent-Range: bytes */");
		o = http_put_u64(o, size416);
		o = PUTS(o, "\r\n");
	}
	if (status == 503)
		o = PUTS(o, "Retry-After: 1\r\n");
	o = PUTS(o, "Content-Length: ");
	o = http_put_u64(o, k->body_len);
	o = PUTS(o, "\r\n");
	head_finish(c, o, req ? req : &(struct http_request){ .minor = 1 });
	if (!head)
		c->seg[c->nseg++] = (struct segment){ .p = k->body, .fd = -1, .len = k->body_len };
	return finish(w, c, logreq, status, head ? 0 : k->body_len);
}

int response_error(struct worker *w, struct conn *c, const struct http_request *req,
		   int status)
{
	return error_full(w, c, req, req, status, 0);
}

int response_refuse(struct worker *w, struct conn *c, const struct http_request *partial,
		    int status)
{
	struct http_request logreq = { .request_line = partial->request_line };

	return error_full(w, c, NULL, logreq.request_line.p ? &logreq : NULL, status, 0);
}

/*
 * One --allowed-host pattern, as Django's ALLOWED_HOSTS reads it
 * (django.http.request.validate_host): "*" is any host, ".example.com" is
 * example.com and every name below it, anything else the name itself; any
 * letter case.
 */
static int host_matches(const char *pat, struct http_slice h)
{
	size_t n = strlen(pat);

	if (!strcmp(pat, "*"))
		return 1;
	if (pat[0] == '.' && ((h.len == n - 1 && !strncasecmp(pat + 1, h.p, h.len)) ||
			      (h.len >= n && !strncasecmp(pat, h.p + h.len - n, n))))
		return 1;
	return n == h.len && !strncasecmp(pat, h.p, n);
}

/* No Host (HTTP/1.0) passes only "*": no name of ours could be checked. */
static int host_allowed(const struct server *srv, const struct http_request *req)
{
	struct http_slice h = http_host_name(req->host);

	for (size_t i = 0; i < srv->nallowed_host; i++)
		if (req->host.p ? host_matches(srv->allowed_host[i], h)
				: !strcmp(srv->allowed_host[i], "*"))
			return 1;
	return 0;
}

/* The variant to send (VAR_IDENTITY or 1 + enc), or -1 for 406. */
static int choose_variant(const struct entry *e, const struct http_request *req)
{
	unsigned avail = 0;
	int enc;

	if (!(e->flags & ENTRY_HAS_VARIANTS))
		return VAR_IDENTITY;
	for (int k = 0; k < ENC_COUNT; k++)
		if (e->var[1 + k].present)
			avail |= 1u << k;
	enc = http_encoding_choose(req->accept_encoding, avail);
	if (enc == HTTP_ENC_IDENTITY)
		return VAR_IDENTITY;
	return enc < 0 ? -1 : 1 + enc;
}

static int send_304(struct worker *w, struct conn *c, const struct http_request *req,
		    const struct variant *v)
{
	char *o = head_start(w, c, 304);

	o = put(o, v->hdr304, v->hdr304_len);
	head_finish(c, o, req);
	return finish(w, c, req, 304, 0);
}

static int send_full(struct worker *w, struct conn *c, const struct http_request *req,
		     const struct variant *v)
{
	char *o = head_start(w, c, 200);

	o = put(o, v->hdr, v->hdr_len);
	o = PUTS(o, "Content-Length: ");
	o = http_put_u64(o, v->size);
	o = PUTS(o, "\r\n");
	head_finish(c, o, req);
	if (req->method == HTTP_METHOD_HEAD || !v->size)
		return finish(w, c, req, 200, 0);
	add_body(c, v, 0, v->size);
	return finish(w, c, req, 200, v->size);
}

static char *put_range(char *o, const struct http_range *r, uint64_t size)
{
	o = PUTS(o, "Content-Range: bytes ");
	o = http_put_u64(o, r->first);
	*o++ = '-';
	o = http_put_u64(o, r->last);
	*o++ = '/';
	o = http_put_u64(o, size);
	return PUTS(o, "\r\n");
}

static int send_range(struct worker *w, struct conn *c, const struct http_request *req,
		      const struct variant *v, const struct http_range *r)
{
	uint64_t len = r->last - r->first + 1;
	char *o = head_start(w, c, 206);

	o = put(o, v->hdr, v->hdr_len);
	o = put_range(o, r, v->size);
	o = PUTS(o, "Content-Length: ");
	o = http_put_u64(o, len);
	o = PUTS(o, "\r\n");
	head_finish(c, o, req);
	add_body(c, v, r->first, len);
	return finish(w, c, req, 206, len);
}

/*
 * multipart/byteranges: part headers go after the head in hbuf, each body
 * is a segment of its own, so memory and file bodies mix freely.
 */
static int send_multi(struct worker *w, struct conn *c, const struct http_request *req,
		      const struct variant *v, const struct http_ranges *rs)
{
	const char *type_end = memchr(v->hdr, '\n', v->hdr_len) + 1;
	size_t type_len = (size_t)(type_end - v->hdr);
	char boundary[BOUNDARY_LEN + 1], *o, *p = c->hbuf + CONN_HEAD_MAX;
	uint64_t total = 0;

	snprintf(boundary, sizeof(boundary), BOUNDARY_PREFIX "%.16s", v->etag + 1);
	c->nseg = 1;
	for (unsigned i = 0; i < rs->n; i++) {
		char *start = p;

		p = PUTS(p, "\r\n--");
		p = put(p, boundary, BOUNDARY_LEN);
		p = PUTS(p, "\r\n");
		p = put(p, v->hdr, type_len);
		p = put_range(p, &rs->r[i], v->size);
		p = PUTS(p, "\r\n");
		c->seg[c->nseg++] = (struct segment){ .p = start, .fd = -1,
						      .len = (uint64_t)(p - start) };
		add_body(c, v, rs->r[i].first, rs->r[i].last - rs->r[i].first + 1);
		total += (uint64_t)(p - start) + rs->r[i].last - rs->r[i].first + 1;
	}
	o = p;
	p = PUTS(p, "\r\n--");
	p = put(p, boundary, BOUNDARY_LEN);
	p = PUTS(p, "--\r\n");
	c->seg[c->nseg++] = (struct segment){ .p = o, .fd = -1, .len = (uint64_t)(p - o) };
	total += (uint64_t)(p - o);
	o = head_start(w, c, 206);
	o = PUTS(o, "Content-Type: multipart/byteranges; boundary=");
	o = put(o, boundary, BOUNDARY_LEN);
	o = PUTS(o, "\r\n");
	o = put(o, type_end, v->hdr_len - type_len);
	o = PUTS(o, "Content-Length: ");
	o = http_put_u64(o, total);
	o = PUTS(o, "\r\n");
	head_finish(c, o, req);
	return finish(w, c, req, 206, total);
}

/*
 * The dcz delta to send (RFC 9842 §6): the client offers dcz and holds,
 * by its Available-Dictionary, the dictionary of one of e's deltas.  A
 * malformed or unknown dictionary is no delta, never an error.  NULL
 * otherwise.  Compares 32 bytes per delta: no hashing here.
 */
static const struct variant *choose_delta(const struct entry *e,
					  const struct http_request *req)
{
	unsigned char want[HTTP_DICT_HASH_LEN];

	if (!(e->flags & ENTRY_HAS_DELTAS) ||
	    http_dictionary_parse(req->available_dictionary, want) ||
	    http_encoding_q(req->accept_encoding, TREE_DCZ_TOKEN) <= 0)
		return NULL;
	for (unsigned i = 0; i < e->ndcz; i++)
		if (!memcmp(e->dict_sha[i], want, sizeof(want)))
			return &e->dcz[i];
	return NULL;
}

/* After the entry is known: encoding, preconditions, ranges. */
static int respond_entry(struct worker *w, struct conn *c, const struct http_request *req,
			 const struct entry *e)
{
	struct http_ranges rs;
	const struct variant *v = choose_delta(e, req);
	struct http_slice etag;
	int k = v ? 0 : choose_variant(e, req), st;

	if (k < 0)
		return response_error(w, c, req, 406);
	if (!v)
		v = &e->var[k];
	etag = (struct http_slice){ v->etag, HASH_HEX_LEN + 2 };
	st = http_cond_eval(req, etag, (time_t)e->mtime);
	if (st == 304)
		return send_304(w, c, req, v);
	if (st)
		return response_error(w, c, req, st);
	if (!req->range.p || req->method != HTTP_METHOD_GET)
		return send_full(w, c, req, v);
	st = http_range_eval(req, etag, (time_t)e->mtime, v->size, &rs);
	if (st == 416)
		return error_full(w, c, req, req, 416, v->size);
	if (st != 206 || rs.n == 0)
		return send_full(w, c, req, v);
	if (rs.n == 1)
		return send_range(w, c, req, v, &rs.r[0]);
	return send_multi(w, c, req, v, &rs);
}

int response_build(struct worker *w, struct conn *c, const struct http_request *req)
{
	const struct server *srv = w->srv;
	char key[HTTP_TARGET_MAX + 1];
	const struct entry *e;
	size_t klen;
	int st;

	set_after(w, c, req);
	c->nseg = 1;
	if (req->method == HTTP_METHOD_OTHER)
		return response_error(w, c, req, 405);
	if (srv->nallowed_host && !host_allowed(srv, req))
		return response_error(w, c, req, 400);
	st = http_target_key(req->target, srv->opt->alias, key, sizeof(key), &klen);
	if (st)
		return response_error(w, c, req, st);
	e = index_lookup(w->gen, key, klen);
	if (!e)
		return response_error(w, c, req, 404);
	return respond_entry(w, c, req, e);
}

/* http_range.c: Range and If-Range evaluation (RFC 9110 §14), overflow-safe. */
#include <string.h>
#include <strings.h>
#include "http.h"

/*
 * Numbers saturate at UINT64_MAX instead of wrapping (nginx CVE-2017-7529
 * came from a sum that overflowed), lengths are only ever computed from
 * clamped ranges (last < size), and the sum of those is bounded by
 * HTTP_RANGES_MAX * size, which fits as long as size < 2^59.
 */

#define IGNORE HTTP_OK

struct spec {
	int suffix;          /* "-N" */
	uint64_t first, last; /* last == UINT64_MAX when open ("N-") */
};

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* 1*DIGIT, saturating.  Returns the number of digits read. */
static size_t read_num(const char *p, const char *end, uint64_t *v)
{
	size_t n = 0;

	*v = 0;
	for (; p + n < end && p[n] >= '0' && p[n] <= '9'; n++) {
		unsigned d = (unsigned)(p[n] - '0');

		*v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
	}
	return n;
}

/* One range-spec at p[0..len): 0 ok, -1 invalid syntax. */
static int parse_spec(const char *p, size_t len, struct spec *s)
{
	const char *end = p + len;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (len && *p == '-') {
		s->suffix = 1;
		n = read_num(p + 1, end, &s->last);
		return n > 0 && p + 1 + n == end ? 0 : -1;
	}
	n = read_num(p, end, &s->first);
	if (n == 0 || p + n == end || p[n] != '-')
		return -1;
	p += n + 1;
	if (p == end) {
		s->last = UINT64_MAX;
		return 0;
	}
	n = read_num(p, end, &s->last);
	if (n == 0 || p + n != end || s->last < s->first)
		return -1;
	return 0;
}

/* Clamps a spec to [0, size): 1 satisfiable (in *r), 0 not. */
static int clamp(const struct spec *s, uint64_t size, struct http_range *r)
{
	if (s->suffix) {
		if (s->last == 0)
			return 0;
		r->first = s->last >= size ? 0 : size - s->last;
		r->last = size - 1;
		return 1;
	}
	if (s->first >= size)
		return 0;
	r->first = s->first;
	r->last = s->last >= size ? size - 1 : s->last;
	return 1;
}

/* Overlapping or adjacent. */
static int touches(const struct http_range *a, const struct http_range *b)
{
	return a->first <= (b->last == UINT64_MAX ? b->last : b->last + 1) &&
	       b->first <= (a->last == UINT64_MAX ? a->last : a->last + 1);
}

/* Adds r to out, merging it with every range it touches; the merged range
 * takes the place of the earliest one it swallowed. */
static void add_merged(struct http_ranges *out, struct http_range r)
{
	unsigned i, pos = out->n;

	for (i = 0; i < out->n;) {
		if (!touches(&out->r[i], &r)) {
			i++;
			continue;
		}
		if (out->r[i].first < r.first)
			r.first = out->r[i].first;
		if (out->r[i].last > r.last)
			r.last = out->r[i].last;
		if (pos == out->n || i < pos)
			pos = i;
		memmove(&out->r[i], &out->r[i + 1],
			(out->n - i - 1) * sizeof(out->r[0]));
		out->n--;
		if (pos > out->n)
			pos = out->n;
		i = 0; /* the wider range may now touch earlier ones */
	}
	memmove(&out->r[pos + 1], &out->r[pos], (out->n - pos) * sizeof(out->r[0]));
	out->r[pos] = r;
	out->n++;
}

/* Splits "bytes=" range-set into specs; IGNORE on any syntax problem. */
static int split_specs(struct http_slice v, struct spec *specs, unsigned *n)
{
	const char *p, *end = v.p + v.len;

	if (v.len < 6 || strncasecmp(v.p, "bytes=", 6) != 0)
		return IGNORE;
	p = v.p + 6;
	*n = 0;
	while (p < end) {
		const char *s, *e;

		while (p < end && (is_ows(*p) || *p == ','))
			p++;
		if (p == end)
			break;
		s = p;
		while (p < end && *p != ',')
			p++;
		e = p;
		while (e > s && is_ows(e[-1]))
			e--;
		if (*n == HTTP_RANGES_MAX || parse_spec(s, (size_t)(e - s), &specs[*n]))
			return IGNORE;
		(*n)++;
	}
	return *n ? 0 : IGNORE;
}

int http_range_parse(struct http_slice range, uint64_t size,
		     struct http_ranges *out)
{
	struct spec specs[HTTP_RANGES_MAX];
	struct http_range r[HTTP_RANGES_MAX];
	unsigned n, i, k = 0;
	uint64_t sum = 0;

	out->n = 0;
	if (!range.p || size == 0 || size >= (uint64_t)1 << 59 ||
	    split_specs(range, specs, &n) != 0)
		return IGNORE;
	for (i = 0; i < n; i++)
		if (clamp(&specs[i], size, &r[k])) {
			sum += r[k].last - r[k].first + 1;
			k++;
		}
	if (k == 0)
		return HTTP_RANGE_NOT_SATISFIABLE;
	/* Overlaps asking for more than the whole: just send the whole. */
	if (sum > size)
		return IGNORE;
	for (i = 0; i < k; i++)
		add_merged(out, r[i]);
	return HTTP_PARTIAL_CONTENT;
}

/* If-Range: a strong ETag equal to etag, or a date equal to mtime. */
static int if_range_holds(struct http_slice v, struct http_slice etag,
			  time_t mtime)
{
	time_t t;

	/* RFC 9110 §13.1.5: a DQUOTE within the first three bytes means an
	 * entity-tag ("W/" is weak and never matches); "Wed, ..." is a date. */
	if (memchr(v.p, '"', v.len < 3 ? v.len : 3))
		return v.len == etag.len && memcmp(v.p, etag.p, v.len) == 0;
	return http_date_parse(v.p, v.len, &t) == 0 && t == mtime;
}

int http_range_eval(const struct http_request *req, struct http_slice etag,
		    time_t mtime, uint64_t size, struct http_ranges *out)
{
	out->n = 0;
	if (!req->range.p || req->method != HTTP_METHOD_GET)
		return HTTP_OK;
	if (req->if_range.p && !if_range_holds(req->if_range, etag, mtime))
		return HTTP_OK;
	return http_range_parse(req->range, size, out);
}

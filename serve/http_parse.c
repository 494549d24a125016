/* http_parse.c: strict HTTP/1.x request-head parser handing out slices. */
#include <string.h>
#include <strings.h>
#include "http.h"

/*
 * Shaped like picohttpparser: one pass over the buffer, every byte checked
 * as it is met, so garbage is refused as soon as it arrives and an
 * incomplete head costs a rescan of at most HTTP_HEAD_MAX bytes.  No byte
 * at or past end is ever read.
 */

#define NEED_MORE (-2)
#define BAD (-HTTP_BAD_REQUEST)

struct cursor {
	const char *p, *end, *start;
};

/* Field-specific bits gathered while scanning, checked at the end. */
struct framing {
	int has_cl, has_te, te_unknown, te_chunked, te_bad;
	int conn_close, conn_keep_alive, host_seen;
	uint64_t content_length;
};

/* tchar of RFC 9110 §5.6.2, as a table: the parser's hottest test. */
static const unsigned char tchar[256] = {
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
};

static int is_tchar(unsigned char c)
{
	return tchar[c];
}

/* field-vchar / obs-text / SP / HTAB. */
static int is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int slice_ieq(const char *p, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(p, lit, len) == 0;
}

/* Consumes CRLF or LF at the cursor: 1 done, 0 not a line end, -2, -400. */
static int eat_eol(struct cursor *c)
{
	if (c->p == c->end)
		return NEED_MORE;
	if (*c->p == '\n') {
		c->p++;
		return 1;
	}
	if (*c->p != '\r')
		return 0;
	if (c->p + 1 == c->end)
		return NEED_MORE;
	if (c->p[1] != '\n')
		return BAD;
	c->p += 2;
	return 1;
}

static enum http_method method_of(const char *p, size_t len)
{
	if (len == 3 && memcmp(p, "GET", 3) == 0)
		return HTTP_METHOD_GET;
	if (len == 4 && memcmp(p, "HEAD", 4) == 0)
		return HTTP_METHOD_HEAD;
	return HTTP_METHOD_OTHER;
}

/* method SP: token chars then exactly one space. */
static int parse_method(struct cursor *c, struct http_request *req)
{
	const char *s = c->p;

	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	if (c->p == c->end)
		return NEED_MORE;
	if (*c->p != ' ' || c->p == s)
		return BAD;
	req->method_name.p = s;
	req->method_name.len = (size_t)(c->p - s);
	req->method = method_of(s, req->method_name.len);
	c->p++;
	return 0;
}

/* request-target SP: visible ASCII except '#', within HTTP_TARGET_MAX. */
static int parse_target(struct cursor *c, struct http_request *req)
{
	const char *s = c->p;

	for (; c->p < c->end && *c->p != ' '; c->p++) {
		unsigned char ch = (unsigned char)*c->p;

		if ((size_t)(c->p - s) >= HTTP_TARGET_MAX)
			return -HTTP_URI_TOO_LONG;
		if (ch <= 0x20 || ch >= 0x7f || ch == '#')
			return BAD;
	}
	if (c->p == c->end)
		return NEED_MORE;
	if (c->p == s)
		return BAD;
	req->target.p = s;
	req->target.len = (size_t)(c->p - s);
	c->p++;
	return 0;
}

/* "HTTP/" DIGIT "." DIGIT, matched as far as the buffer goes. */
static int parse_version(struct cursor *c, struct http_request *req)
{
	static const char pat[] = "HTTP/d.d";
	size_t i, n = (size_t)(c->end - c->p);

	for (i = 0; i < 8 && i < n; i++) {
		char ch = c->p[i];
		int ok = pat[i] == 'd' ? ch >= '0' && ch <= '9' : ch == pat[i];

		if (!ok)
			return BAD;
	}
	if (n < 8)
		return NEED_MORE;
	if (c->p[5] != '1')
		return -HTTP_VERSION_NOT_SUPPORTED;
	req->minor = c->p[7] == '0' ? 0 : 1;
	c->p += 8;
	return 0;
}

static int parse_request_line(struct cursor *c, struct http_request *req)
{
	const char *s;
	int r;

	/* RFC 9112 §2.2: ignore empty lines before the request line. */
	while ((r = eat_eol(c)) == 1)
		;
	if (r < 0)
		return r;
	s = c->p;
	if ((r = parse_method(c, req)) < 0 || (r = parse_target(c, req)) < 0 ||
	    (r = parse_version(c, req)) < 0)
		return r;
	req->request_line.p = s;
	req->request_line.len = (size_t)(c->p - s);
	r = eat_eol(c);
	return r == 1 ? 0 : r == 0 ? BAD : r;
}

/*
 * Skips value bytes eight at a time while none of them is a control byte
 * or DEL (SWAR "has byte less than" / "has zero byte" tests); the byte loop
 * after it handles HTAB, the line end and anything refused.
 */
static const char *skip_plain(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;

	while (end - p >= 8) {
		uint64_t x, del;

		memcpy(&x, p, 8);
		del = x ^ (ones * 0x7f);
		if (((x - ones * 0x20) & ~x & highs) || ((del - ones) & ~del & highs))
			break;
		p += 8;
	}
	return p;
}

/* The value of a field line: OWS value OWS EOL.  Sets *v, trimmed. */
static int parse_value(struct cursor *c, struct http_slice *v)
{
	const char *s, *e;
	int r;

	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	s = c->p;
	c->p = skip_plain(c->p, c->end);
	while (c->p < c->end && is_value_char((unsigned char)*c->p))
		c->p++;
	e = c->p;
	if ((r = eat_eol(c)) != 1)
		return r == 0 ? BAD : r;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	v->p = s;
	v->len = (size_t)(e - s);
	return 0;
}

/* Stores a field that may appear only once. */
static int set_once(struct http_slice *dst, struct http_slice v)
{
	if (dst->p)
		return BAD;
	*dst = v;
	return 0;
}

/* Calls fn on each non-empty element of a comma-separated list. */
static int each_token(struct http_slice v, struct framing *f,
		      int (*fn)(const char *, size_t, struct framing *))
{
	size_t i = 0;

	while (i < v.len) {
		size_t s, e;
		int r;

		while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
			i++;
		s = i;
		while (i < v.len && v.p[i] != ',')
			i++;
		e = i;
		while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
			e--;
		if (e > s && (r = fn(v.p + s, e - s, f)) < 0)
			return r;
	}
	return 0;
}

static int conn_token(const char *p, size_t len, struct framing *f)
{
	if (slice_ieq(p, len, "close"))
		f->conn_close = 1;
	else if (slice_ieq(p, len, "keep-alive"))
		f->conn_keep_alive = 1;
	return 0;
}

/*
 * A transfer coding, parameters allowed.  serve reads no request content, so
 * it implements no coding but recognising chunked framing: anything else is
 * 501 (RFC 9112 §6.1), like nginx.  chunked twice is 400 (§7).
 */
static int te_token(const char *p, size_t len, struct framing *f)
{
	size_t n = 0;

	while (n < len && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
		n++;
	if (!slice_ieq(p, n, "chunked"))
		f->te_unknown = 1;
	else if (f->te_chunked++)
		f->te_bad = 1;
	return 0;
}

/* 1*DIGIT, no sign, no list, no overflow. */
static int parse_content_length(struct http_slice v, struct framing *f)
{
	uint64_t n = 0;
	size_t i;

	if (f->has_cl || v.len == 0)
		return BAD;
	for (i = 0; i < v.len; i++) {
		unsigned d = (unsigned char)v.p[i] - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return BAD;
		n = n * 10 + d;
	}
	f->has_cl = 1;
	f->content_length = n;
	return 0;
}

/* uri-host [ ":" port ]: reg-name/IPv4/IP-literal characters only. */
static int valid_host(struct http_slice v)
{
	size_t i;

	if (v.len == 0)
		return 0;
	for (i = 0; i < v.len; i++) {
		unsigned char ch = (unsigned char)v.p[i];

		if (!(ch >= '0' && ch <= '9') && !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') &&
		    (!ch || !strchr("-._~!$&'()*+,;=%:[]", ch)))
			return 0;
	}
	return 1;
}

enum field {
	F_HOST, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_CONNECTION,
	F_IF_MATCH, F_IF_NONE_MATCH, F_IF_MODIFIED_SINCE, F_IF_UNMODIFIED_SINCE,
	F_IF_RANGE, F_RANGE, F_ACCEPT_ENCODING, F_USER_AGENT, F_REFERER,
	F_X_FORWARDED_FOR, F_AVAILABLE_DICTIONARY, F_OTHER
};

/* name[0..n) equals the lower-case lit, ignoring case.  Only for tchar
 * names: there, c | 0x20 is a letter or '-' only for that letter or '-'. */
static int lower_eq(const char *name, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((name[i] | 0x20) != lit[i])
			return 0;
	return 1;
}

/* The fields serve looks at; any other is skipped after validation. */
static enum field field_of(const char *name, size_t nlen)
{
	static const struct {
		const char *name;
		size_t len;
	} known[F_OTHER] = {
#define K(s) { s, sizeof(s) - 1 }
		K("host"), K("content-length"), K("transfer-encoding"),
		K("connection"), K("if-match"), K("if-none-match"),
		K("if-modified-since"), K("if-unmodified-since"), K("if-range"),
		K("range"), K("accept-encoding"), K("user-agent"), K("referer"),
		K("x-forwarded-for"), K("available-dictionary"),
#undef K
	};
	int i;

	for (i = 0; i < F_OTHER; i++)
		if (known[i].len == nlen && lower_eq(name, known[i].name, nlen))
			return (enum field)i;
	return F_OTHER;
}

/* A list field repeated: widen its slice over the lines in between. */
static int add_line(struct http_slice *dst, struct http_slice v)
{
	if (!dst->p)
		*dst = v;
	else
		dst->len = (size_t)(v.p + v.len - dst->p);
	return 0;
}

/* The request slot of a list field, or NULL. */
static struct http_slice *list_slot(struct http_request *req, enum field f)
{
	switch (f) {
	case F_IF_MATCH: return &req->if_match;
	case F_IF_NONE_MATCH: return &req->if_none_match;
	case F_ACCEPT_ENCODING: return &req->accept_encoding;
	case F_AVAILABLE_DICTIONARY: return &req->available_dictionary;
	default: return NULL;
	}
}

/* The request slot of a field that may appear only once, or NULL. */
static struct http_slice *single_slot(struct http_request *req, enum field f)
{
	switch (f) {
	case F_IF_MODIFIED_SINCE: return &req->if_modified_since;
	case F_IF_UNMODIFIED_SINCE: return &req->if_unmodified_since;
	case F_IF_RANGE: return &req->if_range;
	case F_RANGE: return &req->range;
	default: return NULL;
	}
}

/* Interprets one field line (name already known valid). */
static int apply_field(struct http_request *req, struct framing *f,
		       const char *name, size_t nlen, struct http_slice v)
{
	enum field k = field_of(name, nlen);
	struct http_slice *slot = single_slot(req, k);

	if (slot)
		return set_once(slot, v);
	if ((slot = list_slot(req, k)) != NULL)
		return add_line(slot, v);
	switch (k) {
	case F_HOST:
		if (f->host_seen || !valid_host(v))
			return BAD;
		f->host_seen = 1;
		if (!req->host.p)
			req->host = v;
		return 0;
	case F_CONTENT_LENGTH:
		return parse_content_length(v, f);
	case F_TRANSFER_ENCODING:
		f->has_te = 1;
		return each_token(v, f, te_token);
	case F_CONNECTION:
		return each_token(v, f, conn_token);
	case F_USER_AGENT:
		if (!req->user_agent.p)
			req->user_agent = v;
		return 0;
	case F_REFERER:
		if (!req->referer.p)
			req->referer = v;
		return 0;
	case F_X_FORWARDED_FOR:
		req->forwarded_for = v;
		return 0;
	default:
		return 0;
	}
}

/* One field line, or the blank line ending the head (returns 1). */
static int parse_field(struct cursor *c, struct http_request *req,
		       struct framing *f)
{
	struct http_slice v;
	const char *name;
	size_t nlen;
	int r;

	if ((r = eat_eol(c)) != 0)
		return r;
	name = c->p;
	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	if (c->p == c->end)
		return NEED_MORE;
	/* Also refuses obs-fold and whitespace before the colon. */
	if (*c->p != ':' || c->p == name)
		return BAD;
	nlen = (size_t)(c->p - name);
	c->p++;
	if ((r = parse_value(c, &v)) < 0)
		return r;
	if (++req->nfields > HTTP_FIELDS_MAX)
		return -HTTP_HEADER_TOO_LARGE;
	return apply_field(req, f, name, nlen, v);
}

/* Message framing and connection rules once the head is complete. */
static int check_framing(struct http_request *req, const struct framing *f)
{
	int getlike = req->method != HTTP_METHOD_OTHER;

	if (req->minor == 1 && !f->host_seen)
		return BAD;
	if (f->has_te) {
		if (f->has_cl || req->minor == 0)
			return BAD;
		if (f->te_unknown)
			return -HTTP_NOT_IMPLEMENTED;
		/* RFC 9112 §6.3: chunked must be there, and only once. */
		if (!f->te_chunked || f->te_bad || getlike)
			return BAD;
	}
	if (f->has_cl && f->content_length > 0 && getlike)
		return BAD;
	if (req->minor == 1)
		req->keep_alive = !f->conn_close;
	else
		req->keep_alive = f->conn_keep_alive && !f->conn_close;
	/* An unread body would be taken for the next request. */
	req->has_body = f->has_te || (f->has_cl && f->content_length > 0);
	if (req->has_body)
		req->keep_alive = 0;
	return 0;
}

/* "http://authority/path" -> target "/path", host "authority". */
static int split_absolute(struct http_request *req)
{
	struct http_slice t = req->target;
	size_t skip, i;

	if (t.len >= 7 && strncasecmp(t.p, "http://", 7) == 0)
		skip = 7;
	else if (t.len >= 8 && strncasecmp(t.p, "https://", 8) == 0)
		skip = 8;
	else
		return BAD;
	for (i = skip; i < t.len && t.p[i] != '/' && t.p[i] != '?'; i++)
		;
	req->host.p = t.p + skip;
	req->host.len = i - skip;
	if (!valid_host(req->host)) /* also refuses userinfo ('@') */
		return BAD;
	if (i < t.len && t.p[i] == '/') {
		req->target.p = t.p + i;
		req->target.len = t.len - i;
	} else {
		req->target.p = "/";
		req->target.len = 1;
	}
	return 0;
}

/* Complete-head limits, and the -2 verdict turned into -431 when full. */
static int limit(const struct cursor *c, int r)
{
	if (r == NEED_MORE && c->end - c->start >= HTTP_HEAD_MAX)
		return -HTTP_HEADER_TOO_LARGE;
	if (r >= 0 && c->p - c->start > HTTP_HEAD_MAX)
		return -HTTP_HEADER_TOO_LARGE;
	return r;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct cursor c = { buf, buf + len, buf };
	struct framing f;
	int r;

	memset(req, 0, sizeof(*req));
	memset(&f, 0, sizeof(f));
	if ((r = limit(&c, parse_request_line(&c, req))) < 0)
		return r;
	if (req->target.p[0] != '/' &&
	    !(req->target.len == 1 && req->target.p[0] == '*' &&
	      req->method == HTTP_METHOD_OTHER) &&
	    (r = split_absolute(req)) < 0)
		return r;
	while ((r = limit(&c, parse_field(&c, req, &f))) == 0)
		;
	if (r < 0)
		return r;
	if ((r = check_framing(req, &f)) < 0)
		return r;
	return (int)(c.p - buf);
}

/* Index just past the line end at or after i (or len). */
static size_t next_line(struct http_slice f, size_t i)
{
	while (i < f.len && f.p[i] != '\n')
		i++;
	return i < f.len ? i + 1 : i;
}

int http_field_next(struct http_slice field, const char *name, size_t *pos,
		    struct http_slice *line)
{
	size_t i = *pos, e, n = strlen(name);

	if (!field.p || i > field.len)
		return 0;
	for (e = i; e < field.len && field.p[e] != '\r' && field.p[e] != '\n'; e++)
		;
	line->p = field.p + i;
	line->len = e - i;
	while (line->len && (line->p[line->len - 1] == ' ' || line->p[line->len - 1] == '\t'))
		line->len--;
	/* Find the next line of the same field; skip the others. */
	for (i = next_line(field, e); i < field.len; i = next_line(field, i)) {
		if (field.len - i > n && field.p[i + n] == ':' &&
		    strncasecmp(field.p + i, name, n) == 0) {
			for (i += n + 1; i < field.len && (field.p[i] == ' ' || field.p[i] == '\t'); i++)
				;
			*pos = i;
			return 1;
		}
	}
	*pos = field.len + 1;
	return 1;
}

struct http_slice http_host_name(struct http_slice host)
{
	struct http_slice h = host;
	size_t i;

	if (!h.p)
		return h;
	if (h.len && h.p[0] == '[') {
		const char *e = memchr(h.p, ']', h.len);

		if (e)
			h.len = (size_t)(e - h.p) + 1;
		return h;
	}
	for (i = 0; i < h.len; i++)
		if (h.p[i] == ':') {
			h.len = i;
			break;
		}
	/* "example.com." is the same name (Django strips the dot too). */
	if (h.len > 1 && h.p[h.len - 1] == '.')
		h.len--;
	return h;
}

const char *http_reason(int status)
{
	switch (status) {
	case HTTP_OK: return "OK";
	case HTTP_PARTIAL_CONTENT: return "Partial Content";
	case HTTP_NOT_MODIFIED: return "Not Modified";
	case HTTP_BAD_REQUEST: return "Bad Request";
	case HTTP_FORBIDDEN: return "Forbidden";
	case HTTP_NOT_FOUND: return "Not Found";
	case HTTP_METHOD_NOT_ALLOWED: return "Method Not Allowed";
	case HTTP_NOT_ACCEPTABLE: return "Not Acceptable";
	case HTTP_REQUEST_TIMEOUT: return "Request Timeout";
	case HTTP_PRECONDITION_FAILED: return "Precondition Failed";
	case HTTP_CONTENT_TOO_LARGE: return "Content Too Large";
	case HTTP_URI_TOO_LONG: return "URI Too Long";
	case HTTP_RANGE_NOT_SATISFIABLE: return "Range Not Satisfiable";
	case HTTP_HEADER_TOO_LARGE: return "Request Header Fields Too Large";
	case HTTP_INTERNAL_SERVER_ERROR: return "Internal Server Error";
	case HTTP_NOT_IMPLEMENTED: return "Not Implemented";
	case HTTP_SERVICE_UNAVAILABLE: return "Service Unavailable";
	case HTTP_VERSION_NOT_SUPPORTED: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

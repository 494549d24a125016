/* http.h: serve's pure HTTP logic: request parsing, target mapping,
 * conditionals, ranges, content codings, dates.  No I/O, no allocation. */
#ifndef SR_HTTP_H
#define SR_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Every function here is pure: it reads its arguments, writes only to the
 * caller's buffers and structs, allocates nothing and keeps no state, so it
 * is safe to call from any thread.
 */

enum http_status {
	HTTP_OK = 200,
	HTTP_PARTIAL_CONTENT = 206,
	HTTP_NOT_MODIFIED = 304,
	HTTP_BAD_REQUEST = 400,
	HTTP_FORBIDDEN = 403,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_NOT_ACCEPTABLE = 406,
	HTTP_REQUEST_TIMEOUT = 408,
	HTTP_PRECONDITION_FAILED = 412,
	HTTP_CONTENT_TOO_LARGE = 413,
	HTTP_URI_TOO_LONG = 414,
	HTTP_RANGE_NOT_SATISFIABLE = 416,
	HTTP_HEADER_TOO_LARGE = 431,
	HTTP_INTERNAL_SERVER_ERROR = 500,
	HTTP_NOT_IMPLEMENTED = 501,
	HTTP_SERVICE_UNAVAILABLE = 503,
	HTTP_VERSION_NOT_SUPPORTED = 505,
};

/* "Not Found" for 404 ...; "Unknown" for a status not listed above.
 * Static storage. */
const char *http_reason(int status);

/* Limits the parser enforces. */
#define HTTP_HEAD_MAX 8192   /* request line + fields + blank line; -431 */
#define HTTP_TARGET_MAX 4096 /* request-target as sent; -414 */
#define HTTP_FIELDS_MAX 100  /* field lines; -431 */

/* A borrowed piece of the caller's buffer.  p == NULL: absent.  A present
 * field may have len == 0 (an empty value). */
struct http_slice {
	const char *p;
	size_t len;
};

enum http_method { HTTP_METHOD_OTHER, HTTP_METHOD_GET, HTTP_METHOD_HEAD };

struct http_request {
	enum http_method method; /* OTHER: answer 405 with Allow: GET, HEAD */
	int minor;               /* 0: HTTP/1.0, 1: HTTP/1.1 (1.x, x>1: 1) */
	int keep_alive;          /* 1: keep the connection after the reply */
	int has_body;            /* Content-Length > 0 or Transfer-Encoding:
				  * content follows that serve never reads */
	unsigned nfields;        /* field lines seen */
	struct http_slice request_line; /* "GET /x HTTP/1.1" for the log */
	struct http_slice method_name;
	/* Origin-form path[?query] as sent (not decoded).  For an absolute-form
	 * target "http://h/p?q" it is "/p?q" and host is "h"; "http://h" gives
	 * a static "/" (the one slice not pointing into the buffer). */
	struct http_slice target;
	struct http_slice host; /* Host value (or the URI's authority), port
				 * included; NULL only for HTTP/1.0 without */
	/* Field values with surrounding whitespace trimmed.  The list fields
	 * If-Match, If-None-Match and Accept-Encoding may be repeated on
	 * several lines, which means one list (RFC 9110 §5.3): the slice then
	 * runs from the first value to the end of the last one, the field
	 * lines between included; walk it with http_field_next() (the
	 * functions below do).  The others are singletons: repeated, 400. */
	struct http_slice if_match, if_none_match;
	struct http_slice if_modified_since, if_unmodified_since;
	struct http_slice if_range, range, accept_encoding;
	/* Available-Dictionary (RFC 9842), kept as a list field so that a
	 * repeated one is not a 400 but a value http_dictionary_parse()
	 * refuses. */
	struct http_slice available_dictionary;
	struct http_slice user_agent, referer; /* first one, for the log */
	/* The last X-Forwarded-For line, for the log of a unix-socket peer
	 * (nginx in front appends the address it saw last). */
	struct http_slice forwarded_for;
};

/*
 * Parses the request head at buf[0..len) (the start of the connection's
 * read buffer; leading empty lines are skipped).  Fills *req with slices
 * into buf: borrowed until buf changes.
 *
 * Returns the number of bytes the head used (> 0; the next pipelined
 * request starts there), -2 when the head is incomplete (read more and
 * call again with the whole buffer), or -STATUS when the request must be
 * refused: -400 (malformed request line, including a target byte that is
 * not visible ASCII or is '#': raw UTF-8 must come percent-encoded;
 * a target neither origin-form nor http(s) absolute-form, "*" only for
 * other methods; missing, empty or repeated Host on
 * 1.1; Content-Length with Transfer-Encoding; repeated or invalid
 * Content-Length; obs-fold; whitespace before a colon; NUL, CR, LF or
 * other controls in a value; invalid field names; a body on GET/HEAD;
 * Transfer-Encoding on 1.0, without chunked or with it twice; a repeated Range,
 * If-Range, If-Modified-Since or If-Unmodified-Since), -414 (target over
 * HTTP_TARGET_MAX), -431 (head over HTTP_HEAD_MAX or more than
 * HTTP_FIELDS_MAX fields), -501 (a transfer coding other than chunked: serve
 * decodes none), -505 (HTTP/2+ or HTTP/0.x).  After a negative status answer
 * it and close.  *req is then only good for the log: method_name, target
 * and request_line are set as far as the request line was parsed (else
 * their p is NULL; a -505 has method_name and target), the rest is
 * unspecified.
 *
 * Requests are never read with a body: GET/HEAD with Content-Length > 0 or
 * any Transfer-Encoding is 400.  Another method with a body parses fine with
 * keep_alive = 0 (answer 405 and close without reading it).  Lines may end
 * in CRLF or a bare LF (RFC 9112 §2.2); a bare CR is 400.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/*
 * Walks the lines of a list field slice (see struct http_request): name is
 * the field name in lower case ("if-none-match"), *pos starts at 0.
 * Returns 1 with *line set to the next line's value (trimmed), or 0 when
 * there are no more.  A slice from one line yields just itself.
 */
int http_field_next(struct http_slice field, const char *name, size_t *pos,
		    struct http_slice *line);

/* host without ":port" and without one trailing dot (an IPv6 literal keeps
 * its brackets), for matching --allowed-host case-insensitively.  Borrowed
 * like host. */
struct http_slice http_host_name(struct http_slice host);

/*
 * Maps a request target to the index lookup key.  alias is the URL prefix
 * with its leading and trailing slash ("/static/", or "/").  Drops the
 * query, percent-decodes once, refuses a decoded NUL, control character,
 * backslash or invalid UTF-8 (400), requires the alias prefix (404 if
 * absent: "/static../x" is not under "/static/"), normalises "."/".."/"//"
 * (404 when it climbs above the alias), refuses an empty key, a path
 * naming a directory (ending in "/", "/." or "/..") or a component
 * starting with '.' (404).  The alias is matched after decoding, so
 * "/st%61tic/a" is "/static/a".
 *
 * key must have room for target.len + 1 bytes (HTTP_TARGET_MAX + 1 always
 * suffices).  Returns 0 with key holding the NUL-terminated relative path
 * ("css/site.css") and *keylen its length, or 400/404.
 */
int http_target_key(struct http_slice target, const char *alias, char *key,
		    size_t keysize, size_t *keylen);

/* A strong ETag ("\"" 16 hex digits "\"") from a content hash. */
#define HTTP_ETAG_SIZE 19 /* with the NUL */
size_t http_etag_format(char out[HTTP_ETAG_SIZE], uint64_t hash);

/*
 * Evaluates the preconditions of req (RFC 9110 §13.2.2) against the
 * selected representation's strong etag (quoted, as sent in ETag) and
 * Last-Modified time: If-Match (strong comparison, "*") else
 * If-Unmodified-Since; then If-None-Match (weak comparison, "*") else, for
 * GET/HEAD, If-Modified-Since.  Invalid dates are ignored.
 * Returns 0 (go on: 200 or ranges), 304 (GET/HEAD) or 412.
 */
int http_cond_eval(const struct http_request *req, struct http_slice etag,
		   time_t mtime);

/* Ranges (RFC 9110 §14). */
#define HTTP_RANGES_MAX 16 /* range-specs accepted in one Range field */
struct http_range {
	uint64_t first, last; /* inclusive, last < size */
};
struct http_ranges {
	unsigned n;
	struct http_range r[HTTP_RANGES_MAX];
};

/*
 * Decides what to send for req on a representation of size bytes with the
 * given strong etag and mtime (for If-Range).  Only GET honours Range.
 * Returns 200 (send it all: no Range, HEAD, If-Range not matching, unknown
 * unit, invalid syntax, more than HTTP_RANGES_MAX specs, a zero-length
 * representation, or satisfiable ranges summing past size), 206 with
 * out->n >= 1 ranges (overlapping and adjacent ones merged, otherwise in
 * request order; n > 1 means multipart/byteranges), or 416 (none
 * satisfiable: send Content-Range: bytes * / size).
 */
int http_range_eval(const struct http_request *req, struct http_slice etag,
		    time_t mtime, uint64_t size, struct http_ranges *out);

/* Just the Range value part of the above (no method/If-Range checks). */
int http_range_parse(struct http_slice range, uint64_t size,
		     struct http_ranges *out);

/*
 * Picks the content coding for a response from the variants present
 * (avail: bit 1u << ENC_BR / ENC_ZSTD / ENC_GZIP of tree_index.h) and the
 * Accept-Encoding field (absent: p == NULL).  Highest q wins, ties broken
 * br > zstd > gzip; identity wins only with a strictly higher q.  Returns
 * ENC_BR/ENC_ZSTD/ENC_GZIP, HTTP_ENC_IDENTITY, or -406 when identity is
 * refused (identity;q=0, or *;q=0 without identity) and no variant is
 * acceptable.
 */
#define HTTP_ENC_IDENTITY (-1)
int http_encoding_choose(struct http_slice accept_encoding, unsigned avail);

/*
 * The q-value (0..1000) Accept-Encoding gives the content coding named
 * coding (lower case, e.g. "dcz"): its own element, else "*", else 0.  An
 * absent field accepts no coding but identity: 0.
 */
int http_encoding_q(struct http_slice accept_encoding, const char *coding);

/* Compression Dictionary Transport (RFC 9842). */
#define HTTP_DICT_HASH_LEN 32 /* SHA-256 */

/*
 * Decodes an Available-Dictionary value: one structured-field byte sequence
 * ":<base64>:" holding a 32-byte hash (the trailing "=" may be left out).
 * 0 with out filled, or -1 for anything else (absent, malformed, repeated
 * lines, another length): the caller then ignores the field.
 */
int http_dictionary_parse(struct http_slice value, unsigned char out[HTTP_DICT_HASH_LEN]);

/*
 * Splits a hashed name as hash_name() makes it ("css/site.<12 hex>.css",
 * "LICENSE.<12 hex>"): *stem_len is the length up to the dot before the
 * hash, *ext_off where the part after the hash starts ("" or ".css").
 * 0, or -1 when path has no such hash part or no stem before it.
 */
int http_hashed_split(const char *path, size_t *stem_len, size_t *ext_off);

/*
 * The Use-As-Dictionary match pattern for hashed name path under alias
 * ("/static/"): alias + stem + ".*" + ext, every byte outside
 * [A-Za-z0-9._~/-] percent-encoded as Django's quote() writes URLs (so no
 * URLPattern special character nor '"' or '\' can appear: it needs no
 * other escaping inside an sf-string).  Writes a NUL-terminated pattern
 * into out and returns its length, or 0 when path is not a hashed name or
 * the pattern does not fit in size bytes.  Which other names the pattern
 * also matches is the caller's to check (a "*" matches "/" too).
 */
size_t http_dictionary_pattern(const char *alias, const char *path, char *out,
			       size_t size);

/* Date: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" (29 chars + NUL). */
#define HTTP_DATE_SIZE 30
void http_date_format(time_t t, char out[HTTP_DATE_SIZE]);
/* Parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7
 * (IMF-fixdate, rfc850, asctime).  0 and *t, or -1 when invalid. */
int http_date_parse(const char *s, size_t len, time_t *t);

/* Writes v in decimal at o (no NUL); returns the end.  For heads and log lines. */
static inline char *http_put_u64(char *o, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*o++ = tmp[--n];
	return o;
}

#endif

/* refs_resolve.c: turning a reference's URL into an output-tree path, and back into text. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "refs.h"
#include "strbuf.h"
#include "xalloc.h"

#define DEFAULT_STATIC_URL "/static/"

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 scheme ":" at the start: data:, http:, about:, javascript: ... */
static int has_scheme(const char *u, size_t n)
{
	size_t k = 1;

	if (!n || !is_alpha(u[0]))
		return 0;
	while (k < n && (is_alpha(u[k]) || (u[k] >= '0' && u[k] <= '9') ||
			 u[k] == '+' || u[k] == '-' || u[k] == '.'))
		k++;
	return k < n && u[k] == ':';
}

/*
 * How much of the absolute path p[0..n) is static_url ("/static/" matches
 * "/static/x" but not "/staticx"); 0 when p lies outside it.  A static_url
 * that is not a path ("https://cdn/") leaves every absolute path outside.
 */
static size_t static_prefix(const char *p, size_t n, const char *static_url)
{
	size_t sl = strlen(static_url);

	while (sl && static_url[sl - 1] == '/')
		sl--;
	if (static_url[0] != '/')
		return 0;
	if (sl == 0)
		return 1;
	if (n > sl && !memcmp(p, static_url, sl) && p[sl] == '/')
		return sl + 1;
	return 0;
}

/* A last component that names a directory ("", ".", "..") is no file. */
static int names_directory(const char *p, size_t n)
{
	const char *slash = memrchr(p, '/', n);
	size_t start = slash ? (size_t)(slash - p) + 1 : 0;
	size_t last = n - start;

	return last == 0 || (last == 1 && p[start] == '.') ||
	       (last == 2 && p[start] == '.' && p[start + 1] == '.');
}

static size_t count_slashes(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '/';
	return k;
}

/* Whether p[i] is a '%' not followed by two hex digits: it stands for
 * itself, as Python's unquote() (so Django) and the WHATWG URL parser read
 * it ("100%.png"). */
static int lone_percent(const char *p, size_t n, size_t i)
{
	return p[i] == '%' && !(i + 2 < n && is_hex(p[i + 1]) && is_hex(p[i + 2]));
}

/* p[0..n) with each lone '%' written "%25", into sb.  0 when there is none
 * (sb untouched), 1 when sb holds the text, -1 on no memory. */
static int escape_lone_percents(const char *p, size_t n, struct strbuf *sb)
{
	size_t first = 0;

	while (first < n && !lone_percent(p, n, first))
		first++;
	if (first == n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lone_percent(p, n, i) ? strbuf_add(sb, "%25", 3) < 0
					  : strbuf_addch(sb, p[i]) < 0)
			return -1;
	return 1;
}

/* Percent-decodes p[0..n) into dst (room for n + 1 bytes), a lone '%'
 * standing for itself; the decoded length, or -1 (control byte, '/' or
 * no memory). */
static ssize_t decode_lenient(char *dst, const char *p, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	ssize_t got = -1;
	int r = escape_lone_percents(p, n, &sb);

	if (r == 0)
		got = path_percent_decode(dst, p, n);
	else if (r > 0)
		got = path_percent_decode(dst, sb.buf, sb.len);
	strbuf_release(&sb);
	if (got >= 0 && count_slashes(dst, (size_t)got) != count_slashes(p, n))
		got = -1;
	return got;
}

/*
 * Appends the decoded p[0..n) to target and normalises the whole.  An
 * encoded '/' ("%2F") names no file: the rewrite swaps whole components;
 * nor does a last component "", "." or ".." (however encoded).
 */
static void resolve_path(const char *p, size_t n, struct strbuf *target)
{
	ssize_t got;

	if (strbuf_grow(target, n + 1) < 0)
		goto bad;
	got = decode_lenient(target->buf + target->len, p, n);
	if (got < 0 || names_directory(target->buf + target->len, (size_t)got))
		goto bad;
	strbuf_setlen(target, target->len + (size_t)got);
	got = path_normalize(target->buf, target->len);
	if (got < 0)
		goto bad;
	strbuf_setlen(target, (size_t)got);
	return;
bad:
	strbuf_reset(target);
}

enum ref_target refs_resolve(const char *from_path, const char *url, size_t len,
			     const char *static_url, struct strbuf *target,
			     size_t *suffix_off)
{
	size_t plen = 0, skip = 0, dirlen;

	while (plen < len && url[plen] != '?' && url[plen] != '#')
		plen++;
	*suffix_off = plen;
	strbuf_reset(target);
	if (plen == 0 || has_scheme(url, len) || (len >= 2 && url[0] == '/' && url[1] == '/'))
		return REF_EXTERNAL;
	if (url[0] == '/') {
		skip = static_prefix(url, plen, static_url ? static_url : DEFAULT_STATIC_URL);
		if (!skip)
			return REF_EXTERNAL;
	} else if (from_path && (dirlen = path_dirlen(from_path)) > 0) {
		if (strbuf_add(target, from_path, dirlen) < 0 || strbuf_addch(target, '/') < 0) {
			strbuf_reset(target);
			return REF_LOCAL;
		}
	}
	resolve_path(url + skip, plen - skip, target);
	return REF_LOCAL;
}

const char *refs_unresolved_why(const char *url, size_t len, const char *static_url)
{
	size_t plen = 0, skip = 0;
	const char *why = "climbs above the output root";
	char *buf;
	ssize_t got;

	while (plen < len && url[plen] != '?' && url[plen] != '#')
		plen++;
	if (plen && url[0] == '/')
		skip = static_prefix(url, plen, static_url ? static_url : DEFAULT_STATIC_URL);
	buf = xmalloc(plen - skip + 1);
	got = decode_lenient(buf, url + skip, plen - skip);
	if (got < 0)
		why = "has a bad percent-escape";
	else if (names_directory(buf, (size_t)got))
		why = "names a directory";
	free(buf);
	return why;
}

/* Bytes that must be escaped whatever the original did. */
static int must_encode(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '%' || c == '?' || c == '#' ||
	       c == '"' || c == '\'' || c == '(' || c == ')' || c == '\\';
}

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Writes name, percent-encoding the bytes orig[0..olen) encoded. */
static void encode_component(const char *orig, size_t olen, const char *name,
			     struct strbuf *out)
{
	unsigned char encoded[256] = { 0 };
	const char *digits = "0123456789ABCDEF";

	for (size_t i = 0; i + 2 < olen; i++) {
		if (orig[i] != '%' || !is_hex(orig[i + 1]) || !is_hex(orig[i + 2]))
			continue;
		encoded[hex_value(orig[i + 1]) * 16 + hex_value(orig[i + 2])] = 1;
		if ((orig[i + 1] >= 'a' && orig[i + 1] <= 'f') ||
		    (orig[i + 2] >= 'a' && orig[i + 2] <= 'f'))
			digits = "0123456789abcdef";
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (encoded[*p] || must_encode(*p)) {
			char esc[3] = { '%', digits[*p >> 4], digits[*p & 15] };
			strbuf_add(out, esc, 3);
		} else {
			strbuf_addch(out, (char)*p);
		}
	}
}

void refs_rewrite(const char *url, size_t len, size_t suffix_off,
		  const char *hashed_target, struct strbuf *out)
{
	size_t plen = suffix_off < len ? suffix_off : len;
	const char *slash = memrchr(url, '/', plen);
	size_t pre = slash ? (size_t)(slash - url) + 1 : 0;
	const char *last = strrchr(hashed_target, '/');
	const char *name = last ? last + 1 : hashed_target;

	/* all or nothing: room for the worst case first (every byte escaped) */
	if (strbuf_grow(out, pre + 3 * strlen(name) + (len - plen)) < 0)
		return;
	strbuf_add(out, url, pre);
	encode_component(url + pre, plen - pre, name, out);
	strbuf_add(out, url + plen, len - plen);
}

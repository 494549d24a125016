/* http_dictionary.c: Compression Dictionary Transport (RFC 9842): the
 * Available-Dictionary value and the Use-As-Dictionary match pattern. */
#include <string.h>
#include "hash.h"
#include "tree_index.h"
#include "http.h"

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * sf-binary (RFC 8941 §3.3.5): ":" base64 ":".  A SHA-256 is 32 bytes, 43
 * base64 digits and one "=" (which RFC 8941 §4.2.7 lets a sender leave
 * out).  Anything else -- a list, parameters, another length, stray bytes
 * -- is not a dictionary we could hold.
 */
int http_dictionary_parse(struct http_slice v, unsigned char out[HTTP_DICT_HASH_LEN])
{
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0, i, end;

	if (!v.p || v.len < 2 || v.p[0] != ':')
		return -1;
	end = v.len - 1;
	if (v.p[end] != ':')
		return -1;
	if (end >= 2 && v.p[end - 1] == '=')
		end--;
	if (end - 1 != 43)
		return -1;
	for (i = 1; i < end; i++) {
		int d = b64_value((unsigned char)v.p[i]);

		if (d < 0)
			return -1;
		acc = acc << 6 | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 digits carry 258 bits: the 2 left over must be zero (canonical). */
	return n == HTTP_DICT_HASH_LEN && acc == 0 ? 0 : -1;
}

/*
 * Django's urllib.parse.quote(name) keeps these and percent-encodes every
 * other byte, so the pattern spells a name as the page's URL does.  None of
 * URLPattern's special characters (":*?+(){}\\") and neither of the
 * sf-string's ('"', '\\') survive it: escaping is percent-encoding.
 */
static int url_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '/';
}

static char *quote(char *o, char *end, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n && o; i++) {
		unsigned char c = (unsigned char)s[i];

		if (url_safe(c) && o < end) {
			*o++ = (char)c;
		} else if (!url_safe(c) && end - o >= 3) {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			o = NULL;
		}
	}
	return o;
}

int http_hashed_split(const char *path, size_t *stem_len, size_t *ext_off)
{
	const char *base = strrchr(path, '/'), *dot, *h;
	size_t len = strlen(path);

	base = base ? base + 1 : path;
	/* "stem.HASH.ext" or "stem.HASH": the hash is the last or second to
	 * last dot-separated part of the last component (hash_name()). */
	dot = strrchr(base, '.');
	if (!dot)
		return -1;
	h = dot + 1;
	if ((size_t)(path + len - h) != HASH_NAME_LEN) {
		const char *prev = dot;

		while (prev > base && prev[-1] != '.')
			prev--;
		if (prev <= base + 1 || (size_t)(dot - prev) != HASH_NAME_LEN)
			return -1;
		h = prev;
	}
	for (int i = 0; i < HASH_NAME_LEN; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return -1;
	if (h - 1 == base)
		return -1; /* ".HASH": no stem */
	*stem_len = (size_t)(h - 1 - path);
	*ext_off = (size_t)(h + HASH_NAME_LEN - path);
	return 0;
}

size_t http_dictionary_pattern(const char *alias, const char *path, char *out,
			       size_t size)
{
	size_t stem, ext;
	char *o = out, *end = out + size;

	if (size == 0 || http_hashed_split(path, &stem, &ext))
		return 0;
	o = quote(o, end, alias, strlen(alias));
	o = quote(o, end, path, stem);
	if (o && end - o >= 2) {
		/* "." then URLPattern's wildcard stands for the hash. */
		*o++ = '.';
		*o++ = '*';
	} else {
		o = NULL;
	}
	o = quote(o, end, path + ext, strlen(path + ext));
	if (!o || o == end)
		return 0;
	*o = '\0';
	return (size_t)(o - out);
}

/* http_target.c: request target -> index lookup key, refusing anything outside the alias. */
#include <string.h>
#include "path.h"
#include "http.h"

/* A path ending in "/", "/." or "/.." names a directory, never a file,
 * even if normalising would leave a file name ("app.js/." -> "app.js"). */
static int names_directory(const char *p, size_t len)
{
	const char *last = p + len;

	while (last > p && last[-1] != '/')
		last--;
	len -= (size_t)(last - p);
	return len == 0 || (len == 1 && last[0] == '.') ||
	       (len == 2 && last[0] == '.' && last[1] == '.');
}

/*
 * The order matters: decode exactly once (so "%252e" stays a literal "%2e"
 * and never becomes "."), refuse bytes no file name of ours can hold, match
 * the alias on the decoded path with its trailing slash, and only then
 * resolve dots inside the part below the alias, so nothing can climb out.
 */
int http_target_key(struct http_slice target, const char *alias, char *key,
		    size_t keysize, size_t *keylen)
{
	size_t plen = target.len, alen = strlen(alias);
	const char *q = target.p ? memchr(target.p, '?', target.len) : NULL;
	ssize_t n, m;

	if (!target.p || alen == 0 || alias[alen - 1] != '/')
		return HTTP_NOT_FOUND;
	if (q)
		plen = (size_t)(q - target.p);
	if (plen + 1 > keysize)
		return HTTP_BAD_REQUEST;
	n = path_percent_decode(key, target.p, plen);
	/* the bytes collect would have refused in a name (one rule, lib/path.c) */
	if (n < 0 || path_check_servable(key, (size_t)n))
		return HTTP_BAD_REQUEST;
	if ((size_t)n < alen || memcmp(key, alias, alen) != 0 ||
	    names_directory(key + alen, (size_t)n - alen))
		return HTTP_NOT_FOUND;
	m = path_normalize(key + alen, (size_t)n - alen);
	if (m <= 0 || path_has_dot_component(key + alen))
		return HTTP_NOT_FOUND;
	memmove(key, key + alen, (size_t)m + 1);
	*keylen = (size_t)m;
	return 0;
}

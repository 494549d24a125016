/* fuzz-sources: serve/http_*.c */
/* fuzz_path.c: libFuzzer target for URL path handling: percent-decoding,
 * normalising and the alias check must never yield a key that escapes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "../../serve/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A key must be a plain relative path: no empty, ".", ".." or dot-led
 * component, no backslash, no control byte, valid UTF-8. */
static void check_key(const char *key, size_t len)
{
	const char *s = key;

	if (len == 0 || strlen(key) != len || !path_is_utf8(key, len))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f || key[i] == '\\')
			abort();
	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 0 || s[0] == '.')
			abort();
		s += n;
		if (*s == '/' && *++s == '\0')
			abort();
	}
}

static void check_normalize(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);
	ssize_t n;

	if (!p)
		return;
	memcpy(p, data, size);
	n = path_normalize(p, size);
	if (n >= 0) {
		size_t i = 0;

		/* Raw input may hold NULs: walk by length, not by strlen. */
		if ((size_t)n > size || p[n] != '\0' || (n > 0 && p[0] == '/'))
			abort();
		while (i < (size_t)n) {
			size_t k = 0;

			while (i + k < (size_t)n && p[i + k] != '/')
				k++;
			if (k == 0 || (k == 1 && p[i] == '.') ||
			    (k == 2 && p[i] == '.' && p[i + 1] == '.'))
				abort();
			i += k + 1;
		}
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const aliases[] = { "/static/", "/" };
	char key[HTTP_TARGET_MAX + 1];
	struct http_slice t = { (const char *)data, size };
	size_t keylen;

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		int r = http_target_key(t, aliases[i], key, sizeof(key), &keylen);

		if (r == 0)
			check_key(key, keylen);
		else if (r != HTTP_BAD_REQUEST && r != HTTP_NOT_FOUND)
			abort();
	}
	check_normalize(data, size);
	return 0;
}

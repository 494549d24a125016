/* hash.c: XXH3-64 content hashes and Django-style hashed file names. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "hash.h"
#include "xalloc.h"

uint64_t hash_bytes(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
}

int hash_fd(int fd, uint64_t *out)
{
	XXH3_state_t *st = XXH3_createState();
	char buf[65536];
	int r = 0;

	if (!st)
		return -ENOMEM;
	XXH3_64bits_reset(st);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		XXH3_64bits_update(st, buf, (size_t)n);
	}
	if (!r)
		*out = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return r;
}

void hash_hex(uint64_t h, char out[HASH_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	XXH64_canonical_t c;

	XXH64_canonicalFromHash(&c, h);
	for (int i = 0; i < 8; i++) {
		out[2 * i] = digits[c.digest[i] >> 4];
		out[2 * i + 1] = digits[c.digest[i] & 15];
	}
	out[HASH_HEX_LEN] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hash_parse_hex(const char *s, uint64_t *out)
{
	uint64_t h = 0;

	for (int i = 0; i < HASH_HEX_LEN; i++) {
		int v = hexval((unsigned char)s[i]);

		if (v < 0)
			return -1;
		h = h << 4 | (uint64_t)v;
	}
	if (s[HASH_HEX_LEN] != '\0')
		return -1;
	*out = h;
	return 0;
}

char *hash_name(const char *path, uint64_t h)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t len = strlen(path), at;
	char hex[HASH_HEX_LEN + 1];
	char *out;

	base = base ? base + 1 : path;
	/* os.path.splitext: split at the last dot if a non-dot precedes it. */
	dot = strrchr(base, '.');
	at = dot && (size_t)(dot - base) > strspn(base, ".") ?
		(size_t)(dot - path) : len;
	hash_hex(h, hex);
	out = xmalloc(len + 1 + HASH_NAME_LEN + 1);
	memcpy(out, path, at);
	out[at] = '.';
	memcpy(out + at + 1, hex, HASH_NAME_LEN);
	memcpy(out + at + 1 + HASH_NAME_LEN, path + at, len - at + 1);
	return out;
}

/* path.c: '/'-separated relative paths: normalising, checking, decoding. */
#include <string.h>

#include "path.h"

/* Copies segment [s, s + n) to out[*w], resolving "." and "..". */
static int push_segment(char *out, size_t *w, const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.'))
		return 0;
	if (n == 2 && s[0] == '.' && s[1] == '.') {
		if (*w == 0)
			return -1;
		while (*w > 0 && out[*w - 1] != '/')
			(*w)--;
		if (*w > 0)
			(*w)--; /* the separator before the dropped segment */
		return 0;
	}
	if (*w > 0)
		out[(*w)++] = '/';
	memmove(out + *w, s, n);
	*w += n;
	return 0;
}

ssize_t path_normalize(char *p, size_t len)
{
	size_t r = 0, w = 0;

	/* w never passes r: each segment is written no further than it was read. */
	while (r < len) {
		size_t start = r;

		while (r < len && p[r] != '/')
			r++;
		if (push_segment(p, &w, p + start, r - start) < 0)
			return -1;
		r++;
	}
	p[w] = '\0';
	return (ssize_t)w;
}

const char *path_check_relative(const char *name)
{
	const char *s = name;

	if (!*name)
		return "empty name";
	if (name[0] == '/')
		return "absolute path";
	for (const char *c = name; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "control character in name";
		if (*c == '\\')
			return "backslash in name";
	}
	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "'..' in path";
		s += n;
		if (*s == '/')
			s++;
	}
	return NULL;
}

const char *path_check_servable(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return "control character in name";
		if (c == '\\')
			return "backslash in name";
		if (c == '"')
			return "double quote in name";
	}
	if (!path_is_utf8(name, len))
		return "name is not valid UTF-8";
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

ssize_t path_percent_decode(char *dst, const char *src, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hexval((unsigned char)src[i + 1]);
			lo = hexval((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		dst[w++] = (char)c;
	}
	dst[w] = '\0';
	return (ssize_t)w;
}

int path_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p, n, min, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

size_t path_dirlen(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

int path_has_dot_component(const char *path)
{
	const char *s = path;

	while (*s) {
		if (*s == '.')
			return 1;
		s += strcspn(s, "/");
		while (*s == '/')
			s++;
	}
	return 0;
}

/* json_out.c: streaming JSON string output, byte-compatible with Python's json.dumps. */
#include <stdint.h>
#include <string.h>

#include "json_out.h"
#include "strbuf.h"

/* Decodes one UTF-8 sequence at s; returns its length, 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t min, c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static void put_u(struct strbuf *sb, uint32_t u)
{
	strbuf_addf(sb, "\\u%04x", (unsigned)u);
}

static void put_escaped(struct strbuf *sb, unsigned char c)
{
	switch (c) {
	case '"': strbuf_add(sb, "\\\"", 2); break;
	case '\\': strbuf_add(sb, "\\\\", 2); break;
	case '\n': strbuf_add(sb, "\\n", 2); break;
	case '\r': strbuf_add(sb, "\\r", 2); break;
	case '\t': strbuf_add(sb, "\\t", 2); break;
	case '\b': strbuf_add(sb, "\\b", 2); break;
	case '\f': strbuf_add(sb, "\\f", 2); break;
	default: put_u(sb, c); break;
	}
}

void json_put_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	strbuf_addch(sb, '"');
	while (*p) {
		size_t plain = 0;
		uint32_t cp;
		size_t n;

		while (p[plain] >= 0x20 && p[plain] < 0x7f && p[plain] != '"' &&
		       p[plain] != '\\')
			plain++;
		strbuf_add(sb, p, plain);
		p += plain;
		if (!*p)
			break;
		if (*p < 0x80) {
			put_escaped(sb, *p++);
			continue;
		}
		n = utf8_decode(p, &cp);
		if (!n) {
			put_u(sb, 0xfffd);
			p++;
		} else if (cp >= 0x10000) {
			cp -= 0x10000;
			put_u(sb, 0xd800 + (cp >> 10));
			put_u(sb, 0xdc00 + (cp & 0x3ff));
			p += n;
		} else {
			put_u(sb, cp);
			p += n;
		}
	}
	strbuf_addch(sb, '"');
}

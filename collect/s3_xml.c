/* s3_xml.c: element text out of S3's XML answers (see s3_xml.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"
#include "strbuf.h"

static const char *find(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle));
}

/* Appends the UTF-8 form of code point cp. */
static void add_utf8(struct strbuf *out, unsigned long cp)
{
	if (cp < 0x80) {
		strbuf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(out, (int)(0xc0 | cp >> 6));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(out, (int)(0xe0 | cp >> 12));
		strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(out, (int)(0xf0 | cp >> 18));
		strbuf_addch(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
	}
}

static void add_decoded(struct strbuf *out, const char *s, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};

	for (size_t i = 0; i < len; i++) {
		size_t k;

		if (s[i] != '&') {
			strbuf_addch(out, s[i]);
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].ent);

			if (len - i >= el && !memcmp(s + i, ents[k].ent, el)) {
				strbuf_addch(out, ents[k].c);
				i += el - 1;
				break;
			}
		}
		if (k < sizeof(ents) / sizeof(ents[0]))
			continue;
		if (i + 2 < len && s[i + 1] == '#') {
			char num[16];
			size_t j = i + 2, n = 0;
			unsigned long cp;
			int base = 10;

			if (s[j] == 'x') {
				base = 16;
				j++;
			}
			while (j < len && s[j] != ';' && n < sizeof(num) - 1)
				num[n++] = s[j++];
			num[n] = '\0';
			cp = strtoul(num, NULL, base);
			if (j < len && s[j] == ';' && n && cp && cp < 0x110000) {
				add_utf8(out, cp);
				i = j;
				continue;
			}
		}
		strbuf_addch(out, '&');
	}
}

int s3_xml_range(const char *xml, size_t end, size_t *pos, const char *tag,
		 size_t *start, size_t *len)
{
	char open[72], close[72];
	const char *a, *b;

	if (*pos >= end || strlen(tag) > 64)
		return 0;
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = find(xml + *pos, end - *pos, open);
	if (!a)
		return 0;
	a += strlen(open);
	b = find(a, (size_t)(xml + end - a), close);
	if (!b)
		return 0;
	*start = (size_t)(a - xml);
	*len = (size_t)(b - a);
	*pos = (size_t)(b - xml) + strlen(close);
	return 1;
}

int s3_xml_next(const char *xml, size_t end, size_t *pos, const char *tag,
		struct strbuf *out)
{
	size_t start, len;

	if (!s3_xml_range(xml, end, pos, tag, &start, &len))
		return 0;
	add_decoded(out, xml + start, len);
	return 1;
}

void s3_xml_first(const char *xml, size_t len, const char *tag, char *out, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	size_t pos = 0;

	out[0] = '\0';
	if (s3_xml_next(xml, len, &pos, tag, &sb))
		snprintf(out, size, "%s", sb.buf);
	strbuf_release(&sb);
}

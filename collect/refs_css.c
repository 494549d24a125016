/* refs_css.c: a CSS Syntax Level 3 style tokenizer that finds url(), @import and source maps. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include <string.h>

#include "refs_priv.h"

struct css_scan {
	const char *s;
	size_t len, i;
	struct ref_list *out;
	struct line_counter lc;
	int after_import; /* the last significant token was @import */
};

/* Each step returns 1 to go on, 0 when the input ended inside a token. */
enum { CSS_STOP = 0, CSS_GO = 1 };

static int css_newline(char c)
{
	return c == '\n' || c == '\r' || c == '\f';
}

static int css_ws(char c)
{
	return c == ' ' || c == '\t' || css_newline(c);
}

static int css_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c >= 0x80;
}

/* The spec's "non-printable code point": ends an unquoted url() as bad. */
static int css_nonprintable(unsigned char c)
{
	return c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f;
}

/* Bytes an escape after a backslash at i takes (newline right after: 0). */
static size_t css_escape_len(const struct css_scan *st, size_t i)
{
	if (i + 1 >= st->len || css_newline(st->s[i + 1]))
		return 0;
	return 2;
}

static void css_skip_ws(struct css_scan *st)
{
	while (st->i < st->len && css_ws(st->s[st->i]))
		st->i++;
}

/* Consumes a run of name characters and escapes; returns its start. */
static size_t css_name(struct css_scan *st)
{
	size_t start = st->i, e;

	while (st->i < st->len) {
		unsigned char c = (unsigned char)st->s[st->i];

		if (css_name_char(c))
			st->i++;
		else if (c == '\\' && (e = css_escape_len(st, st->i)) > 0)
			st->i += e;
		else
			break;
	}
	return start;
}

static int css_comment(struct css_scan *st)
{
	const char *body = st->s + st->i + 2;
	size_t blen, uoff, ulen;
	const char *end = memmem(body, st->len - st->i - 2, "*/", 2);

	if (!end)
		return CSS_STOP;
	blen = (size_t)(end - body);
	ulen = refs_sourcemap_url(body, blen, &uoff);
	if (ulen)
		refs_push(st->out, &st->lc, st->i + 2 + uoff, ulen, REF_SOURCEMAP);
	st->i += 2 + blen + 2;
	return CSS_GO;
}

/*
 * A string token at i.  *ok says it ended with its quote (a newline makes
 * it a bad string, which the tokenizer steps over); its contents are
 * [*off, *off + *slen).
 */
static int css_string(struct css_scan *st, size_t *off, size_t *slen, int *ok)
{
	char q = st->s[st->i++];

	*off = st->i;
	*ok = 0;
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == q) {
			*slen = st->i++ - *off;
			*ok = 1;
			return CSS_GO;
		}
		if (css_newline(c))
			return CSS_GO;
		if (c == '\\') {
			if (st->i + 1 >= st->len)
				return CSS_STOP;
			/* a CRLF after the backslash is one escaped newline */
			st->i += (st->s[st->i + 1] == '\r' && st->i + 2 < st->len &&
				  st->s[st->i + 2] == '\n') ? 3 : 2;
			continue;
		}
		st->i++;
	}
	return CSS_STOP;
}

/* Reports a quoted URL without the blanks a URL parser strips from its ends. */
static void css_push_trimmed(struct css_scan *st, size_t off, size_t slen,
			     enum ref_kind kind)
{
	while (slen && css_ws(st->s[off])) {
		off++;
		slen--;
	}
	while (slen && css_ws(st->s[off + slen - 1]))
		slen--;
	if (slen)
		refs_push(st->out, &st->lc, off, slen, kind);
}

/* The rest of a bad url: up to and including ')'. */
static int css_bad_url(struct css_scan *st)
{
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == ')') {
			st->i++;
			return CSS_GO;
		}
		st->i += (c == '\\' && st->i + 1 < st->len) ? 2 : 1;
	}
	return CSS_STOP;
}

/* An unquoted url( ... ) from i (leading whitespace already skipped). */
static int css_unquoted_url(struct css_scan *st)
{
	size_t start = st->i, end, e;

	while (st->i < st->len) {
		unsigned char c = (unsigned char)st->s[st->i];

		if (c == ')' || css_ws((char)c)) {
			end = st->i;
			css_skip_ws(st);
			if (st->i >= st->len)
				return CSS_STOP;
			if (st->s[st->i] != ')')
				return css_bad_url(st);
			st->i++;
			if (end > start)
				refs_push(st->out, &st->lc, start, end - start, REF_URL);
			return CSS_GO;
		}
		if (c == '"' || c == '\'' || c == '(' || css_nonprintable(c))
			return css_bad_url(st);
		if (c == '\\') {
			if (!(e = css_escape_len(st, st->i)))
				return css_bad_url(st);
			st->i += e;
			continue;
		}
		st->i++;
	}
	return CSS_STOP;
}

/* After "url(": a quoted argument makes it a function, else a url token. */
static int css_url(struct css_scan *st)
{
	size_t off, slen;
	int ok;

	css_skip_ws(st);
	if (st->i >= st->len)
		return CSS_STOP;
	if (st->s[st->i] != '"' && st->s[st->i] != '\'')
		return css_unquoted_url(st);
	if (css_string(st, &off, &slen, &ok) == CSS_STOP)
		return CSS_STOP;
	if (ok)
		css_push_trimmed(st, off, slen, REF_URL);
	return CSS_GO;
}

static int css_is_word(const struct css_scan *st, size_t start, const char *word)
{
	size_t n = strlen(word);

	return st->i - start == n && !strncasecmp(st->s + start, word, n);
}

/* A name-started token at i: ident, function, or url. */
static int css_ident(struct css_scan *st)
{
	size_t start = css_name(st);

	if (st->i == start) { /* a lone backslash: a delimiter */
		st->i++;
		return CSS_GO;
	}
	if (st->i < st->len && st->s[st->i] == '(' && css_is_word(st, start, "url")) {
		st->i++;
		return css_url(st);
	}
	return CSS_GO;
}

static int css_quoted(struct css_scan *st)
{
	size_t off, slen;
	int ok, import = st->after_import;

	st->after_import = 0;
	if (css_string(st, &off, &slen, &ok) == CSS_STOP)
		return CSS_STOP;
	if (ok && import)
		css_push_trimmed(st, off, slen, REF_IMPORT);
	return CSS_GO;
}

/* One token at i; returns CSS_STOP at an unterminated one. */
static int css_token(struct css_scan *st)
{
	char c = st->s[st->i];
	size_t start;

	if (c == '/' && st->i + 1 < st->len && st->s[st->i + 1] == '*')
		return css_comment(st);
	if (css_ws(c)) {
		st->i++;
		return CSS_GO;
	}
	if (c == '"' || c == '\'')
		return css_quoted(st);
	if (c == '@') {
		st->i++;
		start = css_name(st);
		st->after_import = css_is_word(st, start, "import");
		return CSS_GO;
	}
	st->after_import = 0;
	if (c == '#') { /* a hash token: "#url(" is not a url */
		st->i++;
		css_name(st);
		return CSS_GO;
	}
	if (css_name_char((unsigned char)c) || c == '\\')
		return css_ident(st);
	st->i++;
	return CSS_GO;
}

void refs_scan_css(const char *buf, size_t len, struct ref_list *out)
{
	struct css_scan st = { .s = buf, .len = len, .out = out };

	line_counter_init(&st.lc, buf);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) /* a UTF-8 BOM is no name */
		st.i = 3;
	while (st.i < st.len)
		if (css_token(&st) == CSS_STOP)
			break;
}

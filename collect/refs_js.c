/* refs_js.c: a heuristic JavaScript scanner for source maps and ES module specifiers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include <string.h>

#include "refs_priv.h"

#define JS_TEMPLATE_DEPTH 64

struct js_scan {
	const char *s;
	size_t len, i;
	struct ref_list *out;
	struct line_counter lc;
	int modules;
	int regex_ok;     /* a '/' here starts a regex literal, not a division */
	int after_dot;    /* the last token was '.': a keyword is a property */
	int pending_from; /* inside an import/export clause, before "from" */
	size_t braces;    /* '{' depth, to find the '}' closing a "${" */
	size_t ntpl;      /* open "${" of template literals */
	size_t tpl_braces[JS_TEMPLATE_DEPTH];
};

enum { JS_STOP = 0, JS_GO = 1 };

static int js_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static int js_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t js_skip_ws(const struct js_scan *st, size_t j)
{
	while (j < st->len && js_ws(st->s[j]))
		j++;
	return j;
}

/* Skips white space and comments from j; st->len when a comment does not
 * end.  Bundlers leave comments inside import(): webpack's chunk names. */
static size_t js_skip_blank(const struct js_scan *st, size_t j)
{
	for (;;) {
		const char *end;

		j = js_skip_ws(st, j);
		if (j + 1 >= st->len || st->s[j] != '/' || (st->s[j + 1] != '*' && st->s[j + 1] != '/'))
			return j;
		if (st->s[j + 1] == '/')
			end = memchr(st->s + j, '\n', st->len - j);
		else if ((end = memmem(st->s + j + 2, st->len - j - 2, "*/", 2)))
			end += 2;
		if (!end)
			return st->len;
		j = (size_t)(end - st->s);
	}
}

static int js_comment(struct js_scan *st)
{
	const char *body = st->s + st->i + 2, *end;
	size_t room = st->len - st->i - 2, blen, uoff, ulen;

	if (st->s[st->i + 1] == '/') {
		end = memchr(body, '\n', room);
		blen = end ? (size_t)(end - body) : room;
	} else {
		if (!(end = memmem(body, room, "*/", 2)))
			return JS_STOP;
		blen = (size_t)(end - body);
	}
	ulen = refs_sourcemap_url(body, blen, &uoff);
	if (ulen)
		refs_push(st->out, &st->lc, st->i + 2 + uoff, ulen, REF_SOURCEMAP);
	st->i += 2 + blen + (st->s[st->i + 1] == '*' ? 2 : 0);
	return JS_GO;
}

/*
 * A string literal at j.  Returns the index past its closing quote, or 0
 * when it is cut by a newline (a syntax error: scanning goes on after it)
 * or by the end of input (*eof set).
 */
static size_t js_string_end(const struct js_scan *st, size_t j, int *eof)
{
	char q = st->s[j++];

	*eof = 0;
	while (j < st->len) {
		char c = st->s[j];

		if (c == q)
			return j + 1;
		if (c == '\n')
			return 0;
		j += c == '\\' ? 2 : 1;
	}
	*eof = 1;
	return 0;
}

static int js_string(struct js_scan *st)
{
	int eof;
	size_t end = js_string_end(st, st->i, &eof);

	if (eof)
		return JS_STOP;
	if (!end) /* cut by a newline: resume at it */
		end = (size_t)((const char *)memchr(st->s + st->i, '\n', st->len - st->i) - st->s);
	st->i = end;
	st->regex_ok = 0;
	st->pending_from = 0;
	return JS_GO;
}

/*
 * Template literal text from i (just past '`' or past the '}' closing a
 * "${"): up to the closing '`' or the next "${".
 */
static int js_template(struct js_scan *st)
{
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == '`') {
			st->i++;
			st->regex_ok = 0;
			return JS_GO;
		}
		if (c == '\\') {
			st->i += 2;
			continue;
		}
		if (c == '$' && st->i + 1 < st->len && st->s[st->i + 1] == '{') {
			if (st->ntpl == JS_TEMPLATE_DEPTH)
				return JS_STOP; /* absurd nesting: give up */
			st->tpl_braces[st->ntpl++] = st->braces;
			st->i += 2;
			st->regex_ok = 1;
			return JS_GO;
		}
		st->i++;
	}
	return JS_STOP;
}

/* A regex literal at i; a newline or the end before its end means it was a division. */
static int js_regex(struct js_scan *st)
{
	size_t j = st->i + 1;
	int in_class = 0;

	while (j < st->len && st->s[j] != '\n') {
		char c = st->s[j];

		if (c == '\\') {
			j += 2;
			continue;
		}
		if (c == '[')
			in_class = 1;
		else if (c == ']')
			in_class = 0;
		else if (c == '/' && !in_class) {
			j++;
			while (j < st->len && js_ident_char((unsigned char)st->s[j]))
				j++;
			st->i = j;
			st->regex_ok = 0;
			return JS_GO;
		}
		j++;
	}
	st->i++;
	st->regex_ok = 1;
	return JS_GO;
}

static int js_relative(const char *s, size_t n)
{
	return (n >= 2 && !memcmp(s, "./", 2)) || (n >= 3 && !memcmp(s, "../", 3)) ||
	       (n >= 1 && s[0] == '/');
}

/*
 * A module specifier expected at j (after blanks and comments): a string
 * literal, reported when relative and, for import(...), followed by ')' or
 * by ',' and its options.  Moves i past the string when there is one.
 */
static void js_specifier(struct js_scan *st, size_t j, int need_paren)
{
	size_t end, k;
	int eof;

	j = js_skip_blank(st, j);
	if (j >= st->len || (st->s[j] != '"' && st->s[j] != '\''))
		return;
	if (!(end = js_string_end(st, j, &eof)))
		return;
	k = js_skip_blank(st, end);
	if ((!need_paren || (k < st->len && (st->s[k] == ')' || st->s[k] == ','))) &&
	    js_relative(st->s + j + 1, end - j - 2))
		refs_push(st->out, &st->lc, j + 1, end - j - 2, REF_MODULE);
	st->i = end;
	st->regex_ok = 0;
	st->pending_from = 0;
}

static void js_module_word(struct js_scan *st, size_t start)
{
	size_t n = st->i - start, j = js_skip_ws(st, st->i);
	const char *w = st->s + start;

	if (n == 6 && !memcmp(w, "import", 6)) {
		j = js_skip_blank(st, j);
		if (j < st->len && st->s[j] == '(')
			js_specifier(st, j + 1, 1);
		else if (j < st->len && (st->s[j] == '"' || st->s[j] == '\''))
			js_specifier(st, j, 0);
		else if (j >= st->len || st->s[j] != '.')
			st->pending_from = 1;
	} else if (n == 6 && !memcmp(w, "export", 6)) {
		st->pending_from = 1;
	} else if (n == 4 && !memcmp(w, "from", 4) && st->pending_from) {
		j = js_skip_blank(st, j);
		js_specifier(st, j, 0);
	}
}

/* Keywords after which a '/' starts a regex literal. */
static int js_regex_keyword(const char *w, size_t n)
{
	static const char *const kw[] = {
		"return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
		"throw", "case", "do", "else", "yield", "await", NULL,
	};

	for (size_t k = 0; kw[k]; k++)
		if (strlen(kw[k]) == n && !memcmp(kw[k], w, n))
			return 1;
	return 0;
}

static int js_word(struct js_scan *st, int prop)
{
	size_t start = st->i;

	while (st->i < st->len) {
		unsigned char c = (unsigned char)st->s[st->i];

		if (js_ident_char(c))
			st->i++;
		else if (c == '\\' && st->i + 1 < st->len)
			st->i += 2;
		else
			break;
	}
	if (st->i == start) { /* a backslash at the end */
		st->i++;
		return JS_GO;
	}
	st->regex_ok = !prop && js_regex_keyword(st->s + start, st->i - start);
	if (st->modules && !prop)
		js_module_word(st, start);
	return JS_GO;
}

/* A punctuator at i, tracking braces and what a following '/' means. */
static int js_punct(struct js_scan *st)
{
	char c = st->s[st->i++];

	st->regex_ok = !(c == ')' || c == ']');
	if (c == ';' || c == '(' || c == ')' || c == '=')
		st->pending_from = 0;
	if (c == '{')
		st->braces++;
	if (c == '}') {
		if (st->ntpl && st->braces == st->tpl_braces[st->ntpl - 1]) {
			st->ntpl--;
			return js_template(st);
		}
		if (st->braces)
			st->braces--;
	}
	st->after_dot = c == '.';
	return JS_GO;
}

static int js_token(struct js_scan *st)
{
	char c = st->s[st->i];
	char next = st->i + 1 < st->len ? st->s[st->i + 1] : 0;
	int prop = st->after_dot;

	if (js_ws(c)) {
		st->i++;
		return JS_GO;
	}
	if (c == '/' && (next == '/' || next == '*'))
		return js_comment(st);
	if (c != '.')
		st->after_dot = 0;
	if (c == '/' && st->regex_ok)
		return js_regex(st);
	if (c == '"' || c == '\'')
		return js_string(st);
	if (c == '`') {
		st->i++;
		return js_template(st);
	}
	if (js_ident_char((unsigned char)c) || c == '\\')
		return js_word(st, prop);
	return js_punct(st);
}

void refs_scan_js(const char *buf, size_t len, int modules, struct ref_list *out)
{
	struct js_scan st = { .s = buf, .len = len, .out = out, .modules = modules,
			      .regex_ok = 1 };

	line_counter_init(&st.lc, buf);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) /* UTF-8 BOM */
		st.i = 3;
	if (len - st.i >= 2 && buf[st.i] == '#' && buf[st.i + 1] == '!') { /* hashbang */
		const char *nl = memchr(buf + st.i, '\n', len - st.i);
		st.i = nl ? (size_t)(nl - buf) : len;
	}
	while (st.i < st.len)
		if (js_token(&st) == JS_STOP)
			break;
}

/* template_jinja2.c: finds static("x") calls in Jinja2 templates whose name no collected file answers. */
#include <stdlib.h>
#include <string.h>

#include "fileset.h"
#include "template_check.h"
#include "xalloc.h"

/* Jinja2's default delimiters (Django's Jinja2 backend keeps them). */
static const char *closer(char open)
{
	return open == '{' ? "}}" : open == '%' ? "%}" : "#}";
}

static int is_ident(char c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

static size_t lines_in(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* The end of the string literal starting at e[i] (its quote), or 0 when it
 * does not close; *escaped when it holds a backslash (not guessed). */
static size_t string_end(const char *e, size_t n, size_t i, int *escaped)
{
	char q = e[i];

	for (size_t j = i + 1; j < n; j++) {
		if (e[j] == '\\') {
			*escaped = 1;
			j++;
		} else if (e[j] == q) {
			return j;
		}
	}
	return 0;
}

static size_t skip_space(const char *e, size_t n, size_t i)
{
	while (i < n && strchr(" \t\r\n", e[i]))
		i++;
	return i;
}

/* static( at e[i] (just after the parenthesis): one literal argument
 * checked, anything else counted. */
static void static_call(const char *path, size_t line, const char *e, size_t n, size_t i,
			const struct fileset *fs, int warn_only, struct template_scan *out)
{
	int escaped = 0;
	size_t end, after;
	char *name;

	i = skip_space(e, n, i);
	if (i >= n || (e[i] != '"' && e[i] != '\'') || !(end = string_end(e, n, i, &escaped)) ||
	    escaped || (after = skip_space(e, n, end + 1)) >= n || e[after] != ')') {
		out->nonliteral++;
		return;
	}
	name = xstrndup(e + i + 1, end - i - 1);
	template_check_name(path, line + lines_in(e, i), name, 1, fs, warn_only, out);
	free(name);
}

/* One {{ }} or {% %} inside: every static(...) call outside string literals. */
static void scan_expr(const char *path, size_t line, const char *e, size_t n,
		      const struct fileset *fs, int warn_only, struct template_scan *out)
{
	char prev = ' ';

	for (size_t i = 0; i < n;) {
		int escaped = 0;
		size_t j;

		if (e[i] == '"' || e[i] == '\'') {
			j = string_end(e, n, i, &escaped);
			if (!j)
				return;
			i = j + 1;
			prev = '"';
			continue;
		}
		if (!is_ident(e[i], 1)) {
			if (!strchr(" \t\r\n", e[i]))
				prev = e[i];
			i++;
			continue;
		}
		for (j = i; j < n && is_ident(e[j], 0); j++)
			;
		/* a method or attribute (x.static(...)) is not Django's static() */
		if (j - i == 6 && !memcmp(e + i, "static", 6) && prev != '.') {
			size_t k = skip_space(e, n, j);

			if (k < n && e[k] == '(')
				static_call(path, line + lines_in(e, i), e + k + 1, n - k - 1, 0, fs,
					    warn_only, out);
		}
		prev = 'a';
		i = j;
	}
}

/* Whether a {% %} inside is `raw` (whitespace control marks allowed). */
static int is_tag(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);

	while (n && strchr("-+ \t\r\n", *s))
		s++, n--;
	while (n && strchr("-+ \t\r\n", s[n - 1]))
		n--;
	return n == wl && !memcmp(s, word, wl);
}

/* Where the {% endraw %} after pos ends, or len. */
static size_t after_endraw(const char *t, size_t len, size_t pos)
{
	for (size_t i = pos; i + 1 < len; i++) {
		const char *end;

		if (t[i] != '{' || t[i + 1] != '%')
			continue;
		end = memmem(t + i + 2, len - i - 2, "%}", 2);
		if (!end)
			return len;
		if (is_tag(t + i + 2, (size_t)(end - t - i - 2), "endraw"))
			return (size_t)(end - t) + 2;
	}
	return len;
}

void template_scan_jinja2_text(const char *path, const char *text, size_t len,
			       const struct fileset *fs, int warn_only, struct template_scan *out)
{
	size_t i = 0, line = 1;

	while (i + 1 < len) {
		const char *end;
		size_t start, stop, next;
		char open;

		if (text[i] != '{' || !strchr("{%#", text[i + 1])) {
			line += text[i] == '\n';
			i++;
			continue;
		}
		open = text[i + 1];
		start = i + 2;
		end = memmem(text + start, len - start, closer(open), 2);
		stop = end ? (size_t)(end - text) : len;
		next = end ? stop + 2 : len;
		if (open == '%' && is_tag(text + start, stop - start, "raw"))
			next = after_endraw(text, len, next);
		else if (open != '#')
			scan_expr(path, line, text + start, stop - start, fs, warn_only, out);
		line += lines_in(text + i, next - i);
		i = next;
	}
}

/* template_check.c: finds {% static "x" %} names no collected file answers (Django's production 500). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileset.h"
#include "ignore.h"
#include "log.h"
#include "options.h"
#include "strbuf.h"
#include "template_check.h"
#include "walk.h"
#include "xalloc.h"

/* A template past this is not one (a stray bundle in templates/). */
#define TEMPLATE_MAX ((size_t)16 << 20)
#define MAX_BITS 8
#define MISSING_FMT "%s:%zu: {%% static \"%s\" %%} names a file that is not collected"
#define MISSING_JINJA2_FMT "%s:%zu: static(\"%s\") names a file that is not collected"

enum tok_kind { TOK_TEXT, TOK_BLOCK, TOK_VAR, TOK_COMMENT };

/* One {% %} / {{ }} / {# #} token: its inside, and the line it starts on. */
struct token {
	enum tok_kind kind;
	const char *s;
	size_t n;
	size_t line;
};

/*
 * The next tag at or after *pos, as Django's tag_re finds them: "{%" then
 * the nearest "%}" before the end of the line (likewise {{ }} and {# #}).
 * Returns 0 at the end of the text.
 */
static int next_tag(const char *t, size_t len, size_t *pos, size_t *line, struct token *tok)
{
	static const char closers[] = { '%', '}', '#' };
	static const enum tok_kind kinds[] = { TOK_BLOCK, TOK_VAR, TOK_COMMENT };

	for (size_t i = *pos; i + 1 < len; i++) {
		if (t[i] == '\n') {
			(*line)++;
			continue;
		}
		if (t[i] != '{')
			continue;
		for (int k = 0; k < 3; k++) {
			char open = k == 0 ? '%' : k == 1 ? '{' : '#';

			if (t[i + 1] != open)
				continue;
			for (size_t j = i + 2; j + 1 < len && t[j] != '\n'; j++) {
				if (t[j] == closers[k] && t[j + 1] == '}') {
					tok->kind = kinds[k];
					tok->s = t + i + 2;
					tok->n = j - i - 2;
					tok->line = *line;
					*pos = j + 2;
					return 1;
				}
			}
		}
	}
	*pos = len;
	return 0;
}

struct bit {
	const char *s;
	size_t n;
};

/* Splits a tag's inside on spaces, keeping quoted runs whole (Django's
 * smart_split).  Returns the number of bits, at most MAX_BITS. */
static size_t split_bits(const char *s, size_t n, struct bit *bits)
{
	size_t nb = 0, i = 0;

	while (i < n && nb < MAX_BITS) {
		size_t start;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
			if (s[i] == '"' || s[i] == '\'') {
				char q = s[i++];

				while (i < n && s[i] != q)
					i += s[i] == '\\' && i + 1 < n ? 2 : 1;
			}
			if (i < n)
				i++;
		}
		bits[nb].s = s + start;
		bits[nb].n = i - start;
		nb++;
	}
	return nb;
}

static int bit_is(const struct bit *b, const char *word)
{
	return b->n == strlen(word) && !memcmp(b->s, word, b->n);
}

/*
 * A string-literal argument, unescaped as Django's unescape_string_literal()
 * does; NULL for anything else (a variable, a filter after the literal,
 * _("...")).  Owned.
 */
static char *literal_value(const struct bit *b)
{
	char q = b->n >= 2 ? b->s[0] : 0, *out;
	size_t i, o = 0;

	if (q != '"' && q != '\'')
		return NULL;
	for (i = 1; i < b->n && b->s[i] != q; i++)
		if (b->s[i] == '\\')
			i++;
	if (i != b->n - 1)
		return NULL;
	out = xmalloc(b->n);
	for (i = 1; i + 1 < b->n; i++) {
		if (b->s[i] == '\\' && i + 2 < b->n && (b->s[i + 1] == q || b->s[i + 1] == '\\'))
			i++;
		out[o++] = b->s[i];
	}
	out[o] = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* urlsplit(s).path, in place: scheme, netloc, query and fragment go. */
static void url_path(char *s)
{
	size_t n = 0;

	if ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') {
		n = 1 + strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789+-.");
		n = s[n] == ':' ? n + 1 : 0;
	}
	if (s[n] == '/' && s[n + 1] == '/')
		n += 2 + strcspn(s + n + 2, "/?#");
	memmove(s, s + n, strlen(s + n) + 1);
	s[strcspn(s, "?#")] = '\0';
}

/* Python's unquote(), in place. */
static void unquote(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s; s++) {
		if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * The manifest key ManifestStaticFilesStorage.url(name) looks up, in place:
 * urldefrag(name), then urlsplit(unquote(...)).path.strip().  Returns 0
 * when Django would not look it up at all (a path ending in '/').
 */
static int manifest_key(char *name)
{
	char *probe, *p;
	size_t n;
	int ends_in_slash;

	name[strcspn(name, "#")] = '\0';
	probe = xstrdup(name);
	url_path(probe);
	n = strlen(probe);
	ends_in_slash = n && probe[n - 1] == '/';
	free(probe);
	if (ends_in_slash)
		return 0;
	unquote(name);
	url_path(name);
	for (p = name; *p && strchr(" \t\n\r", *p); p++)
		;
	memmove(name, p, strlen(p) + 1);
	for (n = strlen(name); n && strchr(" \t\n\r", name[n - 1]); n--)
		name[n - 1] = '\0';
	return 1;
}

/* Whether {% load ... %} brings the static tag in. */
static int loads_static(const struct bit *bits, size_t nb)
{
	size_t from = 0;

	for (size_t i = 1; i < nb; i++)
		if (bit_is(&bits[i], "from"))
			from = i;
	if (from)
		return from + 2 == nb && bit_is(&bits[from + 1], "static");
	for (size_t i = 1; i < nb; i++)
		if (bit_is(&bits[i], "static"))
			return 1;
	return 0;
}

void template_check_name(const char *path, size_t line, const char *name, int jinja2,
			 const struct fileset *fs, int warn_only, struct template_scan *out)
{
	char *key = xstrdup(name);

	out->literal++;
	if (manifest_key(key) && fileset_find(fs, key) == (size_t)-1) {
		out->missing++;
		if (jinja2 && warn_only)
			log_warn(MISSING_JINJA2_FMT, path, line, name);
		else if (jinja2)
			log_error(MISSING_JINJA2_FMT, path, line, name);
		else if (warn_only)
			log_warn(MISSING_FMT, path, line, name);
		else
			log_error(MISSING_FMT, path, line, name);
	}
	free(key);
}

static void check_static_tag(const char *path, const struct token *tok, const struct bit *bits,
			     size_t nb, const struct fileset *fs, int warn_only,
			     struct template_scan *out)
{
	char *name = nb >= 2 ? literal_value(&bits[1]) : NULL;

	if (!name) {
		out->nonliteral++;
		return;
	}
	template_check_name(path, tok->line, name, 0, fs, warn_only, out);
	free(name);
}

/* A tag's inside as Django's token.contents: stripped. */
static void tag_contents(const struct token *tok, const char **s, size_t *n)
{
	*s = tok->s;
	*n = tok->n;
	while (*n && strchr(" \t\r", **s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && strchr(" \t\r", (*s)[*n - 1]))
		(*n)--;
}

void template_scan_text(const char *path, const char *text, size_t len,
			const struct fileset *fs, int warn_only, struct template_scan *out)
{
	size_t pos = 0, line = 1, nb, cn;
	struct bit bits[MAX_BITS];
	char skip_to[256] = "";  /* inside {% comment %} / {% verbatim %}: the end tag */
	int loaded = 0;
	struct token tok;
	const char *cs;

	while (next_tag(text, len, &pos, &line, &tok)) {
		if (tok.kind != TOK_BLOCK)
			continue;
		tag_contents(&tok, &cs, &cn);
		if (*skip_to) {
			if (cn == strlen(skip_to) && !memcmp(cs, skip_to, cn))
				*skip_to = '\0';
			continue;
		}
		nb = split_bits(cs, cn, bits);
		if (!nb)
			continue;
		if (bit_is(&bits[0], "comment")) {
			strcpy(skip_to, "endcomment");
		} else if (bit_is(&bits[0], "verbatim") && cn < sizeof(skip_to) - 3) {
			/* Django's lexer: text until "end" + this tag's contents */
			snprintf(skip_to, sizeof(skip_to), "end%.*s", (int)cn, cs);
		} else if (bit_is(&bits[0], "load")) {
			loaded |= loads_static(bits, nb);
		} else if (loaded && bit_is(&bits[0], "static")) {
			check_static_tag(path, &tok, bits, nb, fs, warn_only, out);
		}
	}
}

struct tpl_walk {
	struct strlist files;
};

static int on_template(const char *rel, const char *path, const struct stat *st, void *ctx)
{
	struct tpl_walk *w = ctx;

	strlist_add(&w->files, path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scans one file; a binary or oversized file is no template. */
static void scan_file(const char *path, int jinja2, const struct fileset *fs, int warn_only,
		      struct template_scan *sum)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	sb.max = TEMPLATE_MAX;
	rc = strbuf_read_file(&sb, path);
	if (rc < 0) {
		log_info(2, "template check: %s skipped (%s)", path,
			 rc == -EFBIG ? "too big" : strerror(-rc));
	} else if (!memchr(sb.buf, '\0', sb.len)) {
		(jinja2 ? template_scan_jinja2_text : template_scan_text)(path, sb.buf, sb.len, fs,
									  warn_only, sum);
	}
	strbuf_release(&sb);
}

/* Scans every file under dirs, in path order, as one engine's templates. */
static size_t scan_dirs(const struct strlist *dirs, int jinja2, const struct strlist *ig,
			const struct fileset *fs, int warn_only, struct template_scan *sum)
{
	struct tpl_walk w = { { 0 } };
	size_t n;

	for (size_t i = 0; dirs && i < dirs->n; i++)
		walk_dir(dirs->v[i], ig, on_template, &w);
	if (w.files.n)
		qsort(w.files.v, w.files.n, sizeof(*w.files.v), cmp_str);
	for (size_t i = 0; i < w.files.n; i++)
		scan_file(w.files.v[i], jinja2, fs, warn_only, sum);
	n = w.files.n;
	strlist_release(&w.files);
	return n;
}

int template_check(const struct strlist *dirs, const struct strlist *jinja2_dirs,
		   const struct fileset *fs, int warn_only)
{
	struct strlist ig = { 0 };
	struct template_scan sum = { 0 };
	size_t files;

	ignore_add_defaults(&ig);
	files = scan_dirs(dirs, 0, &ig, fs, warn_only, &sum);
	files += scan_dirs(jinja2_dirs, 1, &ig, fs, warn_only, &sum);
	log_info(sum.nonliteral ? 1 : 2, "templates: %zu {%% static %%} names checked in %zu "
		 "files, %zu with a non-literal argument skipped", sum.literal, files,
		 sum.nonliteral);
	strlist_release(&ig);
	if (!sum.missing || warn_only)
		return 0;
	return log_error("%zu {%% static %%} name%s not collected: nothing published "
			 "(--allow-missing makes these warnings)", sum.missing,
			 sum.missing == 1 ? " is" : "s are");
}

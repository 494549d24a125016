/* collect/refs_resolve.c: resolving references to tree paths and rewriting them to hashed names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../../collect/refs.h"
#include "strbuf.h"

/* Resolves url from from_path; checks kind, target and suffix offset. */
static void check_resolve(const char *from, const char *url, const char *static_url,
			  enum ref_target kind, const char *target, size_t suffix_off)
{
	struct strbuf sb = STRBUF_INIT;
	size_t off = 12345;
	enum ref_target got = refs_resolve(from, url, strlen(url), static_url, &sb, &off);

	if (got != kind || (target && strcmp(sb.buf, target)))
		print_message("# %s from %s: kind %d target [%s]\n", url, from, got, sb.buf);
	assert_int_equal(got, kind);
	if (kind == REF_LOCAL) {
		assert_string_equal(sb.buf, target);
		assert_int_equal(off, suffix_off);
	}
	strbuf_release(&sb);
}

#define LOCAL(from, url, target) \
	check_resolve(from, url, NULL, REF_LOCAL, target, strcspn(url, "?#"))

#define EXTERNAL(from, url) check_resolve(from, url, NULL, REF_EXTERNAL, NULL, 0)

static void resolve_relative(void **state)
{
	LOCAL("css/site.css", "../img/a.png", "img/a.png");
	LOCAL("css/site.css", "img/a.png", "css/img/a.png");
	LOCAL("css/site.css", "./b.png", "css/b.png");
	LOCAL("site.css", "img/a.png", "img/a.png");
	LOCAL("a/b/c/d.css", "../../x/./y//z.png", "a/x/y/z.png");
	LOCAL("css/site.css", "fonts/f.eot?#iefix", "css/fonts/f.eot");
	LOCAL("css/site.css", "f.woff?v=4.7.0", "css/f.woff");
	LOCAL("css/site.css", "f.svg#webfont", "css/f.svg");
	LOCAL("js/app.js", "app.js.map", "js/app.js.map");
}

static void resolve_external(void **state)
{
	EXTERNAL("css/site.css", "");
	EXTERNAL("css/site.css", "data:image/png;base64,AAAA");
	EXTERNAL("css/site.css", "DATA:image/svg+xml,<svg/>");
	EXTERNAL("css/site.css", "http://example.com/a.png");
	EXTERNAL("css/site.css", "https://example.com/a.png");
	EXTERNAL("css/site.css", "about:blank");
	EXTERNAL("css/site.css", "//cdn.example.com/a.png");
	EXTERNAL("css/site.css", "#frag");
	EXTERNAL("css/site.css", "#");
	EXTERNAL("css/site.css", "?query");
	EXTERNAL("css/site.css", "/other/x.png");
	EXTERNAL("css/site.css", "/staticx/a.png");
	EXTERNAL("css/site.css", "/x.png");
}

static void resolve_absolute(void **state)
{
	LOCAL("css/site.css", "/static/img/a.png", "img/a.png");
	LOCAL("css/site.css", "/static/img/a.png?v=1", "img/a.png");
	check_resolve("css/site.css", "/assets/a.png", "/assets", REF_LOCAL, "a.png", 13);
	check_resolve("css/site.css", "/static/a.png", "/assets/", REF_EXTERNAL, NULL, 0);
	check_resolve("css/site.css", "/a/b.png", "/", REF_LOCAL, "a/b.png", 8);
	/* a STATIC_URL on another host leaves every absolute path alone */
	check_resolve("css/site.css", "/static/a.png", "https://cdn.example.com/static/",
		      REF_EXTERNAL, NULL, 0);
}

static void resolve_outside_root(void **state)
{
	LOCAL("css/site.css", "../../x.png", "");
	LOCAL("site.css", "../x.png", "");
	LOCAL("css/site.css", "/static/../x.png", "");
	LOCAL("css/site.css", "/static/", "");
	LOCAL("css/site.css", "img/", "");
	LOCAL("css/site.css", "img/..", "");
	LOCAL("css/site.css", ".", "");
	LOCAL("css/site.css", "x.png/%2e%2e", "");
	LOCAL("css/site.css", "x.png/%2E", "");
	LOCAL("css/site.css", "%2e%2e/x.png", "x.png");
}

/* Each empty target has its reason. */
static void resolve_why(void **state)
{
	static const struct { const char *url, *why; } cases[] = {
		{ "../../img/x.png", "climbs above the output root" },
		{ "/static/../x.png?v=1", "climbs above the output root" },
		{ "../img/", "names a directory" },
		{ "/static/img/..#x", "names a directory" },
		{ "../img/a%2Fb.png", "has a bad percent-escape" },
		{ "../img/a%00.png", "has a bad percent-escape" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		check_resolve("css/a.css", cases[i].url, NULL, REF_LOCAL, "",
			      strcspn(cases[i].url, "?#"));
		assert_string_equal(refs_unresolved_why(cases[i].url, strlen(cases[i].url), NULL),
				    cases[i].why);
	}
}

static void resolve_percent(void **state)
{
	LOCAL("css/site.css", "a%20b.png", "css/a b.png");
	LOCAL("css/site.css", "%C3%A9t%C3%A9.png", "css/\xc3\xa9t\xc3\xa9.png");
	LOCAL("css/site.css", "\xc3\xa9t\xc3\xa9.png", "css/\xc3\xa9t\xc3\xa9.png");
	LOCAL("css/site.css", "50%25.png", "css/50%.png");
	LOCAL("css/site.css", "a%2Fb.png", "");
	LOCAL("css/site.css", "a%2fb.png", "");
	/* a '%' without two hex digits is itself, as in Django and browsers */
	LOCAL("css/site.css", "a%zz.png", "css/a%zz.png");
	LOCAL("css/site.css", "100%.png", "css/100%.png");
	LOCAL("css/site.css", "a%2", "css/a%2");
	LOCAL("css/site.css", "50%/a%20b%.png", "css/50%/a b%.png");
	/* decoded control bytes name no file */
	LOCAL("css/site.css", "a%0a.png", "");
}

static void check_rewrite(const char *url, const char *hashed, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "<");
	refs_rewrite(url, strlen(url), strcspn(url, "?#"), hashed, &sb);
	strbuf_addstr(&sb, ">");
	assert_string_equal(sb.buf + 1, want);
	assert_int_equal(sb.buf[0], '<');
	strbuf_release(&sb);
}

static void rewrite_shapes(void **state)
{
	check_rewrite("../img/a.png", "img/a.0123456789ab.png", "../img/a.0123456789ab.png>");
	check_rewrite("a.png", "css/a.0123456789ab.png", "a.0123456789ab.png>");
	check_rewrite("./a.png", "css/a.0123456789ab.png", "./a.0123456789ab.png>");
	check_rewrite("/static/img/a.png?v=1", "img/a.0123456789ab.png",
		      "/static/img/a.0123456789ab.png?v=1>");
	check_rewrite("fonts/f.eot?#iefix", "css/fonts/f.0123456789ab.eot",
		      "fonts/f.0123456789ab.eot?#iefix>");
	check_rewrite("f.svg#webfont", "f.0123456789ab.svg", "f.0123456789ab.svg#webfont>");
	check_rewrite("LICENSE", "LICENSE.0123456789ab", "LICENSE.0123456789ab>");
}

static void rewrite_encoding(void **state)
{
	check_rewrite("a%20b.png", "css/a b.0123456789ab.png", "a%20b.0123456789ab.png>");
	check_rewrite("%C3%A9t%C3%A9.png", "\xc3\xa9t\xc3\xa9.0123456789ab.png",
		      "%C3%A9t%C3%A9.0123456789ab.png>");
	check_rewrite("%c3%a9.png", "\xc3\xa9.0123456789ab.png", "%c3%a9.0123456789ab.png>");
	/* raw stays raw, except what would change the URL's meaning */
	check_rewrite("\xc3\xa9.png", "\xc3\xa9.0123456789ab.png", "\xc3\xa9.0123456789ab.png>");
	check_rewrite("a b.png", "a b.0123456789ab.png", "a%20b.0123456789ab.png>");
	check_rewrite("50%25.png", "50%.0123456789ab.png", "50%25.0123456789ab.png>");
	check_rewrite("100%.png", "css/100%.0123456789ab.png", "100%25.0123456789ab.png>");
	/* only the last component is replaced: its directory keeps its spelling */
	check_rewrite("my%20dir/a.png", "my dir/a.0123456789ab.png",
		      "my%20dir/a.0123456789ab.png>");
}

/* A bounded buffer without room gets nothing, not half a URL. */
static void rewrite_bounded(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb, 24);
	strbuf_addstr(&sb, "0123456789");
	refs_rewrite("../img/a.png", 12, 12, "img/a.0123456789ab.png", &sb);
	assert_int_equal(sb.len, 10);
	assert_string_equal(sb.buf, "0123456789");
	strbuf_release(&sb);
	strbuf_init(&sb, 64);
	refs_rewrite("../img/a.png", 12, 12, "img/a.0123456789ab.png", &sb);
	assert_string_equal(sb.buf, "../img/a.0123456789ab.png");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolve_relative),
		cmocka_unit_test(resolve_external),
		cmocka_unit_test(resolve_absolute),
		cmocka_unit_test(resolve_outside_root),
		cmocka_unit_test(resolve_percent),
		cmocka_unit_test(resolve_why),
		cmocka_unit_test(rewrite_shapes),
		cmocka_unit_test(rewrite_encoding),
		cmocka_unit_test(rewrite_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

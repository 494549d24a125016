/* test_refs.c: the CSS and JS reference scanners, with every input right before a PROT_NONE page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../collect/refs.h"

struct want {
	const char *text;
	enum ref_kind kind;
	unsigned line; /* 0: don't check */
};

/* Copies len bytes to just before an unreadable page, so over-reads crash. */
static char *guarded_copy(const char *s, size_t len, void **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (len + pg - 1) / pg + 1;
	char *m = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + (pages - 1) * pg, pg, PROT_NONE), 0);
	*map = m;
	*maplen = pages * pg;
	memcpy(m + (pages - 1) * pg - len, s, len);
	return m + (pages - 1) * pg - len;
}

enum lang { CSS, JS, JS_MODULES };

static void scan(enum lang lang, const char *src, size_t len, struct ref_list *rl,
		 const char **buf, void **map, size_t *maplen)
{
	*buf = guarded_copy(src, len, map, maplen);
	if (lang == CSS)
		refs_scan_css(*buf, len, rl);
	else
		refs_scan_js(*buf, len, lang == JS_MODULES, rl);
}

static void check(enum lang lang, const char *src, const struct want *w, size_t nw)
{
	struct ref_list rl = { 0 };
	const char *buf;
	void *map;
	size_t maplen;

	scan(lang, src, strlen(src), &rl, &buf, &map, &maplen);
	for (size_t i = 0; rl.n != nw && i < rl.n; i++)
		print_message("# ref %zu: [%.*s] kind %d line %u\n", i, (int)rl.v[i].len,
			      buf + rl.v[i].off, rl.v[i].kind, rl.v[i].line);
	assert_int_equal(rl.n, nw);
	for (size_t i = 0; i < nw; i++) {
		assert_int_equal(rl.v[i].len, strlen(w[i].text));
		assert_memory_equal(buf + rl.v[i].off, w[i].text, rl.v[i].len);
		assert_int_equal(rl.v[i].kind, w[i].kind);
		if (w[i].line)
			assert_int_equal(rl.v[i].line, w[i].line);
	}
	ref_list_release(&rl);
	munmap(map, maplen);
}

#define WANT(...) ((const struct want[]){ __VA_ARGS__ }), \
	(sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want))
#define NONE NULL, 0
#define CHECK_CSS(src, ...) check(CSS, src, __VA_ARGS__)
#define CHECK_JS(src, ...) check(JS, src, __VA_ARGS__)
#define CHECK_MOD(src, ...) check(JS_MODULES, src, __VA_ARGS__)

static void css_url_forms(void **state)
{
	CHECK_CSS("a{background:url(\"img/a.png\")}", WANT({ "img/a.png", REF_URL, 1 }));
	CHECK_CSS("a{background:url('img/b.png')}", WANT({ "img/b.png", REF_URL, 1 }));
	CHECK_CSS("a{background:url(img/c.png)}", WANT({ "img/c.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url(  img/d.png \t\n )}", WANT({ "img/d.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url( \"img/e.png\" )}", WANT({ "img/e.png", REF_URL, 1 }));
	CHECK_CSS("a{b:URL(f.png) c:Url('g.png') d:uRl(\"h.png\")}",
		  WANT({ "f.png", REF_URL, 1 }, { "g.png", REF_URL, 1 }, { "h.png", REF_URL, 1 }));
	CHECK_CSS("@font-face{src:url(f.eot?#iefix) format('embedded-opentype'),"
		  "url(\"f.woff2\") format(\"woff2\")}",
		  WANT({ "f.eot?#iefix", REF_URL, 1 }, { "f.woff2", REF_URL, 1 }));
	CHECK_CSS("a{b:url(\" sp.png \")} @import ' imp.css\t';",
		  WANT({ "sp.png", REF_URL, 1 }, { "imp.css", REF_IMPORT, 1 }));
	CHECK_CSS("a{b:url(data:image/png;base64,iVBOR=)}",
		  WANT({ "data:image/png;base64,iVBOR=", REF_URL, 1 }));
}

static void css_not_urls(void **state)
{
	CHECK_CSS("/* a{b:url(x.png)} */ a{}", NONE);
	CHECK_CSS("a{content:\"url(x.png)\"; font-family:'url(y.png)'}", NONE);
	CHECK_CSS("a{b:myurl(x.png) c:-url(y.png) d:#url(z.png) e:1url(w.png)}", NONE);
	CHECK_CSS("a{b:url()} c{d:url( )} e{f:url(\"\")} g{h:url(' ')}", NONE);
	CHECK_CSS("a{b:local(\"x.woff\")}", NONE);
	/* a string that is not an @import argument is not a reference */
	CHECK_CSS("@charset \"utf-8\"; @media \"x.css\" {}", NONE);
}

static void css_bad_tokens(void **state)
{
	/* a bad url is skipped up to its ')' and scanning goes on */
	CHECK_CSS("a{b:url(a b.png)} c{d:url(ok.png)}", WANT({ "ok.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url(a\"b.png)} c{d:url(ok.png)}", WANT({ "ok.png", REF_URL, 1 }));
	/* a newline ends a string as a bad string, then scanning goes on */
	CHECK_CSS("a{content:\"abc\n} b{c:url(x.png)}", WANT({ "x.png", REF_URL, 2 }));
	/* escapes inside strings and urls */
	CHECK_CSS("a{content:\"q\\\"url(no.png)\"} b{c:url(a\\)b.png)}",
		  WANT({ "a\\)b.png", REF_URL, 1 }));
	CHECK_CSS("a{content:'it\\'s'} b{c:url('x.png')}", WANT({ "x.png", REF_URL, 1 }));
}

static void css_unterminated(void **state)
{
	CHECK_CSS("a{b:url(x.png)} /* url(y.png)", WANT({ "x.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url(x.png)} c{content:\"abc url(y.png)",
		  WANT({ "x.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url(x.png)} c{d:url(\"y.png", WANT({ "x.png", REF_URL, 1 }));
	CHECK_CSS("a{b:url(y.png", NONE);
	CHECK_CSS("a{b:url(y.png ", NONE);
	CHECK_CSS("a{b:url(", NONE);
	CHECK_CSS("a{b:url( ", NONE);
	CHECK_CSS("@import \"x", NONE);
	CHECK_CSS("a{content:\"\\", NONE);
	CHECK_CSS("a\\", NONE);
	CHECK_CSS("/", NONE);
	CHECK_CSS("/*", NONE);
	CHECK_CSS("/*# sourceMappingURL=x.map", NONE);
	CHECK_CSS("", NONE);
}

static void bom(void **state)
{
	CHECK_CSS("\xef\xbb\xbfurl(a.png)", WANT({ "a.png", REF_URL, 1 }));
	CHECK_CSS("\xef\xbb", NONE);
	CHECK_JS("\xef\xbb\xbf#!/usr/bin/env node\n//# sourceMappingURL=x.map",
		 WANT({ "x.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("\xef\xbb\xbf", NONE);
	CHECK_JS("\xef\xbb\xbf#", NONE);
}

static void css_import(void **state)
{
	CHECK_CSS("@import \"base.css\";\n@import url(grid.css);\n"
		  "@import 'print.css' print;\n@IMPORT url(\"x.css\") screen;\n"
		  "@import /* why */ \"y.css\";",
		  WANT({ "base.css", REF_IMPORT, 1 }, { "grid.css", REF_URL, 2 },
		       { "print.css", REF_IMPORT, 3 }, { "x.css", REF_URL, 4 },
		       { "y.css", REF_IMPORT, 5 }));
	/* only the string right after @import counts */
	CHECK_CSS("@import \"a.css\" \"b.css\";", WANT({ "a.css", REF_IMPORT, 1 }));
	CHECK_CSS("@imports \"a.css\";", NONE);
}

static void css_sourcemap(void **state)
{
	CHECK_CSS("a{}\n/*# sourceMappingURL=site.css.map */\n",
		  WANT({ "site.css.map", REF_SOURCEMAP, 2 }));
	CHECK_CSS("a{}\n/*@ sourceMappingURL=old.map*/", WANT({ "old.map", REF_SOURCEMAP, 2 }));
	CHECK_CSS("/* # sourceMappingURL=no.map */ /*#sourceMappingURL=no.map */", NONE);
	CHECK_CSS("/*# sourcemappingurl=no.map */", NONE);
}

static void css_lines(void **state)
{
	CHECK_CSS("\n\na{b:url(a.png)}\r\n/* \n\n */ c{d:url(\n\"b.png\")}\n\n"
		  "e{f:url(c.png)}",
		  WANT({ "a.png", REF_URL, 3 }, { "b.png", REF_URL, 7 }, { "c.png", REF_URL, 9 }));
}

static void js_sourcemap(void **state)
{
	CHECK_JS("var a = 1;\n//# sourceMappingURL=app.js.map\n",
		 WANT({ "app.js.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("var a = 1;\n//@ sourceMappingURL=old.js.map",
		 WANT({ "old.js.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("f();\n/*# sourceMappingURL=block.map */",
		 WANT({ "block.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("var s = \"//# sourceMappingURL=no.map\";", NONE);
	CHECK_JS("var s = '\\\n//# sourceMappingURL=no.map';", NONE);
	CHECK_JS("var t = `\n//# sourceMappingURL=no.map\n`;", NONE);
	CHECK_JS("var t = `${ \"}\" }\n//# sourceMappingURL=no.map\n`;", NONE);
	CHECK_JS("/* //# sourceMappingURL=no.map */", NONE);
}

static void js_regex_and_division(void **state)
{
	/* a quote or backtick inside a regex literal is no string */
	CHECK_JS("var r = /\"`[/]/g;\n//# sourceMappingURL=yes.map",
		 WANT({ "yes.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("if (x) return /'/.test(y);\n//# sourceMappingURL=yes.map",
		 WANT({ "yes.map", REF_SOURCEMAP, 2 }));
	/* a division is no regex */
	CHECK_JS("a = b / c; d = (e) / 2 //# sourceMappingURL=d.map",
		 WANT({ "d.map", REF_SOURCEMAP, 1 }));
	CHECK_JS("a = b[1] / 2; c = 3 / 4;\n//# sourceMappingURL=e.map",
		 WANT({ "e.map", REF_SOURCEMAP, 2 }));
}

static void js_modules(void **state)
{
	const char *src =
		"import a from \"./a.js\";\n"
		"import { b, c as d } from '../b.js';\n"
		"import \"./c.js\";\n"
		"import * as ns from \"./ns.js\";\n"
		"export * from \"./d.js\";\n"
		"export { e } from \"/static/e.js\";\n"
		"const f = await import(\"./f.js\");\n"
		"import x from \"lodash\";\n"
		"import(name); import(\"./g\" + x); foo.import(\"./no.js\");\n"
		"console.log(import.meta.url, \"./str.js\");\n"
		"export const h = \"./h.js\"; let from = \"./i.js\";\n";

	CHECK_MOD(src, WANT({ "./a.js", REF_MODULE, 1 }, { "../b.js", REF_MODULE, 2 },
			    { "./c.js", REF_MODULE, 3 }, { "./ns.js", REF_MODULE, 4 },
			    { "./d.js", REF_MODULE, 5 }, { "/static/e.js", REF_MODULE, 6 },
			    { "./f.js", REF_MODULE, 7 }));
	CHECK_JS(src, NONE);
	CHECK_MOD("var s = `${ `${ x }` }`; import \"./after.js\";",
		  WANT({ "./after.js", REF_MODULE, 1 }));
	CHECK_MOD("// import \"./no.js\"\n/* import \"./no2.js\" */", NONE);
}

/* Comments between the words and the specifier, and import()'s options. */
static void js_module_comments(void **state)
{
	CHECK_MOD("import(/* webpackChunkName: \"x\" */ \"./x.js\");\n"
		  "import(\"./y.js\", { with: { type: \"json\" } });\n"
		  "import( // why\n \"./z.js\" /* c */ )\n"
		  "import /* c */ \"./w.js\";\n"
		  "import v from /* c */ './v.js';\n",
		  WANT({ "./x.js", REF_MODULE, 1 }, { "./y.js", REF_MODULE, 2 },
		       { "./z.js", REF_MODULE, 4 }, { "./w.js", REF_MODULE, 5 },
		       { "./v.js", REF_MODULE, 6 }));
	CHECK_MOD("import(/* c */ name); import(/* \"./no.js\" */ x);", NONE);
	CHECK_MOD("import(\"./no.js\" + x, y);", NONE);
	CHECK_MOD("import(/* unterminated \"./no.js\"", NONE);
	CHECK_MOD("import(\"./a.js\" /* unterminated", NONE);
}

static void js_unterminated(void **state)
{
	CHECK_JS("a();\n//# sourceMappingURL=x.map\nvar s = `abc", WANT({ "x.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("/* //# sourceMappingURL=x.map", NONE);
	CHECK_JS("\"abc", NONE);
	CHECK_JS("`${", NONE);
	CHECK_JS("x = /abc", NONE);
	CHECK_JS("\\", NONE);
	CHECK_JS("'\\", NONE);
	CHECK_JS("`\\", NONE);
	CHECK_MOD("import", NONE);
	CHECK_MOD("import(", NONE);
	CHECK_MOD("import(\"./a.js\"", NONE);
	CHECK_MOD("export {a} from", NONE);
	CHECK_MOD("export {a} from \"./a.js", NONE);
	CHECK_JS("//# sourceMappingURL=", NONE);
	CHECK_JS("#!/usr/bin/env node\n//# sourceMappingURL=cli.map",
		 WANT({ "cli.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("", NONE);
}

/* Deeply nested templates must not recurse or overflow. */
static void js_deep_templates(void **state)
{
	size_t n = 100000, len = 0;
	char *src = malloc(n * 3 + 1);

	for (size_t i = 0; i < n; i++) {
		memcpy(src + len, "`${", 3);
		len += 3;
	}
	src[len] = '\0';
	CHECK_JS(src, NONE);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(css_url_forms),
		cmocka_unit_test(css_not_urls),
		cmocka_unit_test(css_bad_tokens),
		cmocka_unit_test(css_unterminated),
		cmocka_unit_test(bom),
		cmocka_unit_test(css_import),
		cmocka_unit_test(css_sourcemap),
		cmocka_unit_test(css_lines),
		cmocka_unit_test(js_sourcemap),
		cmocka_unit_test(js_regex_and_division),
		cmocka_unit_test(js_modules),
		cmocka_unit_test(js_module_comments),
		cmocka_unit_test(js_unterminated),
		cmocka_unit_test(js_deep_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* collect/refs_css.c: the CSS reference scanner, every input right before a PROT_NONE page. */
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

#include "refs_check.h"

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

static void css_bom(void **state)
{
	CHECK_CSS("\xef\xbb\xbfurl(a.png)", WANT({ "a.png", REF_URL, 1 }));
	CHECK_CSS("\xef\xbb", NONE);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(css_url_forms),
		cmocka_unit_test(css_not_urls),
		cmocka_unit_test(css_bad_tokens),
		cmocka_unit_test(css_unterminated),
		cmocka_unit_test(css_bom),
		cmocka_unit_test(css_import),
		cmocka_unit_test(css_sourcemap),
		cmocka_unit_test(css_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

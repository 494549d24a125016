/* collect/refs_js.c: the JS reference scanner, every input right before a PROT_NONE page. */
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

static void js_bom(void **state)
{
	CHECK_JS("\xef\xbb\xbf#!/usr/bin/env node\n//# sourceMappingURL=x.map",
		 WANT({ "x.map", REF_SOURCEMAP, 2 }));
	CHECK_JS("\xef\xbb\xbf", NONE);
	CHECK_JS("\xef\xbb\xbf#", NONE);
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
		cmocka_unit_test(js_bom),
		cmocka_unit_test(js_sourcemap),
		cmocka_unit_test(js_regex_and_division),
		cmocka_unit_test(js_modules),
		cmocka_unit_test(js_module_comments),
		cmocka_unit_test(js_unterminated),
		cmocka_unit_test(js_deep_templates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

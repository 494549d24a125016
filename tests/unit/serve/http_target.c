/* serve/http_target.c: unit tests for serve/http_target.c (target -> index key),
 * with the traversal and encoding tricks of the attack list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "../guard.h"
#include "../../../serve/http.h"

struct tcase {
	const char *alias, *target;
	int want;        /* 0, 400 or 404 */
	const char *key; /* when want == 0 */
};

static const struct tcase cases[] = {
	{ "/static/", "/static/css/a.css", 0, "css/a.css" },
	{ "/static/", "/static/css/a.css?v=1&x=../../y", 0, "css/a.css" },
	{ "/static/", "/static//css///a.css", 0, "css/a.css" },
	{ "/static/", "/static/./css/./a.css", 0, "css/a.css" },
	{ "/static/", "/static/css/../a.css", 0, "a.css" },
	{ "/static/", "/static/caf%C3%A9.css", 0, "caf\xc3\xa9.css" },
	{ "/static/", "/static/a%20b.css", 0, "a b.css" },
	{ "/static/", "/static/%3F.css", 0, "?.css" },
	{ "/static/", "/st%61tic/a.css", 0, "a.css" },
	{ "/static/", "/static/%252e%252e/secret", 0, "%2e%2e/secret" },
	{ "/static/", "/static/a..b", 0, "a..b" },
	{ "/", "/a.css", 0, "a.css" },
	{ "/", "/x/../a.css", 0, "a.css" },
	/* Outside the alias. */
	{ "/static/", "/static../x", 404, NULL },
	{ "/static/", "/static", 404, NULL },
	{ "/static/", "/static?x=/static/a", 404, NULL },
	{ "/static/", "/staticx/a.css", 404, NULL },
	{ "/static/", "/other/a.css", 404, NULL },
	{ "/static/", "/", 404, NULL },
	{ "/static/", "/Static/a.css", 404, NULL },
	{ "/static/", "//static/a.css", 404, NULL },
	{ "/static/", "/a/../static/a.css", 404, NULL },
	{ "/static/", "*", 404, NULL },
	/* Climbing out. */
	{ "/static/", "/static/../secret", 404, NULL },
	{ "/static/", "/static/..", 404, NULL },
	{ "/static/", "/static/css/../../secret", 404, NULL },
	{ "/static/", "/static/%2e%2e/secret", 404, NULL },
	{ "/static/", "/static/%2E%2E%2Fsecret", 404, NULL },
	{ "/static/", "/static/%2e%2e%2f%2e%2e%2fetc/passwd", 404, NULL },
	{ "/static/", "/static/.%2e/secret", 404, NULL },
	{ "/", "/../secret", 404, NULL },
	/* Directories, dot files. */
	{ "/static/", "/static/", 404, NULL },
	{ "/static/", "/static/css/", 404, NULL },
	{ "/static/", "/static/a.css/", 404, NULL },
	{ "/static/", "/static/a.css/.", 404, NULL },
	{ "/static/", "/static/a.css/x/..", 404, NULL },
	{ "/static/", "/static/.", 404, NULL },
	{ "/static/", "/static/.env", 404, NULL },
	{ "/static/", "/static/%2eenv", 404, NULL },
	{ "/static/", "/static/.git/config", 404, NULL },
	{ "/static/", "/static/css/.hidden/a.css", 404, NULL },
	{ "/static/", "/static/css/..%2f.env", 404, NULL },
	/* Bytes no file name holds. */
	{ "/static/", "/static/a%00.css", 400, NULL },
	{ "/static/", "/static/a.css%00.png", 400, NULL },
	{ "/static/", "/static/a%0a.css", 400, NULL },
	{ "/static/", "/static/a%0d%0aSet-Cookie:x", 400, NULL },
	{ "/static/", "/static/a%7f", 400, NULL },
	{ "/static/", "/static/a%1b", 400, NULL },
	{ "/static/", "/static/..%5c..%5csecret", 400, NULL },
	{ "/static/", "/static/a\\b", 400, NULL },
	/* the bytes collect skips in names (path_check_servable) */
	{ "/static/", "/static/a%22b.js", 400, NULL },
	{ "/static/", "/static/a\"b.js", 400, NULL },
	{ "/static/", "/static/a%27b.js", 0, "a'b.js" },
	{ "/static/", "/static/%c0%ae%c0%ae/secret", 400, NULL },
	{ "/static/", "/static/%c0%af", 400, NULL },
	{ "/static/", "/static/%e0%80%ae", 400, NULL },
	{ "/static/", "/static/%ed%a0%80", 400, NULL },
	{ "/static/", "/static/%ff", 400, NULL },
	{ "/static/", "/static/%f4%90%80%80", 400, NULL },
	{ "/static/", "/static/%c3", 400, NULL },
	{ "/static/", "/static/%", 400, NULL },
	{ "/static/", "/static/%2", 400, NULL },
	{ "/static/", "/static/%g0", 400, NULL },
	{ "/static/", "/static/%%32%65", 400, NULL },
	{ "/other/", "/static/%00", 400, NULL },
};

static void check(const struct tcase *c)
{
	char key[HTTP_TARGET_MAX + 1];
	size_t keylen = 12345;
	struct guarded g = guard_copy(c->target, strlen(c->target));
	struct http_slice t = { g.p, g.len };
	int r = http_target_key(t, c->alias, key, sizeof(key), &keylen);

	if (r != c->want)
		fail_msg("%s under %s: got %d, want %d", c->target, c->alias, r,
			 c->want);
	if (r == 0 && (strcmp(key, c->key) != 0 || keylen != strlen(c->key)))
		fail_msg("%s: key \"%s\" (%zu), want \"%s\"", c->target, key,
			 keylen, c->key);
	guard_free(&g);
}

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void test_small_buffer(void **state)
{
	char key[8];
	size_t n;
	struct http_slice t = { "/static/a.css", 13 };

	assert_int_equal(http_target_key(t, "/static/", key, sizeof(key), &n), 400);
	{
		char big[14];

		assert_int_equal(http_target_key(t, "/static/", big, sizeof(big), &n), 0);
		assert_string_equal(big, "a.css");
	}
}

static void test_bad_alias(void **state)
{
	char key[64];
	size_t n;
	struct http_slice t = { "/static/a.css", 13 };
	struct http_slice none = { NULL, 0 };

	assert_int_equal(http_target_key(t, "/static", key, sizeof(key), &n), 404);
	assert_int_equal(http_target_key(t, "", key, sizeof(key), &n), 404);
	assert_int_equal(http_target_key(none, "/static/", key, sizeof(key), &n), 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_bad_alias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

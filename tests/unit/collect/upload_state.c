/* collect/upload_state.c: the bucket's state object round-trips and is stable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../../collect/upload_state.h"
#include "strbuf.h"

static void round_trip(void **state)
{
	struct upload_state a, b;
	struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT;
	const struct state_entry *e;

	upload_state_init(&a);
	upload_state_init(&b);
	upload_state_add(&a, "z/\xc3\xa9.css", "etag2", 2, 20);
	upload_state_add(&a, "a \"q\".css", "etag1", 0xffffffffffffffffull, 10);
	upload_state_sort(&a);
	upload_state_serialize(&a, &t1);
	assert_int_equal(upload_state_parse(t1.buf, t1.len, &b), 0);
	upload_state_serialize(&b, &t2);
	assert_string_equal(t1.buf, t2.buf);
	e = upload_state_find(&b, "z/\xc3\xa9.css");
	assert_non_null(e);
	assert_string_equal(e->etag, "etag2");
	assert_true(e->hash == 2 && e->headers == 20);
	assert_null(upload_state_find(&b, "nope"));
	upload_state_release(&a);
	upload_state_release(&b);
	strbuf_release(&t1);
	strbuf_release(&t2);
}

/* The fast path and jansson agree: plain, escaped and trailing-comma texts. */
static void plain_and_general(void **state)
{
	struct upload_state st;
	static const char *good[] = {
		"{\"objects\": [\n], \"version\": 1}\n",
		"{\"objects\": [\n{\"etag\": \"e1\", \"hash\": \"0000000000000001\", "
		"\"headers\": \"0000000000000002\", \"key\": \"b.css\"},\n"
		"{\"etag\": \"e2\", \"hash\": \"0000000000000003\", "
		"\"headers\": \"0000000000000004\", \"key\": \"a\\u00e9.css\"}\n], \"version\": 1}\n",
		/* Not serialize()'s spacing: still JSON, still read. */
		"{\"version\": 1, \"objects\": [{\"key\": \"a\", \"etag\": \"e\", "
		"\"hash\": \"0000000000000005\", \"headers\": \"0000000000000006\"}]}",
	};
	static const size_t count[] = { 0, 2, 1 };
	static const char *bad[] = {
		"{\"objects\": [\n{\"etag\": \"e1\", \"hash\": \"0000000000000001\", "
		"\"headers\": \"0000000000000002\", \"key\": \"b.css\"},\n], \"version\": 1}\n",
		"{\"objects\": [\n{\"etag\": \"e1\", \"hash\": \"0000000000000001\", "
		"\"headers\": \"0000000000000002\", \"key\": \"b.css\"}\n], \"version\": 1}\nx",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		upload_state_init(&st);
		assert_int_equal(upload_state_parse(good[i], strlen(good[i]), &st), 0);
		assert_int_equal(st.n, count[i]);
		upload_state_release(&st);
	}
	upload_state_init(&st);
	assert_non_null(upload_state_parse(good[1], strlen(good[1]), &st) == 0 ?
			upload_state_find(&st, "a\xc3\xa9.css") : NULL);
	upload_state_release(&st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		upload_state_init(&st);
		assert_int_equal(upload_state_parse(bad[i], strlen(bad[i]), &st), -1);
		assert_int_equal(st.n, 0);
	}
}

static void rejects_foreign(void **state)
{
	struct upload_state st;
	static const char *bad[] = {
		"", "[]", "{\"objects\": [], \"version\": 2}",
		"{\"objects\": [{\"key\": \"a\", \"etag\": \"e\", \"hash\": \"12\", \"headers\": \"0000000000000000\"}], \"version\": 1}",
	};

	upload_state_init(&st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(upload_state_parse(bad[i], strlen(bad[i]), &st), -1);
		assert_int_equal(st.n, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(plain_and_general),
		cmocka_unit_test(rejects_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

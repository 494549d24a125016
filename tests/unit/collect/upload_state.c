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
		cmocka_unit_test(rejects_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

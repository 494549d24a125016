/* lib/tree_index.c: .staticroot-index.json: round trip, hostile entries, variant suffixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tree_index.h"
#include "../tmproot.h"

static void test_index_roundtrip(void **state)
{
	struct tree_index ti, back;
	struct file_fact *f;

	tree_index_init(&ti);
	tree_index_init(&back);
	ti.manifest_hash = 42;
	f = tree_index_add(&ti, "css/b.css");
	f->type = strdup("text/css; charset=utf-8");
	f->size = 10;
	f->hash = 0xfeedULL;
	f->flags = FACT_IMMUTABLE;
	f->enc[ENC_GZIP] = (struct file_variant){ 1, 5, 7 };
	f = tree_index_add(&ti, "a.png");
	f->type = strdup("image/png");
	tree_index_sort(&ti);
	assert_int_equal(tree_index_write(&ti, root), 0);
	assert_int_equal(tree_index_load(root, &back), 0);
	assert_int_equal(back.n, 2);
	assert_true(back.manifest_hash == 42);
	f = (struct file_fact *)tree_index_find(&back, "css/b.css");
	assert_non_null(f);
	assert_true(f->hash == 0xfeedULL && f->size == 10);
	assert_true(f->flags & FACT_IMMUTABLE);
	assert_true(f->enc[ENC_GZIP].present && f->enc[ENC_GZIP].size == 5);
	assert_false(f->enc[ENC_BR].present);
	/* The cheap check a no-op collect trusts: whole, and this manifest's. */
	assert_true(tree_index_matches(root, 42));
	assert_false(tree_index_matches(root, 43));
	put(TREE_INDEX_NAME, "garbage");
	assert_false(tree_index_matches(root, 42));
	put(TREE_INDEX_NAME, "{\"files\": [\n{\"encodings\": {}, \"ha");
	assert_false(tree_index_matches(root, 42));
	tree_index_release(&ti);
	tree_index_release(&back);
}

static void test_index_rejects_bad_entries(void **state)
{
	static const char *const bad[] = {
		"\"path\": \"../secret\", \"size\": 1, \"type\": \"x\"",
		"\"path\": \"/etc/passwd\", \"size\": 1, \"type\": \"x\"",
		"\"path\": \"a\", \"size\": 1, \"type\": \"x\\r\\nSet-Cookie: y\"",
		"\"path\": \"a\", \"size\": -1, \"type\": \"x\"",
	};
	struct tree_index ti;
	char text[512];

	tree_index_init(&ti);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"files\": [\n{\"hash\": "
			 "\"0000000000000000\", %s}\n], \"manifest\": \"\", "
			 "\"version\": 1}\n", bad[i]);
		put(TREE_INDEX_NAME, text);
		assert_int_equal(tree_index_load(root, &ti), -1);
		assert_int_equal(ti.n, 0);
	}
	put(TREE_INDEX_NAME, "{\"files\": [\n");
	assert_int_equal(tree_index_load(root, &ti), -1);
	put(TREE_INDEX_NAME, "{\"files\": [\n], \"manifest\": \"\", \"version\": 1}\n");
	assert_int_equal(tree_index_load(root, &ti), 0);
	assert_int_equal(ti.n, 0);
}

static void test_enc_of_name(void **state)
{
	size_t n = 0;

	assert_int_equal(tree_enc_of_name("css/a.css.br", &n), ENC_BR);
	assert_int_equal(n, 9);
	assert_int_equal(tree_enc_of_name("a.zst", &n), ENC_ZSTD);
	assert_int_equal(n, 1);
	assert_int_equal(tree_enc_of_name("x.tar.gz", &n), ENC_GZIP);
	assert_int_equal(n, 5);
	assert_int_equal(tree_enc_of_name(".gz", &n), -1);  /* no stem */
	assert_int_equal(tree_enc_of_name("a.gzip", &n), -1);
	assert_int_equal(tree_enc_of_name("a.css", &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rejects_bad_entries, setup, teardown),
		cmocka_unit_test(test_enc_of_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

#define SHA_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_B "0000000000000000000000000000000000000000000000000000000000000001"

static void test_index_deltas(void **state)
{
	struct tree_index ti, back;
	struct file_fact *f;
	char *name;

	tree_index_init(&ti);
	tree_index_init(&back);
	f = tree_index_add(&ti, "js/app.0123456789ab.js");
	f->type = strdup("text/javascript");
	f->flags = FACT_IMMUTABLE;
	f->ndcz = 2;
	memset(f->dcz[0].dict_sha, 0xee, TREE_SHA256_LEN);
	f->dcz[0].size = 90;
	f->dcz[0].hash = 5;
	memset(f->dcz[1].dict_sha, 0x11, TREE_SHA256_LEN);
	f->dcz[1].size = 80;
	f->dcz[1].hash = 6;
	tree_fact_sort_deltas(f);
	assert_int_equal(f->dcz[0].dict_sha[0], 0x11);
	f = tree_index_add(&ti, "a.png");
	f->type = strdup("image/png");
	assert_int_equal(tree_index_write(&ti, root), 0);
	assert_int_equal(tree_index_load(root, &back), 0);
	f = (struct file_fact *)tree_index_find(&back, "js/app.0123456789ab.js");
	assert_non_null(f);
	assert_int_equal(f->ndcz, 2);
	assert_true(f->dcz[0].size == 80 && f->dcz[0].hash == 6 && f->dcz[0].dict_sha[31] == 0x11);
	assert_true(f->dcz[1].size == 90 && f->dcz[1].hash == 5 && f->dcz[1].dict_sha[0] == 0xee);
	assert_int_equal(((struct file_fact *)tree_index_find(&back, "a.png"))->ndcz, 0);
	name = tree_delta_name("js/app.0123456789ab.js", f->dcz[0].dict_sha);
	assert_string_equal(name, "js/app.0123456789ab.js.1111111111111111.dcz");
	assert_true(tree_is_delta_name(name));
	free(name);
	assert_false(tree_is_delta_name("a.dcz"));
	assert_false(tree_is_delta_name("a.111111111111111.dcz"));
	assert_false(tree_is_delta_name("a.11111111111111111dcz"));
	assert_false(tree_is_delta_name("a_1111111111111111.dcz"));
	assert_false(tree_is_delta_name("a.111111111111111G.dcz"));
	tree_index_release(&ti);
	tree_index_release(&back);
}

#define GOOD_DCZ "\"dcz\": [{\"dictionary\": \"" SHA_A "\", \"hash\": \"0000000000000001\", " \
	"\"size\": 9}], \"encodings\": {}"

/* An index of one file "a.0123456789ab.js" whose members start with dcz. */
static void one_delta_entry(char *text, size_t size, const char *dcz, const char *immutable)
{
	snprintf(text, size, "{\"files\": [\n{%s, \"hash\": \"0000000000000000\", "
		 "\"immutable\": %s, \"path\": \"a.0123456789ab.js\", \"size\": 1, "
		 "\"type\": \"text/javascript\"}\n], \"manifest\": \"\", \"version\": 1}\n",
		 dcz, immutable);
}

static void test_index_rejects_bad_deltas(void **state)
{
	static const char *const bad[] = {
		"\"dcz\": {}",
		"\"dcz\": [{\"dictionary\": \"" SHA_A "\", \"hash\": \"0000000000000001\"}]",
		"\"dcz\": [{\"dictionary\": \"" SHA_A "\", \"size\": 0, \"hash\": \"0000000000000001\"}]",
		"\"dcz\": [{\"dictionary\": \"abc\", \"size\": 9, \"hash\": \"0000000000000001\"}]",
		"\"dcz\": [{\"dictionary\": \"" SHA_A "0\", \"size\": 9, \"hash\": \"0000000000000001\"}]",
		"\"dcz\": [{\"dictionary\": \"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\", "
		"\"size\": 9, \"hash\": \"0000000000000001\"}]",
		/* the same dictionary twice */
		"\"dcz\": [{\"dictionary\": \"" SHA_A "\", \"size\": 9, \"hash\": \"0000000000000001\"}, "
		"{\"dictionary\": \"" SHA_A "\", \"size\": 8, \"hash\": \"0000000000000002\"}]",
		/* more than TREE_DCZ_MAX */
		"\"dcz\": [{}, {}, {}, {}, {}]",
	};
	struct tree_index ti;
	char text[1024];

	tree_index_init(&ti);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		one_delta_entry(text, sizeof(text), bad[i], "true");
		put(TREE_INDEX_NAME, text);
		assert_int_equal(tree_index_load(root, &ti), -1);
	}
	/* Well-formed, but on a file that is not immutable: refused too. */
	one_delta_entry(text, sizeof(text), GOOD_DCZ, "false");
	put(TREE_INDEX_NAME, text);
	assert_int_equal(tree_index_load(root, &ti), -1);
	one_delta_entry(text, sizeof(text), GOOD_DCZ, "true");
	put(TREE_INDEX_NAME, text);
	assert_int_equal(tree_index_load(root, &ti), 0);
	assert_int_equal(ti.v[0].ndcz, 1);
	tree_index_release(&ti);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rejects_bad_entries, setup, teardown),
		cmocka_unit_test(test_enc_of_name),
		cmocka_unit_test_setup_teardown(test_index_deltas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rejects_bad_deltas, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

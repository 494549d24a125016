/* test_manifest_index.c: unit tests for the on-disk contract (manifest, index, scan, config). */
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

#include "atomicfile.h"
#include "config.h"
#include "hash.h"
#include "json_out.h"
#include "manifest.h"
#include "strbuf.h"
#include "tree_index.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(atomic_write_file(path, text, strlen(text), 0644), 0);
}

static int setup(void **state)
{
	strcpy(root, "/tmp/sr-unit.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_manifest_roundtrip(void **state)
{
	struct manifest m, back;
	struct strbuf sb = STRBUF_INIT;
	char path[256];

	manifest_init(&m);
	manifest_init(&back);
	manifest_add(&m, "z.css", "z.0123456789ab.css");
	manifest_add(&m, "img/caf\xc3\xa9.svg", "img/caf\xc3\xa9.0123456789ab.svg");
	manifest_add(&m, "a.js", "a.0123456789ab.js");
	manifest_serialize(&m, &sb);
	/* Exactly what Python's json.dumps(sort_keys=True) prints. */
	assert_string_equal(sb.buf,
		"{\"paths\": {\"a.js\": \"a.0123456789ab.js\", "
		"\"img/caf\\u00e9.svg\": \"img/caf\\u00e9.0123456789ab.svg\", "
		"\"z.css\": \"z.0123456789ab.css\"}, \"version\": \"1.0\"}");
	snprintf(path, sizeof(path), "%s/%s", root, MANIFEST_NAME);
	assert_int_equal(atomic_write_file(path, sb.buf, sb.len, 0644), 0);
	assert_int_equal(manifest_load(root, &back), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(manifest_lookup(&back, "a.js"), "a.0123456789ab.js");
	assert_null(manifest_lookup(&back, "nope.js"));
	manifest_release(&m);
	manifest_release(&back);
	strbuf_release(&sb);
}

static void test_manifest_bad(void **state)
{
	struct manifest m;

	manifest_init(&m);
	assert_int_equal(manifest_load(root, &m), 1); /* absent */
	put(MANIFEST_NAME, "{\"paths\": {}, \"version\": \"9\"}");
	assert_int_equal(manifest_load(root, &m), -1);
	put(MANIFEST_NAME, "{\"paths\": {\"a\": 1}, \"version\": \"1.0\"}");
	assert_int_equal(manifest_load(root, &m), -1);
	put(MANIFEST_NAME, "{\"paths\": ");
	assert_int_equal(manifest_load(root, &m), -1);
	/* Django 4.2 writes version 1.1 with a "hash" member. */
	put(MANIFEST_NAME, "{\"paths\": {\"a\": \"b\"}, \"version\": \"1.1\", \"hash\": \"x\"}");
	manifest_release(&m);
	assert_int_equal(manifest_load(root, &m), 0);
	assert_string_equal(manifest_lookup(&m, "a"), "b");
	manifest_release(&m);
}

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

static void test_json_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	json_put_string(&sb, "a\"b\\c\n\x01\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 \xff");
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\\u007f caf\\u00e9 "
			    "\\ud83d\\ude00 \\ufffd\"");
	strbuf_release(&sb);
}

static void test_scan(void **state)
{
	struct tree_index ti;
	struct manifest m;
	const struct file_fact *f;
	char sub[128], link[128];

	tree_index_init(&ti);
	manifest_init(&m);
	snprintf(sub, sizeof(sub), "%s/css", root);
	mkdir(sub, 0755);
	put("css/a.css", "body{}");
	put("css/a.css.gz", "zz");
	put("css/a.css.br", "b");
	put("css/a.0123456789ab.css", "body{}");
	put("README", "hello\n");
	put(".secret", "no");
	snprintf(link, sizeof(link), "%s/out", root);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	snprintf(link, sizeof(link), "%s/css/loop", root);
	assert_int_equal(symlink("..", link), 0); /* inside, but a loop */
	snprintf(link, sizeof(link), "%s/readme-link", root);
	assert_int_equal(symlink("README", link), 0); /* inside: followed */
	manifest_add(&m, "css/a.css", "css/a.0123456789ab.css");
	manifest_sort(&m);
	assert_int_equal(tree_index_scan(root, &m, 0, &ti), 0);
	assert_int_equal(ti.n, 4); /* a.css, hashed a.css, README, readme-link */
	assert_non_null(tree_index_find(&ti, "readme-link"));
	f = tree_index_find(&ti, "css/a.css");
	assert_non_null(f);
	assert_true(f->enc[ENC_GZIP].present && f->enc[ENC_GZIP].size == 2);
	assert_true(f->enc[ENC_BR].present && f->enc[ENC_BR].size == 1);
	assert_false(f->flags & FACT_IMMUTABLE);
	assert_true(f->hash == hash_bytes("body{}", 6));
	f = tree_index_find(&ti, "css/a.0123456789ab.css");
	assert_true(f && (f->flags & FACT_IMMUTABLE));
	f = tree_index_find(&ti, "README");
	assert_string_equal(f->type, "text/plain; charset=utf-8");
	assert_null(tree_index_find(&ti, ".secret"));
	assert_null(tree_index_find(&ti, "out"));
	tree_index_release(&ti);
	manifest_release(&m);
}

/* Scans root as a user who may read all but secret.css and locked/: the
 * scan goes on without them.  As root (who reads everything), the scan
 * runs in a child that became nobody. */
static void test_scan_unreadable(void **state)
{
	char path[128];
	pid_t pid;
	int status;

	put("ok.css", "a{}");
	put("secret.css", "b{}");
	snprintf(path, sizeof(path), "%s/secret.css", root);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/locked", root);
	assert_int_equal(mkdir(path, 0700), 0);
	put("locked/in.css", "c{}");
	assert_int_equal(chmod(root, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct tree_index ti;
		int ok;

		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		tree_index_init(&ti);
		ok = tree_index_scan(root, NULL, 0, &ti) == 0 && ti.n == 1 &&
		     tree_index_find(&ti, "ok.css") != NULL;
		tree_index_release(&ti);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
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

static int collect_kv(const char *key, const char *value, void *ctx)
{
	struct strbuf *sb = ctx;

	if (!strcmp(key, "bad"))
		return -1;
	strbuf_addf(sb, "%s=%s;", key, value);
	return 0;
}

static void test_config(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char path[256];

	put("c.conf", "# c\nstatic-root = out \n[collect]\nsource = a=b\n"
	    "[serve]\nlisten = unix:/x\n[collect]\napps = .\n");
	snprintf(path, sizeof(path), "%s/c.conf", root);
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), 0);
	assert_string_equal(sb.buf, "static-root=out;source=a=b;apps=.;");
	put("c.conf", "[collect]\nbad = 1\n");
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), -1);
	put("c.conf", "[collect\n");
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), -1);
	assert_int_equal(config_bool("Yes"), 1);
	assert_int_equal(config_bool("off"), 0);
	assert_int_equal(config_bool("maybe"), -1);
	strbuf_release(&sb);
}

static void test_strbuf_bounds(void **state)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	assert_string_equal(sb.buf, "");
	assert_int_equal(strbuf_addstr(&sb, "12345678"), 0);
	assert_int_equal(strbuf_addch(&sb, '9'), -EFBIG);
	assert_int_equal(sb.len, 8);
	assert_string_equal(sb.buf, "12345678");
	strbuf_reset(&sb);
	assert_int_equal(strbuf_addf(&sb, "%d-%s", 7, "x"), 0);
	assert_string_equal(sb.buf, "7-x");
	strbuf_release(&sb);
}

/* A file is read into a buffer of its own size, not a 64 KiB one. */
static void test_strbuf_read_file(void **state)
{
	struct strbuf sb = STRBUF_INIT, big = STRBUF_INIT, small;
	char path[256];

	put("small.txt", "hello");
	snprintf(path, sizeof(path), "%s/small.txt", root);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_string_equal(sb.buf, "hello");
	assert_true(sb.alloc <= 64);
	for (int i = 0; i < 100000; i++)
		strbuf_addch(&big, 'a' + i % 26);
	put("big.txt", big.buf);
	snprintf(path, sizeof(path), "%s/big.txt", root);
	strbuf_reset(&sb);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	assert_int_equal(sb.len, big.len);
	assert_memory_equal(sb.buf, big.buf, big.len);
	strbuf_init(&small, 1000);
	assert_int_equal(strbuf_read_file(&small, path), -EFBIG);
	strbuf_release(&small);
	strbuf_init(&small, 5);
	snprintf(path, sizeof(path), "%s/small.txt", root);
	assert_int_equal(strbuf_read_file(&small, path), 0); /* exactly max */
	assert_string_equal(small.buf, "hello");
	strbuf_release(&small);
	strbuf_release(&sb);
	strbuf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rejects_bad_entries, setup, teardown),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test(test_enc_of_name),
		cmocka_unit_test(test_strbuf_bounds),
		cmocka_unit_test_setup_teardown(test_strbuf_read_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

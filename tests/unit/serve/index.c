/* serve/index.c: unit tests for serve/index.c: scan vs collect index, rehash on size change, headers, links, generations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "tree_index.h"
/* Included to reach open_checked(), the no-openat2 path. */
#include "../../../serve/index.c"

static char dir[64], root[96];

static void put_file(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	static char big[100000];
	char path[160];

	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-idx.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(root, sizeof(root), "%s/static", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	snprintf(path, sizeof(path), "%s/css", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/.git", root);
	assert_int_equal(mkdir(path, 0755), 0);
	put_file("css/a.css", "body{}\n", 7);
	put_file("css/a.css.gz", "GZIPPED", 7);
	put_file("css/a.css.br", "BR", 2);
	put_file(".git/config", "secret", 6);
	memset(big, 'x', sizeof(big));
	put_file("big.bin", big, sizeof(big));
	snprintf(path, sizeof(path), "%s/secret.txt", dir);
	assert_non_null(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/out.txt", root);
	assert_int_equal(symlink("../secret.txt", path), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct index_gen *build(void)
{
	struct index_config cfg = { root, "no-cache", NULL, 0, NULL, NULL };

	return index_build(&cfg);
}

static const struct entry *find(const struct index_gen *g, const char *p)
{
	return index_lookup(g, p, strlen(p));
}

static void test_scan(void **state)
{
	struct index_gen *g = build();
	const struct entry *e;

	assert_non_null(g);
	assert_int_equal(g->stats.from_index, 0);
	e = find(g, "css/a.css");
	assert_non_null(e);
	assert_true(e->flags & ENTRY_HAS_VARIANTS);
	assert_non_null(e->var[VAR_IDENTITY].body); /* small: in memory */
	assert_memory_equal(e->var[VAR_IDENTITY].body, "body{}\n", 7);
	assert_true(e->var[1 + ENC_GZIP].present && e->var[1 + ENC_BR].present);
	assert_false(e->var[1 + ENC_ZSTD].present);
	assert_null(find(g, "css/a.css.gz")); /* a variant is not a file */
	assert_null(find(g, ".git/config"));
	assert_null(find(g, "out.txt"));      /* link out of the root */
	assert_null(find(g, "css"));
	e = find(g, "big.bin");
	assert_non_null(e);
	assert_null(e->var[0].body);          /* large: kept open */
	assert_true(e->var[0].fd >= 0);
	assert_int_equal(e->var[0].size, 100000);
	index_unref(g);
}

static void test_headers(void **state)
{
	struct index_gen *g = build();
	const struct entry *e = find(g, "css/a.css");
	const struct variant *v = &e->var[VAR_IDENTITY], *gz = &e->var[1 + ENC_GZIP];
	char etag[HASH_HEX_LEN + 3], hex[HASH_HEX_LEN + 1];

	hash_hex(hash_bytes("body{}\n", 7), hex);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	assert_string_equal(v->etag, etag);
	assert_true(!strncmp(v->hdr, "Content-Type: text/css; charset=utf-8\r\n", 39));
	assert_non_null(strstr(v->hdr, "Cache-Control: no-cache\r\n"));
	assert_non_null(strstr(v->hdr, "Vary: Accept-Encoding\r\n"));
	assert_non_null(strstr(v->hdr, "X-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(v->hdr, "Accept-Ranges: bytes\r\n"));
	assert_non_null(strstr(v->hdr, "Last-Modified: "));
	assert_null(strstr(v->hdr, "Content-Encoding"));
	assert_non_null(strstr(gz->hdr, "Content-Encoding: gzip\r\n"));
	assert_string_not_equal(gz->etag, v->etag);
	/* The 304 subset. */
	assert_non_null(strstr(v->hdr304, etag));
	assert_non_null(strstr(v->hdr304, "Vary: Accept-Encoding\r\n"));
	assert_null(strstr(v->hdr304, "Content-Type:"));
	assert_non_null(strstr(v->hdr304, "X-Content-Type-Options: nosniff\r\n"));
	assert_null(strstr(find(g, "big.bin")->var[0].hdr, "Vary"));
	index_unref(g);
}

/* A collect index that belongs to the manifest is used; a stale size is
 * caught and the file rehashed; immutable names get a year. */
static void test_collect_index(void **state)
{
	struct tree_index ti;
	struct file_fact *f;
	struct index_gen *g;
	const struct entry *e;
	const char *mf = "{\"paths\": {\"css/a.css\": \"css/a.0123456789ab.css\"}, \"version\": \"1.1\"}";

	put_file("staticfiles.json", mf, strlen(mf));
	put_file("css/a.0123456789ab.css", "body{}\n", 7);
	tree_index_init(&ti);
	f = tree_index_add(&ti, "css/a.0123456789ab.css");
	f->size = 7, f->hash = 42, f->type = strdup("text/css; charset=utf-8");
	f->flags = FACT_IMMUTABLE;
	f = tree_index_add(&ti, "big.bin");
	f->size = 5, f->hash = 43, f->type = strdup("application/octet-stream");
	ti.manifest_hash = hash_bytes(mf, strlen(mf));
	tree_index_sort(&ti);
	assert_int_equal(tree_index_write(&ti, root), 0);
	tree_index_release(&ti);
	g = build();
	assert_non_null(g);
	assert_int_equal(g->stats.from_index, 1);
	assert_int_equal(g->stats.files, 2); /* only what the index lists */
	e = find(g, "css/a.0123456789ab.css");
	assert_non_null(e);
	assert_true(e->flags & FACT_IMMUTABLE);
	assert_non_null(strstr(e->var[0].hdr, "Cache-Control: public, max-age=31536000, immutable\r\n"));
	/* In-memory bytes are always rehashed: the bogus 42 is gone. */
	assert_int_equal(e->var[0].hash, hash_bytes("body{}\n", 7));
	e = find(g, "big.bin");
	assert_int_equal(e->var[0].size, 100000);
	assert_true(e->var[0].hash != 43);
	assert_true(g->stats.rehashed >= 1);
	index_unref(g);
	/* Another manifest: the index no longer belongs to it, scan instead. */
	put_file("staticfiles.json", "{\"paths\": {}, \"version\": \"1.1\"}", 31);
	g = build();
	assert_non_null(g);
	assert_int_equal(g->stats.from_index, 0);
	assert_non_null(find(g, "css/a.css"));
	index_unref(g);
}

static void test_broken_manifest(void **state)
{
	put_file("staticfiles.json", "{broken", 7);
	assert_null(build());
}

static void test_missing_root(void **state)
{
	struct index_config cfg = { "/nonexistent/root", "no-cache", NULL, 0, NULL, NULL };

	assert_null(index_build(&cfg));
}

static void test_generations(void **state)
{
	struct index_gen *a = build(), *b = build(), *cur;
	unsigned long s0 = index_seq();

	index_publish(a);
	assert_true(index_seq() != s0);
	cur = index_acquire();
	assert_ptr_equal(cur, a);
	index_publish(b); /* a lives on: cur still holds it */
	assert_int_equal(atomic_load(&a->refs), 1);
	assert_non_null(find(a, "css/a.css"));
	index_unref(cur);
	cur = index_acquire();
	assert_ptr_equal(cur, b);
	index_unref(cur);
	index_publish_clear();
	assert_null(index_acquire());
}

static void test_cors(void **state)
{
	struct index_config cfg = { root, "max-age=5", "https://a.example", 0, NULL, NULL };
	struct index_gen *g = index_build(&cfg);
	const struct entry *e = find(g, "big.bin");

	assert_non_null(strstr(e->var[0].hdr, "Access-Control-Allow-Origin: https://a.example\r\n"));
	assert_non_null(strstr(e->var[0].hdr, "Cache-Control: max-age=5\r\n"));
	index_unref(g);
}

static void test_open_checked(void **state)
{
	char path[160];
	int rootfd = open(root, O_RDONLY | O_DIRECTORY), fd;

	snprintf(path, sizeof(path), "%s/css-out", root);
	assert_int_equal(symlink("..", path), 0); /* a directory link out */
	fd = open_checked(rootfd, "css/a.css", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(open_checked(rootfd, "css-out/secret.txt", O_RDONLY), -EXDEV);
	assert_int_equal(open_checked(rootfd, "out.txt", O_RDONLY), -ELOOP);
	assert_int_equal(open_beneath(rootfd, "css-out/secret.txt", 0), -EXDEV);
	fd = open_beneath(rootfd, "css-out/secret.txt", 1); /* --follow-symlinks */
	assert_true(fd >= 0);
	close(fd);
	close(rootfd);
}

/* A type with CR LF from the index must not inject a header. */
static void test_bad_type(void **state)
{
	struct tree_index ti;
	struct file_fact *f;
	struct index_gen *g;

	tree_index_init(&ti);
	f = tree_index_add(&ti, "big.bin");
	f->size = 100000;
	f->type = strdup("text/plain\r\nSet-Cookie: pwned=1");
	assert_int_equal(tree_index_write(&ti, root), 0);
	tree_index_release(&ti);
	g = build(); /* the loader may refuse it (then: a scan) or pass it on */
	assert_non_null(g);
	assert_null(strstr(find(g, "big.bin")->var[0].hdr, "Set-Cookie"));
	index_unref(g);
	/* serve's own check, whatever the loader does. */
	assert_string_equal(safe_type("text/plain\r\nSet-Cookie: a=1", "x"), MIME_DEFAULT);
	assert_string_equal(safe_type("text/plain\x7f", "x"), MIME_DEFAULT);
	assert_string_equal(safe_type("", "x"), MIME_DEFAULT);
	assert_string_equal(safe_type("text/css; charset=utf-8", "x"), "text/css; charset=utf-8");
}

/* On reload, a name the old generation served as immutable stays so while
 * its bytes are unchanged, even when the new manifest drops it. */
static void test_keep_immutable(void **state)
{
	const char *m1 = "{\"paths\": {\"x.css\": \"x.0123456789ab.css\"}, \"version\": \"1.1\"}";
	const char *m2 = "{\"paths\": {\"x.css\": \"x.ba9876543210.css\"}, \"version\": \"1.1\"}";
	struct index_config cfg = { root, "no-cache", NULL, 0, NULL, NULL };
	struct index_gen *g1, *g2;

	put_file("x.0123456789ab.css", "a{}", 3);
	put_file("x.ba9876543210.css", "b{}", 3);
	put_file("staticfiles.json", m1, strlen(m1));
	g1 = index_build(&cfg);
	assert_true(find(g1, "x.0123456789ab.css")->flags & FACT_IMMUTABLE);
	put_file("staticfiles.json", m2, strlen(m2));
	cfg.prev = g1;
	g2 = index_build(&cfg);
	assert_true(find(g2, "x.0123456789ab.css")->flags & FACT_IMMUTABLE);
	assert_true(find(g2, "x.ba9876543210.css")->flags & FACT_IMMUTABLE);
	index_unref(g2);
	put_file("x.0123456789ab.css", "changed", 7); /* bytes differ: no longer */
	g2 = index_build(&cfg);
	assert_false(find(g2, "x.0123456789ab.css")->flags & FACT_IMMUTABLE);
	index_unref(g2);
	index_unref(g1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collect_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_immutable, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lib/tree_scan.c: scanning a tree Django wrote: variants, symlinks, unreadable entries. */
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

#include "hash.h"
#include "manifest.h"
#include "tree_index.h"
#include "../tmproot.h"

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

/* Django's collectstatic keeps a source htmx.min.js.gz as a manifest key:
 * the scan keeps it as a file, and as its sibling's variant. */
static void test_scan_variant_named_source(void **state)
{
	struct tree_index ti;
	struct manifest m;
	const struct file_fact *f;

	tree_index_init(&ti);
	manifest_init(&m);
	put("h.js", "x()");
	put("h.js.gz", "gz");
	put("h.js.br", "b");
	put("h.0123456789ab.js", "x()");
	put("h.js.ba9876543210.gz", "gz");
	manifest_add(&m, "h.js", "h.0123456789ab.js");
	manifest_add(&m, "h.js.gz", "h.js.ba9876543210.gz");
	manifest_sort(&m);
	assert_int_equal(tree_index_scan(root, &m, 0, &ti), 0);
	assert_int_equal(ti.n, 4); /* h.js.br is only a variant */
	f = tree_index_find(&ti, "h.js.gz");
	assert_true(f && f->size == 2 && !(f->flags & FACT_IMMUTABLE));
	assert_string_equal(f->type, "application/gzip");
	f = tree_index_find(&ti, "h.js");
	assert_true(f && f->enc[ENC_GZIP].present && f->enc[ENC_BR].present);
	f = tree_index_find(&ti, "h.js.ba9876543210.gz");
	assert_true(f && (f->flags & FACT_IMMUTABLE));
	assert_null(tree_index_find(&ti, "h.js.br"));
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

/* staticfiles.json is the contract, not an asset: a tree Django wrote is
 * served like one collect wrote (whose index never lists it), 404 both. */
static void test_scan_skips_manifest(void **state)
{
	struct tree_index ti;
	char sub[128];

	tree_index_init(&ti);
	put(MANIFEST_NAME, "{\"paths\": {}, \"version\": \"1.0\"}");
	snprintf(sub, sizeof(sub), "%s/app", root);
	mkdir(sub, 0755);
	put("app/" MANIFEST_NAME, "{}");
	put("a.css", "a{}");
	assert_int_equal(tree_index_scan(root, NULL, 0, &ti), 0);
	assert_null(tree_index_find(&ti, MANIFEST_NAME));
	assert_non_null(tree_index_find(&ti, "app/" MANIFEST_NAME)); /* just a file */
	assert_non_null(tree_index_find(&ti, "a.css"));
	tree_index_release(&ti);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_variant_named_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_skips_manifest, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

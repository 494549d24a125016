/* collect/walk.c: the source walk: symlinks followed, loops and broken links skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../collect/ignore.h"
#include "../../../collect/options.h"
#include "../../../collect/walk.h"

static char dir[] = "/tmp/sr-test-fileset.XXXXXX";

struct walked {
	char names[32][64];
	size_t n;
};

static int on_file(const char *rel, const char *path, const struct stat *st, void *ctx)
{
	struct walked *w = ctx;

	assert_true(w->n < 32);
	snprintf(w->names[w->n++], 64, "%s", rel);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void touch(const char *rel)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void walk_links(void **state)
{
	struct strlist pats = { 0 };
	struct walked w = { 0 };
	char p[256], q[600];

	ignore_add_defaults(&pats);
	snprintf(p, sizeof(p), "%s/a/b", dir);
	assert_int_equal(system((snprintf(q, sizeof(q), "mkdir -p %s %s/ext", p, dir), q)), 0);
	touch("a/x.css");
	touch("a/b/y.js");
	touch("a/.git");
	touch("ext/z.png");
	snprintf(p, sizeof(p), "%s/a/b/loop", dir);
	assert_int_equal(symlink("..", p), 0);          /* loop: a/b/loop -> a */
	snprintf(p, sizeof(p), "%s/a/broken", dir);
	assert_int_equal(symlink("nowhere", p), 0);     /* broken: warned */
	snprintf(p, sizeof(p), "%s/a/vendor", dir);
	snprintf(q, sizeof(q), "%s/ext", dir);
	assert_int_equal(symlink(q, p), 0);            /* followed */
	snprintf(p, sizeof(p), "%s/a", dir);
	assert_int_equal(walk_dir(p, &pats, on_file, &w), 0);
	qsort(w.names, w.n, sizeof(w.names[0]), cmp);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[0], "b/y.js");
	assert_string_equal(w.names[1], "vendor/z.png");
	assert_string_equal(w.names[2], "x.css");
	assert_int_equal(walk_dir("/nonexistent-walk-root", &pats, on_file, &w), -1);
	strlist_release(&pats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_links),
	};
	char cmd[300];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}

/* test_fileset.c: first-match-wins file lists, ignore patterns, the source walk, the work queue. */
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

#include "../../collect/fileset.h"
#include "../../collect/ignore.h"
#include "../../collect/options.h"
#include "../../collect/walk.h"
#include "../../collect/workq.h"
#include "xalloc.h"

static char dir[] = "/tmp/sr-test-fileset.XXXXXX";

static void add(struct fileset *fs, const char *name, const char *path)
{
	struct cfile *f = fileset_add(fs);

	f->name = xstrdup(name);
	f->path = xstrdup(path);
}

static void first_match_wins(void **state)
{
	struct fileset fs = { 0 };

	add(&fs, "b.css", "one/b.css");
	add(&fs, "a.css", "one/a.css");
	add(&fs, "b.css", "two/b.css");
	add(&fs, "c/d.js", "two/c/d.js");
	add(&fs, "a.css", "three/a.css");
	fileset_finish(&fs);
	assert_int_equal(fs.n, 3);
	assert_string_equal(fs.v[0].name, "a.css");
	assert_string_equal(fs.v[0].path, "one/a.css");
	assert_string_equal(fs.v[1].path, "one/b.css");
	assert_int_equal(fileset_find(&fs, "c/d.js"), 2);
	assert_int_equal(fileset_find(&fs, "zzz"), (size_t)-1);
	assert_int_equal(fileset_find(&fs, ""), (size_t)-1);
	cfile_warn(&fs.v[1], "w %d", 1);
	cfile_fail(&fs.v[2], "first");
	cfile_fail(&fs.v[2], "second");
	assert_string_equal(fs.v[2].err, "first");
	assert_int_equal(fileset_report(&fs), 1);
	assert_null(fs.v[1].warns);
	fileset_release(&fs);
}

static void ignore_patterns(void **state)
{
	struct strlist pats = { 0 };

	ignore_add_defaults(&pats);
	assert_true(ignore_match(&pats, ".hidden", NULL));
	assert_true(ignore_match(&pats, "CVS", NULL));
	assert_true(ignore_match(&pats, "x.css~", NULL));
	assert_false(ignore_match(&pats, "x.css", "css/x.css"));
	strlist_add(&pats, "*.scss");
	strlist_add(&pats, "vendor/*/src");
	assert_true(ignore_match(&pats, "a.scss", "deep/a.scss"));
	/* Like Python's fnmatch: '*' crosses '/', full relative paths match. */
	assert_true(ignore_match(&pats, "src", "vendor/x/src"));
	assert_false(ignore_match(&pats, "src", "lib/src"));
	strlist_release(&pats);
}

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

static atomic_int counts[1000];

static void count_one(size_t i, unsigned tid, void *ctx)
{
	assert_true(tid < 4);
	atomic_fetch_add(&counts[i], 1);
}

static void workq_each_once(void **state)
{
	workq_run(1000, 4, count_one, NULL);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(atomic_load(&counts[i]), 1);
	workq_run(0, 4, count_one, NULL);
	workq_run(3, 0, count_one, NULL);
	assert_int_equal(atomic_load(&counts[2]), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(ignore_patterns),
		cmocka_unit_test(walk_links),
		cmocka_unit_test(workq_each_once),
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

/* collect/fileset.c: the first-match-wins file list and its per-file errors and warnings. */
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

#include "../../../collect/fileset.h"
#include "xalloc.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_match_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

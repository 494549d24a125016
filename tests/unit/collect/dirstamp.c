/* collect/dirstamp.c: output directory mtimes: round trip, changes, races, stale and torn records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../../collect/dirstamp.h"

static char root[] = "/tmp/sr-test-dirstamp.XXXXXX";
static struct cfile files[] = {
	{ .name = "a/x.css" }, { .name = "a/y.css" }, { .name = "b/c/z.png" }, { .name = "top.txt" },
};
static struct fileset fs = { .v = files, .n = 4, .alloc = 4 };

static char *at(const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

/* Sets rel's mtime to sec (seconds since the epoch). */
static void set_mtime(const char *rel, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, at(rel), ts, 0), 0);
}

static void touch(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(root));
	assert_int_equal(mkdir(at("a"), 0755), 0);
	assert_int_equal(mkdir(at("b"), 0755), 0);
	assert_int_equal(mkdir(at("b/c"), 0755), 0);
	set_mtime("a", 1000000000);
	set_mtime("b/c", 1000000000);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void round_trip(void **state)
{
	struct dirstamp ds;

	dirstamp_write(root, &fs, 42);
	dirstamp_load(&ds, root, 42);
	assert_true(ds.valid);
	assert_true(dirstamp_trusted(&ds, "a/x.css"));
	assert_true(dirstamp_trusted(&ds, "a/other.png"));
	assert_true(dirstamp_trusted(&ds, "b/c/z.png"));
	assert_false(dirstamp_trusted(&ds, "top.txt"));   /* never the root */
	assert_false(dirstamp_trusted(&ds, "b/q.png"));   /* b holds no file of fs */
	assert_false(dirstamp_trusted(&ds, "a/b/x.css"));
	assert_false(dirstamp_trusted(&ds, "ab/x.css"));
	dirstamp_release(&ds);
}

static void other_cache(void **state)
{
	struct dirstamp ds;

	dirstamp_write(root, &fs, 42);
	dirstamp_load(&ds, root, 43);
	assert_false(ds.valid);
	assert_false(dirstamp_trusted(&ds, "a/x.css"));
	dirstamp_release(&ds);
}

static void changed_directory(void **state)
{
	struct dirstamp ds;

	dirstamp_write(root, &fs, 42);
	touch("a/new.css");  /* a new name: a's mtime moves */
	dirstamp_load(&ds, root, 42);
	assert_true(ds.valid);
	assert_false(dirstamp_trusted(&ds, "a/x.css"));
	assert_true(dirstamp_trusted(&ds, "b/c/z.png"));
	dirstamp_release(&ds);
	unlink(at("a/new.css"));
	set_mtime("a", 1000000000);
}

static void same_tick_is_not_trusted(void **state)
{
	struct dirstamp ds;

	set_mtime("b/c", time(NULL) + 3600);  /* not older than the record */
	dirstamp_write(root, &fs, 42);
	dirstamp_load(&ds, root, 42);
	assert_true(dirstamp_trusted(&ds, "a/x.css"));
	assert_false(dirstamp_trusted(&ds, "b/c/z.png"));
	dirstamp_release(&ds);
	set_mtime("b/c", 1000000000);
}

static void torn_or_missing_record(void **state)
{
	struct dirstamp ds;
	char path[600];
	struct stat st;

	dirstamp_write(root, &fs, 42);
	snprintf(path, sizeof(path), "%s", at(DIRSTAMP_NAME));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - 5), 0);
	dirstamp_load(&ds, root, 42);
	assert_false(ds.valid);
	assert_false(dirstamp_trusted(&ds, "a/x.css"));
	dirstamp_release(&ds);
	unlink(path);
	dirstamp_load(&ds, root, 42);
	assert_false(ds.valid);
	dirstamp_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(other_cache),
		cmocka_unit_test(changed_directory),
		cmocka_unit_test(same_tick_is_not_trusted),
		cmocka_unit_test(torn_or_missing_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

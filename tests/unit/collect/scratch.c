/* collect/scratch.c: the unpack directory: made on first use, removed whole,
 * and the sweep of directories whose run is gone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../collect/scratch.h"

static char tmp[] = "/tmp/sr-test-scratch.XXXXXX";

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A PID that no process has now: a child that has been reaped. */
static long dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (long)p;
}

static void made_on_first_use_and_removed(void **state)
{
	struct scratch s = { 0 };
	char *a, *b, *dir;
	int fa, fb;

	fa = scratch_create(&s, &a);
	fb = scratch_create(&s, &b);
	assert_true(fa >= 0 && fb >= 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, tmp, strlen(tmp)), 0);
	assert_int_equal(write(fa, "x", 1), 1);
	close(fa);
	close(fb);
	dir = strdup(s.dir);
	scratch_release(&s);
	assert_false(exists(a));
	assert_false(exists(dir));
	assert_null(s.dir);
	free(a);
	free(b);
	free(dir);
}

static void stale_ones_swept(void **state)
{
	char dead[256], live[256], file[300];
	struct scratch s = { 0 };
	char *path;
	FILE *f;

	snprintf(dead, sizeof(dead), "%s/staticroot-unpack.%ld.AbCdEf", tmp, dead_pid());
	snprintf(live, sizeof(live), "%s/staticroot-unpack.%ld.GhIjKl", tmp, (long)getppid());
	assert_int_equal(mkdir(dead, 0700), 0);
	assert_int_equal(mkdir(live, 0700), 0);
	snprintf(file, sizeof(file), "%s/m0", dead);
	f = fopen(file, "w");
	fputs("left by a kill -9", f);
	fclose(f);
	close(scratch_create(&s, &path));
	assert_false(exists(dead));
	assert_true(exists(live));  /* its run may still be going */
	rmdir(live);
	scratch_release(&s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(made_on_first_use_and_removed),
		cmocka_unit_test(stale_ones_swept),
	};
	int rc;

	if (!mkdtemp(tmp))
		return 1;
	setenv("TMPDIR", tmp, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rmdir(tmp) != 0)
		rc = 1;
	return rc;
}

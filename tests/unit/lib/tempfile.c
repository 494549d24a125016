/* tests/unit/lib/tempfile.c: the temporary-file object: commit, replace, discard, names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "tempfile.h"
#include "../tmproot.h"

static char *at(const char *rel)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

static void assert_bytes(const char *rel, const char *want)
{
	struct strbuf sb;

	strbuf_init(&sb, 1 << 20);
	assert_int_equal(strbuf_read_file(&sb, at(rel)), 0);
	assert_int_equal(sb.len, strlen(want));
	assert_memory_equal(sb.buf, want, sb.len);
	strbuf_release(&sb);
}

/* Entries of root/rel (besides . and ..). */
static int entries(const char *rel)
{
	DIR *d = opendir(at(rel));
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void commit_makes_the_file_and_its_directories(void **state)
{
	struct tempfile t;
	struct stat st, got;

	assert_int_equal(tempfile_create(&t, at("a/b/c.txt"), 0644), 0);
	assert_int_equal(tempfile_write(&t, "hello", 5), 0);
	/* nothing under the name until the commit */
	assert_int_equal(access(at("a/b/c.txt"), F_OK), -1);
	assert_int_equal(tempfile_commit(&t, TEMPFILE_SYNC, &st), 0);
	assert_int_equal(t.fd, -1);
	assert_null(t.dest);
	assert_bytes("a/b/c.txt", "hello");
	assert_int_equal(stat(at("a/b/c.txt"), &got), 0);
	assert_int_equal(got.st_ino, st.st_ino);
	assert_int_equal(got.st_mode & 07777, 0644);
	assert_int_equal(entries("a/b"), 1);  /* no temporary beside it */
}

static void commit_replaces_with_a_new_inode(void **state)
{
	struct tempfile t;
	struct stat before, after;

	char twin[256];

	put("x.css", "old");
	snprintf(twin, sizeof(twin), "%s", at("twin.css"));
	assert_int_equal(link(at("x.css"), twin), 0);
	assert_int_equal(stat(at("x.css"), &before), 0);
	assert_int_equal(tempfile_create(&t, at("x.css"), 0644), 0);
	assert_int_equal(tempfile_write(&t, "new bytes", 9), 0);
	assert_int_equal(tempfile_commit(&t, 0, NULL), 0);
	assert_bytes("x.css", "new bytes");
	/* The old inode, seen by another name, keeps its bytes. */
	assert_bytes("twin.css", "old");
	assert_int_equal(stat(at("x.css"), &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(entries(""), 2);
}

static void noreplace_refuses_an_existing_name(void **state)
{
	struct tempfile t;

	put("keep.txt", "mine");
	assert_int_equal(tempfile_create(&t, at("keep.txt"), 0644), 0);
	assert_int_equal(tempfile_write(&t, "theirs", 6), 0);
	assert_int_equal(tempfile_commit(&t, TEMPFILE_NOREPLACE, NULL), -EEXIST);
	assert_bytes("keep.txt", "mine");
	assert_int_equal(entries(""), 1);
}

static void discard_leaves_nothing(void **state)
{
	struct tempfile t;

	assert_int_equal(mkdir(at("d"), 0755), 0);
	assert_int_equal(tempfile_create(&t, at("d/gone.txt"), 0644), 0);
	assert_int_equal(tempfile_write(&t, "x", 1), 0);
	tempfile_discard(&t);
	tempfile_discard(&t);  /* twice is harmless */
	assert_int_equal(entries("d"), 0);
}

static void create_reports_errors(void **state)
{
	struct tempfile t;

	put("file", "x");
	/* a file where a directory must be */
	assert_int_equal(tempfile_create(&t, at("file/below.txt"), 0644), -ENOTDIR);
	assert_int_equal(t.fd, -1);
	assert_null(t.dest);
}

/* First in main(): the umask is read once per process, at the first create. */
static void mode_is_exact_whatever_the_umask(void **state)
{
	struct tempfile t;
	struct stat st;
	mode_t old = umask(077);

	assert_int_equal(tempfile_create(&t, at("m.txt"), 0644), 0);
	assert_int_equal(tempfile_commit(&t, 0, NULL), 0);
	umask(old);
	assert_int_equal(stat(at("m.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void copy_fd_copies_every_byte(void **state)
{
	char big[200000];
	struct tempfile t;
	int fd;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\0';
	put("src.txt", big);
	fd = open(at("src.txt"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(tempfile_create(&t, at("dst.txt"), 0644), 0);
	assert_int_equal(tempfile_copy_fd(&t, fd), 0);
	assert_int_equal(tempfile_commit(&t, 0, NULL), 0);
	close(fd);
	assert_bytes("dst.txt", big);
}

static void names_carry_the_pid(void **state)
{
	char buf[4096], name[600];

	assert_int_equal(tempfile_name(buf, sizeof(buf), "/d", "site.css"), 0);
	assert_true(!strncmp(buf, "/d/.site.css" TEMPFILE_MARK, 12 + strlen(TEMPFILE_MARK)));
	assert_int_equal(tempfile_name_pid(buf + 3), (long)getpid());
	/* too long to prefix: the mark alone, still recognised */
	memset(name, 'n', 254);
	name[254] = '\0';
	assert_int_equal(tempfile_name(buf, sizeof(buf), "/d", name), 0);
	assert_true(strlen(buf + 3) < 255);
	assert_int_equal(tempfile_name_pid(buf + 3), (long)getpid());
	assert_int_equal(tempfile_name(buf, 8, "/d", "site.css"), -ENAMETOOLONG);
	/* not temporaries */
	assert_int_equal(tempfile_name_pid("site.css"), -1);
	assert_int_equal(tempfile_name_pid(".site.css.sr-tmp12"), -1);
	assert_int_equal(tempfile_name_pid(".site.css.sr-tmp12-x"), -1);
	assert_int_equal(tempfile_name_pid("site.css.sr-tmp12-3"), -1);
	assert_int_equal(tempfile_name_pid(".a.sr-tmp12-3"), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(mode_is_exact_whatever_the_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_makes_the_file_and_its_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_replaces_with_a_new_inode, setup, teardown),
		cmocka_unit_test_setup_teardown(noreplace_refuses_an_existing_name, setup, teardown),
		cmocka_unit_test_setup_teardown(discard_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(create_reports_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_fd_copies_every_byte, setup, teardown),
		cmocka_unit_test(names_carry_the_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

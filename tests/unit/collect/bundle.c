/* collect/bundle.c: --archive bundles are byte-identical across runs and read back right. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "../../../collect/bundle.h"
#include "strbuf.h"

#define E_ACUTE "\xc3\xa9"

static char root[256], outdir[256];

/* Unsorted, with a duplicate: bundle_write sorts and drops it. */
static char *const paths[] = {
	"z.txt", "css/site.css", "img/a b.png", "img/" E_ACUTE "t" E_ACUTE ".png",
	"a.txt", "css/site.css", "deep/er/still/x.js",
};
static const char *const sorted[] = {
	"a.txt", "css/site.css", "deep/er/still/x.js", "img/a b.png",
	"img/" E_ACUTE "t" E_ACUTE ".png", "z.txt",
};
#define NPATHS (sizeof(paths) / sizeof(*paths))
#define NSORTED (sizeof(sorted) / sizeof(*sorted))

static void put(const char *rel, const char *content)
{
	char p[512], *slash;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
	}
	assert_non_null(f = fopen(p, "w"));
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/sr-bundle.XXXXXX";

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return -1;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpl);
	snprintf(outdir, sizeof(outdir), "%s", tmpl);
	mkdir(root, 0755);
	for (size_t i = 0; i < NSORTED; i++)
		put(sorted[i], sorted[i]); /* each file holds its own name */
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", outdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void slurp(const char *path, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(strbuf_read_file(sb, path), 0);
}

/* Reads the archive back: sorted names, contents, fixed metadata. */
static void read_back(const char *file, int64_t mtime)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[256];
	size_t i = 0;

	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_filter_gzip(a);
	assert_int_equal(archive_read_open_filename(a, file, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(i < NSORTED);
		assert_string_equal(archive_entry_pathname_utf8(e), sorted[i]);
		assert_int_equal(archive_entry_filetype(e), AE_IFREG);
		assert_int_equal(archive_entry_perm(e), 0644);
		assert_int_equal(archive_entry_mtime(e), mtime);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_int_equal(archive_entry_size(e), strlen(sorted[i]));
		assert_int_equal(archive_read_data(a, buf, sizeof(buf)), strlen(sorted[i]));
		assert_memory_equal(buf, sorted[i], strlen(sorted[i]));
		i++;
	}
	assert_int_equal(i, NSORTED);
	archive_read_free(a);
}

/* Moves every file's mtime, so that only fixed metadata can match. */
static void touch_all(long when)
{
	struct timeval tv[2] = { { when, 0 }, { when, 0 } };
	char p[512];

	for (size_t i = 0; i < NSORTED; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, sorted[i]);
		assert_int_equal(utimes(p, tv), 0);
	}
}

static void identical_runs(const char *suffix, int64_t mtime)
{
	char one[512], two[512];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	snprintf(one, sizeof(one), "%s/one%s", outdir, suffix);
	snprintf(two, sizeof(two), "%s/two%s", outdir, suffix);
	touch_all(1000000000);
	assert_int_equal(bundle_write(root, paths, NPATHS, one), 0);
	touch_all(1600000000);
	assert_int_equal(bundle_write(root, paths, NPATHS, two), 0);
	slurp(one, &a);
	slurp(two, &b);
	assert_true(a.len > 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	read_back(one, mtime);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void formats(void **state)
{
	const char *suffixes[] = { ".tar", ".tar.gz", ".tgz", ".zip" };

	unsetenv("SOURCE_DATE_EPOCH");
	for (size_t i = 0; i < 4; i++)
		identical_runs(suffixes[i], 0);
}

static void source_date_epoch(void **state)
{
	const char *suffixes[] = { ".tar", ".tar.gz", ".zip" };

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	for (size_t i = 0; i < 3; i++)
		identical_runs(suffixes[i], 1700000000);
	unsetenv("SOURCE_DATE_EPOCH");
}

/* Failures leave the previous archive and no temporary behind. */
static void failures(void **state)
{
	char out[512], cmd[700];
	char *const missing[] = { "a.txt", "nope.txt" };
	char *const escape[] = { "../etc/passwd" };
	char *const dir[] = { "css" };
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;

	snprintf(out, sizeof(out), "%s/keep.tar", outdir);
	assert_int_equal(bundle_write(root, paths, NPATHS, out), 0);
	slurp(out, &before);
	assert_int_equal(bundle_write(root, missing, 2, out), -1);
	assert_int_equal(bundle_write(root, escape, 1, out), -1);
	assert_int_equal(bundle_write(root, dir, 1, out), -1);
	slurp(out, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.buf, after.buf, before.len);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q tmp", outdir);
	assert_int_not_equal(system(cmd), 0);

	snprintf(out, sizeof(out), "%s/x.rar", outdir);
	assert_int_equal(bundle_write(root, paths, NPATHS, out), -1);
	snprintf(out, sizeof(out), "%s/no/such/dir/x.tar", outdir);
	assert_int_equal(bundle_write(root, paths, NPATHS, out), -1);
	strbuf_release(&before);
	strbuf_release(&after);
}

static void empty(void **state)
{
	char out[512];

	snprintf(out, sizeof(out), "%s/empty.zip", outdir);
	assert_int_equal(bundle_write(root, NULL, 0, out), 0);
	snprintf(out, sizeof(out), "%s/empty.tar.gz", outdir);
	assert_int_equal(bundle_write(root, NULL, 0, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats),
		cmocka_unit_test(source_date_epoch),
		cmocka_unit_test(failures),
		cmocka_unit_test(empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

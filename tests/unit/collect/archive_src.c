/* collect/archive_src.c: archive sources: spec matching, SUBDIR, ignores, and refused entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../collect/archive_src.h"
#include "../../../collect/ignore.h"
#include "../../../collect/options.h"
#include "../../../collect/scratch.h"
#include "hash.h"

static char dir[] = "/tmp/sr-test-archive.XXXXXX";

struct entry {
	const char *name;
	int type;            /* AE_IFREG, AE_IFDIR, AE_IFLNK, or 0 for a hard link */
	const char *data;
};

/* Writes entries into dir/name as tar.gz or zip. */
static char *make_archive(const char *name, int zip, const struct entry *e, size_t n)
{
	struct archive *a = archive_write_new();
	char *path = malloc(strlen(dir) + strlen(name) + 2);

	sprintf(path, "%s/%s", dir, name);
	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = e[i].data ? strlen(e[i].data) : 0;

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == 0) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, "package/dist/a.css");
		} else {
			archive_entry_set_filetype(ae, (unsigned)e[i].type);
		}
		if (e[i].type == AE_IFLNK)
			archive_entry_set_symlink(ae, "/etc/passwd");
		if (e[i].type == AE_IFREG)
			archive_entry_set_size(ae, (la_int64_t)len);
		archive_write_header(a, ae);
		if (e[i].type == AE_IFREG && len)
			archive_write_data(a, e[i].data, len);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

struct seen {
	char names[16][128];
	size_t n;
};

static struct scratch scratch;
static struct archive_budget budget;

/* A fresh budget of max bytes over the test's scratch directory. */
static struct archive_budget *budget_of(uint64_t max)
{
	budget = (struct archive_budget){ .max = max, .scratch = &scratch };
	return &budget;
}

/* The member's bytes, wherever they are: owned, NUL-terminated. */
static char *member_bytes(const struct archive_member *m)
{
	char *buf = calloc(1, m->len + 1);
	FILE *f;

	assert_true((m->data != NULL) != (m->file != NULL));
	if (m->data) {
		memcpy(buf, m->data, m->len);
		return buf;
	}
	f = fopen(m->file, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, m->len + 1, f), m->len);
	fclose(f);
	return buf;
}

static int on_member(struct archive_member *m, void *ctx)
{
	struct seen *s = ctx;
	char *data = member_bytes(m);

	assert_true(s->n < 16);
	assert_int_equal(strlen(data), m->len);
	assert_true(m->hash == hash_bytes(data, m->len));
	snprintf(s->names[s->n++], 128, "%s=%.100s", m->rel, data);
	free(data);
	return 0;
}

static const struct entry good[] = {
	{ "package/", AE_IFDIR, NULL },
	{ "package/README", AE_IFREG, "readme" },
	{ "package/dist/a.css", AE_IFREG, "a{}" },
	{ "./package/dist/sub/b.js", AE_IFREG, "b()" },
	{ "package/dist/.hidden", AE_IFREG, "h" },
	{ "package/dist/CVS/x", AE_IFREG, "cvs" },
};

static void read_subdir(void **state)
{
	struct strlist ig = { 0 };
	struct seen s = { 0 };

	ignore_add_defaults(&ig);
	for (int zip = 0; zip < 2; zip++) {
		char *path = make_archive(zip ? "g.zip" : "g.tgz", zip, good, 6);

		memset(&s, 0, sizeof(s));
		assert_int_equal(archive_src_read(path, "package/dist", &ig, budget_of(1 << 30), on_member, &s), 0);
		assert_int_equal(s.n, 2);
		assert_string_equal(s.names[0], "a.css=a{}");
		assert_string_equal(s.names[1], "sub/b.js=b()");
		memset(&s, 0, sizeof(s));
		assert_int_equal(archive_src_read(path, "", &ig, budget_of(1 << 30), on_member, &s), 0);
		assert_int_equal(s.n, 3);
		memset(&s, 0, sizeof(s));
		assert_int_equal(archive_src_read(path, "package/nope", &ig, budget_of(1 << 30), on_member, &s), -1);
		free(path);
	}
	strlist_release(&ig);
}

static void refuses_unsafe(void **state)
{
	static const struct entry bad[][2] = {
		{ { "package/a.css", AE_IFREG, "a" }, { "../evil.css", AE_IFREG, "x" } },
		{ { "package/a.css", AE_IFREG, "a" }, { "/etc/evil", AE_IFREG, "x" } },
		{ { "package/a.css", AE_IFREG, "a" }, { "package/x/../../evil", AE_IFREG, "x" } },
		{ { "package/a.css", AE_IFREG, "a" }, { "package/link", AE_IFLNK, NULL } },
		{ { "package/dist/a.css", AE_IFREG, "a" }, { "package/hard", 0, NULL } },
		{ { "package/a.css", AE_IFREG, "a" }, { "package\\..\\evil", AE_IFREG, "x" } },
	};
	struct strlist ig = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		for (int zip = 0; zip < 2; zip++) {
			struct seen s = { 0 };
			char *path;

			if (zip && bad[i][1].type == 0)
				continue;  /* zip has no hard links: it stores a copy */
			path = make_archive(zip ? "b.zip" : "b.tgz", zip, bad[i], 2);

			assert_int_equal(archive_src_read(path, "", &ig, budget_of(1 << 30), on_member, &s), -1);
			free(path);
		}
	}
}

static void corrupt(void **state)
{
	struct strlist ig = { 0 };
	struct seen s = { 0 };
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/c.tgz", dir);
	f = fopen(path, "wb");
	fputs("\x1f\x8b garbage that is not gzip", f);
	fclose(f);
	assert_int_equal(archive_src_read(path, "", &ig, budget_of(1 << 30), on_member, &s), -1);
	assert_int_equal(archive_src_read("/nonexistent.tgz", "", &ig, budget_of(1 << 30), on_member, &s), -1);
}

/* An entry over the in-memory share is unpacked into the scratch
 * directory; the run's bound counts every archive; a header's size is
 * refused before the entry expands. */
static void large_members_and_bounds(void **state)
{
	size_t big = MEMBER_IN_MEMORY_MAX + 1000;
	char *bytes = malloc(big + 1);
	struct entry e[2] = { { "big.js", AE_IFREG, bytes }, { "small.js", AE_IFREG, "s()" } };
	struct strlist ig = { 0 };
	struct archive_budget *b;
	struct seen s = { 0 };
	char *path;

	memset(bytes, 'x', big);
	bytes[big] = '\0';
	path = make_archive("big.tgz", 0, e, 2);
	b = budget_of(1 << 30);
	assert_int_equal(archive_src_read(path, "", &ig, b, on_member, &s), 0);
	assert_int_equal(s.n, 2);
	assert_non_null(scratch.dir);  /* big.js went to disk */
	assert_int_equal(b->expanded, big + 3);
	assert_int_equal(b->in_memory, 3);
	/* the same archive again, under one bound for both */
	b = budget_of(big + 3 + big);
	memset(&s, 0, sizeof(s));
	assert_int_equal(archive_src_read(path, "", &ig, b, on_member, &s), 0);
	assert_int_equal(archive_src_read(path, "", &ig, b, on_member, &s), -1);
	/* refused on the header: nothing of it expanded */
	b = budget_of(big - 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(archive_src_read(path, "", &ig, b, on_member, &s), -1);
	assert_int_equal(b->expanded, 0);
	assert_int_equal(s.n, 0);
	scratch_release(&scratch);
	free(path);
	free(bytes);
}

static void spec_match(void **state)
{
	size_t n = 0;

	assert_true(archive_src_match("x.tgz", &n));
	assert_int_equal(n, 5);
	assert_true(archive_src_match("dir/b-5.3.3.tgz:package/dist", &n));
	assert_int_equal(n, strlen("dir/b-5.3.3.tgz"));
	assert_true(archive_src_match("a.tar.gz", &n));
	assert_true(archive_src_match("a.ZIP:x", &n));
	assert_int_equal(n, 5);
	assert_true(archive_src_match("a.tar:x:y", &n));
	assert_int_equal(n, 5);
	assert_false(archive_src_match("static", &n));
	assert_false(archive_src_match("a.gz", &n));
	assert_false(archive_src_match(".tgz", &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_match),
		cmocka_unit_test(read_subdir),
		cmocka_unit_test(refuses_unsafe),
		cmocka_unit_test(corrupt),
		cmocka_unit_test(large_members_and_bounds),
	};
	char cmd[300];
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	scratch_release(&scratch);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}

/* collect/manifest_history.c: entry names and which generations a prune keeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../collect/manifest_history.h"
#include "log.h"

static void names_round_trip(void **state)
{
	struct history h = { 0 };
	char *n = history_entry_name(0x0123456789abcdefull, 1700000000123LL);

	assert_string_equal(n, "20231114T221320.123Z-0123456789abcdef.json");
	history_add_name(&h, n);
	history_add_name(&h, "notes.txt");
	history_add_name(&h, "20231114T221320.123Z-0123456789abcdeg.json");
	assert_int_equal(h.n, 1);
	assert_int_equal(h.v[0].time, 1700000000);
	assert_true(h.v[0].hash == 0x0123456789abcdefull);
	free(n);
	history_release(&h);
}

/* Entries published at the given times (seconds), oldest first. */
static void make(struct history *h, const long *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *name = history_entry_name(i + 1, (long long)t[i] * 1000);

		history_add_name(h, name);
		free(name);
	}
	history_sort(h);
}

static void selection(void **state)
{
	const long now = 1700000000, t[] = { now - 5 * 3600, now - 3 * 3600, now - 1800, now - 600 };
	struct history h = { 0 };
	unsigned char f[4];

	make(&h, t, 4);
	/* Keep 1, grace 1 h: the newest, the one published 30 min ago and the
	 * one live when the hour began (published 3 h ago). */
	history_select(&h, 1, now, 3600, f);
	assert_memory_equal(f, ((unsigned char[]){ 0, 1, 1, 1 }), 4);
	/* No grace: the newest N alone. */
	history_select(&h, 2, now, 0, f);
	assert_memory_equal(f, ((unsigned char[]){ 0, 0, 1, 1 }), 4);
	history_select(&h, 1, now, 0, f);
	assert_memory_equal(f, ((unsigned char[]){ 0, 0, 0, 1 }), 4);
	/* A long grace keeps them all. */
	history_select(&h, 1, now, 86400, f);
	assert_memory_equal(f, ((unsigned char[]){ 1, 1, 1, 1 }), 4);
	history_release(&h);
}

static void write_manifest(const char *root, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/staticfiles.json", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t entries(const char *root)
{
	struct history h;
	size_t n;

	assert_int_equal(history_load_local(root, &h), 0);
	n = h.n;
	history_release(&h);
	return n;
}

/* A no-op run on a tree from before the history: its live manifest is
 * adopted once; a tree with a history is left alone; a failure only warns
 * (no error line: the tree is whole and the run succeeded). */
static void adopt_old_tree(void **state)
{
	char root[] = "/tmp/sr-history-XXXXXX", dir[600];
	unsigned errors = log_error_count();

	assert_non_null(mkdtemp(root));
	write_manifest(root, "{\"paths\": {}, \"version\": \"1.1\"}");
	history_adopt(root);
	assert_int_equal(entries(root), 1);
	write_manifest(root, "{\"paths\": {\"a.css\": \"a.0123456789ab.css\"}, \"version\": \"1.1\"}");
	history_adopt(root);  /* the history exists: history_record()'s job */
	assert_int_equal(entries(root), 1);
	assert_int_equal(history_record(root), 0);
	assert_int_equal(entries(root), 2);
	assert_int_equal(history_record(root), 0);  /* same bytes: no new entry */
	assert_int_equal(entries(root), 2);
	/* staticfiles.json unreadable (a directory): a warning, not an error */
	snprintf(dir, sizeof(dir), "%s/%s", root, HISTORY_DIR);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s/staticfiles.json' && mkdir '%s/staticfiles.json'",
			 dir, root, root);
		assert_int_equal(system(cmd), 0);
		history_adopt(root);
		assert_int_equal(errors, log_error_count());
		assert_int_equal(access(dir, F_OK), -1);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(selection),
		cmocka_unit_test(adopt_old_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

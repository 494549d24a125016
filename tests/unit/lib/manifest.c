/* lib/manifest.c: staticfiles.json: Django-identical output, loading, bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "manifest.h"
#include "strbuf.h"
#include "../tmproot.h"

static void test_manifest_roundtrip(void **state)
{
	struct manifest m, back;
	struct strbuf sb = STRBUF_INIT;
	char path[256];

	manifest_init(&m);
	manifest_init(&back);
	manifest_add(&m, "z.css", "z.0123456789ab.css");
	manifest_add(&m, "img/caf\xc3\xa9.svg", "img/caf\xc3\xa9.0123456789ab.svg");
	manifest_add(&m, "a.js", "a.0123456789ab.js");
	manifest_serialize(&m, &sb);
	/* Exactly what Python's json.dumps(sort_keys=True) prints. */
	assert_string_equal(sb.buf,
		"{\"paths\": {\"a.js\": \"a.0123456789ab.js\", "
		"\"img/caf\\u00e9.svg\": \"img/caf\\u00e9.0123456789ab.svg\", "
		"\"z.css\": \"z.0123456789ab.css\"}, \"version\": \"1.0\"}");
	snprintf(path, sizeof(path), "%s/%s", root, MANIFEST_NAME);
	assert_int_equal(atomic_write_file(path, sb.buf, sb.len, 0644), 0);
	assert_int_equal(manifest_load(root, &back), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(manifest_lookup(&back, "a.js"), "a.0123456789ab.js");
	assert_null(manifest_lookup(&back, "nope.js"));
	manifest_release(&m);
	manifest_release(&back);
	strbuf_release(&sb);
}

static void test_manifest_bad(void **state)
{
	struct manifest m;

	manifest_init(&m);
	assert_int_equal(manifest_load(root, &m), 1); /* absent */
	put(MANIFEST_NAME, "{\"paths\": {}, \"version\": \"9\"}");
	assert_int_equal(manifest_load(root, &m), -1);
	put(MANIFEST_NAME, "{\"paths\": {\"a\": 1}, \"version\": \"1.0\"}");
	assert_int_equal(manifest_load(root, &m), -1);
	put(MANIFEST_NAME, "{\"paths\": ");
	assert_int_equal(manifest_load(root, &m), -1);
	/* Django 4.2 writes version 1.1 with a "hash" member. */
	put(MANIFEST_NAME, "{\"paths\": {\"a\": \"b\"}, \"version\": \"1.1\", \"hash\": \"x\"}");
	manifest_release(&m);
	assert_int_equal(manifest_load(root, &m), 0);
	assert_string_equal(manifest_lookup(&m, "a"), "b");
	manifest_release(&m);
}

static int parse(const char *text, struct manifest *m)
{
	return manifest_parse(text, strlen(text), "x/" MANIFEST_NAME, m);
}

/* Bytes already in hand (serve hashes what it parses): only len counts. */
static void test_manifest_parse(void **state)
{
	static const char doc[] = "{\"paths\": {\"b\": \"b.2\", \"a\": \"a.1\"}, "
				  "\"version\": \"1.0\"}";
	char text[sizeof(doc) + 8];
	struct manifest m;

	/* Followed by bytes that are not JSON and no NUL. */
	memcpy(text, doc, sizeof(doc) - 1);
	memset(text + sizeof(doc) - 1, 'x', sizeof(text) - sizeof(doc) + 1);
	manifest_init(&m);
	assert_int_equal(manifest_parse(text, sizeof(doc) - 1, "x/" MANIFEST_NAME, &m), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(manifest_lookup(&m, "a"), "a.1"); /* sorted */
	assert_string_equal(manifest_lookup(&m, "b"), "b.2");
	manifest_release(&m);
	assert_int_equal(manifest_parse(text, sizeof(text), "x/" MANIFEST_NAME, &m), -1);
	assert_int_equal(parse("{\"paths\": ", &m), -1);
	assert_int_equal(parse("", &m), -1);
	assert_int_equal(parse("{\"paths\": {}, \"version\": \"2.0\"}", &m), -1);
	assert_int_equal(parse("{\"paths\": {}}", &m), -1);
	assert_int_equal(parse("{\"paths\": [], \"version\": \"1.0\"}", &m), -1);
	assert_int_equal(m.n, 0);
	assert_int_equal(parse("{\"paths\": {}, \"version\": \"1.1\"}", &m), 0);
	assert_int_equal(m.n, 0);
	manifest_release(&m);
}

/* A reader holding the directory open reads that generation's manifest,
 * although the name now leads to the next one (collect's switch). */
static void test_manifest_load_at_switched(void **state)
{
	struct manifest m;
	char gen[128], old[128];
	int dirfd;

	snprintf(gen, sizeof(gen), "%s/gen", root);
	snprintf(old, sizeof(old), "%s/old", root);
	assert_int_equal(mkdir(gen, 0755), 0);
	put("gen/" MANIFEST_NAME, "{\"paths\": {\"a\": \"a.1\"}, \"version\": \"1.0\"}");
	dirfd = open(gen, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	assert_int_equal(rename(gen, old), 0);
	assert_int_equal(mkdir(gen, 0755), 0);
	put("gen/" MANIFEST_NAME, "{\"paths\": {\"a\": \"a.2\"}, \"version\": \"1.0\"}");
	manifest_init(&m);
	assert_int_equal(manifest_load_at(dirfd, gen, &m), 0);
	assert_string_equal(manifest_lookup(&m, "a"), "a.1");
	manifest_release(&m);
	assert_int_equal(manifest_load(gen, &m), 0);
	assert_string_equal(manifest_lookup(&m, "a"), "a.2");
	manifest_release(&m);
	/* Absent beside the held directory: 1, as for a path. */
	snprintf(old, sizeof(old), "%s/old/%s", root, MANIFEST_NAME);
	assert_int_equal(unlink(old), 0);
	assert_int_equal(manifest_load_at(dirfd, gen, &m), 1);
	close(dirfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_load_at_switched, setup, teardown),
		cmocka_unit_test(test_manifest_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

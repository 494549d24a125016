/* collect/upload.c: the s3://BUCKET[/PREFIX] target. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../../collect/upload.c"

static void check(const char *url, const char *bucket, const char *prefix)
{
	char *b, *p;

	assert_int_equal(upload_parse_target(url, &b, &p), 0);
	assert_string_equal(b, bucket);
	assert_string_equal(p, prefix);
	free(b);
	free(p);
}

static void targets(void **state)
{
	char *b, *p;

	check("s3://assets", "assets", "");
	check("s3://assets/", "assets", "");
	check("s3://assets/static", "assets", "static/");
	check("s3://assets//site/v1/", "assets", "site/v1/");
	assert_int_equal(upload_parse_target("assets", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3://", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3:///x", &b, &p), -1);
	assert_int_equal(upload_parse_target("s3://b/../x", &b, &p), -1);
	assert_null(b);
}

/* htmx's dist/htmx.min.js.gz, collected as a file of its own and listed as
 * htmx.min.js's gzip variant (it decodes to it): one object under that key,
 * the plain file, as serve answers that URL. */
static void a_source_named_like_a_variant(void **state)
{
	struct options o = { .output = "/out" };
	struct upload u = { .o = &o, .prefix = "p/" };
	struct file_fact *f;
	int gz = 0;

	tree_index_init(&u.ti);
	f = tree_index_add(&u.ti, "h.js.gz");
	f->type = xstrdup("application/gzip");
	f->size = 5;
	f->hash = 7;
	f = tree_index_add(&u.ti, "h.js");
	f->type = xstrdup("text/javascript");
	f->enc[ENC_GZIP] = (struct file_variant){ 1, 5, 7 };
	f->enc[ENC_BR] = (struct file_variant){ 1, 4, 8 };
	tree_index_sort(&u.ti);
	build_objects(&u);
	assert_int_equal(u.nobj, 3); /* h.js, h.js.br, h.js.gz */
	for (size_t i = 0; i < u.nobj; i++) {
		if (strcmp(u.obj[i].key, "p/h.js.gz"))
			continue;
		gz++;
		assert_null(u.obj[i].ce);
		assert_string_equal(u.obj[i].type, "application/gzip");
	}
	assert_int_equal(gz, 1);
	for (size_t i = 0; i < u.nobj; i++) {
		free(u.obj[i].key);
		free(u.obj[i].path);
	}
	free(u.obj);
	tree_index_release(&u.ti);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets),
		cmocka_unit_test(a_source_named_like_a_variant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

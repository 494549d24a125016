/* collect/prune_keep.c: hashed-name shapes, durations and the keep set of --prune. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../../collect/prune.h"
#include "../../../collect/prune_keep.h"

static void hashed_names(void **state)
{
	size_t base;

	assert_true(prune_hashed_base("css/site.0123456789ab.css", &base));
	assert_int_equal(base, strlen("css/site.0123456789ab.css"));
	assert_true(prune_hashed_base("css/site.0123456789ab.css.br", &base));
	assert_int_equal(base, strlen("css/site.0123456789ab.css"));
	assert_true(prune_hashed_base("LICENSE.0123456789ab.gz", &base));
	assert_true(prune_hashed_base("js/app.js.0123456789ab.map", &base));
	assert_true(prune_hashed_base("a.0123456789ab.js.0123456789abcdef.dcz", &base));
	assert_int_equal(base, strlen("a.0123456789ab.js"));
	assert_false(prune_hashed_base("css/site.css", &base));
	assert_false(prune_hashed_base("css/site.css.gz", &base));
	assert_false(prune_hashed_base("css/site.0123456789AB.css", &base));
	assert_false(prune_hashed_base("css/site.0123456789a.css", &base));
	assert_false(prune_hashed_base("0123456789ab/site.css", &base));
	assert_false(prune_hashed_base(".0123456789ab", &base));
}

static void durations(void **state)
{
	long v;

	assert_int_equal(prune_parse_duration("3600", &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(prune_parse_duration("30m", &v), 0);
	assert_int_equal(v, 1800);
	assert_int_equal(prune_parse_duration("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(prune_parse_duration("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(prune_parse_duration("1x", &v), -1);
	assert_int_equal(prune_parse_duration("-1h", &v), -1);
	assert_int_equal(prune_parse_duration("h", &v), -1);
	assert_int_equal(prune_parse_duration("", &v), -1);
}

static void keep_set(void **state)
{
	struct keepset k = { 0 };
	static const char m[] = "{\"paths\": {\"a.css\": \"a.0123456789ab.css\"}, \"version\": \"1.0\"}";

	assert_int_equal(keep_manifest(&k, m, strlen(m)), 0);
	assert_int_equal(keep_manifest(&k, "[1]", 3), -1);
	keep_sort(&k);
	assert_true(keep_has(&k, "a.0123456789ab.css.br", strlen("a.0123456789ab.css")));
	assert_true(keep_has(&k, "a.css", 5));
	assert_false(keep_has(&k, "b.css", 5));
	keep_release(&k);
}

/* Django hashes a source "htmx.min.js.gz" as "htmx.min.js.HASH.gz": the
 * shape of a variant of "htmx.min.js.HASH", which no manifest lists. */
static void hashed_source_named_like_a_variant(void **state)
{
	struct keepset k = { 0 };
	static const char m[] = "{\"paths\": {\"h.js.gz\": \"h.js.0123456789ab.gz\", "
				"\"h.js\": \"h.0123456789ab.js\"}, \"version\": \"1.0\"}";
	const char *gz = "h.js.0123456789ab.gz", *old = "h.js.ba9876543210.gz";
	size_t base;

	assert_int_equal(keep_manifest(&k, m, strlen(m)), 0);
	keep_sort(&k);
	assert_true(prune_hashed_base(gz, &base));
	assert_int_equal(base, strlen("h.js.0123456789ab"));
	assert_false(keep_has(&k, gz, base));
	assert_true(keep_has_output(&k, gz, base));
	assert_true(keep_has_output(&k, "h.0123456789ab.js.gz", strlen("h.0123456789ab.js")));
	assert_true(prune_hashed_base(old, &base));
	assert_false(keep_has_output(&k, old, base));
	keep_release(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashed_names),
		cmocka_unit_test(durations),
		cmocka_unit_test(keep_set),
		cmocka_unit_test(hashed_source_named_like_a_variant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

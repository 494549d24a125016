/* collect/manifest_v11.c: version 1.1 manifests and Django 4.2's manifest_hash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../../collect/manifest_v11.h"
#include "manifest.h"
#include "strbuf.h"

static void fill(struct manifest *m)
{
	manifest_init(m);
	manifest_add(m, "img/caf\xc3\xa9.svg", "img/caf\xc3\xa9.abcdefabcdef.svg");
	manifest_add(m, "css/site.css", "css/site.0123456789ab.css");
	manifest_add(m, "a b.js", "a b.111111111111.js");
	manifest_sort(m);
}

static void hash_is_djangos(void **state)
{
	struct manifest m;
	char hex[13];

	fill(&m);
	manifest_hash_v11(&m, hex);
	/* hashlib.md5(json.dumps(sorted(d.items())).encode()).hexdigest()[:12] */
	assert_string_equal(hex, "3f11d9bb3656");
	manifest_release(&m);
}

static void document(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct manifest m;

	fill(&m);
	manifest_serialize_v11(&m, &sb);
	assert_string_equal(sb.buf,
		"{\"paths\": {\"a b.js\": \"a b.111111111111.js\", \"css/site.css\": "
		"\"css/site.0123456789ab.css\", \"img/caf\\u00e9.svg\": "
		"\"img/caf\\u00e9.abcdefabcdef.svg\"}, \"version\": \"1.1\", "
		"\"hash\": \"3f11d9bb3656\"}");
	strbuf_release(&sb);
	manifest_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_is_djangos),
		cmocka_unit_test(document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

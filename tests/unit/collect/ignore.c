/* collect/ignore.c: ignore patterns (defaults and fnmatch over relative paths). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../collect/ignore.h"
#include "../../../collect/options.h"

static void ignore_patterns(void **state)
{
	struct strlist pats = { 0 };

	ignore_add_defaults(&pats);
	assert_true(ignore_match(&pats, ".hidden", NULL));
	assert_true(ignore_match(&pats, "CVS", NULL));
	assert_true(ignore_match(&pats, "x.css~", NULL));
	assert_false(ignore_match(&pats, "x.css", "css/x.css"));
	strlist_add(&pats, "*.scss");
	strlist_add(&pats, "vendor/*/src");
	assert_true(ignore_match(&pats, "a.scss", "deep/a.scss"));
	/* Like Python's fnmatch: '*' crosses '/', full relative paths match. */
	assert_true(ignore_match(&pats, "src", "vendor/x/src"));
	assert_false(ignore_match(&pats, "src", "lib/src"));
	strlist_release(&pats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ignore_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lib/config.c: the INI-style config file reader and its booleans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "strbuf.h"
#include "../tmproot.h"

static int collect_kv(const char *key, const char *value, void *ctx)
{
	struct strbuf *sb = ctx;

	if (!strcmp(key, "bad"))
		return -1;
	strbuf_addf(sb, "%s=%s;", key, value);
	return 0;
}

static void test_config(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char path[256];

	put("c.conf", "# c\nstatic-root = out \n[collect]\nsource = a=b\n"
	    "[serve]\nlisten = unix:/x\n[collect]\napps = .\n");
	snprintf(path, sizeof(path), "%s/c.conf", root);
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), 0);
	assert_string_equal(sb.buf, "static-root=out;source=a=b;apps=.;");
	put("c.conf", "[collect]\nbad = 1\n");
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), -1);
	put("c.conf", "[collect\n");
	assert_int_equal(config_read(path, "collect", collect_kv, &sb), -1);
	assert_int_equal(config_bool("Yes"), 1);
	assert_int_equal(config_bool("off"), 0);
	assert_int_equal(config_bool("maybe"), -1);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

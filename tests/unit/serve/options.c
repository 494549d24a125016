/* serve/options.c: unit tests for serve/options.c: argv, staticroot.conf, environment, defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "../../../serve/options.h"
#include "../table_keys.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/sr-opt.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0); /* no ./staticroot.conf around */
	unsetenv("STATIC_ROOT");
	unsetenv("STATIC_URL");
	log_verbosity = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int parse(struct options *o, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return serve_options_parse(o, argc, argv);
}

static void test_defaults(void **state)
{
	struct options o;
	char *argv[] = { "serve", "--root", "r", NULL };

	assert_int_equal(parse(&o, argv), 0);
	assert_string_equal(o.root, "r");
	assert_string_equal(o.alias, "/static/");
	assert_int_equal(o.listen.n, 1);
	assert_string_equal(o.listen.v[0], "127.0.0.1:8080");
	assert_string_equal(o.cache_control, "no-cache");
	assert_null(o.access_log);
	assert_null(o.cors);
	assert_int_equal(o.workers, 0);
	assert_int_equal(o.socket_mode, 0666);
	assert_int_equal(o.max_connections, 4096);
	assert_int_equal(o.header_timeout, 10000);
	assert_int_equal(o.keepalive_timeout, 30000);
	serve_options_release(&o);
}

static void test_argv(void **state)
{
	struct options o;
	char *argv[] = { "serve", "-r", "root", "--alias", "/assets", "-l", "unix:/x.sock",
			 "--listen", "[::1]:9", "--workers", "3", "--access-log", "off",
			 "--allowed-host", "a.example", "--allowed-host", "b.example",
			 "--cors", "*", "--follow-symlinks", "--socket-mode", "0660",
			 "--header-timeout", "500ms", "--send-timeout", "7s", "--check", NULL };

	assert_int_equal(parse(&o, argv), 0);
	assert_string_equal(o.alias, "/assets/"); /* trailing slash added */
	assert_int_equal(o.listen.n, 2);
	assert_string_equal(o.listen.v[1], "[::1]:9");
	assert_int_equal(o.workers, 3);
	assert_null(o.access_log);
	assert_int_equal(o.allowed_host.n, 2);
	assert_string_equal(o.cors, "*");
	assert_int_equal(o.follow_symlinks, 1);
	assert_int_equal(o.socket_mode, 0660);
	assert_int_equal(o.header_timeout, 500);
	assert_int_equal(o.send_timeout, 7000);
	assert_int_equal(o.check, 1);
	serve_options_release(&o);
}

static void test_bad(void **state)
{
	struct options o;
	char *a1[] = { "serve", "--root", "r", "--workers", "x", NULL };
	char *a2[] = { "serve", "--root", "r", "--bogus", NULL };
	char *a3[] = { "serve", NULL };
	char *a4[] = { "serve", "--root", "r", "--alias", "static", NULL };
	char *a5[] = { "serve", "--root", "r", "--header-timeout", "-1", NULL };
	char *a6[] = { "serve", "--root", "r", "stray", NULL };
	char *a7[] = { "serve", "--root", "r", "--config", "/nonexistent.conf", NULL };
	char **all[] = { a1, a2, a3, a4, a5, a6, a7 };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(parse(&o, all[i]), OPT_BAD);
		serve_options_release(&o);
	}
}

static void write_conf(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config(void **state)
{
	struct options o;
	char *argv[] = { "serve", "--config", "sub/my.conf", "--workers", "2", NULL };
	char *argv2[] = { "serve", "--config", "sub/my.conf", "--listen", "127.0.0.1:1", NULL };

	assert_int_equal(mkdir("sub", 0755), 0);
	write_conf("sub/my.conf",
		   "static-root = build/static\nstatic-url = /s/\n"
		   "[collect]\nsource = whatever\n"
		   "[serve]\nlisten = unix:run/serve.sock\nlisten = 127.0.0.1:9\n"
		   "workers = 5\ncache-control = max-age=60\nfollow-symlinks = yes\n");
	assert_int_equal(parse(&o, argv), 0);
	/* Relative paths in the file are relative to the file's directory. */
	assert_true(strstr(o.root, "sub/build/static") != NULL);
	assert_string_equal(o.alias, "/s/");
	assert_int_equal(o.listen.n, 2);
	assert_true(!strncmp(o.listen.v[0], "unix:", 5) && strstr(o.listen.v[0], "sub/run/serve.sock"));
	assert_int_equal(o.workers, 2); /* the command line wins */
	assert_string_equal(o.cache_control, "max-age=60");
	assert_int_equal(o.follow_symlinks, 1);
	serve_options_release(&o);
	/* A --listen on the command line replaces the file's list. */
	assert_int_equal(parse(&o, argv2), 0);
	assert_int_equal(o.listen.n, 1);
	assert_string_equal(o.listen.v[0], "127.0.0.1:1");
	serve_options_release(&o);
	write_conf("sub/my.conf", "[serve]\nno-such-key = 1\n");
	assert_int_equal(parse(&o, argv), OPT_BAD);
	serve_options_release(&o);
}

static void test_environment(void **state)
{
	struct options o;
	char *argv[] = { "serve", NULL };
	char *argv2[] = { "serve", "--root", "cli", NULL };

	setenv("STATIC_ROOT", "/srv/static", 1);
	setenv("STATIC_URL", "/assets/", 1);
	assert_int_equal(parse(&o, argv), 0);
	assert_string_equal(o.root, "/srv/static");
	assert_string_equal(o.alias, "/assets/");
	serve_options_release(&o);
	assert_int_equal(parse(&o, argv2), 0);
	assert_string_equal(o.root, "cli");
	serve_options_release(&o);
	unsetenv("STATIC_ROOT");
	unsetenv("STATIC_URL");
}

/* Either program can say which section the other's keys belong in. */
static void table_matches_config_keys(void **state)
{
	check_table_keys(&serve_program);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_matches_config_keys),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* collect/options.c: collect's command line, environment defaults and staticroot.conf. */
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

#include "../../../collect/options.h"
#include "../table_keys.h"

static char dir[] = "/tmp/sr-test-options.XXXXXX";

static int parse(struct options *o, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "collect";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return collect_options_parse(o, argc, argv);
}

static void defaults_and_flags(void **state)
{
	static const char *const args[] = {
		"-o", "out", "--no-input", "--clear", "-n", "-v", "2", "-i", "*.map",
		"--compress=gzip", "--brotli-quality", "5", "-j", "3", "--static-url", "/s",
		"--js-modules", "--allow-missing", "--link", "--no-post-process",
		"src", "vendor=lib.tgz:package/dist", NULL,
	};
	struct options o;

	unsetenv("STATIC_ROOT");
	unsetenv("STATIC_URL");
	assert_int_equal(parse(&o, args), 0);
	assert_string_equal(o.output, "out");
	assert_true(o.noinput && o.clear && o.dry_run && o.link && o.no_post_process);
	assert_true(o.js_modules && o.allow_missing);
	assert_int_equal(o.verbosity, 2);
	assert_int_equal(o.compress, COMPRESS_GZIP);
	assert_int_equal(o.brotli_quality, 5);
	assert_int_equal(o.jobs, 3);
	assert_string_equal(o.static_url, "/s/");
	assert_int_equal(o.ignore.n, 1);
	assert_int_equal(o.sources.n, 2);
	assert_string_equal(o.sources.v[1], "vendor=lib.tgz:package/dist");
	collect_options_release(&o);
}

static void environment(void **state)
{
	static const char *const args[] = { "--no-compress", "src", NULL };
	struct options o;

	setenv("STATIC_ROOT", "/env/root", 1);
	setenv("STATIC_URL", "https://cdn.example/static/", 1);
	assert_int_equal(parse(&o, args), 0);
	assert_string_equal(o.output, "/env/root");
	assert_string_equal(o.static_url, "https://cdn.example/static/");
	assert_int_equal(o.compress, 0);
	assert_int_equal(o.brotli_quality, -1);  /* the level's */
	assert_int_equal(o.compress_level, COMPRESS_LEVEL_AUTO);
	assert_true(o.jobs >= 1);
	collect_options_release(&o);
	unsetenv("STATIC_ROOT");
	unsetenv("STATIC_URL");
}

static void errors(void **state)
{
	static const char *const bad[][4] = {
		{ "-o", "out", NULL },                   /* no sources */
		{ "src", NULL },                         /* no output */
		{ "-o", "out", "-v", "7" },
		{ "-o", "out", "--compress=lzma", "s" },
		{ "-o", "out", "--compress-level", "fast" },
		{ "-o", "out", "--cache-max-size", "10k" },
		{ "-o", "out", "--bogus", "s" },
		{ "-o", "out", "--brotli-quality", "x" },
	};
	struct options o;

	unsetenv("STATIC_ROOT");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *args[6] = { 0 };

		memcpy(args, bad[i], sizeof(bad[i]));
		assert_int_equal(parse(&o, args), OPT_BAD);
		collect_options_release(&o);
	}
}

static void help_version(void **state)
{
	static const char *const h[] = { "--help", NULL }, *const v[] = { "--version", NULL };
	struct options o;

	assert_int_equal(parse(&o, h), OPT_EXIT);
	collect_options_release(&o);
	assert_int_equal(parse(&o, v), OPT_EXIT);
	collect_options_release(&o);
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void config_file(void **state)
{
	static const char *const none[] = { "--noinput", NULL };
	static const char *const cli[] = { "-o", "x", "other", NULL };
	char old[4096];
	struct options o;

	unsetenv("STATIC_ROOT");
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(dir), 0);
	mkdir("static", 0755);
	write_file("staticroot.conf",
		   "static-root = build/static\nstatic-url = /assets/\n"
		   "[collect]\nsource = static\nsource = vendor=lib\napp = lists\n"
		   "ignore = *.scss\nclear = yes\nbrotli-quality = 4\n[serve]\nlisten = x\n");
	assert_int_equal(parse(&o, none), 0);
	/* Relative to the config's directory, which is the current one. */
	assert_string_equal(o.output, "build/static");
	assert_string_equal(o.static_url, "/assets/");
	assert_int_equal(o.sources.n, 2);
	assert_string_equal(o.sources.v[0], "static");
	assert_string_equal(o.sources.v[1], "vendor=lib");
	assert_int_equal(o.app_dirs.n, 1);
	assert_true(o.clear && o.noinput);
	assert_int_equal(o.brotli_quality, 4);
	collect_options_release(&o);
	/* Sources on the command line replace the config's; options override. */
	assert_int_equal(parse(&o, cli), 0);
	assert_string_equal(o.output, "x");
	assert_int_equal(o.sources.n, 1);
	assert_string_equal(o.sources.v[0], "other");
	assert_int_equal(o.app_dirs.n, 0);
	collect_options_release(&o);
	write_file("staticroot.conf", "[collect]\nno-such-key = 1\n");
	assert_int_equal(parse(&o, none), OPT_BAD);
	collect_options_release(&o);
	/* --config elsewhere: paths are relative to that file. */
	mkdir("sub", 0755);
	write_file("sub/c.conf", "static-root = out\n[collect]\nsource = s\nsource = p=lib.tgz:d\n");
	{
		static const char *const other[] = { "--config", "sub/c.conf", NULL };

		assert_int_equal(parse(&o, other), 0);
		assert_string_equal(o.output, "sub/out");
		assert_string_equal(o.sources.v[0], "sub/s");
		assert_string_equal(o.sources.v[1], "p=sub/lib.tgz:d");
		collect_options_release(&o);
	}
	unlink("sub/c.conf");
	rmdir("sub");
	unlink("staticroot.conf");
	rmdir("static");
	assert_int_equal(chdir(old), 0);
}

/* Either program can say which section the other's keys belong in. */
static void table_matches_config_keys(void **state)
{
	check_table_keys(&collect_program);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_matches_config_keys),
		cmocka_unit_test(defaults_and_flags),
		cmocka_unit_test(environment),
		cmocka_unit_test(errors),
		cmocka_unit_test(help_version),
		cmocka_unit_test(config_file),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}

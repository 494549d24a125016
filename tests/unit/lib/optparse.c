/* lib/optparse.c: the option table parser: argv shapes, suggestions, precedence, sections, --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "optparse.h"
#include "strlist.h"
#include "../tmproot.h"

struct t {
	char *out, *name;
	struct strlist files, tags, apps;
	int clear, level, jobs;
	char cb_seen[32];
};

#define OFF(f) offsetof(struct t, f)

static int remember(void *opts, const struct opt *o, const char *name,
		    const char *v, enum opt_layer from)
{
	struct t *t = opts;

	snprintf(t->cb_seen, sizeof(t->cb_seen), "%s:%s:%d", name, v ? v : "-", (int)from);
	return 0;
}

static const struct opt opts[] = {
	{ OPT_PATH, 'o', "output", .argh = "DIR", .key = "static-root", .section = "",
	  .env = "T_OUT", .off = OFF(out), .help = "where" },
	{ OPT_STRING, 0, "name", .argh = "S", .off = OFF(name), .help = "a name" },
	{ OPT_LIST, 0, NULL, .argh = "FILE", .key = "file", .off = OFF(files),
	  .flags = OPT_OPERANDS, .group = 1, .help = "files" },
	{ OPT_LIST, 0, "app", .argh = "DIR", .off = OFF(apps), .group = 1, .help = "apps" },
	{ OPT_LIST, 't', "tag", .argh = "T", .off = OFF(tags), .flags = OPT_APPEND,
	  .help = "tags\nsecond line" },
	{ OPT_FLAG, 'c', "clear", .alias = "wipe", .off = OFF(clear), .help = "clear" },
	{ OPT_INT, 'v', "verbosity", .argh = "N", .off = OFF(level), .min = 0, .max = 3,
	  .def = 2, .flags = OPT_OPTARG, .help = "level" },
	{ OPT_INT, 'j', "jobs", .argh = "N", .off = OFF(jobs), .min = 1, .max = 8, .help = "jobs" },
	{ OPT_CALLBACK, 0, "no-thing", .cb = remember, .flags = OPT_NOARG, .help = "cb" },
	{ OPT_CONFIG, 0, "config", .argh = "FILE", .key = "", .help = "file" },
	{ OPT_HELP, 'h', "help", .key = "", .help = "help" },
	{ OPT_VERSION, 'V', "version", .key = "", .help = "version" },
	{ OPT_END },
};

/* "collect": its section is [collect]; "listen" is serve's (config_keys.c). */
static const struct opt_program prog = {
	.name = "collect", .version = "9.9", .synopsis = "[OPTIONS] [FILE...]", .opts = opts,
};

static char errfile[128];

/* Runs opt_parse on a NULL-terminated argv with stderr in errfile. */
static enum opt_status run(struct t *t, const char *const *args)
{
	char *argv[32];
	int argc = 0, saved = dup(2);
	enum opt_status st;
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->level = 1;
	argv[argc++] = "prog";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	snprintf(errfile, sizeof(errfile), "%s/stderr", root);
	f = fopen(errfile, "w");
	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	st = opt_parse(&prog, t, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(f);
	return st;
}

/* The one line run() caught on stderr. */
static const char *err_line(void)
{
	static char line[512];
	FILE *f = fopen(errfile, "r");

	line[0] = '\0';
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	return line;
}

static void done(struct t *t)
{
	opt_release(&prog, t);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void argv_shapes(void **state)
{
	struct t t;

	assert_int_equal(run(&t, ARGS("-o", "a", "x", "--name=n", "-cj4", "y", "-t", "1",
				      "--tag", "2", "--", "-z")), OPT_RUN);
	assert_string_equal(t.out, "a");
	assert_string_equal(t.name, "n");
	assert_int_equal(t.clear, 1);
	assert_int_equal(t.jobs, 4);
	assert_int_equal(t.files.n, 3);
	assert_string_equal(t.files.v[2], "-z");
	assert_int_equal(t.tags.n, 2);
	done(&t);
	assert_int_equal(run(&t, ARGS("--wipe", "--no-thing", "-oout")), OPT_RUN);
	assert_int_equal(t.clear, 1);
	assert_string_equal(t.out, "out");
	assert_string_equal(t.cb_seen, "--no-thing:-:3");
	done(&t);
}

static void optional_value(void **state)
{
	struct t t;

	assert_int_equal(run(&t, ARGS("-v", "f")), OPT_RUN);
	assert_int_equal(t.level, 2);
	assert_int_equal(t.files.n, 1);
	done(&t);
	assert_int_equal(run(&t, ARGS("-v", "3", "f")), OPT_RUN);
	assert_int_equal(t.level, 3);
	assert_int_equal(t.files.n, 1);
	done(&t);
	assert_int_equal(run(&t, ARGS("-v0")), OPT_RUN);
	assert_int_equal(t.level, 0);
	done(&t);
	assert_int_equal(run(&t, ARGS("--verbosity=1", "-c")), OPT_RUN);
	assert_int_equal(t.level, 1);
	done(&t);
	assert_int_equal(run(&t, ARGS("-v", "7")), OPT_BAD);
	assert_non_null(strstr(err_line(), "--verbosity: expected a number from 0 to 3, got '7'"));
	done(&t);
}

static void bad_flags(void **state)
{
	const struct {
		const char *const *args;
		const char *says;
	} cases[] = {
		{ ARGS("--clera"), "unknown option '--clera' (did you mean '--clear'?)" },
		{ ARGS("--verb"), "unknown option '--verb' (did you mean '--verbosity'?)" },
		{ ARGS("--cle=1"), "unknown option '--cle' (did you mean '--clear'?)" },
		{ ARGS("--zzzzzz"), "unknown option '--zzzzzz' (see --help)" },
		{ ARGS("-x"), "unknown option '-x' (see --help)" },
		{ ARGS("-cx"), "unknown option '-x'" },
		{ ARGS("--clear=yes"), "option '--clear' takes no value" },
		{ ARGS("--name"), "option '--name' needs a value" },
		{ ARGS("-j"), "option '-j' needs a value" },
		{ ARGS("-j", "0"), "--jobs: expected a number from 1 to 8, got '0'" },
		{ ARGS("--config", "/nonexistent/t.conf"), "cannot read /nonexistent/t.conf" },
	};
	struct t t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run(&t, cases[i].args), OPT_BAD);
		if (!strstr(err_line(), cases[i].says))
			fail_msg("case %zu: got [%s], want [%s]", i, err_line(), cases[i].says);
		done(&t);
	}
	assert_string_equal(opt_suggest("noinpt", 6, (const char *[]){ "noinput", "clear" }, 2),
			    "noinput");
	assert_null(opt_suggest("x", 1, (const char *[]){ "y" }, 1));
}

static void help_and_version(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct t t;

	opt_usage(&prog, f);
	fclose(f);
	assert_non_null(strstr(text, "usage: collect [OPTIONS] [FILE...]\n"));
	assert_non_null(strstr(text, "\n  -o, --output DIR          where\n"));
	assert_non_null(strstr(text, "\n  -c, --clear, --wipe       clear\n"));
	assert_non_null(strstr(text, "\n  -v, --verbosity [N]       level\n"));
	assert_non_null(strstr(text, "\n  -t, --tag T               tags\n"
				     "                            second line\n"));
	assert_null(strstr(text, " files\n")); /* operands are no option */
	free(text);
	assert_int_equal(run(&t, ARGS("-c", "--help", "--bogus")), OPT_EXIT);
	assert_int_equal(run(&t, ARGS("-V")), OPT_EXIT);
}

static void precedence(void **state)
{
	static const char *const file_only[] = { NULL };
	char conf[256];
	struct t t;

	snprintf(conf, sizeof(conf), "%s/t.conf", root);
	put("t.conf", "static-root = fromfile\n[collect]\nfile = f1\nfile = f2\ntag = t1\n"
	    "jobs = 2\nwipe = yes\n[serve]\nlisten = x\n");
	unsetenv("T_OUT");
	assert_int_equal(run(&t, ARGS("--config", conf)), OPT_RUN);
	assert_true(strstr(t.out, "/fromfile") != NULL); /* relative to the file */
	assert_int_equal(t.files.n, 2);
	assert_int_equal(t.jobs, 2);
	assert_int_equal(t.clear, 1);
	done(&t);
	setenv("T_OUT", "fromenv", 1);
	assert_int_equal(run(&t, ARGS("--config", conf, "-t", "t2", "--app", "a")), OPT_RUN);
	assert_string_equal(t.out, "fromenv");          /* environment > file */
	assert_int_equal(t.tags.n, 2);                  /* OPT_APPEND: added to */
	assert_int_equal(t.files.n, 0);                 /* the group replaced */
	assert_int_equal(t.apps.n, 1);
	done(&t);
	assert_int_equal(run(&t, ARGS("--config", conf, "-o", "fromargv", "g")), OPT_RUN);
	assert_string_equal(t.out, "fromargv");         /* command line > environment */
	assert_int_equal(t.files.n, 1);
	assert_string_equal(t.files.v[0], "g");
	done(&t);
	unsetenv("T_OUT");
	(void)file_only;
}

static void file_errors(void **state)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "[collect]\nlisten = x\n", "t.conf:2: 'listen' belongs in [serve], not [collect]" },
		{ "listen = x\n", "'listen' belongs in [serve], not the top of the file" },
		{ "file = x\n", "'file' belongs in [collect], not the top of the file" },
		{ "[collect]\njbos = 2\n", "unknown setting 'jbos' (did you mean 'jobs'?)" },
		{ "[collect]\nzzzzzz = 2\n", "unknown setting 'zzzzzz'" },
		{ "[collect]\nclear = maybe\n", "clear: expected true or false, got 'maybe'" },
		{ "[collect]\njobs = 99\n", "jobs: expected a number from 1 to 8, got '99'" },
		{ "[collect]\nhelp = 1\n", "unknown setting 'help'" },
		/* The option's long name where its key is another word. */
		{ "output = x\n", "unknown setting 'output' (the setting for --output is 'static-root')" },
	};
	char conf[256];
	struct t t;

	snprintf(conf, sizeof(conf), "%s/t.conf", root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("t.conf", cases[i].text);
		assert_int_equal(run(&t, ARGS("--config", conf)), OPT_BAD);
		if (!strstr(err_line(), cases[i].says))
			fail_msg("case %zu: got [%s], want [%s]", i, err_line(), cases[i].says);
		done(&t);
	}
	/* [serve] is not ours: its keys are serve's business. */
	put("t.conf", "[serve]\nwhatever = 1\n");
	assert_int_equal(run(&t, ARGS("--config", conf)), OPT_RUN);
	done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(argv_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(optional_value, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(help_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(file_errors, setup, teardown),
	};

	log_prog = "t";
	return cmocka_run_group_tests(tests, NULL, NULL);
}

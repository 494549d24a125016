/* optparse.h: one table-driven option parser for collect and serve: the command line, the environment and staticroot.conf all fill the same table. */
#ifndef SR_OPTPARSE_H
#define SR_OPTPARSE_H
#include <stddef.h>
#include <stdio.h>

/*
 * Each program describes every setting it has in one array of struct opt
 * (git's parse-options.h is the model): its long and short name, the kind
 * of value, where it is stored, its staticroot.conf key and section, its
 * environment variable and its help line.  opt_parse() reads the three
 * sources into the program's options struct, --help and the man page's
 * option list are printed from the same array.
 *
 * Precedence, the one rule for both programs: command line > environment >
 * config file > default.  The caller puts the defaults in place, then the
 * file is read, then the environment, then argv, each overriding the last;
 * a list given by a later source replaces the earlier source's list (unless
 * OPT_APPEND).
 */

enum opt_kind {
	OPT_END = 0,
	OPT_FLAG,     /* int: a flag sets 1; a file or environment value is a boolean */
	OPT_STRING,   /* char *, owned: a later setting replaces an earlier one */
	OPT_PATH,     /* OPT_STRING; a relative path in the file is relative to the file */
	OPT_LIST,     /* struct strlist (strlist.h): every setting appends */
	OPT_INT,      /* int from .min to .max */
	OPT_CALLBACK, /* .cb parses and stores */
	OPT_CONFIG,   /* --config FILE: which file to read (before everything else) */
	OPT_HELP,     /* -h, --help */
	OPT_VERSION,  /* -V, --version */
	OPT_HELP_MAN, /* prints the option list as man(7) source (make man) */
};

/* Where a value comes from, lowest precedence first. */
enum opt_layer { OPT_FROM_FILE = 1, OPT_FROM_ENV, OPT_FROM_ARGV };

#define OPT_NOARG (1u << 0)    /* OPT_CALLBACK: a flag; cb gets value NULL from argv */
#define OPT_OPTARG (1u << 1)   /* the value may be left out: "--django", "--django=M";
				* OPT_INT (then .def) also takes a separate
				* argument that is all digits: "-v 2" */
#define OPT_APPEND (1u << 2)   /* list: argv adds to the file's list, not replaces it */
#define OPT_HIDDEN (1u << 3)   /* not in --help */
#define OPT_OPERANDS (1u << 4) /* the non-option arguments go here, as values from argv */
#define OPT_GROUP_RESET (1u << 5) /* in a group but stores elsewhere: setting it
				   * replaces the group's lists all the same */

struct opt;
/*
 * Parses value (NULL for an OPT_NOARG flag given on the command line) into
 * opts.  name is how the user spelt the setting ("--jobs", "jobs" in the
 * file, "$STATIC_ROOT"), for the message.  Returns 0, or -1 after printing
 * one line with log_error().
 */
typedef int opt_cb(void *opts, const struct opt *o, const char *name,
		   const char *value, enum opt_layer from);

struct opt {
	enum opt_kind kind;
	char short_name;        /* 0: none */
	const char *long_name;  /* NULL: only a file or environment setting */
	const char *alias;      /* a second long name, also accepted as a key */
	const char *argh;       /* the value's name in --help ("DIR"); NULL: a flag */
	const char *key;        /* config key: NULL is long_name, "" is not in the file */
	const char *section;    /* NULL: the program's own section; "": the top of
				 * the file, read by both programs (and valid in
				 * either section) */
	const char *env;        /* environment variable, or NULL */
	size_t off;             /* where the value goes in the program's struct */
	int min, max, def;      /* OPT_INT: the range; def when OPT_OPTARG left out */
	opt_cb *cb;             /* OPT_CALLBACK */
	unsigned flags;         /* OPT_NOARG ... */
	unsigned group;         /* non-zero: the entries of one group store into
				 * struct strlists at .off that a later source
				 * replaces together (collect's sources and apps) */
	const char *help;       /* lines split by '\n' */
	const char *doc;        /* the man page's paragraph (plain text); NULL: help */
};

/* The entries both programs have and that mean the same in both: --config,
 * -v/--verbosity, then -h/--help, -V/--version and the table's end. */
#define OPT_COMMON_CONFIG \
	{ OPT_CONFIG, 0, "config", .argh = "FILE", .key = "", \
	  .help = "read settings from FILE (default: ./staticroot.conf if present)" }
#define OPT_COMMON_VERBOSITY(field, what) \
	{ OPT_INT, 'v', "verbosity", .alias = "verbose", .argh = "N", .off = (field), \
	  .min = 0, .max = 3, .def = 2, .flags = OPT_OPTARG, \
	  .help = "0 errors only, 1 summary (default), 2 (-v alone) " what ",\n3 debug" }
#define OPT_COMMON_END \
	{ OPT_HELP, 'h', "help", .key = "", .help = "show this help" }, \
	{ OPT_VERSION, 'V', "version", .key = "", .help = "show the version" }, \
	{ OPT_HELP_MAN, 0, "help-man", .key = "", .flags = OPT_HIDDEN }, \
	{ OPT_END }

/* A program: its name is also its section in staticroot.conf. */
struct opt_program {
	const char *name;
	const char *version;
	const char *synopsis; /* after "usage: NAME " */
	const char *about;    /* after the usage line, may be NULL */
	const char *epilog;   /* after the options, may be NULL */
	const struct opt *opts; /* ends with an OPT_END entry */
	void (*defaults)(void *opts);  /* puts the defaults in place, before all */
	int (*check)(void *opts);      /* what no single setting can check, after
					* all: 0, or -1 after printing one line */
	void (*release)(void *opts);   /* frees what the callbacks stored, last */
	size_t size;                   /* of the options struct: zeroed at release */
};

enum opt_status {
	OPT_RUN,  /* opts is filled: go on */
	OPT_EXIT, /* --help or --version printed: exit 0 */
	OPT_BAD,  /* one line printed: exit 2 */
};

/*
 * Fills opts with the program's defaults, then from staticroot.conf (--config FILE, else ./staticroot.conf when present), the
 * environment and argv.  A misspelt option or key gets a suggestion, an
 * abbreviation is refused, a key in the wrong section names its section.
 * Then runs the program's check.  Not thread-safe (config_read() is not).
 */
enum opt_status opt_parse(const struct opt_program *p, void *opts, int argc, char **argv);

/* Prints --help, generated from the table. */
void opt_usage(const struct opt_program *p, FILE *out);

/* Prints the OPTIONS list as man(7) source, with each setting's key and variable. */
void opt_usage_man(const struct opt_program *p, FILE *out);

/* Frees the storage of every OPT_STRING, OPT_PATH and OPT_LIST entry and of
 * every grouped entry (a struct strlist), then calls the program's release
 * for what its callbacks stored. */
void opt_release(const struct opt_program *p, void *opts);

/* The closest of the n names to s (edit distance at most 2, or s a prefix
 * of it), or NULL.  Borrowed from names. */
const char *opt_suggest(const char *s, size_t len, const char *const *names, size_t n);

#endif

/* options.h: collect's settings, from the command line, the environment and staticroot.conf. */
#ifndef SR_COLLECT_OPTIONS_H
#define SR_COLLECT_OPTIONS_H
#include <stddef.h>
#include <stdint.h>

#include "strlist.h"

struct django_project;

#define COMPRESS_GZIP (1u << 0)
#define COMPRESS_BR (1u << 1)
#define COMPRESS_ZSTD (1u << 2)

/* --compress-level: how hard each encoding works (collect/encode.c). */
enum compress_level {
	COMPRESS_LEVEL_AUTO,   /* per file, priced to cost no more than Django's own run */
	COMPRESS_LEVEL_MAX,    /* zlib 9, brotli 11, zstd 19 on everything */
};
#define CACHE_MAX_SIZE_DEFAULT ((unsigned long long)1 << 30)

/* Every setting of one run; strings owned, freed by collect_options_release(). */
struct options {
	struct strlist sources; /* DIR, PREFIX=DIR, [PREFIX=]ARCHIVE[:SUBDIR] */
	struct strlist app_dirs; /* "a" or "A" (--app, --apps) then the directory, in order */
	struct strlist ignore;  /* fnmatch patterns on the basename */
	char *output;           /* -o / static-root / $STATIC_ROOT */
	char *static_url;       /* --static-url / $STATIC_URL, default /static/ */
	char *archive;          /* --archive FILE, or NULL */
	int no_default_ignore;
	int noinput, clear, link, dry_run, no_post_process;
	int no_fsync;           /* --no-fsync: nothing synced to disk */
	int verbosity;
	int allow_missing, js_modules;
	unsigned compress;      /* COMPRESS_* */
	int brotli_quality;     /* -1: the level's */
	int compress_level;     /* COMPRESS_LEVEL_* */
	char *cache_dir;        /* --cache-dir, or NULL for the default */
	int no_cache_dir;       /* --no-cache-dir */
	unsigned long long cache_max_size; /* --cache-max-size, bytes */
	int dictionary_versions; /* dcz deltas per changed file (0: none) */
	int jobs;
	unsigned long long max_expand; /* --max-expand: bytes all archives of a run expand to */
	char *upload;           /* --upload s3://BUCKET[/PREFIX], or NULL */
	int upload_only;        /* publish the existing tree, collect nothing */
	char *s3_endpoint;      /* --s3-endpoint URL, or NULL for the environment's */
	char *s3_addressing;    /* "auto" (NULL), "path" or "virtual" */
	int upload_jobs;        /* requests in flight */
	char *upload_cache_control; /* Cache-Control of unhashed names, or NULL */
	/* --django: sources, STATIC_ROOT, STATIC_URL from the project's settings */
	int django_mode;
	char *django_settings;  /* --django MODULE / django-settings, or NULL */
	char *django_project;   /* the config's directory (manage.py's), or NULL: cwd */
	char *python;           /* --python, default python3 */
	char *django_json;      /* --django-json FILE ("-": stdin): the description,
				 * not a Python start; or NULL */
	int output_cli, static_url_cli; /* given on the command line: win over Django */
	struct django_project *django; /* filled by django_load(); owned */
	int prune;              /* retire hashed files no kept manifest names */
	int keep;               /* --keep N: published manifests kept (default 2) */
	long prune_grace;       /* --prune-grace, seconds (default 3600) */
};

#include "optparse.h"

/* collect's option table (collect/options.c), for --help and tests. */
extern const struct opt_program collect_program;

/*
 * Fills opts from the defaults, staticroot.conf (--config, else
 * ./staticroot.conf when present), the environment and argv, in that order
 * of precedence, lowest first (lib/optparse.c).  Returns OPT_RUN, OPT_EXIT
 * when --help/--version was handled (exit 0), or OPT_BAD after printing one
 * line (exit 2).
 */
#define collect_options_parse(o, argc, argv) opt_parse(&collect_program, (o), (argc), (argv))
/* Frees every string and list of o, and zeroes it. */
#define collect_options_release(o) opt_release(&collect_program, (o))
/* Makes static_url absolute and slash-terminated, as Django reads it. */
void options_normalize_url(struct options *opts);

#endif

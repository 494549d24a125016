/* options.c: collect's option table: every flag, staticroot.conf key and environment variable in one place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_src.h"
#include "bundle.h"
#include "config.h"
#include "django.h"
#include "log.h"
#include "optparse.h"
#include "prune.h"
#include "options.h"
#include "static_url.h"
#include "tree_index.h"
#include "xalloc.h"

#define COLLECT_VERSION "0.1.0"
#define OFF(field) offsetof(struct options, field)

static int path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/*
 * A SOURCE: from the file, its path part resolved against the file's
 * directory ("vendor=lib.tgz:dist" keeps its "vendor=" prefix).
 */
static int add_source(void *opts, const struct opt *o, const char *name,
		      const char *v, enum opt_layer from)
{
	struct options *co = opts;
	const char *eq = strchr(v, '=');
	char *whole, *path;

	if (from != OPT_FROM_FILE) {
		strlist_add(&co->sources, v);
		return 0;
	}
	whole = config_path(v);
	if (!eq || eq == v || path_exists(whole)) {
		strlist_add_nodup(&co->sources, whole);
		return 0;
	}
	free(whole);
	path = config_path(eq + 1);
	whole = xmalloc((size_t)(eq - v) + 1 + strlen(path) + 1);
	sprintf(whole, "%.*s=%s", (int)(eq - v), v, path);
	strlist_add_nodup(&co->sources, whole);
	free(path);
	return 0;
}

/* --app DIR and --apps DIR: "a" or "A" then the directory, in order. */
static int add_app(void *opts, const struct opt *o, const char *name,
		   const char *v, enum opt_layer from)
{
	struct options *co = opts;
	char *dir = from == OPT_FROM_FILE ? config_path(v) : xstrdup(v);

	strlist_add_nodup(&co->app_dirs, xstrcat3(strcmp(o->long_name, "apps") ? "a" : "A",
						   dir, ""));
	free(dir);
	return 0;
}

static int set_compress(void *opts, const struct opt *o, const char *name,
			const char *v, enum opt_layer from)
{
	struct options *co = opts;
	char *copy = xstrdup(v), *save = NULL, *tok;
	unsigned set = 0;
	int r = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "gzip") || !strcmp(tok, "gz"))
			set |= COMPRESS_GZIP;
		else if (!strcmp(tok, "br") || !strcmp(tok, "brotli"))
			set |= COMPRESS_BR;
		else if (!strcmp(tok, "zstd") || !strcmp(tok, "zst"))
			set |= COMPRESS_ZSTD;
		else if (strcmp(tok, "none")) {
			r = log_error("%s: unknown encoding '%s' (use gzip,br,zstd)", name, tok);
			break;
		}
	}
	free(copy);
	if (!r)
		co->compress = set;
	return r;
}

static int no_compress(void *opts, const struct opt *o, const char *name,
		       const char *v, enum opt_layer from)
{
	struct options *co = opts;
	int b = v ? config_bool(v) : 1;

	if (b < 0)
		return log_error("%s: expected true or false, got '%s'", name, v);
	if (b)
		co->compress = 0;
	return 0;
}

static int set_level(void *opts, const struct opt *o, const char *name,
		     const char *s, enum opt_layer from)
{
	struct options *co = opts;

	if (!strcmp(s, "auto"))
		co->compress_level = COMPRESS_LEVEL_AUTO;
	else if (!strcmp(s, "max"))
		co->compress_level = COMPRESS_LEVEL_MAX;
	else
		return log_error("%s: expected auto or max, got '%s'", name, s);
	return 0;
}

/* "N", "NK", "NM" or "NG" (powers of 1024), at least 1 MB, into the
 * unsigned long long at o->off. */
static int set_size(void *opts, const struct opt *o, const char *name,
		    const char *s, enum opt_layer from)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end && !end[1])
		switch (*end | 0x20) {
		case 'k': mul = 1ull << 10; end++; break;
		case 'm': mul = 1ull << 20; end++; break;
		case 'g': mul = 1ull << 30; end++; break;
		}
	if (errno || end == s || *end || *s == '-' || v > (~0ull >> 1) / mul ||
	    v * mul < (1ull << 20))
		return log_error("%s: expected a size of at least 1M (bytes, or with K, M, G), "
				 "got '%s'", name, s);
	*(unsigned long long *)((char *)opts + o->off) = v * mul;
	return 0;
}

static int set_prune_grace(void *opts, const struct opt *o, const char *name,
			   const char *v, enum opt_layer from)
{
	struct options *co = opts;

	return prune_parse_duration(v, &co->prune_grace);
}

static int set_s3_addressing(void *opts, const struct opt *o, const char *name,
			     const char *v, enum opt_layer from)
{
	struct options *co = opts;

	if (strcmp(v, "auto") && strcmp(v, "path") && strcmp(v, "virtual"))
		return log_error("%s: expected auto, path or virtual, got '%s'", name, v);
	free(co->s3_addressing);
	co->s3_addressing = xstrdup(v);
	return 0;
}

/* -o and --static-url: a value given on the command line wins over the
 * Django settings' (django_load()); the file's and the environment's not. */
static int set_output(void *opts, const struct opt *o, const char *name,
		      const char *v, enum opt_layer from)
{
	struct options *co = opts;

	free(co->output);
	co->output = from == OPT_FROM_FILE ? config_path(v) : xstrdup(v);
	co->output_cli = from == OPT_FROM_ARGV;
	return 0;
}

static int set_static_url(void *opts, const struct opt *o, const char *name,
			  const char *v, enum opt_layer from)
{
	struct options *co = opts;

	free(co->static_url);
	co->static_url = xstrdup(v);
	co->static_url_cli = from == OPT_FROM_ARGV;
	return 0;
}

/* --django[=MODULE] (in the file a flag: true/false) and django-settings =
 * MODULE: from the file, the project directory is the file's. */
static int set_django(void *opts, const struct opt *o, const char *name,
		      const char *v, enum opt_layer from)
{
	struct options *co = opts;

	if (!strcmp(o->long_name, "django") && from != OPT_FROM_ARGV) {
		int b = config_bool(v);

		if (b < 0)
			return log_error("%s: expected true or false, got '%s'", name, v);
		co->django_mode = b;
	} else {
		co->django_mode = 1;
		if (v) {
			free(co->django_settings);
			co->django_settings = xstrdup(v);
		}
	}
	if (co->django_mode && from == OPT_FROM_FILE && !co->django_project)
		co->django_project = config_path(".");
	return 0;
}

/* --django-json FILE: the description the helper would print, computed
 * by a process that runs Django already (the staticroot app). */
static int set_django_json(void *opts, const struct opt *o, const char *name,
			   const char *v, enum opt_layer from)
{
	struct options *co = opts;

	free(co->django_json);
	co->django_json = from == OPT_FROM_FILE && strcmp(v, "-") ? config_path(v) : xstrdup(v);
	co->django_mode = 1;
	return 0;
}

/* A relative interpreter path in the file (.venv/bin/python) is the
 * project's; a bare name is looked up on PATH. */
static int set_python(void *opts, const struct opt *o, const char *name,
		      const char *v, enum opt_layer from)
{
	struct options *co = opts;

	free(co->python);
	co->python = strchr(v, '/') && from == OPT_FROM_FILE ? config_path(v) : xstrdup(v);
	return 0;
}

static const struct opt collect_opts[] = {
	{ OPT_CALLBACK, 'o', "output", .argh = "DIR", .key = "static-root", .section = "",
	  .env = "STATIC_ROOT", .cb = set_output,
	  .help = "output directory (default: $STATIC_ROOT, static-root)",
	  .doc = "Output tree.  Default: $STATIC_ROOT, then static-root in the "
		 "config file." },
	OPT_COMMON_CONFIG,
	{ OPT_CALLBACK, 0, NULL, .argh = "SOURCE", .key = "source", .off = OFF(sources),
	  .cb = add_source, .flags = OPT_OPERANDS, .group = 1,
	  .help = "DIR, PREFIX=DIR or [PREFIX=]FILE.{tar,tar.gz,tgz,zip}[:SUBDIR]",
	  .doc = "A source, as on the command line; repeat the key for more.  "
		 "Sources or --app/--apps on the command line replace the file's.  "
		 "The first source that provides a name wins." },
	{ OPT_CALLBACK, 0, "app", .argh = "DIR", .off = OFF(app_dirs), .cb = add_app,
	  .group = 1, .help = "add DIR/static/ (repeatable, in order)",
	  .doc = "Add DIR/static/ (repeatable; Django's AppDirectoriesFinder "
		 "order).  A missing DIR is an error; one without static/ is "
		 "skipped." },
	{ OPT_CALLBACK, 0, "apps", .argh = "DIR", .off = OFF(app_dirs), .cb = add_app,
	  .group = 1, .help = "add every DIR/*/static/, sorted" },
	{ OPT_LIST, 'i', "ignore", .argh = "GLOB", .off = OFF(ignore), .flags = OPT_APPEND,
	  .help = "ignore files and directories matching GLOB",
	  .doc = "Skip names matching GLOB (repeatable; the command line adds to "
		 "the file's patterns)." },
	{ OPT_FLAG, 0, "no-default-ignore", .off = OFF(no_default_ignore),
	  .help = "do not ignore 'CVS', '.*' and '*~'",
	  .doc = "Do not skip CVS, .* and *~." },
	{ OPT_FLAG, 0, "noinput", .alias = "no-input", .off = OFF(noinput),
	  .help = "do not ask for confirmation",
	  .doc = "Do not ask for confirmation.  Without it collect asks on a "
		 "terminal and refuses elsewhere." },
	{ OPT_FLAG, 'c', "clear", .off = OFF(clear),
	  .help = "delete output files not collected by this run",
	  .doc = "Delete output files this run did not collect (with "
		 "--no-post-process, staticfiles.json too).  A file or directory "
		 "standing where this run needs the other is deleted before "
		 "writing.  A source inside the output is refused." },
	{ OPT_FLAG, 'l', "link", .off = OFF(link),
	  .help = "symlink original names to the sources" },
	{ OPT_FLAG, 'n', "dry-run", .off = OFF(dry_run),
	  .help = "print what would be done, write nothing" },
	{ OPT_FLAG, 0, "no-post-process", .off = OFF(no_post_process),
	  .help = "plain copy: no hashed names, no manifest",
	  .doc = "Plain copy: no hashed names, no rewriting, no manifest." },
	OPT_COMMON_VERBOSITY(OFF(verbosity), "each file"),
	{ OPT_CALLBACK, 0, "static-url", .argh = "URL", .section = "", .env = "STATIC_URL",
	  .cb = set_static_url,
	  .help = "URL prefix of the tree (default: $STATIC_URL or /static/)",
	  .doc = "URL prefix of the tree (default $STATIC_URL, then static-url, "
		 "else /static/); one that is neither a path nor a URL gets a "
		 "leading slash, as in Django." },
	{ OPT_FLAG, 0, "allow-missing", .off = OFF(allow_missing),
	  .help = "a reference to a missing file is a warning",
	  .doc = "A reference to a missing file is a warning, not an error." },
	{ OPT_FLAG, 0, "js-modules", .off = OFF(js_modules),
	  .help = "also rewrite ES module import/export specifiers",
	  .doc = "Also rewrite relative ES module specifiers." },
	{ OPT_CALLBACK, 0, "compress", .argh = "LIST", .cb = set_compress,
	  .help = "precompress: gzip,br (default), zstd, or any of them",
	  .doc = "Precompress with gzip, br, zstd or any of them (default gzip,br); none "
		 "writes no variants." },
	{ OPT_CALLBACK, 0, "no-compress", .cb = no_compress, .flags = OPT_NOARG,
	  .help = "write no .gz/.br/.zst files" },
	{ OPT_CALLBACK, 0, "compress-level", .argh = "LEVEL", .cb = set_level,
	  .help = "auto (default: per file, no slower than Django)\n"
		  "or max (zlib 9, brotli 11, zstd 19 on everything)" },
	{ OPT_INT, 0, "brotli-quality", .argh = "N", .off = OFF(brotli_quality),
	  .min = 0, .max = 11, .help = "0..11 (default: the level's, 6 or 11)" },
	{ OPT_INT, 0, "dictionary-versions", .argh = "K", .off = OFF(dictionary_versions),
	  .min = 0, .max = TREE_DCZ_MAX,
	  .help = "dcz deltas against the K previous versions\n"
		  "of each changed file (default 2, 0 off, at most 4)" },
	{ OPT_PATH, 0, "cache-dir", .argh = "DIR", .off = OFF(cache_dir),
	  .help = "compression cache (default: $XDG_CACHE_HOME/staticroot)" },
	{ OPT_FLAG, 0, "no-cache-dir", .off = OFF(no_cache_dir),
	  .help = "compress without the cache" },
	{ OPT_CALLBACK, 0, "cache-max-size", .argh = "N", .off = OFF(cache_max_size), .cb = set_size,
	  .help = "bound of the cache, bytes or K/M/G (default 1G)" },
	{ OPT_INT, 'j', "jobs", .argh = "N", .off = OFF(jobs), .min = 1, .max = 1024,
	  .help = "worker threads (default: all cores)" },
	{ OPT_PATH, 0, "archive", .argh = "FILE", .off = OFF(archive),
	  .help = "also write the tree as FILE.{tar,tar.gz,tgz,zip}",
	  .doc = "Also write the tree as a reproducible .tar, .tar.gz, .tgz or "
		 ".zip." },
	{ OPT_FLAG, 0, "no-fsync", .off = OFF(no_fsync),
	  .help = "sync nothing to disk (scratch trees)",
	  .doc = "Sync nothing to disk before the switch: faster, for scratch trees "
		 "that a power cut may lose." },
	{ OPT_CALLBACK, 0, "max-expand", .argh = "SIZE", .off = OFF(max_expand), .cb = set_size,
	  .help = "bytes all archive sources of a run may expand to\n"
		  "(default 4G; K, M, G suffixes; at least 1M)",
	  .doc = "Bytes all archive sources of one run may expand to, in bytes or "
		 "with K, M or G (default 4G, at least 1M); checked on each "
		 "entry's header size before it expands, then on its bytes.  An "
		 "entry that would cross it fails the run naming archive and "
		 "entry.  Large entries are unpacked into $TMPDIR (default /tmp), "
		 "removed at the end of the run." },
	{ OPT_STRING, 0, "upload", .argh = "s3://BUCKET[/PREFIX]", .off = OFF(upload),
	  .help = "then publish the tree to S3 (staticfiles.json last)" },
	{ OPT_FLAG, 0, "upload-only", .off = OFF(upload_only),
	  .help = "publish the existing tree, collect nothing" },
	{ OPT_STRING, 0, "s3-endpoint", .argh = "URL", .off = OFF(s3_endpoint),
	  .help = "S3 endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS)" },
	{ OPT_CALLBACK, 0, "s3-addressing", .argh = "MODE", .off = OFF(s3_addressing),
	  .cb = set_s3_addressing, .help = "auto (default), path or virtual" },
	{ OPT_INT, 0, "upload-jobs", .argh = "N", .off = OFF(upload_jobs), .min = 1, .max = 256,
	  .help = "parallel S3 requests (default 32)" },
	{ OPT_STRING, 0, "upload-cache-control", .argh = "VAL", .off = OFF(upload_cache_control),
	  .help = "Cache-Control of unhashed names (default no-cache)" },
	{ OPT_CALLBACK, 0, "django", .argh = "MODULE", .cb = set_django, .group = 1,
	  .flags = OPT_OPTARG | OPT_GROUP_RESET,
	  .help = "take sources, STATIC_ROOT and STATIC_URL from the\n"
		  "Django settings MODULE (default $DJANGO_SETTINGS_MODULE)",
	  .doc = "Take the sources (STATICFILES_DIRS, the apps' static/ "
		 "directories, the finders' files), STATIC_ROOT and STATIC_URL "
		 "from the Django settings MODULE (default "
		 "$DJANGO_SETTINGS_MODULE), asked of the project's own Python; -o "
		 "and --static-url on the command line still win.  In the file: "
		 "django = true.  It replaces the file's sources." },
	{ OPT_CALLBACK, 0, "django-settings", .argh = "MODULE", .cb = set_django,
	  .help = "the settings module for --django (implies it)" },
	{ OPT_CALLBACK, 0, "python", .argh = "PATH", .cb = set_python,
	  .help = "the project's Python for --django (default python3)" },
	{ OPT_CALLBACK, 0, "django-json", .argh = "FILE", .cb = set_django_json,
	  .help = "--django, with the description read from FILE (- for\n"
		  "stdin) instead of asked of Python",
	  .doc = "--django, with the project's description read from FILE (- for "
		 "stdin, /dev/fd/N for a pipe) instead of from a Python start: the "
		 "JSON document python/staticroot/django_sources.py prints, checked "
		 "the same way.  The staticroot app's collectstatic computes it inside "
		 "manage.py's own Python and hands it over this way." },
	{ OPT_FLAG, 0, "prune", .off = OFF(prune),
	  .help = "remove hashed files (and objects, with --upload) that\n"
		  "none of the last --keep manifests names" },
	{ OPT_INT, 0, "keep", .argh = "N", .off = OFF(keep), .min = 1, .max = 1000,
	  .help = "manifests --prune keeps (default 2)" },
	{ OPT_CALLBACK, 0, "prune-grace", .argh = "D", .cb = set_prune_grace,
	  .help = "keep what was in use this recently: 3600, 30m, 1h, 2d\n"
		  "(default 1h)" },
	OPT_COMMON_END,
};

static void set_defaults(void *opts)
{
	struct options *o = opts;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->verbosity = 1;
	o->compress = COMPRESS_GZIP | COMPRESS_BR;
	o->brotli_quality = -1;
	o->compress_level = COMPRESS_LEVEL_AUTO;
	o->cache_max_size = CACHE_MAX_SIZE_DEFAULT;
	o->jobs = cores > 0 ? (int)(cores > 256 ? 256 : cores) : 1;
	o->static_url = xstrdup("/static/");
	o->upload_jobs = 32;
	o->dictionary_versions = 2;
	o->keep = 2;
	o->max_expand = MAX_EXPAND_DEFAULT;
	o->prune_grace = 3600;
}

/* What no single setting can check: the run needs an output and sources. */
void options_normalize_url(struct options *o)
{
	char *url = static_url_normalize(o->static_url);

	free(o->static_url);
	o->static_url = url;
}

/* --django: the settings decide the sources; a lone SOURCE argument that
 * is a dotted name is the settings module (`collect --django mysite.settings`). */
static int django_sources(struct options *o)
{
	struct stat st;

	if (o->sources.n == 1 && !strchr(o->sources.v[0], '/') &&
	    strchr(o->sources.v[0], '.') && stat(o->sources.v[0], &st) != 0) {
		free(o->django_settings);
		o->django_settings = o->sources.v[0];
		o->sources.n = 0;
	}
	if (o->sources.n || o->app_dirs.n)
		return log_error("--django takes the sources from Django's settings: "
				 "drop '%s' (or drop --django)", o->sources.n ?
				 o->sources.v[0] : o->app_dirs.v[0] + 1);
	return 0;
}

static int check_settings(void *opts)
{
	struct options *o = opts;

	options_normalize_url(o);
	/* Known before any work, not after the tree is committed. */
	if (o->archive && !bundle_supported(o->archive))
		return log_error("--archive %s: unknown suffix (use .tar, .tar.gz, .tgz "
				 "or .zip)", o->archive);
	if (o->upload_only && !o->upload)
		return log_error("--upload-only needs --upload s3://BUCKET[/PREFIX]");
	/* Sources and the output come from the settings: django_load(). */
	if (o->django_mode)
		return django_sources(o);
	if (!o->output || !*o->output)
		return log_error("no output directory: give -o DIR, set STATIC_ROOT, "
				 "or static-root in %s", CONFIG_DEFAULT);
	/* --prune alone prunes what is there, collecting nothing. */
	if (!o->sources.n && !o->app_dirs.n && !o->upload_only && !o->prune)
		return log_error("no sources: give SOURCE arguments, --app/--apps, "
				 "or source = ... in %s", CONFIG_DEFAULT);
	return 0;
}

/* What the callbacks stored. */
static void release_callbacks(void *opts)
{
	struct options *o = opts;

	free(o->output);
	free(o->static_url);
	free(o->s3_addressing);
	free(o->django_settings);
	free(o->django_project);
	free(o->python);
	free(o->django_json);
	django_free(o->django);
}

const struct opt_program collect_program = {
	.synopsis = "[OPTIONS] [SOURCE...]",
	.about =
"Collects static files into one directory, like Django's\n"
"`manage.py collectstatic` with ManifestStaticFilesStorage: every file is\n"
"written under its name and under a content-hashed name, references in\n"
"CSS/JS are rewritten, staticfiles.json is written last.\n"
"\n"
"SOURCE is DIR, PREFIX=DIR, or [PREFIX=]FILE.{tar,tar.gz,tgz,zip}[:SUBDIR].\n",
	.epilog = "Exit status: 0 done, 1 the run failed, 2 a bad option or setting.\n",
	.name = "collect", .version = COLLECT_VERSION, .opts = collect_opts, .size = sizeof(struct options),
	.defaults = set_defaults, .check = check_settings, .release = release_callbacks,
};

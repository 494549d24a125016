/* options.c: parses collect's command line and its staticroot.conf section. */
#include <errno.h>
#include <getopt.h>
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
#include "tree_index.h"
#include "options.h"
#include "prune.h"
#include "xalloc.h"

#define COLLECT_VERSION "0.1.0"

void strlist_add_nodup(struct strlist *l, char *s)
{
	XGROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = s;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_add_nodup(l, xstrdup(s));
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

void options_release(struct options *o)
{
	strlist_release(&o->sources);
	strlist_release(&o->app_dirs);
	strlist_release(&o->ignore);
	free(o->output);
	free(o->static_url);
	free(o->archive);
	free(o->upload);
	free(o->s3_endpoint);
	free(o->s3_addressing);
	free(o->upload_cache_control);
	free(o->django_settings);
	free(o->django_project);
	free(o->python);
	django_free(o->django);
	free(o->cache_dir);
	memset(o, 0, sizeof(*o));
}

static const char usage_text[] =
"usage: collect [OPTIONS] [SOURCE...]\n"
"\n"
"Collects static files into one directory, like Django's\n"
"`manage.py collectstatic` with ManifestStaticFilesStorage: every file is\n"
"written under its name and under a content-hashed name, references in\n"
"CSS/JS are rewritten, staticfiles.json is written last.\n"
"\n"
"SOURCE is DIR, PREFIX=DIR, or [PREFIX=]FILE.{tar,tar.gz,tgz,zip}[:SUBDIR].\n"
"\n"
"  -o, --output DIR        output directory (default: $STATIC_ROOT)\n"
"      --config FILE       read settings (default: ./staticroot.conf if present)\n"
"      --app DIR           add DIR/static/ (repeatable, in order)\n"
"      --apps DIR          add every DIR/*/static/, sorted\n"
"  -i, --ignore GLOB       ignore files and directories matching GLOB\n"
"      --no-default-ignore do not ignore 'CVS', '.*' and '*~'\n"
"      --noinput, --no-input  do not ask for confirmation\n"
"  -c, --clear             delete output files not collected by this run\n"
"  -l, --link              symlink original names to the sources\n"
"  -n, --dry-run           print what would be done, write nothing\n"
"      --no-post-process   plain copy: no hashed names, no manifest\n"
"  -v, --verbosity N       0 quiet, 1 summary (default), 2 each file, 3 debug\n"
"      --static-url URL    URL prefix of the tree (default: $STATIC_URL or /static/)\n"
"      --allow-missing     a reference to a missing file is a warning\n"
"      --js-modules        also rewrite ES module import/export specifiers\n"
"      --compress LIST     precompress: gzip,br (default), zstd, or any of them\n"
"      --no-compress       write no .gz/.br/.zst files\n"
"      --compress-level L  auto (default: per file, no slower than Django)\n"
"                          or max (zlib 9, brotli 11, zstd 19 on everything)\n"
"      --brotli-quality N  0..11 (default: the level's, 6 or 11)\n"
"      --cache-dir DIR     compression cache (default: $XDG_CACHE_HOME/staticroot)\n"
"      --no-cache-dir      compress without the cache\n"
"      --cache-max-size N  bound of the cache, bytes or K/M/G (default 1G)\n"
"      --dictionary-versions K  dcz deltas against the K previous versions\n"
"                          of each changed file (default 2, 0 off, at most 4)\n"
"  -j, --jobs N            worker threads (default: all cores)\n"
"      --max-expand SIZE   bytes all archive sources of a run may expand to\n"
"                          (default 4G; K, M, G suffixes; at least 1M)\n"
"      --archive FILE      also write the tree as FILE.{tar,tar.gz,tgz,zip}\n"
"      --upload s3://BUCKET[/PREFIX]  then publish the tree to S3 (staticfiles.json last)\n"
"      --upload-only       publish the existing tree, collect nothing\n"
"      --s3-endpoint URL   S3 endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS)\n"
"      --s3-addressing M   auto (default), path or virtual\n"
"      --upload-jobs N     parallel S3 requests (default 16)\n"
"      --upload-cache-control V  Cache-Control of unhashed names (default no-cache)\n"
"      --django[=MODULE]   take sources, STATIC_ROOT and STATIC_URL from the\n"
"                          Django settings MODULE (default $DJANGO_SETTINGS_MODULE)\n"
"      --python PATH       the project's Python for --django (default python3)\n"
"      --prune             remove hashed files (and objects, with --upload) that\n"
"                          none of the last --keep manifests names\n"
"      --keep N            manifests --prune keeps (default 2)\n"
"      --prune-grace D     keep what was in use this recently: 3600, 30m, 1h, 2d\n"
"                          (default 1h)\n"
"  -h, --help              show this help\n"
"      --version           show the version\n";

enum {
	OPT_CONFIG = 256, OPT_APP, OPT_APPS, OPT_NO_DEFAULT_IGNORE, OPT_NOINPUT,
	OPT_NO_POST, OPT_STATIC_URL, OPT_ALLOW_MISSING,
	OPT_JS_MODULES, OPT_COMPRESS, OPT_NO_COMPRESS, OPT_BROTLI_Q, OPT_DICT_VERSIONS,
	OPT_ARCHIVE, OPT_VERSION, OPT_UPLOAD, OPT_UPLOAD_ONLY, OPT_S3_ENDPOINT,
	OPT_S3_ADDRESSING, OPT_UPLOAD_JOBS, OPT_UPLOAD_CC,
	OPT_DJANGO, OPT_DJANGO_SETTINGS, OPT_PYTHON,
	OPT_COMPRESS_LEVEL, OPT_CACHE_DIR, OPT_NO_CACHE_DIR, OPT_CACHE_MAX_SIZE,
	OPT_PRUNE, OPT_KEEP, OPT_PRUNE_GRACE, OPT_MAX_EXPAND,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "app", required_argument, NULL, OPT_APP },
	{ "apps", required_argument, NULL, OPT_APPS },
	{ "ignore", required_argument, NULL, 'i' },
	{ "no-default-ignore", no_argument, NULL, OPT_NO_DEFAULT_IGNORE },
	{ "noinput", no_argument, NULL, OPT_NOINPUT },
	{ "no-input", no_argument, NULL, OPT_NOINPUT },
	{ "clear", no_argument, NULL, 'c' },
	{ "link", no_argument, NULL, 'l' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "no-post-process", no_argument, NULL, OPT_NO_POST },
	{ "verbosity", required_argument, NULL, 'v' },
	{ "static-url", required_argument, NULL, OPT_STATIC_URL },
	{ "allow-missing", no_argument, NULL, OPT_ALLOW_MISSING },
	{ "js-modules", no_argument, NULL, OPT_JS_MODULES },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "no-compress", no_argument, NULL, OPT_NO_COMPRESS },
	{ "brotli-quality", required_argument, NULL, OPT_BROTLI_Q },
	{ "compress-level", required_argument, NULL, OPT_COMPRESS_LEVEL },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache-dir", no_argument, NULL, OPT_NO_CACHE_DIR },
	{ "cache-max-size", required_argument, NULL, OPT_CACHE_MAX_SIZE },
	{ "dictionary-versions", required_argument, NULL, OPT_DICT_VERSIONS },
	{ "jobs", required_argument, NULL, 'j' },
	{ "max-expand", required_argument, NULL, OPT_MAX_EXPAND },
	{ "archive", required_argument, NULL, OPT_ARCHIVE },
	{ "upload", required_argument, NULL, OPT_UPLOAD },
	{ "upload-only", no_argument, NULL, OPT_UPLOAD_ONLY },
	{ "s3-endpoint", required_argument, NULL, OPT_S3_ENDPOINT },
	{ "s3-addressing", required_argument, NULL, OPT_S3_ADDRESSING },
	{ "upload-jobs", required_argument, NULL, OPT_UPLOAD_JOBS },
	{ "upload-cache-control", required_argument, NULL, OPT_UPLOAD_CC },
	{ "django", optional_argument, NULL, OPT_DJANGO },
	{ "django-settings", required_argument, NULL, OPT_DJANGO_SETTINGS },
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "prune-grace", required_argument, NULL, OPT_PRUNE_GRACE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};
static const char short_opts[] = "o:i:clnv:j:h";

static int parse_int(const char *name, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return log_error("--%s: expected a number from %d to %d, got '%s'",
				 name, lo, hi, s);
	*out = (int)v;
	return 0;
}

static int parse_compress(const char *s, unsigned *out)
{
	char *copy = xstrdup(s), *save = NULL, *tok;
	int r = 0;

	*out = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "gzip") || !strcmp(tok, "gz"))
			*out |= COMPRESS_GZIP;
		else if (!strcmp(tok, "br") || !strcmp(tok, "brotli"))
			*out |= COMPRESS_BR;
		else if (!strcmp(tok, "zstd") || !strcmp(tok, "zst"))
			*out |= COMPRESS_ZSTD;
		else if (strcmp(tok, "none")) {
			r = log_error("--compress: unknown encoding '%s' (use gzip,br,zstd)", tok);
			break;
		}
	}
	free(copy);
	return r;
}

static int parse_level(const char *s, int *out)
{
	if (!strcmp(s, "auto"))
		*out = COMPRESS_LEVEL_AUTO;
	else if (!strcmp(s, "max"))
		*out = COMPRESS_LEVEL_MAX;
	else
		return log_error("--compress-level: expected auto or max, got '%s'", s);
	return 0;
}

/* "N", "NK", "NM" or "NG" (powers of 1024), at least 1 MB. */
static int parse_size(const char *name, const char *s, unsigned long long *out)
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
		return log_error("--%s: expected a size of at least 1M (bytes, or with K, M, G), "
				 "got '%s'", name, s);
	*out = v * mul;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Sets a flag from the command line (v NULL) or the config (v a boolean). */
static int set_flag(const char *name, const char *v, int *dst)
{
	int b = v ? config_bool(v) : 1;

	if (b < 0)
		return log_error("%s: expected true or false, got '%s'", name, v);
	*dst = b;
	return 0;
}

static int path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* A config value that names a path, resolved against the config's dir. */
static char *conf_path(const char *v, int from_config)
{
	return from_config ? config_path(v) : xstrdup(v);
}

/* Resolves the path part of a SOURCE spec read from the config file. */
static char *conf_source(const char *v, int from_config)
{
	const char *eq = strchr(v, '=');
	char *whole, *path, *out;
	size_t plen;

	if (!from_config)
		return xstrdup(v);
	whole = config_path(v);
	if (!eq || eq == v || path_exists(whole))
		return whole;
	free(whole);
	plen = (size_t)(eq - v);
	path = config_path(eq + 1);
	out = xmalloc(plen + 1 + strlen(path) + 1);
	memcpy(out, v, plen);
	out[plen] = '=';
	strcpy(out + plen + 1, path);
	free(path);
	return out;
}

/* Records an --app/--apps entry: "a" or "A" then the directory. */
static void add_app(struct options *o, int all, char *dir)
{
	char *e = xmalloc(strlen(dir) + 2);

	e[0] = all ? 'A' : 'a';
	strcpy(e + 1, dir);
	free(dir);
	strlist_add_nodup(&o->app_dirs, e);
}

/* --django[=MODULE] (a flag in the config: true/false) and
 * django-settings = MODULE: the project directory is the config's. */
static int set_django(struct options *o, int code, const char *v, int from_config)
{
	if (code == OPT_DJANGO && from_config) {
		int r = set_flag("django", v, &o->django_mode);

		if (r == 0 && o->django_mode && !o->django_project)
			o->django_project = config_path(".");
		return r;
	}
	o->django_mode = 1;
	if (v)
		set_str(&o->django_settings, v);
	if (from_config && !o->django_project)
		o->django_project = config_path(".");
	return 0;
}

/* Applies one option; v is NULL for a command-line flag. */
static int apply(struct options *o, int code, const char *name, const char *v,
		 int from_config)
{
	switch (code) {
	case 'o':
		free(o->output);
		o->output = conf_path(v, from_config);
		o->output_cli = !from_config;
		return 0;
	case 'i': strlist_add(&o->ignore, v); return 0;
	case OPT_APP: add_app(o, 0, conf_path(v, from_config)); return 0;
	case OPT_APPS: add_app(o, 1, conf_path(v, from_config)); return 0;
	case OPT_NO_DEFAULT_IGNORE: return set_flag(name, v, &o->no_default_ignore);
	case OPT_NOINPUT: return set_flag(name, v, &o->noinput);
	case 'c': return set_flag(name, v, &o->clear);
	case 'l': return set_flag(name, v, &o->link);
	case 'n': return set_flag(name, v, &o->dry_run);
	case OPT_NO_POST: return set_flag(name, v, &o->no_post_process);
	case OPT_ALLOW_MISSING: return set_flag(name, v, &o->allow_missing);
	case OPT_JS_MODULES: return set_flag(name, v, &o->js_modules);
	case 'v': return parse_int("verbosity", v, 0, 3, &o->verbosity);
	case 'j': return parse_int("jobs", v, 1, 1024, &o->jobs);
	case OPT_MAX_EXPAND: return parse_size("max-expand", v, &o->max_expand);
	case OPT_BROTLI_Q: return parse_int("brotli-quality", v, 0, 11, &o->brotli_quality);
	case OPT_DICT_VERSIONS:
		return parse_int("dictionary-versions", v, 0, TREE_DCZ_MAX, &o->dictionary_versions);
	case OPT_STATIC_URL:
		set_str(&o->static_url, v);
		o->static_url_cli = !from_config;
		return 0;
	case OPT_DJANGO:
	case OPT_DJANGO_SETTINGS:
		return set_django(o, code, v, from_config);
	case OPT_PYTHON:
		free(o->python);
		/* A relative interpreter path in the config (.venv/bin/python)
		 * is the project's; a bare name is looked up on PATH. */
		o->python = strchr(v, '/') ? conf_path(v, from_config) : xstrdup(v);
		return 0;
	case OPT_COMPRESS: return parse_compress(v, &o->compress);
	case OPT_ARCHIVE: free(o->archive); o->archive = conf_path(v, from_config); return 0;
	case OPT_UPLOAD: set_str(&o->upload, v); return 0;
	case OPT_UPLOAD_ONLY: return set_flag(name, v, &o->upload_only);
	case OPT_S3_ENDPOINT: set_str(&o->s3_endpoint, v); return 0;
	case OPT_S3_ADDRESSING:
		if (strcmp(v, "auto") && strcmp(v, "path") && strcmp(v, "virtual"))
			return log_error("--s3-addressing: expected auto, path or virtual, "
					 "got '%s'", v);
		set_str(&o->s3_addressing, v);
		return 0;
	case OPT_UPLOAD_JOBS: return parse_int("upload-jobs", v, 1, 256, &o->upload_jobs);
	case OPT_UPLOAD_CC: set_str(&o->upload_cache_control, v); return 0;
	case OPT_COMPRESS_LEVEL: return parse_level(v, &o->compress_level);
	case OPT_CACHE_DIR: free(o->cache_dir); o->cache_dir = conf_path(v, from_config); return 0;
	case OPT_NO_CACHE_DIR: return set_flag(name, v, &o->no_cache_dir);
	case OPT_CACHE_MAX_SIZE: return parse_size("cache-max-size", v, &o->cache_max_size);
	case OPT_PRUNE: return set_flag(name, v, &o->prune);
	case OPT_KEEP: return parse_int("keep", v, 1, 1000, &o->keep);
	case OPT_PRUNE_GRACE: return prune_parse_duration(v, &o->prune_grace);
	case OPT_NO_COMPRESS: {
		int off = 0, r = set_flag(name, v, &off);

		if (!r && off)
			o->compress = 0;
		return r;
	}
	}
	return log_error("unknown option '%s'", name);
}

static int config_cb(const char *key, const char *value, void *ctx)
{
	struct options *o = ctx;

	if (!strcmp(key, "source")) {
		strlist_add_nodup(&o->sources, conf_source(value, 1));
		return 0;
	}
	if (!strcmp(key, "static-root"))
		key = "output";
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (strcmp(lo->name, key) || lo->val == 'h' || lo->val == OPT_VERSION ||
		    lo->val == OPT_CONFIG)
			continue;
		return apply(o, lo->val, key, value, 1);
	}
	return log_error("unknown setting '%s'", key);
}

/* The --config FILE given on the command line, or NULL. */
static const char *find_config_arg(int argc, char **argv)
{
	const char *found = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			found = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			found = argv[i] + 9;
	}
	return found;
}

static void set_defaults(struct options *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->verbosity = 1;
	o->compress = COMPRESS_GZIP | COMPRESS_BR;
	o->brotli_quality = -1;
	o->compress_level = COMPRESS_LEVEL_AUTO;
	o->cache_max_size = CACHE_MAX_SIZE_DEFAULT;
	o->dictionary_versions = 2;
	o->jobs = cores > 0 ? (int)(cores > 256 ? 256 : cores) : 1;
	o->static_url = xstrdup("/static/");
	o->upload_jobs = 16;
	o->keep = 2;
	o->prune_grace = 3600;
	o->max_expand = MAX_EXPAND_DEFAULT;
}

/*
 * $STATIC_ROOT and $STATIC_URL: over the config file, under the command
 * line (the usual order, and the one a deploy script that exports
 * STATIC_ROOT next to a checkout's staticroot.conf expects).
 */
static void apply_env(struct options *o)
{
	const char *env = getenv("STATIC_ROOT");

	if (env && *env) {
		free(o->output);
		o->output = xstrdup(env);
	}
	env = getenv("STATIC_URL");
	if (env && *env) {
		free(o->static_url);
		o->static_url = xstrdup(env);
	}
}

/* Drops the first n entries of l (the config's, overridden by argv). */
static void strlist_drop_front(struct strlist *l, size_t n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		free(l->v[i]);
	memmove(l->v, l->v + n, (l->n - n) * sizeof(*l->v));
	l->n -= n;
}

static int read_config(struct options *o, int argc, char **argv)
{
	const char *cfg = find_config_arg(argc, argv);
	struct stat st;

	if (!cfg) {
		if (stat(CONFIG_DEFAULT, &st) != 0)
			return 0;
		cfg = CONFIG_DEFAULT;
	} else if (stat(cfg, &st) != 0) {
		return log_error("cannot read %s: %s", cfg, strerror(errno));
	}
	return config_read(cfg, "collect", config_cb, o);
}

static int parse_argv(struct options *o, int argc, char **argv)
{
	int c, idx;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, &idx)) != -1) {
		const char *name = c >= 256 ? long_opts[idx].name : NULL;
		char shortname[3] = { '-', (char)c, 0 };

		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			if (c == ':' || (optopt && strchr(short_opts, optopt)))
				return log_error("option '%s' needs a value (see --help)", bad);
			return log_error("unknown option '%s' (see --help)", bad);
		}
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("collect (staticroot) %s\n", COLLECT_VERSION);
			return 1;
		}
		if (c == OPT_CONFIG)
			continue;
		if (!name)
			name = shortname;
		if (apply(o, c, name, NULL == optarg ? NULL : optarg, 0) < 0)
			return -1;
	}
	for (int i = optind; i < argc; i++)
		strlist_add(&o->sources, argv[i]);
	return 0;
}

void options_normalize_url(struct options *o)
{
	size_t len;

	/* Django (>= 3.1) puts the script prefix, '/', before a STATIC_URL
	 * that is neither a path nor a URL: 'static/' is '/static/'. */
	if (o->static_url[0] != '/' && !strstr(o->static_url, "://")) {
		char *abs = xmalloc(strlen(o->static_url) + 2);

		abs[0] = '/';
		strcpy(abs + 1, o->static_url);
		free(o->static_url);
		o->static_url = abs;
	}
	len = strlen(o->static_url);
	if (!len || o->static_url[len - 1] != '/') {
		o->static_url = xrealloc(o->static_url, len + 2);
		strcpy(o->static_url + len, "/");
	}
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

int options_parse(struct options *o, int argc, char **argv)
{
	size_t conf_src, conf_app;
	int r, conf_django;

	set_defaults(o);
	if (read_config(o, argc, argv) < 0)
		return -1;
	apply_env(o);
	conf_src = o->sources.n;
	conf_app = o->app_dirs.n;
	conf_django = o->django_mode;
	r = parse_argv(o, argc, argv);
	if (r)
		return r;
	/* Sources given on the command line replace the config's, and so
	 * does --django (the settings list them). */
	if (o->sources.n > conf_src || o->app_dirs.n > conf_app ||
	    (o->django_mode && !conf_django)) {
		strlist_drop_front(&o->sources, conf_src);
		strlist_drop_front(&o->app_dirs, conf_app);
	}
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
	if (!o->sources.n && !o->app_dirs.n && !o->upload_only &&
	    !o->prune)
		return log_error("no sources: give SOURCE arguments, --app/--apps, "
				 "or source = ... in %s", CONFIG_DEFAULT);
	return 0;
}

/* sources.c: gathers files from directories, archives and app static/ folders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive_src.h"
#include "django.h"
#include "fileset.h"
#include "ignore.h"
#include "log.h"
#include "manifest.h"
#include "options.h"
#include "path.h"
#include "sources.h"
#include "variant_src.h"
#include "walk.h"
#include "xalloc.h"

/* gather_one()'s result for a directory source that does not exist. */
#define SOURCE_MISSING 1

struct gather {
	struct fileset *fs;
	const char *prefix;   /* normalised, "" for none */
	const char *src;      /* the SOURCE as given, for messages */
	struct stat archive_st;
	struct archive_budget *budget;  /* shared by every archive of the run */
};

/* prefix + "/" + rel, normalised; NULL (printed) when not a usable name. */
static char *out_name(const struct gather *g, const char *rel)
{
	size_t pl = strlen(g->prefix), rl = strlen(rel);
	char *name = xmalloc(pl + 1 + rl + 1), qs[LOG_NAME_MAX], qr[LOG_NAME_MAX];
	const char *why;
	ssize_t n;

	memcpy(name, g->prefix, pl);
	name[pl] = '/';
	memcpy(name + pl + 1, rel, rl + 1);
	n = path_normalize(name, pl + 1 + rl);
	why = n <= 0 ? "not a relative name" : path_check_servable(name, (size_t)n);
	if (why) {
		/* the rule serve applies to requests: what it refuses is never collected */
		log_warn("%s: '%s' skipped: %s (serve answers 400 for such names)", log_name(g->src, qs),
			 log_name(rel, qr), why);
		free(name);
		return NULL;
	}
	/* The output root's own files are collect's, never a source's. */
	if (!strcmp(name, MANIFEST_NAME) || !strncmp(name, ".staticroot-", 12)) {
		log_warn("%s: '%s' skipped: the name is reserved for collect's own %s",
			 log_name(g->src, qs), log_name(rel, qr), name[0] == '.' ? "state" : "manifest");
		free(name);
		return NULL;
	}
	return name;
}

static int on_file(const char *rel, const char *path, const struct stat *st, void *ctx)
{
	struct gather *g = ctx;
	char *name = out_name(g, rel);
	struct cfile *f;

	if (!name)
		return 0;
	f = fileset_add(g->fs);
	f->name = name;
	f->path = xstrdup(path);
	if (st)
		cfile_set_stat(f, st);
	else
		f->flags |= CF_NOSTAT;
	return 0;
}

static int on_member(struct archive_member *m, void *ctx)
{
	struct gather *g = ctx;
	char *name = out_name(g, m->rel);
	struct cfile *f;

	if (!name)
		return 0;  /* m's bytes are freed by the reader */
	f = fileset_add(g->fs);
	f->name = name;
	f->data = m->data;
	f->unpacked = m->file;
	m->data = m->file = NULL;
	f->len = m->len;
	f->src_hash = m->hash;
	f->flags |= CF_HASHED;
	f->mtime_ns = (int64_t)g->archive_st.st_mtim.tv_sec * 1000000000;
	return 0;
}

/* Normalises a PREFIX into buf; -1 (printed) when it climbs out. */
static int norm_prefix(const char *spec, const char *p, size_t len, char *buf, size_t size)
{
	ssize_t n;

	if (len >= size)
		return log_error("source '%s': prefix too long", spec);
	memcpy(buf, p, len);
	n = path_normalize(buf, len);
	if (n < 0 || strchr(buf, '\\'))
		return log_error("source '%s': bad prefix '%.*s'", spec, (int)len, p);
	return 0;
}

/* Whether inner is outer or below it (both existing paths). */
static int path_inside(const char *inner, const char *outer)
{
	char *i = realpath(inner, NULL), *o = realpath(outer, NULL);
	size_t n = o ? strlen(o) : 0;
	int inside = i && o && !strncmp(i, o, n) && (i[n] == '/' || i[n] == '\0' || n == 1);

	free(i);
	free(o);
	return inside;
}

/* --clear deletes what the run does not collect under its own name: a
 * source inside the output would be deleted. */
static int source_in_output(const char *src, const struct options *o)
{
	if (!o->clear || !path_inside(src, o->output))
		return 0;
	return log_error("the source %s is inside the output directory %s: --clear "
			 "would delete it", src, o->output);
}

static int gather_archive(struct gather *g, const char *path, size_t file_len,
			  const struct strlist *ig, const struct options *o)
{
	char *file = xstrndup(path, file_len);
	const char *subdir = path[file_len] == ':' ? path + file_len + 1 : "";
	int r;

	if (stat(file, &g->archive_st) != 0) {
		r = log_error("cannot read archive %s: %s", file, strerror(errno));
		goto out;
	}
	if ((r = source_in_output(file, o)) < 0)
		goto out;
	r = archive_src_read(file, subdir, ig, g->budget, on_member, g);
out:
	free(file);
	return r;
}

static int gather_dir(struct gather *g, const char *path, const struct strlist *ig,
		      const struct options *o);

static int gather_one(struct fileset *fs, const char *spec, const struct strlist *ig,
		      const struct options *o, struct archive_budget *b)
{
	struct gather g = { .fs = fs, .src = spec, .prefix = "", .budget = b };
	const char *path = spec, *eq = strchr(spec, '=');
	char prefix[4096];
	struct stat st;
	size_t flen;

	if (eq && eq != spec && stat(spec, &st) != 0) {
		if (norm_prefix(spec, spec, (size_t)(eq - spec), prefix, sizeof(prefix)) < 0)
			return -1;
		g.prefix = prefix;
		path = eq + 1;
	}
	if (archive_src_match(path, &flen) && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
		return gather_archive(&g, path, flen, ig, o);
	if (stat(path, &st) != 0 && errno == ENOENT) {
		/* As Django (4.0+, check W004) skips a STATICFILES_DIRS entry
		 * that does not exist. */
		log_warn("source %s does not exist: skipped", path);
		return SOURCE_MISSING;
	}
	if (stat(path, &st) != 0)
		return log_error("cannot read source %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return log_error("source %s is not a directory or a .tar/.tar.gz/.tgz/.zip archive",
				 path);
	return gather_dir(&g, path, ig, o);
}

/* A source directory that exists. */
static int gather_dir(struct gather *g, const char *path, const struct strlist *ig,
		      const struct options *o)
{
	if (path_inside(o->output, path))
		return log_error("the output directory %s is inside the source %s: "
				 "collect would collect its own output", o->output, path);
	if (source_in_output(path, o) < 0)
		return -1;
	return walk_dir(path, ig, on_file, g);
}

/*
 * What gather_one() would fail on at once, checked before collect asks for
 * confirmation: a missing archive or a source that is neither a directory
 * nor an archive.  A missing directory is skipped with a warning there (as
 * Django's W004), so it passes here.
 */
static int check_one(const char *spec)
{
	const char *path = spec, *eq = strchr(spec, '=');
	struct stat st;
	size_t flen;

	if (eq && eq != spec && stat(spec, &st) != 0)
		path = eq + 1;
	if (archive_src_match(path, &flen) && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
		char *file = xstrndup(path, flen);
		int r = stat(file, &st) == 0 ? 0 :
			log_error("cannot read archive %s: %s", file, strerror(errno));

		free(file);
		return r;
	}
	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 :
			log_error("cannot read source %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return log_error("source %s is not a directory or a .tar/.tar.gz/.tgz/.zip archive",
				 path);
	return 0;
}

int sources_check(const struct options *o)
{
	struct stat st;

	for (size_t i = 0; i < o->sources.n; i++)
		if (check_one(o->sources.v[i]) < 0)
			return -1;
	for (size_t i = 0; i < o->app_dirs.n; i++) {
		const char *e = o->app_dirs.v[i];

		if (stat(e + 1, &st) != 0)
			return log_error("--%s %s: %s", e[0] == 'A' ? "apps" : "app", e + 1,
					 strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return log_error("--%s %s: not a directory", e[0] == 'A' ? "apps" : "app",
					 e + 1);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every DIR/x/static directory, sorted, appended to out. */
static int expand_apps(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strlist found = { 0 };
	struct stat st;

	if (!d)
		return log_error("--apps %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xmalloc(strlen(dir) + strlen(de->d_name) + 9);
		sprintf(p, "%s/%s/static", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			strlist_add_nodup(&found, p);
		else
			free(p);
	}
	closedir(d);
	if (found.n)
		qsort(found.v, found.n, sizeof(*found.v), cmp_str);
	for (size_t i = 0; i < found.n; i++)
		strlist_add_nodup(out, found.v[i]);
	free(found.v);
	return 0;
}

/* The app static directories in Django's INSTALLED_APPS-like order. */
static int app_dirs(const struct options *o, struct strlist *out)
{
	for (size_t i = 0; i < o->app_dirs.n; i++) {
		const char *e = o->app_dirs.v[i];

		if (e[0] == 'A') {
			if (expand_apps(e + 1, out) < 0)
				return -1;
			continue;
		}
		struct stat st;
		char *p;

		/* A missing app is a typo (Django fails to import it); an app
		 * without static/ is fine. */
		if (stat(e + 1, &st) != 0)
			return log_error("--app %s: %s", e + 1, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return log_error("--app %s: not a directory", e + 1);
		p = xmalloc(strlen(e) + 8);
		sprintf(p, "%s/static", e + 1);
		strlist_add_nodup(out, p);
	}
	return 0;
}

/* The files another finder listed: each must still be there. */
static int gather_listed(struct fileset *fs, const struct django_root *dr)
{
	struct gather g = { .fs = fs, .src = dr->finder, .prefix = "" };
	struct stat st;

	for (size_t i = 0; i < dr->nfiles; i++) {
		if (stat(dr->files[i].path, &st) != 0)
			return log_error("%s listed %s: %s", dr->finder, dr->files[i].path,
					 strerror(errno));
		if (!S_ISREG(st.st_mode))
			return log_error("%s listed %s: not a regular file", dr->finder,
					 dr->files[i].path);
		on_file(dr->files[i].name, dr->files[i].path, &st, &g);
	}
	return 0;
}

/* One finder location, as collectstatic walks it. */
static int gather_django_root(struct fileset *fs, const struct django_root *dr,
			      const struct options *o)
{
	struct gather g = { .fs = fs, .src = dr->path, .prefix = "" };
	char prefix[4096];
	struct stat st;

	if (dr->kind == DJANGO_FILES)
		return gather_listed(fs, dr);
	if (stat(dr->path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (dr->kind == DJANGO_APP)
			return log_error("app %s: its static directory %s vanished", dr->app,
					 dr->path);
		/* Django 4.0+ skips it with W004; 3.2's collectstatic dies. */
		log_warn("STATICFILES_DIRS entry %s does not exist: skipped", dr->path);
		return SOURCE_MISSING;
	}
	if (*dr->prefix) {
		if (norm_prefix(dr->path, dr->prefix, strlen(dr->prefix), prefix,
				sizeof(prefix)) < 0)
			return -1;
		g.prefix = prefix;
	}
	return gather_dir(&g, dr->path, &o->django->ignore, o);
}

/* Sorts what was found; a run that found nothing because its sources are
 * missing must not publish an empty manifest over a working tree. */
static int gather_done(struct fileset *fs, int r)
{
	if (r < 0)
		return r;
	if (r == SOURCE_MISSING && !fs->n)
		return log_error("no source exists (see the warnings above): nothing to "
				 "collect");
	fileset_finish(fs);
	variant_src_mark(fs);
	return 0;
}

static int gather_django(const struct options *o, struct fileset *fs)
{
	const struct django_project *d = o->django;
	int r = 0, missing = 0;

	for (size_t i = 0; r >= 0 && i < d->nroots; i++)
		missing |= r = gather_django_root(fs, &d->roots[i], o);
	return gather_done(fs, r < 0 ? r : missing);
}

int sources_gather(const struct options *o, struct fileset *fs)
{
	struct strlist ig = { 0 }, apps = { 0 };
	/* one bound for all the archives of the run, so two bombs are no
	 * worse than one */
	struct archive_budget budget = { .max = o->max_expand, .scratch = &fs->scratch };
	int r = 0, missing = 0;

	if (o->django)
		return gather_django(o, fs);

	if (!o->no_default_ignore)
		ignore_add_defaults(&ig);
	for (size_t i = 0; i < o->ignore.n; i++)
		strlist_add(&ig, o->ignore.v[i]);
	for (size_t i = 0; r >= 0 && i < o->sources.n; i++)
		missing |= r = gather_one(fs, o->sources.v[i], &ig, o, &budget);
	if (r >= 0)
		r = app_dirs(o, &apps);
	for (size_t i = 0; r >= 0 && i < apps.n; i++) {
		struct stat st;

		if (stat(apps.v[i], &st) != 0) {
			log_info(3, "no static directory in app %s", apps.v[i]);
			continue;
		}
		if ((r = source_in_output(apps.v[i], o)) < 0)
			break;
		r = walk_dir(apps.v[i], &ig, on_file, &(struct gather){
			.fs = fs, .src = apps.v[i], .prefix = "" });
	}
	strlist_release(&ig);
	strlist_release(&apps);
	return gather_done(fs, r < 0 ? r : missing);
}

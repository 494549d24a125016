/* fileset.c: the list of collected files, deduplicated first-match-wins and sorted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileset.h"
#include "log.h"
#include "xalloc.h"

struct cfile *fileset_add(struct fileset *fs)
{
	struct cfile *f;

	XGROW(fs->v, fs->alloc, fs->n + 1);
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->seq = fs->n++;
	return f;
}

static int cmp_name_seq(const void *a, const void *b)
{
	const struct cfile *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void cfile_release(struct cfile *f)
{
	free(f->name);
	free(f->path);
	if (f->unpacked)
		unlink(f->unpacked);  /* a duplicate's copy: free the disk early */
	free(f->unpacked);
	free(f->data);
	free(f->deps);
	for (size_t i = 0; i < f->nmissing; i++)
		free(f->missing[i]);
	free(f->missing);
	free(f->final);
	free(f->hashed);
	free(f->rrefs);
	free(f->err);
	free(f->warns);
	free(f->type_buf);
}

void fileset_finish(struct fileset *fs)
{
	size_t out = 0;

	if (fs->n)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_name_seq);
	for (size_t i = 0; i < fs->n; i++) {
		if (out && !strcmp(fs->v[out - 1].name, fs->v[i].name)) {
			log_info(2, "Found another file with the destination path '%s'. "
				 "It will be ignored since only the first encountered "
				 "file is collected. If this is not what you want, make "
				 "sure every static file has a unique path.", fs->v[i].name);
			cfile_release(&fs->v[i]);
			continue;
		}
		fs->v[out++] = fs->v[i];
	}
	fs->n = out;
}

void fileset_drop(struct fileset *fs, const unsigned char *drop)
{
	size_t out = 0;

	for (size_t i = 0; i < fs->n; i++) {
		if (drop[i])
			cfile_release(&fs->v[i]);
		else
			fs->v[out++] = fs->v[i];
	}
	fs->n = out;
}

size_t fileset_find(const struct fileset *fs, const char *name)
{
	size_t lo = 0, hi = fs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fs->v[mid].name, name);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

void fileset_release(struct fileset *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		cfile_release(&fs->v[i]);
	free(fs->v);
	scratch_release(&fs->scratch);
	memset(fs, 0, sizeof(*fs));
}

void cfile_fail(struct cfile *f, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	f->flags |= CF_FAILED;
	if (f->err)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	f->err = xstrdup(line);
}

void cfile_warn(struct cfile *f, const char *fmt, ...)
{
	char line[4096];
	size_t old = f->warns ? strlen(f->warns) : 0, n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	f->warns = xrealloc(f->warns, old + n + 2);
	memcpy(f->warns + old, line, n);
	f->warns[old + n] = '\n';
	f->warns[old + n + 1] = '\0';
}

size_t fileset_report(struct fileset *fs)
{
	size_t failed = 0;

	for (size_t i = 0; i < fs->n; i++) {
		struct cfile *f = &fs->v[i];

		if (f->warns) {
			for (char *line = f->warns, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
				*nl = '\0';
				log_warn("%s", line);
			}
			free(f->warns);
			f->warns = NULL;
		}
		if (f->err) {
			log_error("%s", f->err);
			free(f->err);
			f->err = NULL;
		}
		if (f->flags & CF_FAILED)
			failed++;
	}
	return failed;
}

void cfile_set_stat(struct cfile *f, const struct stat *st)
{
	f->len = (size_t)st->st_size;
	f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	f->ino = st->st_ino;
	f->dev = st->st_dev;
	f->flags &= ~CF_NOSTAT;
}

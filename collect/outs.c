/* outs.c: output facts for the index: lookup, and reconciling with the disk after a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "mime.h"
#include "options.h"
#include "outs.h"
#include "run.h"
#include "tempfile.h"
#include "xalloc.h"

void outs_add(struct outs *o, const struct file_fact *fact, int64_t mtime_ns,
	      uint64_t ino, int current)
{
	XGROW(o->v, o->alloc, o->n + 1);
	o->v[o->n].fact = *fact;
	o->v[o->n].mtime_ns = mtime_ns;
	o->v[o->n].ino = ino;
	o->v[o->n].current = current;
	o->n++;
}

static int cmp_out(const void *a, const void *b)
{
	return strcmp(((const struct cache_out *)a)->fact.path,
		      ((const struct cache_out *)b)->fact.path);
}

void outs_sort(struct outs *o)
{
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), cmp_out);
}

void outs_unique(struct outs *o)
{
	size_t out = 0;

	for (size_t i = 0; i < o->n; i++) {
		struct cache_out *prev = out ? &o->v[out - 1] : NULL;

		if (prev && !strcmp(prev->fact.path, o->v[i].fact.path)) {
			if (o->v[i].fact.flags & FACT_IMMUTABLE)
				*prev = o->v[i];
			continue;
		}
		o->v[out++] = o->v[i];
	}
	o->n = out;
}

struct cache_out *outs_find(const struct outs *o, size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(o->v[mid].fact.path, path);

		if (!c)
			return &o->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Which encoding suffix path ends with, or -1. */
static int variant_of(const char *path)
{
	size_t n = strlen(path);

	for (int e = 0; e < ENC_COUNT; e++) {
		size_t sl = strlen(tree_enc_suffix[e]);

		if (n > sl && !strcmp(path + n - sl, tree_enc_suffix[e]))
			return e;
	}
	return -1;
}

/* Hashes the file at dfd/name.  0 or -1. */
static int hash_at(int dfd, const char *name, uint64_t *h, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fstat(fd, st) == 0 && S_ISREG(st->st_mode) && hash_fd(fd, h) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

struct recon {
	struct run *r;
	struct outs *o;
	size_t known;           /* o->v[0..known) is sorted */
	struct strlist variants; /* unknown variant siblings, handled last */
};

static const char *intern(struct run *r, const char *s)
{
	strlist_add(&r->strings, s);
	return r->strings.v[r->strings.n - 1];
}

/* Adds the unknown file dfd/name (path p) as a fact. */
static void add_unknown(struct recon *rc, int dfd, const char *name, const char *p)
{
	struct file_fact ff = { 0 };
	char head[4096], type[MIME_TYPE_MAX];
	const char *t = mime_from_path(p);
	struct stat st;
	ssize_t n;

	if (hash_at(dfd, name, &ff.hash, &st) < 0)
		return;
	if (!t) {
		int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);

		n = fd >= 0 ? pread(fd, head, sizeof(head), 0) : -1;
		if (fd >= 0)
			close(fd);
		if (!rc->r->magic[0])
			rc->r->magic[0] = mime_magic_open();
		if (n >= 0 && rc->r->magic[0]) {
			mime_sniff(rc->r->magic[0], head, (size_t)n, type);
			t = type;
		} else {
			t = MIME_DEFAULT;
		}
	}
	ff.path = (char *)intern(rc->r, p);
	ff.type = (char *)intern(rc->r, t);
	ff.size = (uint64_t)st.st_size;
	ff.mtime = st.st_mtim.tv_sec;
	outs_add(rc->o, &ff, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
		 st.st_ino, 0);
}

static int own_top(const char *name)
{
	return !strcmp(name, MANIFEST_NAME) || !strncmp(name, ".staticroot-", 12);
}

static void recon_dir(struct recon *rc, int dfd, const char *rel)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		char *p;
		struct stat st;
		long pid;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (!*rel && own_top(de->d_name)))
			continue;
		if ((pid = tempfile_name_pid(de->d_name)) >= 0) {
			if (pid != rc->r->pid)  /* left by a run that died */
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		p = xmalloc(strlen(rel) + strlen(de->d_name) + 2);
		sprintf(p, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (sub >= 0)
				recon_dir(rc, sub, p);
		} else if (tree_is_delta_name(p)) {
			/* a dcz delta: delta.c lists the ones still wanted */
		} else if (!outs_find(rc->o, rc->known, p)) {
			if (variant_of(p) >= 0)
				strlist_add(&rc->variants, p);
			else
				add_unknown(rc, dirfd(d), de->d_name, p);
		}
		free(p);
	}
	closedir(d);
}

/* Attaches an unknown variant to its unlisted base, or removes it. */
static void take_variant(struct recon *rc, const char *p)
{
	int e = variant_of(p);
	size_t baselen = strlen(p) - strlen(tree_enc_suffix[e]);
	char *base = xstrndup(p, baselen), *full;
	struct cache_out *co = outs_find(rc->o, rc->o->n, base);
	struct stat st;
	uint64_t h;

	full = xmalloc(strlen(rc->r->out) + strlen(p) + 2);
	sprintf(full, "%s/%s", rc->r->out, p);
	if (co && !co->current && !co->fact.enc[e].present &&
	    hash_at(AT_FDCWD, full, &h, &st) == 0) {
		co->fact.enc[e].present = 1;
		co->fact.enc[e].size = (uint64_t)st.st_size;
		co->fact.enc[e].hash = h;
	} else if (!co || !co->fact.enc[e].present) {
		log_info(2, "Deleting stale '%s'", p);
		if (unlink(full) != 0 && errno != ENOENT)
			log_warn("cannot remove %s: %s", full, strerror(errno));
	}
	free(full);
	free(base);
}

void outs_reconcile(struct run *r, struct outs *o)
{
	struct recon rc = { .r = r, .o = o, .known = o->n };
	int fd = open(r->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	recon_dir(&rc, fd, "");
	outs_sort(o);
	for (size_t i = 0; i < rc.variants.n; i++)
		take_variant(&rc, rc.variants.v[i]);
	strlist_release(&rc.variants);
}

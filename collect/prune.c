/* prune.c: hashed files and objects no kept generation names go, after a grace period. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "manifest.h"
#include "manifest_history.h"
#include "options.h"
#include "prune.h"
#include "prune_keep.h"
#include "cache.h"
#include "run.h"
#include "strbuf.h"
#include "tree_index.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- local */

struct local {
	const struct options *o;
	const char *root;
	struct keepset keep;
	struct keepset removed; /* hashed names (bases) removed */
	time_t cutoff;   /* files modified after this stay */
	struct prune_count count;
};

static void prune_file(struct local *l, const char *rel, const struct stat *st)
{
	size_t base;
	char *path;

	if (!prune_hashed_base(rel, &base) || keep_has_output(&l->keep, rel, base) ||
	    st->st_mtime > l->cutoff)
		return;
	l->count.files++;
	l->count.bytes += (size_t)st->st_size;
	if (l->o->dry_run) {
		log_info(1, "Would prune '%s'", rel);
		return;
	}
	path = xstrcat3(l->root, "/", rel);
	if (unlink(path) < 0 && errno != ENOENT) {
		log_warn("cannot remove %s: %s", path, strerror(errno));
	} else {
		log_info(2, "Pruned '%s'", rel);
		if (base == strlen(rel))
			keep_add(&l->removed, rel);
	}
	free(path);
}

/* Walks dir (relative to the root, "" for it) depth first, skipping dot
 * entries as serve and the index do. */
static int walk(struct local *l, const char *rel)
{
	char *dirpath = *rel ? xstrcat3(l->root, "/", rel) : xstrdup(l->root);
	DIR *d = opendir(dirpath);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		rc = log_error("cannot read %s: %s", dirpath, strerror(errno));
		free(dirpath);
		return rc;
	}
	while ((de = readdir(d)) && !rc) {
		char *sub;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sub = *rel ? xstrcat3(rel, "/", de->d_name) : xstrdup(de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk(l, sub);
			else if (S_ISREG(st.st_mode))
				prune_file(l, sub, &st);
		}
		free(sub);
	}
	closedir(d);
	free(dirpath);
	return rc;
}

/* Adds the kept local history entries (and the live manifest) to the keep set;
 * removes the others unless dry-run. */
static int local_keep(struct local *l, time_t now)
{
	struct history h;
	struct strbuf bytes = STRBUF_INIT, path = STRBUF_INIT;
	unsigned char *flags;
	int rc;

	strbuf_addf(&path, "%s/%s", l->root, MANIFEST_NAME);
	rc = strbuf_read_file(&bytes, path.buf);
	if (rc < 0 || keep_manifest(&l->keep, bytes.buf, bytes.len) < 0) {
		rc = log_error("cannot prune %s: %s", l->root, rc < 0 ? strerror(-rc) :
			       "its staticfiles.json is not a manifest");
		goto out;
	}
	if ((rc = history_load_local(l->root, &h)) < 0)
		goto out;
	flags = xcalloc(h.n ? h.n : 1, 1);
	history_select(&h, (size_t)l->o->keep, now, l->o->prune_grace, flags);
	l->count.generations = h.n;
	for (size_t i = 0; i < h.n; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/%s", l->root, HISTORY_DIR, h.v[i].name);
		if (!flags[i]) {
			if (!l->o->dry_run)
				unlink(path.buf);
			continue;
		}
		l->count.kept_generations++;
		strbuf_reset(&bytes);
		if (strbuf_read_file(&bytes, path.buf) < 0 ||
		    keep_manifest(&l->keep, bytes.buf, bytes.len) < 0)
			log_warn("%s: unreadable, its hashed names are not kept", path.buf);
	}
	free(flags);
	history_release(&h);
	rc = 0;
out:
	strbuf_release(&bytes);
	strbuf_release(&path);
	return rc;
}

/*
 * The index must not list what is gone (serve would answer from it), and
 * collect's cache would carry the removed files over into the next index
 * without looking: rewrite the one, drop the other (the next collect then
 * checks the disk once).
 */
static int forget_removed(struct local *l)
{
	struct tree_index ti;
	size_t kept = 0;
	char *cache;
	int rc = 0;

	if (!l->removed.n)
		return 0;
	keep_sort(&l->removed);
	tree_index_init(&ti);
	if (tree_index_load(l->root, &ti) == 0) {
		for (size_t i = 0; i < ti.n; i++) {
			struct file_fact *f = &ti.v[i];

			if (keep_has(&l->removed, f->path, strlen(f->path))) {
				free(f->path);
				free(f->type);
				continue;
			}
			ti.v[kept++] = *f;
		}
		ti.n = kept;
		rc = tree_index_write(&ti, l->root);
	}
	tree_index_release(&ti);
	cache = xstrcat3(l->root, "/", CACHE_NAME);
	if (unlink(cache) < 0 && errno != ENOENT)
		rc = log_error("cannot remove %s: %s", cache, strerror(errno));
	free(cache);
	return rc;
}

int prune_local(const struct options *o)
{
	struct local l = { .o = o, .root = o->output };
	time_t now = time(NULL);
	char *lockp = xstrcat3(o->output, "/", LOCK_NAME);
	int lock = open(lockp, O_RDWR | O_CLOEXEC), rc = -1;

	free(lockp);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
		if (lock >= 0)
			close(lock);
		return log_error(lock < 0 ? "cannot prune %s: nothing was collected there" :
				 "cannot prune %s: a collect or upload is using it", o->output);
	}
	l.cutoff = now - o->prune_grace;
	if (local_keep(&l, now) < 0)
		goto out;
	keep_sort(&l.keep);
	rc = walk(&l, "");
	if (forget_removed(&l) < 0)
		rc = -1;
	if (rc == 0)
		prune_summary(o, o->output, &l.count);
out:
	keep_release(&l.keep);
	keep_release(&l.removed);
	close(lock);
	return rc;
}

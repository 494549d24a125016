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
#include "delta.h"
#include "generation.h"
#include "run.h"
#include "strbuf.h"
#include "tree_index.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- local */

struct local {
	const struct options *o;
	const char *root;  /* the tree pruned: a new generation, or the live
			    * output when it is updated in place */
	int plan;          /* only count what would go (nothing printed) */
	struct keepset keep;
	struct keepset removed; /* hashed names (bases) removed */
	time_t cutoff;   /* files modified after this stay */
	struct prune_count count;
	size_t dropped;  /* history entries no longer kept */
	/* SHA-256 of each hashed file removed: the dcz deltas of kept files
	 * against them go too (a full rewrite of the index would not list
	 * them, so a prune must not leave them listed either). */
	unsigned char (*gone_sha)[TREE_SHA256_LEN];
	size_t ngone, gone_alloc;
};

/* Notes the SHA-256 of root/rel, a hashed file about to be removed.
 * 0, or -1 after printing why. */
static int note_gone(struct local *l, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = strbuf_read_file(&sb, path);

	if (rc < 0) {
		strbuf_release(&sb);
		return log_error("cannot read %s: %s", path, strerror(-rc));
	}
	XGROW(l->gone_sha, l->gone_alloc, l->ngone + 1);
	rc = delta_sha256(sb.buf, sb.len, l->gone_sha[l->ngone]);
	strbuf_release(&sb);
	if (rc < 0)
		return log_error("cannot hash %s (SHA-256)", path);
	l->ngone++;
	return 0;
}

static int gone(const struct local *l, const unsigned char sha[TREE_SHA256_LEN])
{
	for (size_t i = 0; i < l->ngone; i++)
		if (!memcmp(l->gone_sha[i], sha, TREE_SHA256_LEN))
			return 1;
	return 0;
}

/* Drops from f (a kept file) its deltas against removed files, and their
 * files.  0, or -1 after printing why. */
static int forget_deltas(struct local *l, struct file_fact *f)
{
	unsigned kept = 0;
	int rc = 0;

	for (unsigned k = 0; k < f->ndcz; k++) {
		char *name, *path;

		if (!gone(l, f->dcz[k].dict_sha)) {
			f->dcz[kept++] = f->dcz[k];
			continue;
		}
		name = tree_delta_name(f->path, f->dcz[k].dict_sha);
		path = xstrcat3(l->root, "/", name);
		if (unlink(path) < 0 && errno != ENOENT)
			rc = log_error("cannot remove %s: %s", path, strerror(errno));
		free(path);
		free(name);
	}
	f->ndcz = kept;
	return rc;
}

/* 0, or -1 after printing why (a file that cannot be removed fails the
 * prune: it runs inside a generation that is then not published). */
static int prune_file(struct local *l, const char *rel, const struct stat *st)
{
	size_t base;
	char *path;
	int rc = 0;

	if (!prune_hashed_base(rel, &base) || keep_has_output(&l->keep, rel, base) ||
	    st->st_mtime > l->cutoff)
		return 0;
	l->count.files++;
	l->count.bytes += (size_t)st->st_size;
	if (l->plan || l->o->dry_run) {
		if (!l->plan)
			log_info(1, "Would prune '%s'", rel);
		return 0;
	}
	path = xstrcat3(l->root, "/", rel);
	/* Over 128 MB a file is never a dcz dictionary (RFC 9842's window). */
	if (base == strlen(rel) && st->st_size <= ((off_t)128 << 20) && note_gone(l, path) < 0) {
		free(path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = log_error("cannot remove %s: %s", path, strerror(errno));
	} else {
		log_info(2, "Pruned '%s'", rel);
		if (base == strlen(rel))
			keep_add(&l->removed, rel);
	}
	free(path);
	return rc;
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
				rc = prune_file(l, sub, &st);
		}
		free(sub);
	}
	closedir(d);
	free(dirpath);
	return rc;
}

/* Adds the kept local history entries (and the live manifest) to the keep set;
 * removes the others unless dry-run or planning. */
static int local_keep(struct local *l, time_t now)
{
	struct history h;
	struct strbuf bytes = STRBUF_INIT, path = STRBUF_INIT;
	unsigned char *flags;
	int rc;

	strbuf_addf(&path, "%s/%s", l->root, MANIFEST_NAME);
	rc = strbuf_read_file(&bytes, path.buf);
	if (rc < 0 || keep_manifest(&l->keep, bytes.buf, bytes.len) < 0) {
		rc = log_error("cannot prune %s: %s", l->o->output, rc < 0 ? strerror(-rc) :
			       "its staticfiles.json is not a manifest");
		goto out;
	}
	if ((rc = history_load_local(l->root, &h)) < 0)
		goto out;
	flags = xcalloc(h.n ? h.n : 1, 1);
	history_select(&h, (size_t)l->o->keep, now, l->o->prune_grace, flags);
	l->count.generations = h.n;
	for (size_t i = 0; i < h.n && rc == 0; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/%s", l->root, HISTORY_DIR, h.v[i].name);
		if (!flags[i]) {
			l->dropped++;
			if (!l->o->dry_run && !l->plan && unlink(path.buf) != 0 && errno != ENOENT)
				rc = log_error("cannot remove %s: %s", path.buf, strerror(errno));
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
	int rc = 0, loaded;

	if (!l->removed.n)
		return 0;
	keep_sort(&l->removed);
	tree_index_init(&ti);
	/* An index that cannot be read cannot be left as it is: it lists
	 * what was just removed. */
	loaded = tree_index_load(l->root, &ti);
	if (loaded < 0) {
		rc = log_error("cannot prune %s: its %s cannot be read", l->o->output,
			       TREE_INDEX_NAME);
	} else if (loaded == 0) {
		for (size_t i = 0; i < ti.n; i++) {
			struct file_fact *f = &ti.v[i];

			if (keep_has(&l->removed, f->path, strlen(f->path))) {
				free(f->path);
				free(f->type);
				continue;
			}
			if (forget_deltas(l, f) < 0)
				rc = -1;
			ti.v[kept++] = *f;
		}
		ti.n = kept;
		if (rc == 0)
			rc = tree_index_write(&ti, l->root);
	}
	tree_index_release(&ti);
	cache = xstrcat3(l->root, "/", CACHE_NAME);
	if (unlink(cache) < 0 && errno != ENOENT)
		rc = log_error("cannot remove %s: %s", cache, strerror(errno));
	free(cache);
	return rc;
}

/* The prune of dir (see prune.h); with plan set, only counts into *count
 * and *dropped.  0, or -1 after printing why. */
static int prune_dir(const struct options *o, const char *dir, int plan,
		     struct prune_count *count, size_t *dropped)
{
	struct local l = { .o = o, .root = dir, .plan = plan };
	struct timespec ts;
	time_t now;
	int rc;

	/* The clock history_record() stamps entries with: time() reads the
	 * coarse clock, which may lag a few ms behind, so that the entry
	 * this run just made would look published after "now". */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	l.cutoff = now - o->prune_grace;
	rc = local_keep(&l, now);
	if (rc == 0) {
		keep_sort(&l.keep);
		rc = walk(&l, "");
	}
	if (rc == 0 && !plan && forget_removed(&l) < 0)
		rc = -1;
	*count = l.count;
	*dropped = l.dropped;
	keep_release(&l.keep);
	keep_release(&l.removed);
	free(l.gone_sha);
	return rc;
}

int prune_local_in(const struct options *o, const char *dir)
{
	struct prune_count c;
	size_t dropped;

	if (prune_dir(o, dir, 0, &c, &dropped) < 0)
		return -1;
	prune_summary(o, o->output, &c);
	return 0;
}

int prune_local_locked(const struct options *o)
{
	struct generation g;
	struct prune_count c;
	size_t dropped;

	if (o->dry_run)
		return prune_local_in(o, o->output);
	/* What would go, read from the live tree: nothing, nothing built. */
	if (prune_dir(o, o->output, 1, &c, &dropped) < 0)
		return -1;
	if (!c.files && !dropped) {
		prune_summary(o, o->output, &c);
		return 0;
	}
	if (generation_begin(&g, o->output) < 0)
		return -1;
	if (prune_local_in(o, generation_dir(&g)) < 0 ||
	    generation_switch(&g, !o->no_fsync) < 0) {
		generation_end(&g);
		return -1;
	}
	generation_end(&g);
	return 0;
}

int prune_local(const struct options *o)
{
	char *lockp = xstrcat3(o->output, "/", LOCK_NAME);
	int lock = open(lockp, O_RDWR | O_CLOEXEC), rc;

	free(lockp);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
		if (lock >= 0)
			close(lock);
		return log_error(lock < 0 ? "cannot prune %s: nothing was collected there" :
				 "cannot prune %s: a collect or upload is using it", o->output);
	}
	generation_tidy(o->output);
	rc = prune_local_locked(o);
	close(lock);
	return rc;
}

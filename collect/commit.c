/* commit.c: phase 6: writes the tree index, the cache and staticfiles.json of the new
 * generation, skipping what did not change. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "clear.h"
#include "commit.h"
#include "django.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "manifest_v11.h"
#include "options.h"
#include "outs.h"
#include "run.h"
#include "strbuf.h"
#include "writer.h"
#include "xalloc.h"

#define MANIFEST_MAX ((size_t)1 << 30)

/* Whether path is now a variant of one of this run's outputs (an older
 * run may have collected a source file under that name). */
static int current_variant(const struct outs *o, size_t current, const char *path)
{
	size_t n;
	int e = tree_enc_of_name(path, &n), found;
	const struct cache_out *co;
	char *base;

	if (e < 0)
		return 0;
	base = xstrndup(path, n);
	co = outs_find(o, current, base);
	found = co && co->fact.enc[e].present;
	free(base);
	return found;
}

/* Files of earlier runs still on disk (old hashed names stay, unless
 * --clear): from the cache, else from the old index.  o is sorted. */
static void carry_over(struct run *r, struct outs *o)
{
	size_t current = o->n;
	char *path;
	struct stat st;

	if (r->o->clear)
		return;
	if (r->cache.valid) {
		for (size_t i = 0; i < r->cache.nout; i++)
			if (!outs_find(o, current, r->cache.out[i].fact.path) &&
			    !current_variant(o, current, r->cache.out[i].fact.path))
				outs_add(o, &r->cache.out[i].fact, r->cache.out[i].mtime_ns,
					 r->cache.out[i].ino, 0);
		return;
	}
	if (tree_index_load(r->out, &r->old_index) != 0)
		return;
	for (size_t i = 0; i < r->old_index.n; i++) {
		const struct file_fact *ff = &r->old_index.v[i];

		if (outs_find(o, current, ff->path) || current_variant(o, current, ff->path))
			continue;
		path = xmalloc(strlen(r->out) + strlen(ff->path) + 2);
		sprintf(path, "%s/%s", r->out, ff->path);
		if (lstat(path, &st) == 0)
			outs_add(o, ff, (int64_t)st.st_mtim.tv_sec * 1000000000 +
				 st.st_mtim.tv_nsec, st.st_ino, 0);
		free(path);
	}
}

/* The facts of this run's files, sorted, then those carried over. */
static void build_outs(struct run *r, struct outs *o)
{
	for (size_t i = 0; i < r->fs.n; i++) {
		struct cfile *f = &r->fs.v[i];

		outs_add(o, &f->orig.fact, f->orig.mtime_ns, f->orig.ino, 1);
		if (!r->o->no_post_process)
			outs_add(o, &f->hash.fact, f->hash.mtime_ns, f->hash.ino, 1);
	}
	outs_sort(o);
	outs_unique(o);
	carry_over(r, o);
	outs_sort(o);
	if ((r->reconcile || !r->cache.valid) && !r->o->clear && !r->fresh)
		outs_reconcile(r, o);
}

static void build_cache(struct run *r, const struct outs *o, struct strbuf *sb)
{
	const char **deps = NULL;
	size_t alloc = 0;

	cache_begin(sb, r->settings);
	for (size_t i = 0; i < r->fs.n; i++) {
		const struct cfile *f = &r->fs.v[i];
		struct cache_src s = { f->path, f->len, f->ino, f->dev, f->src_hash, f->mtime_ns };

		if (f->path)
			cache_add_src(sb, &s);
		if (!(f->flags & (CF_CSS | CF_JS)) || (f->flags & CF_UNSURE) ||
		    r->o->no_post_process)
			continue;
		XGROW(deps, alloc, f->ndeps);
		for (size_t d = 0; d < f->ndeps; d++)
			deps[d] = r->fs.v[f->deps[d]].name;
		cache_add_rw(sb, f->name, f->src_hash, f->dep_sig, f->final_hash, deps, f->ndeps,
			     f->missing, f->nmissing);
	}
	free(deps);
	for (size_t i = 0; i < o->n; i++)
		cache_add_out(sb, &o->v[i]);
}

/* The manifest's bytes, and whether they differ from the file on disk. */
static int build_manifest(struct run *r, struct strbuf *out, int *changed)
{
	struct manifest m;
	struct strbuf old;
	char *path = xmalloc(strlen(r->out) + sizeof(MANIFEST_NAME) + 2);
	int rc;

	manifest_init(&m);
	for (size_t i = 0; i < r->fs.n; i++)
		manifest_add(&m, r->fs.v[i].name, r->fs.v[i].hashed);
	manifest_sort(&m);
	/* The project's Django decides: 3.2 refuses 1.1, 4.2+ writes it. */
	if (r->o->django && !strcmp(r->o->django->manifest_version, "1.1"))
		manifest_serialize_v11(&m, out);
	else
		manifest_serialize(&m, out);
	manifest_release(&m);
	strbuf_init(&old, MANIFEST_MAX);
	sprintf(path, "%s/%s", r->out, MANIFEST_NAME);
	rc = strbuf_read_file(&old, path);
	*changed = rc < 0 || old.len != out->len || memcmp(old.buf, out->buf, out->len);
	strbuf_release(&old);
	free(path);
	return 0;
}

static int write_index(struct run *r, const struct outs *o, uint64_t manifest_hash)
{
	struct tree_index ti;
	int rc;

	tree_index_init(&ti);
	ti.manifest_hash = manifest_hash;
	for (size_t i = 0; i < o->n; i++) {
		const struct file_fact *src = &o->v[i].fact;
		struct file_fact *ff = tree_index_add(&ti, src->path);

		ff->type = xstrdup(src->type ? src->type : "");
		ff->size = src->size;
		ff->hash = src->hash;
		ff->mtime = src->mtime;
		ff->flags = src->flags;
		memcpy(ff->enc, src->enc, sizeof(ff->enc));
		ff->ndcz = src->ndcz;
		memcpy(ff->dcz, src->dcz, sizeof(ff->dcz));
	}
	tree_index_sort(&ti);
	rc = tree_index_write(&ti, r->out);
	tree_index_release(&ti);
	return rc;
}

/* Paths --clear keeps: every listed file and its present variants, sorted. */
static void kept_paths(const struct outs *o, struct strlist *keep)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct file_fact *ff = &o->v[i].fact;

		strlist_add(keep, ff->path);
		for (int e = 0; e < ENC_COUNT; e++) {
			char *p;

			if (!ff->enc[e].present)
				continue;
			p = xmalloc(strlen(ff->path) + 8);
			sprintf(p, "%s%s", ff->path, tree_enc_suffix[e]);
			strlist_add_nodup(keep, p);
		}
		for (unsigned d = 0; d < ff->ndcz; d++)
			strlist_add_nodup(keep, tree_delta_name(ff->path, ff->dcz[d].dict_sha));
	}
}

/* Hash of the manifest already in dir (--no-post-process keeps it), or 0. */
static uint64_t disk_manifest_hash(const char *dir)
{
	struct strbuf sb;
	char *path = xmalloc(strlen(dir) + sizeof(MANIFEST_NAME) + 2);
	uint64_t h = 0;

	strbuf_init(&sb, MANIFEST_MAX);
	sprintf(path, "%s/%s", dir, MANIFEST_NAME);
	if (strbuf_read_file(&sb, path) == 0)
		h = hash_bytes(sb.buf, sb.len);
	strbuf_release(&sb);
	free(path);
	return h;
}

/* Index, cache, then staticfiles.json: in place, the manifest's rename is
 * the commit point.  The cache may go first: it records inodes, which a
 * rename keeps. */
static int write_meta(struct run *r, const struct outs *o, const struct strbuf *man,
		      int man_changed, const struct strbuf *cache)
{
	uint64_t mh = r->o->no_post_process ? disk_manifest_hash(r->out)
					    : hash_bytes(man->buf, man->len);
	char *path = xmalloc(strlen(r->out) + sizeof(TREE_INDEX_NAME) + sizeof(MANIFEST_NAME) +
			     sizeof(CACHE_NAME) + 2);
	int rc;

	rc = tree_index_matches(r->out, mh) ? 0 : -1;
	if (!rc && !man_changed && r->cache.valid &&
	    hash_bytes(cache->buf, cache->len) == r->cache.raw_hash)
		goto out;  /* nothing changed: leave every file as it is */
	if ((rc = write_index(r, o, mh)) < 0)
		goto out;
	sprintf(path, "%s/%s", r->out, CACHE_NAME);
	/* Before the switch: a cache that cannot be saved fails the run with
	 * the previous generation live (its error line would otherwise exit
	 * 1 after the new one went live). */
	if ((rc = atomic_write_file(path, cache->buf, cache->len, 0644)) < 0)
		goto out;
	sprintf(path, "%s/%s", r->out, MANIFEST_NAME);
	rc = man_changed ? atomic_write_file(path, man->buf, man->len, 0644) : 0;
out:
	free(path);
	return rc;
}

int commit_settled(struct run *r)
{
	size_t outputs = r->fs.n * (r->o->no_post_process ? 1 : 2);

	if (atomic_load(&r->dirty) || r->reconcile || r->o->clear || !r->cache.valid ||
	    r->cache.ncurrent != outputs)
		return 0;
	/* A stale, truncated or damaged index is rewritten, not trusted. */
	return tree_index_matches(r->root, disk_manifest_hash(r->root));
}

int commit_files(struct run *r)
{
	struct outs o = { 0 };
	struct strbuf man = STRBUF_INIT, cache = STRBUF_INIT;
	struct strlist keep = { 0 };
	int man_changed = 0, rc = -1;

	build_outs(r, &o);
	if (!r->o->no_post_process)
		build_manifest(r, &man, &man_changed);
	build_cache(r, &o, &cache);
	if (r->o->clear && r->o->no_post_process)
		clear_manifest(r->out, 0);
	if (write_meta(r, &o, &man, man_changed, &cache) < 0)
		goto out;
	/* In place, the originals follow the manifest (renames write no bytes). */
	if (stage_apply(&r->stage, r->out, r->root) < 0)
		goto out;
	rc = 0;
	if (r->o->clear && !r->fresh) {
		kept_paths(&o, &keep);
		clear_outputs(r->out, &keep, 0);
	}
	/* Last: nothing in the output changes after this. */
	dirstamp_write(r->out, &r->fs, hash_bytes(cache.buf, cache.len));
out:
	strlist_release(&keep);
	strbuf_release(&man);
	strbuf_release(&cache);
	free(o.v);
	return rc;
}

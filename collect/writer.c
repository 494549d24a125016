/* writer.c: phase 5: decides by content what to (re)write, writes hashed files in place
 * and stages originals, with their .gz/.br/.zst variants, in parallel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dirstamp.h"
#include "encode.h"
#include "hash.h"
#include "log.h"
#include "mime.h"
#include "options.h"
#include "path.h"
#include "prepare.h"
#include "progress.h"
#include "publish.h"
#include "rewrite.h"
#include "run.h"
#include "stage.h"
#include "strbuf.h"
#include "workq.h"
#include "writer.h"
#include "xalloc.h"

/* The encodings of one content: their facts, and their bytes once computed
 * (facts alone when the variants can be linked from an identical file). */
struct encoded {
	int known;            /* v[] is valid */
	int bufs;             /* buf[] holds the bytes */
	struct strbuf buf[ENC_COUNT];
	struct file_variant v[ENC_COUNT];
};

static int64_t st_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void note_stat(struct out_state *os, const struct stat *st)
{
	os->mtime_ns = st_mtime_ns(st);
	os->ino = st->st_ino;
	os->fact.mtime = st->st_mtim.tv_sec;
}

/* Compresses data into e unless its bytes are there (collect/encode.c
 * decides how, and asks the compression cache first).  0, or -1 after
 * cfile_fail(). */
static int encode(struct run *r, struct cfile *f, const char *data, size_t len,
		  struct encoded *e)
{
	if (e->bufs)
		return 0;
	memset(e->v, 0, sizeof(e->v));
	e->known = e->bufs = 1;
	for (int i = 0; i < ENC_COUNT; i++)
		strbuf_init(&e->buf[i], 0);
	if (!len || !mime_is_compressible(f->type))
		return 0;
	if (encoder_run(&r->enc, data, len, e->buf, e->v) < 0) {
		cfile_fail(f, "cannot compress %s", cfile_label(f));
		return -1;
	}
	return 0;
}

/* Takes the variant facts of an identical file whose variants are on disk. */
static void encode_from(struct encoded *e, const struct file_variant *v)
{
	if (e->known)
		return;
	memcpy(e->v, v, sizeof(e->v));
	e->known = 1;
}

/* Computes e's bytes from f's original (hashed 0) or final bytes. */
static int encode_now(struct run *r, struct cfile *f, int hashed, struct encoded *e)
{
	if (hashed ? cfile_final(r, f) < 0 : cfile_load(f) < 0)
		return -1;
	if (hashed && f->final)
		return encode(r, f, f->final, f->final_len, e);
	return encode(r, f, f->data, f->len, e);
}

static void encoded_release(struct encoded *e)
{
	if (e->bufs)
		for (int i = 0; i < ENC_COUNT; i++)
			strbuf_release(&e->buf[i]);
	memset(e, 0, sizeof(*e));
}

/* Whether root/name holds exactly the bytes hashing to h (len bytes). */
static int same_content(const char *path, size_t len, uint64_t h)
{
	struct stat st;
	uint64_t got;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len &&
	     hash_fd(fd, &got) == 0 && got == h;
	close(fd);
	return rc;
}

/* Whether path is a symlink to f's source. */
static int links_to_source(const char *path, const struct cfile *f)
{
	char buf[4096], *src = realpath(f->path, NULL);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	int rc = 0;

	if (n > 0 && src) {
		buf[n] = '\0';
		rc = !strcmp(buf, src);
	}
	free(src);
	return rc;
}

/* Whether every variant the cache lists is still beside path, same size. */
static int variants_there(struct dircache *dc, const char *path, const struct cache_out *co)
{
	char buf[PATH_MAX];
	struct stat st;

	for (int e = 0; e < ENC_COUNT; e++) {
		if (!co->fact.enc[e].present)
			continue;
		if ((size_t)snprintf(buf, sizeof(buf), "%s%s", path, tree_enc_suffix[e]) >= sizeof(buf) ||
		    dircache_stat(dc, buf, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (uint64_t)st.st_size != co->fact.enc[e].size)
			return 0;
	}
	return 1;
}

/*
 * Decides whether os (fact filled in: path, size, hash) must be written.
 * Returns 0 unchanged with variants known, 1 unchanged but variants unknown,
 * 2 to write.
 */
static int decide(struct run *r, const struct cfile *f, struct out_state *os, int as_link,
		  struct dircache *dc)
{
	const struct cache_out *co = cache_find_out(&r->cache, os->fact.path);
	char *path;
	struct stat st;
	int rc = 2;

	if (r->o->clear || r->fresh)
		return 2;  /* nothing there to compare with */
	path = xstrcat3(r->root, "/", os->fact.path);
	if (dircache_stat(dc, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
		goto out;
	os->existed = 1;
	if (as_link ? !S_ISLNK(st.st_mode) : !S_ISREG(st.st_mode))
		goto out;
	os->mtime_ns = st_mtime_ns(&st);
	os->ino = st.st_ino;
	os->fact.mtime = as_link ? f->mtime_ns / 1000000000 : st.st_mtim.tv_sec;
	if (co && co->fact.hash == os->fact.hash && co->fact.size == os->fact.size &&
	    co->mtime_ns == os->mtime_ns && co->ino == os->ino) {
		memcpy(os->fact.enc, co->fact.enc, sizeof(os->fact.enc));
		/* in an unchanged directory the variants' names are still there */
		rc = dirstamp_trusted(&r->stamps, os->fact.path) || variants_there(dc, path, co)
		     ? 0 : 1;
	} else if (as_link ? links_to_source(path, f)
			   : same_content(path, os->fact.size, os->fact.hash)) {
		rc = 1;
	}
out:
	free(path);
	return rc;
}

/*
 * Whether f's original name needs no stat: it is a hard link to the hashed
 * name (same bytes, same inode in the cache), whose inode decide() just
 * found as cached, and their directory has gained or lost no name since.
 * Then takes its facts from the cache.
 */
static int orig_via_twin(struct run *r, struct cfile *f)
{
	const struct cache_out *co;

	if (r->o->no_post_process || (r->o->link && f->path) || f->ndeps || f->hash.todo ||
	    !f->hash.existed || !dirstamp_trusted(&r->stamps, f->name))
		return 0;
	co = cache_find_out(&r->cache, f->name);
	if (!co || co->fact.hash != f->src_hash || co->fact.size != f->len ||
	    co->ino != f->hash.ino || co->mtime_ns != f->hash.mtime_ns)
		return 0;
	f->orig.existed = 1;
	f->orig.mtime_ns = co->mtime_ns;
	f->orig.ino = co->ino;
	f->orig.fact.mtime = co->fact.mtime;
	memcpy(f->orig.fact.enc, co->fact.enc, sizeof(f->orig.fact.enc));
	return 1;
}

/* Size of f's final bytes without computing them when the cache knows. */
static int hashed_size(struct run *r, struct cfile *f, uint64_t *size)
{
	const struct cache_out *co;

	if (!f->ndeps) {
		*size = f->len;
		return 0;
	}
	if (f->flags & CF_LENKNOWN) {  /* rewritten this run, maybe freed since */
		*size = f->final_len;
		return 0;
	}
	if (!f->final) {
		co = cache_find_out(&r->cache, f->hashed);
		if (co && co->fact.hash == f->final_hash) {
			*size = co->fact.size;
			return 0;
		}
		if (cfile_final(r, f) < 0)
			return -1;
	}
	*size = f->final_len;
	return 0;
}

void unlink_variant(const char *root, const char *name, int enc)
{
	size_t n = strlen(root) + strlen(name) + 8;
	char *path = xmalloc(n);

	snprintf(path, n, "%s/%s%s", root, name, tree_enc_suffix[enc]);
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("cannot remove stale %s: %s", path, strerror(errno));
	free(path);
}

/* One present variant: linked from twin's when possible, else compressed. */
static char *variant_tmp(struct run *r, struct cfile *f, struct encoded *e, int i,
			 int hashed, const char *twin)
{
	char *tmp = NULL, *name, *dest = xstrcat3(f->name, tree_enc_suffix[i], "");

	if (twin) {
		name = xstrcat3(twin, tree_enc_suffix[i], "");
		tmp = hardlink_tmp(r, name, dest, NULL);
		free(name);
		if (tmp)
			goto out;
	}
	if (encode_now(r, f, hashed, e) < 0)
		goto out;
	if (!e->v[i].present) {
		cfile_fail(f, "%s: compression gave other results than before", cfile_label(f));
		goto out;
	}
	tmp = write_tmp(r, f, dest, e->buf[i].buf, e->buf[i].len, NULL);
out:
	free(dest);
	return tmp;
}

/* Publishes variant i of os (the hashed name, or the original in a fresh
 * output): a link to twin's when possible, else compressed bytes.  0, or
 * -1 after cfile_fail(). */
static int publish_variant(struct run *r, struct cfile *f, struct out_state *os,
			   struct encoded *e, int i, int hashed, const char *twin)
{
	char *name = xstrcat3(os->fact.path, tree_enc_suffix[i], ""), *tmp = stage_path(r, name);
	struct stat st;
	int rc = -1;

	if (twin) {
		char *from = xstrcat3(twin, tree_enc_suffix[i], "");

		rc = publish_link(r->root, from, name, tmp, &st);
		free(from);
	}
	if (rc < 0 && encode_now(r, f, hashed, e) == 0) {
		rc = e->v[i].present ? publish_bytes(r->root, name, e->buf[i].buf, e->buf[i].len,
						     tmp, &st) : -EINVAL;
		if (rc < 0)
			cfile_fail(f, "cannot write %s/%s: %s%s", r->root, name, strerror(-rc),
				   stage_conflict_hint(-rc));
	}
	free(name);
	free(tmp);
	return rc < 0 ? -1 : 0;
}

/* Stages (orig) or places (hashed, or orig in a fresh output) the
 * variants of os from e. */
static int write_variants(struct run *r, struct cfile *f, struct out_state *os,
			  struct encoded *e, int hashed, const char *twin)
{
	const struct cache_out *co = os->existed ? cache_find_out(&r->cache, os->fact.path) : NULL;
	int direct = hashed || r->fresh;

	for (int i = 0; i < ENC_COUNT; i++) {
		os->fact.enc[i] = e->v[i];
		if (!e->v[i].present) {
			/* A file new to the output, or one the cache knows had no
			 * such variant, has no old variant to remove. */
			if (!os->existed || (co && !co->fact.enc[i].present))
				continue;
			os->enc_stale[i] = 1;
			if (hashed)
				unlink_variant(r->root, os->fact.path, i);
			continue;
		}
		if (direct) {
			if (publish_variant(r, f, os, e, i, hashed, twin) < 0)
				return -1;
		} else if (!(os->enc_tmp[i] = variant_tmp(r, f, e, i, 0, twin))) {
			return -1;
		}
	}
	return 0;
}

/* Publishes os (fact.path) with f's bytes, the final ones when hashed: a
 * hard link to root/from (identical bytes) when given and possible, else
 * the bytes written.  0, or -1 after cfile_fail(). */
static int publish_out(struct run *r, struct cfile *f, struct out_state *os, int hashed,
		       const char *from)
{
	const char *name = os->fact.path;
	char *tmp = stage_path(r, name);
	struct stat st;
	int rc = -1;

	if (from)
		rc = publish_link(r->root, from, name, tmp, &st);
	if (rc < 0 && (hashed ? cfile_final(r, f) : cfile_load(f)) == 0) {
		int rewritten = hashed && f->final;

		rc = publish_bytes(r->root, name, rewritten ? f->final : f->data,
				   rewritten ? f->final_len : f->len, tmp, &st);
		if (rc < 0)
			cfile_fail(f, "cannot write %s/%s: %s%s", r->root, name, strerror(-rc),
				   stage_conflict_hint(-rc));
	}
	free(tmp);
	if (rc < 0)
		return -1;
	note_stat(os, &st);
	return 0;
}

/* A fresh output has no previous version to keep until the commit: the
 * original goes straight to its name, a hard link to twin when given.
 * 0, or -1 after cfile_fail(). */
static int publish_orig(struct run *r, struct cfile *f, const char *twin)
{
	if (twin) {
		char *src = xstrcat3(r->root, "/", twin), *dst = xstrcat3(r->root, "/", f->name);
		int rc = link(src, dst);

		free(src);
		free(dst);
		if (rc == 0) {
			/* the twin's inode, so its stat is f->hash's: no lstat */
			f->orig.mtime_ns = f->hash.mtime_ns;
			f->orig.ino = f->hash.ino;
			f->orig.fact.mtime = f->hash.fact.mtime;
			return 0;
		}
	}
	return publish_out(r, f, &f->orig, 0, twin);
}

/* The original name: staged for commit when its bytes changed (placed at
 * once in a fresh output).  twin is the hashed name already in place with
 * the same bytes, or NULL. */
static int write_orig(struct run *r, struct cfile *f, int d, struct encoded *e,
		      const char *twin)
{
	int as_link = r->o->link && f->path, placed = 0;

	if (d == 0)
		return 0;
	if (d == 2) {
		if (as_link)
			f->orig.tmp = link_tmp(r, f, &f->orig);
		else if (r->fresh)
			placed = publish_orig(r, f, twin) == 0;
		else if (!(twin && (f->orig.tmp = hardlink_tmp(r, twin, f->name, &f->orig))) &&
			 cfile_load(f) == 0)
			f->orig.tmp = write_tmp(r, f, f->name, f->data, f->len, &f->orig);
		if (!f->orig.tmp && !placed)
			return -1;
		f->orig.written = 1;
		log_info(2, "%s '%s'", as_link ? "Linking" : "Copying", cfile_label(f));
	}
	if (twin)
		encode_from(e, f->hash.fact.enc);  /* link them, compress nothing */
	else if (encode_now(r, f, 0, e) < 0)
		return -1;
	return write_variants(r, f, &f->orig, e, 0, twin);
}

/* The hashed name: content-addressed, so it is placed at once.  same is
 * an earlier file with identical final bytes (already written), or NULL. */
static int write_hashed(struct run *r, struct cfile *f, int d, struct encoded *e,
			const struct cfile *same)
{
	if (d == 0)
		return 0;
	if (d == 2) {
		if (publish_out(r, f, &f->hash, 1, same ? same->hashed : NULL) < 0)
			return -1;
		atomic_store(&r->staged, 1);
		f->hash.written = 1;
		atomic_fetch_add(&r->post_processed, 1);
		log_info(2, "Post-processed '%s' as '%s'", f->name, f->hashed);
	}
	if (same)
		encode_from(e, same->hash.fact.enc);
	else if (encode_now(r, f, 1, e) < 0)
		return -1;
	return write_variants(r, f, &f->hash, e, 1, same ? same->hashed : NULL);
}

static void fill_facts(struct cfile *f)
{
	f->orig.fact.path = f->name;
	f->orig.fact.type = (char *)f->type;
	f->orig.fact.size = f->len;
	f->orig.fact.hash = f->src_hash;
	f->hash.fact.path = f->hashed;
	f->hash.fact.type = (char *)f->type;
	f->hash.fact.hash = f->final_hash;
	f->hash.fact.flags = FACT_IMMUTABLE;
}

/* Counts f, frees what writing it needed, and reports progress. */
static void finish_one(struct run *r, struct cfile *f)
{
	if (!f->orig.written && !(f->flags & CF_FAILED))
		log_info(2, "Skipping '%s' (not modified)", f->name);  /* Django's -v 2 */
	atomic_fetch_add(f->orig.written ? &r->copied : &r->unmodified, 1);
	free(f->final);
	f->final = NULL;
	cfile_unload(f);
	progress_tick();
}

/*
 * Checks both names of file i against the disk and the cache (stat only,
 * in name order: the per-thread directory fds stay warm).  Files with
 * nothing to write are finished here; the others get todo set for
 * write_one().
 */
static void check_one(size_t i, unsigned tid, void *ctx)
{
	struct run *r = ctx;
	struct cfile *f = &r->fs.v[i];
	int post = !r->o->no_post_process;
	int had_final = f->final != NULL;  /* a cycle's: not made again */

	fill_facts(f);
	if (post && hashed_size(r, f, &f->hash.fact.size) < 0)
		goto done;
	if (!had_final) {  /* the writer makes them again: memory stays flat */
		free(f->final);
		f->final = NULL;
		cfile_unload(f);
	}
	if (post)
		f->hash.todo = decide(r, f, &f->hash, 0, &r->dirs[tid]);
	if (!orig_via_twin(r, f))
		f->orig.todo = decide(r, f, &f->orig, r->o->link && f->path, &r->dirs[tid]);
	if (f->orig.todo || f->hash.todo)
		atomic_store(&r->dirty, 1);
	if (r->o->dry_run) {
		if (f->orig.todo == 2)
			log_info(1, "Pretending to %s '%s'",
				 r->o->link && f->path ? "link" : "copy", cfile_label(f));
		f->orig.written = f->orig.todo == 2;
		/* Django's dry run post-processes nothing (post_process()
		 * returns at once): "N static files copied to '...'." */
		f->orig.todo = f->hash.todo = 0;
	}
done:
	if (!f->orig.todo && !f->hash.todo)
		finish_one(r, f);
}

/* Writes what check_one() found missing or stale for file i. */
static void write_one(size_t i, unsigned tid, void *ctx)
{
	struct run *r = ctx;
	struct cfile *f = &r->fs.v[i];
	struct encoded eo = { 0 }, eh = { 0 };
	int post = !r->o->no_post_process;
	const char *twin;
	const struct cfile *same;

	/* Same bytes under both names (nothing rewritten): compress once and
	 * let the original be a hard link to the hashed file. */
	twin = post && !f->ndeps ? f->hashed : NULL;
	same = r->leader && r->leader[i] != i && !(r->fs.v[r->leader[i]].flags & CF_FAILED)
	       ? &r->fs.v[r->leader[i]] : NULL;
	if (post && write_hashed(r, f, f->hash.todo, twin ? &eo : &eh, same) < 0)
		goto out;
	write_orig(r, f, f->orig.todo, &eo, twin);
out:
	encoded_release(&eo);
	encoded_release(&eh);
	finish_one(r, f);
}

static int cmp_by_content(const void *a, const void *b, void *ctx)
{
	const struct run *r = ctx;
	const struct cfile *x = &r->fs.v[*(const size_t *)a], *y = &r->fs.v[*(const size_t *)b];
	int c;

	if (x->final_hash != y->final_hash)
		return x->final_hash < y->final_hash ? -1 : 1;
	if ((c = strcmp(x->type, y->type)))
		return c;
	return x < y ? -1 : x > y;
}

/* leader[i]: the first file with f's final bytes (and type), so that
 * identical contents are compressed once.  Returns how many lead. */
static size_t find_leaders(struct run *r, size_t *order)
{
	size_t n = r->fs.n, leaders = 0;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_by_content, r);
	for (size_t k = 0; k < n; k++) {
		const struct cfile *f = &r->fs.v[order[k]];
		const struct cfile *p = k ? &r->fs.v[order[k - 1]] : NULL;

		/* Cycle members share a hash, not their bytes. */
		if (p && p->final_hash == f->final_hash && !strcmp(p->type, f->type) &&
		    !(f->flags & CF_UNSURE) && !(p->flags & CF_UNSURE)) {
			r->leader[order[k]] = r->leader[order[k - 1]];
		} else {
			r->leader[order[k]] = order[k];
			leaders++;
		}
	}
	return leaders;
}

struct pass {
	struct run *r;
	const size_t *items;
};

/* Biggest first, so that one large file does not finish alone at the end
 * while the other threads idle (longest-processing-time-first). */
static int cmp_by_size(const void *a, const void *b, void *ctx)
{
	const struct run *r = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t lx = r->fs.v[x].len, ly = r->fs.v[y].len;

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A fresh output gets every directory at once, parents first (a prefix
 * sorts first), instead of each first write failing with ENOENT. */
static void make_dirs(struct run *r)
{
	struct strlist dirs = { 0 };
	const char *prev = NULL;
	size_t prevlen = 0;

	for (size_t i = 0; i < r->fs.n; i++) {
		const char *name = r->fs.v[i].name;
		size_t len = path_dirlen(name);
		char *d;

		if (!len || (prev && len == prevlen && !memcmp(prev, name, len)))
			continue;
		prev = name;
		prevlen = len;
		d = xstrcat3(r->root, "/", name);
		d[strlen(r->root) + 1 + len] = '\0';
		strlist_add_nodup(&dirs, d);
	}
	if (dirs.n)
		qsort(dirs.v, dirs.n, sizeof(*dirs.v), cmp_str);
	for (size_t i = 0; i < dirs.n; i++) {
		if (i && !strcmp(dirs.v[i], dirs.v[i - 1]))
			continue;
		/* a parent without files of its own is made on the way */
		if (mkdir(dirs.v[i], 0755) != 0 && errno == ENOENT)
			mkdir_p(dirs.v[i], 0755);
	}
	strlist_release(&dirs);
}

static void write_item(size_t k, unsigned tid, void *ctx)
{
	const struct pass *p = ctx;

	write_one(p->items[k], tid, p->r);
}

int write_files(struct run *r)
{
	size_t n = r->fs.n, *order = xcalloc(n + 1, sizeof(*order)), nl = 0, nw = 0;
	size_t *items = xcalloc(n + 1, sizeof(*items));
	struct pass p = { r, items };

	r->leader = xcalloc(n + 1, sizeof(*r->leader));
	if (!r->o->no_post_process)
		find_leaders(r, order);
	else
		for (size_t i = 0; i < n; i++)
			r->leader[i] = i;
	if (!r->fresh && !r->o->clear && r->cache.valid)
		dirstamp_load(&r->stamps, r->root, r->cache.raw_hash);
	progress_phase("writing", n);
	workq_run(n, r->nthreads, check_one, r);
	/* Leaders first, then the files that link to their leader's variants. */
	for (int lead = 1; lead >= 0; lead--) {
		for (size_t i = 0; i < n; i++)
			if ((r->fs.v[i].orig.todo || r->fs.v[i].hash.todo) &&
			    (r->leader[i] == i) == lead)
				items[nw++] = i;
		if (lead)
			nl = nw;
	}
	if (nl)
		qsort_r(items, nl, sizeof(*items), cmp_by_size, r);
	if (r->fresh && nw)
		make_dirs(r);
	workq_run(nl, r->nthreads, write_item, &p);
	p.items = items + nl;
	workq_run(nw - nl, r->nthreads, write_item, &p);
	progress_done();
	free(order);
	free(items);
	return fileset_report(&r->fs) ? -1 : 0;
}

/* writer.c: phase 5: decides by content what to (re)write, then writes both names of
 * each file, with their .gz/.br/.zst variants, into the run's output directory, in parallel. */
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
#include "variant_src.h"
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

/* Where an output's bytes can come from instead of being written: another
 * name of this run's output with the same bytes. */
struct twin {
	const char *name;
	int copy;  /* a new inode with the bytes (else a hard link) */
};

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
 * Decides whether os (fact filled in: path, size, hash) must be written,
 * from what the current generation holds under its name (stat only, and a
 * hash of the bytes when the cache cannot vouch for them).
 */
static enum out_todo decide(struct run *r, const struct cfile *f, struct out_state *os,
			    int as_link, struct dircache *dc)
{
	const struct cache_out *co = cache_find_out(&r->cache, os->fact.path);
	char *path;
	struct stat st;
	enum out_todo rc = OUT_WRITE;

	if (r->o->clear || r->fresh)
		return OUT_WRITE;  /* nothing there to compare with */
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
		     ? OUT_UNCHANGED : OUT_VARIANTS_UNKNOWN;
	} else if (as_link ? links_to_source(path, f)
			   : same_content(path, os->fact.size, os->fact.hash)) {
		rc = OUT_VARIANTS_UNKNOWN;
	}
out:
	free(path);
	return rc;
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

/* Publishes variant i of os: from twin's variant i when given, else the
 * compressed bytes.  A twin's variant is always a hard link, even for an
 * original name whose own bytes are copied: nobody edits a .gz or .br in
 * place, and a link costs no inode, no data and no sync (the copies were
 * a third of a compressed run's file creations).  0, or -1 after
 * cfile_fail(). */
static int publish_variant(struct run *r, struct cfile *f, struct out_state *os,
			   struct encoded *e, int i, int hashed, const struct twin *tw)
{
	char *name = xstrcat3(os->fact.path, tree_enc_suffix[i], "");
	char *w = hashed ? xstrdup(name) : stage_name(&r->stage, name);
	struct stat st;
	int rc = -1;

	if (tw) {
		char *from = xstrcat3(tw->name, tree_enc_suffix[i], "");

		rc = publish_link(r->out, from, w, &st);
		free(from);
	}
	if (rc < 0 && encode_now(r, f, hashed, e) == 0) {
		rc = e->v[i].present ? publish_bytes(r->out, w, e->buf[i].buf, e->buf[i].len,
						     &st) : -EINVAL;
		if (rc == -EINVAL)
			cfile_fail(f, "%s: compression gave other results than before",
				   cfile_label(f));
		else if (rc < 0)
			cfile_fail(f, "cannot write %s/%s: %s%s", r->root, name, strerror(-rc),
				   publish_conflict_hint(-rc));
		else
			durable_add(&r->durable, w);
	}
	if (rc == 0)
		stage_written(&r->stage, w, name);
	else
		free(w);
	free(name);
	return rc < 0 ? -1 : 0;
}

/* Writes the variants of os from e (or from tw's), removing old ones it
 * no longer has. */
static int write_variants(struct run *r, struct cfile *f, struct out_state *os,
			  struct encoded *e, int hashed, const struct twin *tw)
{
	const struct cache_out *co = os->existed ? cache_find_out(&r->cache, os->fact.path) : NULL;

	for (int i = 0; i < ENC_COUNT; i++) {
		/* That name is a source file of its own: never written nor
		 * removed here (variant_src.c decided the fact). */
		if (!hashed && f->varsrc[i])
			continue;
		os->fact.enc[i] = e->v[i];
		if (!e->v[i].present) {
			/* A file new to the output, or one the cache knows had no
			 * such variant, has no old variant to remove. */
			if (os->existed && !(co && !co->fact.enc[i].present)) {
				char *v = xstrcat3(os->fact.path, tree_enc_suffix[i], "");

				if (hashed)
					unlink_variant(r->out, os->fact.path, i);
				else
					stage_remove(&r->stage, r->out, v);
				free(v);
			}
			continue;
		}
		if (publish_variant(r, f, os, e, i, hashed, tw) < 0)
			return -1;
	}
	return 0;
}

/* Publishes os (fact.path) with f's bytes, the final ones when hashed:
 * from tw when given and possible, else the bytes written.  0, or -1
 * after cfile_fail(). */
static int publish_out(struct run *r, struct cfile *f, struct out_state *os, int hashed,
		       const struct twin *tw)
{
	const char *name = os->fact.path;
	char *w = hashed ? xstrdup(name) : stage_name(&r->stage, name);
	struct stat st;
	int rc = -1, wrote = 1;

	if (tw) {
		rc = tw->copy ? publish_copy(r->out, tw->name, w, &st)
			      : publish_link(r->out, tw->name, w, &st);
		wrote = tw->copy;
	}
	if (rc < 0 && (hashed ? cfile_final(r, f) : cfile_load(f)) == 0) {
		int rewritten = hashed && f->final;

		wrote = 1;
		rc = publish_bytes(r->out, w, rewritten ? f->final : f->data,
				   rewritten ? f->final_len : f->len, &st);
		if (rc < 0)
			cfile_fail(f, "cannot write %s/%s: %s%s", r->root, name, strerror(-rc),
				   publish_conflict_hint(-rc));
	}
	if (rc < 0) {
		free(w);
		return -1;
	}
	if (wrote)
		durable_add(&r->durable, w);
	stage_written(&r->stage, w, name);
	note_stat(os, &st);
	return 0;
}

/* --link: the original name is a symbolic link to the source. */
static int publish_source_link(struct run *r, struct cfile *f)
{
	char *target = realpath(f->path, NULL), *w = stage_name(&r->stage, f->name);
	struct stat st;
	int rc = target ? publish_symlink(r->out, target, w, &st) : -errno;

	free(target);
	if (rc == 0)
		stage_written(&r->stage, w, f->name);
	else
		free(w);
	if (rc < 0) {
		cfile_fail(f, "cannot link %s/%s to %s: %s", r->root, f->name, f->path,
			   strerror(-rc));
		return -1;
	}
	f->orig.mtime_ns = st_mtime_ns(&st);
	f->orig.ino = st.st_ino;
	f->orig.fact.mtime = f->mtime_ns / 1000000000;  /* what is served is the source */
	return 0;
}

/* The original name.  twin is its hashed name when that holds the same
 * bytes: copied (never linked: an editor writing the original in place
 * must not change the immutable twin); its variants are linked. */
static int write_orig(struct run *r, struct cfile *f, enum out_todo d, struct encoded *e,
		      const char *twin)
{
	struct twin tw = { twin, 1 };
	int as_link = r->o->link && f->path;

	if (d == OUT_UNCHANGED)
		return 0;
	if (d == OUT_WRITE) {
		if (as_link ? publish_source_link(r, f) < 0
			    : publish_out(r, f, &f->orig, 0, twin ? &tw : NULL) < 0)
			return -1;
		f->orig.written = 1;
		log_info(2, "%s '%s'", as_link ? "Linking" : "Copying", cfile_label(f));
	}
	if (twin)
		encode_from(e, f->hash.fact.enc);  /* copy them, compress nothing */
	else if (encode_now(r, f, 0, e) < 0)
		return -1;
	return write_variants(r, f, &f->orig, e, 0, twin ? &tw : NULL);
}

/* The hashed name: content-addressed, so it is placed at once.  same is
 * an earlier file with identical final bytes (already written), or NULL. */
static int write_hashed(struct run *r, struct cfile *f, enum out_todo d, struct encoded *e,
			const struct cfile *same)
{
	struct twin tw = { same ? same->hashed : NULL, 0 };

	if (d == OUT_UNCHANGED)
		return 0;
	if (d == OUT_WRITE) {
		if (publish_out(r, f, &f->hash, 1, same ? &tw : NULL) < 0)
			return -1;
		f->hash.written = 1;
		atomic_fetch_add(&r->post_processed, 1);
		log_info(2, "Post-processed '%s' as '%s'", f->name, f->hashed);
	}
	if (same)
		encode_from(e, same->hash.fact.enc);
	else if (encode_now(r, f, 1, e) < 0)
		return -1;
	return write_variants(r, f, &f->hash, e, 1, same ? &tw : NULL);
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

/* Counts f and frees what writing it needed. */
static void finish_one(struct run *r, struct cfile *f)
{
	if (!f->orig.written && !(f->flags & CF_FAILED))
		log_info(2, "Skipping '%s' (not modified)", f->name);  /* Django's -v 2 */
	atomic_fetch_add(f->orig.written ? &r->copied : &r->unmodified, 1);
	free(f->final);
	f->final = NULL;
	cfile_unload(f);
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
	f->orig.todo = decide(r, f, &f->orig, r->o->link && f->path, &r->dirs[tid]);
	if (f->orig.todo || f->hash.todo)
		atomic_store(&r->dirty, 1);
	if (r->o->dry_run) {
		if (f->orig.todo == OUT_WRITE)
			log_info(1, "Pretending to %s '%s'",
				 r->o->link && f->path ? "link" : "copy", cfile_label(f));
		f->orig.written = f->orig.todo == OUT_WRITE;
		/* Django's dry run post-processes nothing (post_process()
		 * returns at once): "N static files copied to '...'." */
		f->orig.todo = f->hash.todo = OUT_UNCHANGED;
	}
done:
	if (!f->orig.todo && !f->hash.todo)
		finish_one(r, f);
	progress_tick();
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
	progress_tick();
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
		d = xstrcat3(r->out, "/", name);
		d[strlen(r->out) + 1 + len] = '\0';
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

int check_files(struct run *r)
{
	size_t n = r->fs.n, *order = xcalloc(n + 1, sizeof(*order));

	r->leader = xcalloc(n + 1, sizeof(*r->leader));
	if (!r->o->no_post_process)
		find_leaders(r, order);
	else
		for (size_t i = 0; i < n; i++)
			r->leader[i] = i;
	free(order);
	if (!r->fresh && !r->o->clear && r->cache.valid)
		dirstamp_load(&r->stamps, r->root, r->cache.raw_hash);
	progress_phase("checking", n);
	workq_run(n, r->nthreads, check_one, r);
	progress_done();
	variant_src_decide(r);
	return fileset_report(&r->fs) ? -1 : 0;
}

int write_files(struct run *r)
{
	size_t n = r->fs.n, nl = 0, nw = 0;
	size_t *items = xcalloc(n + 1, sizeof(*items));
	struct pass p = { r, items };

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
	progress_phase("writing", nw);
	workq_run(nl, r->nthreads, write_item, &p);
	p.items = items + nl;
	workq_run(nw - nl, r->nthreads, write_item, &p);
	progress_done();
	free(items);
	return fileset_report(&r->fs) ? -1 : 0;
}

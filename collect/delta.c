/* delta.c: phase 5b: RFC 9842 "dcz" deltas of each current hashed file against its
 * previous versions still in the output (libzstd with the old file as raw prefix). */
#include <errno.h>
#include <glob.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zstd.h>

#include "compress.h"
#include "delta.h"
#include "dict_history.h"
#include "hash.h"
#include "log.h"
#include "publish.h"
#include "run.h"
#include "strbuf.h"
#include "workq.h"
#include "xalloc.h"

/* RFC 9842 §5.2: the dcz header, then the dictionary's SHA-256. */
static const unsigned char dcz_magic[8] = { 0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00 };
#define DCZ_HEAD_LEN (sizeof(dcz_magic) + TREE_SHA256_LEN)
#define DCZ_LEVEL 19
#define DCZ_WINDOWLOG_MIN 10 /* zstd.h has it only for static linking */
/* RFC 9842 §5.2: a dcz window is at most 8 MB or 1.25 x the dictionary,
 * whichever is larger, and never over 128 MB. */
#define DCZ_WINDOW_FLOOR ((uint64_t)8 << 20)
#define DCZ_WINDOW_CEIL ((uint64_t)128 << 20)
/* A delta is kept only when it is at most this % of the .br (or of the
 * file when it has none): smaller by a clear margin, or not worth a
 * representation of its own. */
#define DCZ_KEEP_PERCENT 75
#define DELTA_INPUT_MAX ((size_t)1 << 30)

int delta_sha256(const void *data, size_t len, unsigned char out[TREE_SHA256_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 &&
	       n == TREE_SHA256_LEN ? 0 : -1;
}

/* The largest window log RFC 9842 allows with a dictionary of dlen
 * bytes, or 0 when none does (a dictionary over 128 MB / 1.25). */
static int window_log_limit(uint64_t dlen)
{
	uint64_t limit = dlen + dlen / 4;
	int wlog = 0;

	if (limit > DCZ_WINDOW_CEIL)
		return 0;
	if (limit < DCZ_WINDOW_FLOOR)
		limit = DCZ_WINDOW_FLOOR;
	while (((uint64_t)1 << (wlog + 1)) <= limit)
		wlog++;
	return wlog;
}

/* What a browser does with the delta: decode it with the dictionary
 * under the window limit.  Whether that gives src back. */
static int delta_check(const char *delta, size_t dlen, const void *dict, size_t dictlen,
		       const void *src, size_t slen, int wlog)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	char *back = xmalloc(slen ? slen : 1);
	size_t got;
	int ok = 0;

	if (dctx && !ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, wlog)) &&
	    !ZSTD_isError(ZSTD_DCtx_refPrefix(dctx, dict, dictlen))) {
		got = ZSTD_decompressDCtx(dctx, back, slen ? slen : 1, delta + DCZ_HEAD_LEN,
					  dlen - DCZ_HEAD_LEN);
		ok = !ZSTD_isError(got) && got == slen && !memcmp(back, src, slen);
	}
	ZSTD_freeDCtx(dctx);
	free(back);
	return ok;
}

enum delta_result delta_encode(const void *dict, size_t dictlen,
			       const unsigned char dict_sha[TREE_SHA256_LEN],
			       const void *src, size_t slen, struct strbuf *out)
{
	int wlog_max = window_log_limit(dictlen), wlog = DCZ_WINDOWLOG_MIN;
	size_t start = out->len, bound = ZSTD_compressBound(slen), got;
	ZSTD_CCtx *cctx;
	enum delta_result res = DELTA_FAILED;

	if (!wlog_max)
		return DELTA_TOO_BIG;
	/* The window covers the dictionary and the file when the limit lets
	 * it: every match into the old version stays reachable. */
	while (wlog < wlog_max && ((uint64_t)1 << wlog) < (uint64_t)dictlen + slen)
		wlog++;
	if (strbuf_grow(out, DCZ_HEAD_LEN + bound) < 0)
		return DELTA_FAILED;
	memcpy(out->buf + start, dcz_magic, sizeof(dcz_magic));
	memcpy(out->buf + start + sizeof(dcz_magic), dict_sha, TREE_SHA256_LEN);
	cctx = ZSTD_createCCtx();
	if (!cctx ||
	    compress_zstd_setup(cctx, DCZ_LEVEL) < 0 ||  /* the .zst variants' frame shape */
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, wlog)) ||
	    ZSTD_isError(ZSTD_CCtx_refPrefix(cctx, dict, dictlen)))
		goto out;
	got = ZSTD_compress2(cctx, out->buf + start + DCZ_HEAD_LEN, bound, src, slen);
	if (ZSTD_isError(got))
		goto out;
	strbuf_setlen(out, start + DCZ_HEAD_LEN + got);
	res = delta_check(out->buf + start, DCZ_HEAD_LEN + got, dict, dictlen, src, slen,
			  wlog_max) ? DELTA_MADE : DELTA_FAILED;
out:
	ZSTD_freeCCtx(cctx);
	if (res != DELTA_MADE)
		strbuf_setlen(out, start);
	return res;
}

struct dpass {
	struct run *r;
	struct dict_history *h;
	size_t *line;            /* per file: 1 + its line in h, or 0 */
	atomic_int made;
};

/* name's bytes in the generation being written (r->out: this run's hashed
 * files and the previous versions linked into it) into sb (reset first).
 * 0, or -errno. */
static int read_out(const struct run *r, const char *name, struct strbuf *sb)
{
	char *path = xstrcat3(r->out, "/", name);
	int rc;

	strbuf_release(sb);
	strbuf_init(sb, DELTA_INPUT_MAX);
	rc = strbuf_read_file(sb, path);
	free(path);
	return rc;
}

/* What one step of a file's deltas came to. */
enum dstep {
	DSTEP_DONE,    /* done: read, reused, made, or not worth making */
	DSTEP_GONE,    /* the previous version is no longer there: skipped */
	DSTEP_ABSENT,  /* no delta file of ours there yet: to be made */
	DSTEP_FAILED,  /* a read, hash or write failed: cfile_fail() said which */
};

/* name's bytes into sb for f's deltas.  Only a missing name may be
 * skipped (DSTEP_GONE): any other error fails f naming the file, or the
 * tree would silently differ from what a fault-free run writes. */
static enum dstep load_out(struct dpass *p, struct cfile *f, const char *name,
			   struct strbuf *sb)
{
	int rc = read_out(p->r, name, sb);

	if (rc == -ENOENT)
		return DSTEP_GONE;
	if (rc < 0) {
		cfile_fail(f, "cannot read %s/%s: %s", p->r->root, name, strerror(-rc));
		return DSTEP_FAILED;
	}
	return DSTEP_DONE;
}

/* A delta file of ours for dict_sha already at name: its facts into d
 * (DSTEP_DONE), DSTEP_ABSENT when there is none (or not ours), or
 * DSTEP_FAILED. */
static enum dstep delta_known(struct dpass *p, struct cfile *f, const char *name,
			      const unsigned char dict_sha[TREE_SHA256_LEN], struct file_delta *d)
{
	struct strbuf sb = STRBUF_INIT;
	enum dstep st = load_out(p, f, name, &sb);

	if (st == DSTEP_DONE && !(sb.len > DCZ_HEAD_LEN &&
				  !memcmp(sb.buf, dcz_magic, sizeof(dcz_magic)) &&
				  !memcmp(sb.buf + sizeof(dcz_magic), dict_sha, TREE_SHA256_LEN)))
		st = DSTEP_ABSENT;
	if (st == DSTEP_GONE)
		st = DSTEP_ABSENT;
	if (st == DSTEP_DONE) {
		memcpy(d->dict_sha, dict_sha, TREE_SHA256_LEN);
		d->size = sb.len;
		d->hash = hash_bytes(sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return st;
}

static int rejected(const struct dict_line *l, const unsigned char sha[TREE_SHA256_LEN])
{
	for (size_t i = 0; i < l->nrejected; i++)
		if (!memcmp(l->rejected[i], sha, TREE_SHA256_LEN))
			return 1;
	return 0;
}

static void reject(struct dict_line *l, const unsigned char sha[TREE_SHA256_LEN])
{
	if (l->nrejected < TREE_DCZ_MAX)
		memcpy(l->rejected[l->nrejected++], sha, TREE_SHA256_LEN);
}

/* Computes, checks and writes the delta of f (bytes cur) against dict.
 * 0 (made or not worth it), or -1 after cfile_fail(). */
static int make_delta(struct dpass *p, struct cfile *f, struct dict_line *l,
		      const struct strbuf *cur, const struct strbuf *dict,
		      const unsigned char sha[TREE_SHA256_LEN], const char *name)
{
	const struct file_variant *br = &f->hash.fact.enc[ENC_BR];
	uint64_t against = br->present ? br->size : f->hash.fact.size;
	struct strbuf out = STRBUF_INIT;
	struct file_delta *d = &f->hash.fact.dcz[f->hash.fact.ndcz];
	struct stat st;
	enum delta_result res = delta_encode(dict->buf, dict->len, sha, cur->buf, cur->len, &out);
	int rc = 0;

	if (res == DELTA_FAILED) {
		strbuf_release(&out);
		cfile_fail(f, "cannot make the dcz delta of %s against %s", f->hashed, name);
		return -1;
	}
	if (res == DELTA_TOO_BIG || out.len * 100 > against * DCZ_KEEP_PERCENT) {
		reject(l, sha);
		strbuf_release(&out);
		return 0;
	}
	log_info(2, "Delta of '%s' against '%s': %zu bytes", f->hashed, name, out.len);
	name = tree_delta_name(f->hashed, sha);
	rc = publish_bytes(p->r->out, name, out.buf, out.len, &st);
	if (rc < 0) {
		cfile_fail(f, "cannot write %s/%s: %s", p->r->root, name, strerror(-rc));
	} else {
		durable_add(&p->r->durable, name);
		memcpy(d->dict_sha, sha, TREE_SHA256_LEN);
		d->size = out.len;
		d->hash = hash_bytes(out.buf, out.len);
		f->hash.fact.ndcz++;
		atomic_store(&p->made, 1);
	}
	free((char *)name);
	strbuf_release(&out);
	return rc < 0 ? -1 : 0;
}

/* The bytes of one file's deltas, read once each. */
struct dbytes {
	struct strbuf cur, dict;
	int have_cur;
};

/* f's delta against one previous version dv of its line l (reused, made,
 * or found not worth it). */
static enum dstep delta_version(struct dpass *p, struct cfile *f, struct dict_line *l,
				struct dict_version *dv, struct dbytes *b)
{
	int have_dict = 0;
	enum dstep st;
	char *name;

	if (!dv->has_sha) {
		if ((st = load_out(p, f, dv->name, &b->dict)) != DSTEP_DONE)
			return st;
		have_dict = 1;
		if (delta_sha256(b->dict.buf, b->dict.len, dv->sha) < 0) {
			cfile_fail(f, "cannot hash %s/%s (SHA-256)", p->r->root, dv->name);
			return DSTEP_FAILED;
		}
		dv->has_sha = 1;
	}
	if (rejected(l, dv->sha))
		return DSTEP_DONE;
	name = tree_delta_name(f->hashed, dv->sha);
	st = delta_known(p, f, name, dv->sha, &f->hash.fact.dcz[f->hash.fact.ndcz]);
	free(name);
	if (st == DSTEP_DONE)
		f->hash.fact.ndcz++;
	if (st != DSTEP_ABSENT)
		return st;
	if (!have_dict && (st = load_out(p, f, dv->name, &b->dict)) != DSTEP_DONE)
		return st;
	if (!b->have_cur) {
		/* This run's own hashed file: gone is an error too. */
		if ((st = load_out(p, f, f->hashed, &b->cur)) == DSTEP_GONE) {
			cfile_fail(f, "cannot read %s/%s: %s", p->r->root, f->hashed,
				   strerror(ENOENT));
			st = DSTEP_FAILED;
		}
		if (st != DSTEP_DONE)
			return st;
		b->have_cur = 1;
	}
	return make_delta(p, f, l, &b->cur, &b->dict, dv->sha, dv->name) < 0 ?
	       DSTEP_FAILED : DSTEP_DONE;
}

/* The deltas of file i against the previous versions its line lists; the
 * first failure fails the file (fileset_report() then fails the run). */
static void delta_one(size_t i, unsigned tid, void *ctx)
{
	struct dpass *p = ctx;
	struct cfile *f = &p->r->fs.v[i];
	struct dict_line *l = p->line[i] ? &p->h->v[p->line[i] - 1] : NULL;
	struct dbytes b = { STRBUF_INIT, STRBUF_INIT, 0 };
	unsigned k = (unsigned)p->r->o->dictionary_versions;

	f->hash.fact.ndcz = 0;
	for (size_t j = 1; l && j < l->n && f->hash.fact.ndcz < k; j++)
		if (delta_version(p, f, l, &l->v[j], &b) == DSTEP_FAILED)
			break;
	tree_fact_sort_deltas(&f->hash.fact);
	strbuf_release(&b.cur);
	strbuf_release(&b.dict);
}

/* Whether name is a regular file (a previous version still there). */
static int out_exists(const struct run *r, const char *name)
{
	char *path = xstrcat3(r->out, "/", name);
	struct stat st;
	int ok = lstat(path, &st) == 0 && S_ISREG(st.st_mode);

	free(path);
	return ok;
}

/* This run's history: the current hashed name first, then the earlier
 * versions of the old line still in the output, K of them at most. */
static void history_update(struct run *r, const struct dict_history *old,
			   struct dict_history *h, size_t *line)
{
	size_t k = (size_t)r->o->dictionary_versions;

	for (size_t i = 0; i < r->fs.n; i++) {
		struct cfile *f = &r->fs.v[i];
		const struct dict_line *ol = dict_history_find(old, f->name);
		struct dict_line *l;

		if (!f->hashed || (f->flags & CF_FAILED) || !strcmp(f->hashed, f->name) ||
		    !tree_dictionary_dest(f->type))
			continue;
		l = dict_history_add(h, f->name);  /* moves earlier lines: keep indices */
		line[i] = h->n;
		l->v[0].name = xstrdup(f->hashed);
		l->n = 1;
		if (ol && ol->n && !strcmp(ol->v[0].name, f->hashed)) {
			l->v[0].has_sha = ol->v[0].has_sha;
			memcpy(l->v[0].sha, ol->v[0].sha, TREE_SHA256_LEN);
			l->nrejected = ol->nrejected;
			memcpy(l->rejected, ol->rejected, sizeof(l->rejected));
		}
		/* --clear deletes every earlier version after the commit. */
		for (size_t j = 0; ol && !r->o->clear && j < ol->n && l->n < 1 + k; j++) {
			if (!strcmp(ol->v[j].name, f->hashed) || !out_exists(r, ol->v[j].name))
				continue;
			l->v[l->n] = ol->v[j];
			l->v[l->n++].name = xstrdup(ol->v[j].name);
		}
	}
}

/* Appends to r->stale_deltas the hashed names of old whose deltas are
 * no longer listed: every version of a line that is not its current one
 * (a version that stopped being current keeps none), and every version of
 * a logical name this run did not collect. */
static void note_stale(struct run *r, const struct dict_history *old,
		       const struct dict_history *h)
{
	for (size_t i = 0; i < old->n; i++) {
		const struct dict_line *ol = &old->v[i];
		const struct dict_line *l = dict_history_find(h, ol->logical);

		for (size_t j = 0; j < ol->n; j++)
			if (!l || strcmp(ol->v[j].name, l->v[0].name))
				strlist_add(&r->stale_deltas, ol->v[j].name);
	}
}

/* Removes root/NAME.<16 hex>.dcz for NAME in r->stale_deltas.  0, or -1
 * after printing why: a stale delta left in the new generation would
 * never be removed (the history that named it is gone with this run). */
static int prune_stale(struct run *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->stale_deltas.n; i++) {
		struct strbuf pat = STRBUF_INIT;
		char *path = xstrcat3(r->out, "/", r->stale_deltas.v[i]);
		glob_t g;

		/* the name is literal: escape glob's own characters */
		for (const char *c = path; *c; c++) {
			if (strchr("*?[\\", *c))
				strbuf_addch(&pat, '\\');
			strbuf_addch(&pat, *c);
		}
		strbuf_addstr(&pat, ".????????????????" TREE_DCZ_SUFFIX);
		if (glob(pat.buf, GLOB_NOSORT, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++)
				if (tree_is_delta_name(g.gl_pathv[k]) && unlink(g.gl_pathv[k]) != 0 &&
				    errno != ENOENT)
					rc = log_error("cannot remove stale %s: %s", g.gl_pathv[k],
						       strerror(errno));
			globfree(&g);
		}
		strbuf_release(&pat);
		free(path);
	}
	return rc;
}

/* libcrypto 3 sets itself up on first use, and an allocation failing
 * there leaves it half set up: the next digest crashes on a NULL lock.
 * Done once here, checked, before any worker hashes.  0, or -1 after
 * printing why. */
static int crypto_ready(void)
{
	unsigned char sha[TREE_SHA256_LEN];

	if (!OPENSSL_init_crypto(0, NULL) || delta_sha256("", 0, sha) < 0)
		return log_error("cannot set up libcrypto's SHA-256 for the dcz deltas "
				 "(out of memory?)");
	return 0;
}

int delta_files(struct run *r)
{
	struct dict_history old, *h = &r->history;
	struct dpass p = { .r = r, .h = h };

	if (r->o->no_post_process || r->o->dry_run || r->o->dictionary_versions <= 0)
		return 0;
	if (crypto_ready() < 0 || dict_history_load(&old, r->root) < 0)
		return -1;
	p.line = xcalloc(r->fs.n + 1, sizeof(*p.line));
	history_update(r, &old, h, p.line);
	note_stale(r, &old, h);
	dict_history_release(&old);
	workq_run(r->fs.n, r->nthreads, delta_one, &p);
	free(p.line);
	if (atomic_load(&p.made))
		atomic_store(&r->dirty, 1);
	r->history_made = 1;
	return fileset_report(&r->fs) ? -1 : 0;
}

int delta_commit(struct run *r)
{
	if (!r->history_made)
		return 0;
	/* After the commit: the index that listed them is gone. */
	if (prune_stale(r) < 0)
		return -1;
	/* Inside the generation, before the switch: a history that cannot be
	 * written fails the run with the previous generation live (its error
	 * line must never come with the new one live). */
	return dict_history_write(&r->history, r->out) < 0 ? -1 : 0;
}

/* rewrite.c: phase 4: final contents and hashes in dependency order; cycles share a hash. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "options.h"
#include "prepare.h"
#include "resolve.h"
#include "rewrite.h"
#include "run.h"
#include "strbuf.h"
#include "xalloc.h"

#define REWRITE_MAX ((size_t)1 << 31)

/* Hash of the names and hashed names f's rewrite depends on. */
static uint64_t dep_signature(const struct run *r, const struct cfile *f)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h;

	for (size_t i = 0; i < f->ndeps; i++) {
		const struct cfile *d = &r->fs.v[f->deps[i]];

		strbuf_add(&sb, d->name, strlen(d->name) + 1);
		strbuf_add(&sb, d->hashed, strlen(d->hashed) + 1);
	}
	h = hash_bytes(sb.buf, sb.len);
	strbuf_release(&sb);
	return h;
}

/* f->final = f->data with every resolved reference pointing at its
 * target's current ->hashed name. */
static int rewrite(struct run *r, struct cfile *f)
{
	struct strbuf out;
	size_t pos = 0;

	strbuf_init(&out, REWRITE_MAX);
	for (size_t i = 0; i < f->nrrefs; i++) {
		const struct rref *rr = &f->rrefs[i];

		if (strbuf_add(&out, f->data + pos, rr->off - pos) < 0)
			goto big;
		refs_rewrite(f->data + rr->off, rr->len, rr->suffix_off,
			     r->fs.v[rr->target].hashed, &out);
		pos = rr->off + rr->len;
	}
	if (strbuf_add(&out, f->data + pos, f->len - pos) < 0)
		goto big;
	free(f->final);
	f->final = strbuf_detach(&out, &f->final_len);
	f->flags |= CF_LENKNOWN;
	return 0;
big:
	strbuf_release(&out);
	cfile_fail(f, "%s: rewritten file too large", cfile_label(f));
	return -1;
}

/* Makes f's bytes and references available (for a file taken from the cache). */
static int ensure_scanned(struct run *r, struct cfile *f)
{
	if (cfile_load(f) < 0)
		return -1;
	if (!f->scanned && resolve_refs(r, f) < 0)
		return -1;
	return 0;
}

static void set_hashed(struct cfile *f, uint64_t h)
{
	free(f->hashed);
	f->final_hash = h;
	f->hashed = hash_name(f->name, h);
	f->flags |= CF_FINAL;
}

/* One file outside any cycle; its dependencies are final already. */
static int finish_single(struct run *r, struct cfile *f)
{
	const struct cache_rw *rw = f->cached_rw;

	if (!f->ndeps) {
		set_hashed(f, f->src_hash);
		return 0;
	}
	f->dep_sig = dep_signature(r, f);
	if (rw && rw->dep_sig == f->dep_sig) {
		set_hashed(f, rw->final_hash);
		return 0;
	}
	atomic_store(&r->dirty, 1);
	if (ensure_scanned(r, f) < 0 || rewrite(r, f) < 0)
		return -1;
	set_hashed(f, hash_bytes(f->final, f->final_len));
	/* The writer rewrites again (cheap) rather than keep every file. */
	free(f->final);
	f->final = NULL;
	cfile_unload(f);
	return 0;
}

/* The members of one cycle (m[0..n), sorted by name) get one hash: that of
 * their contents rewritten with a placeholder for each other's names. */
static int finish_cycle(struct run *r, size_t *m, size_t n)
{
	struct strbuf all = STRBUF_INIT, names = STRBUF_INIT;
	char hex[HASH_HEX_LEN + 1];
	uint64_t h;
	int rc = 0;

	atomic_store(&r->dirty, 1);
	for (size_t i = 0; i < n; i++) {
		struct cfile *f = &r->fs.v[m[i]];

		if (ensure_scanned(r, f) < 0)
			rc = -1;
		set_hashed(f, 0);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		struct cfile *f = &r->fs.v[m[i]];

		if (rewrite(r, f) < 0)
			rc = -1;
		else if (strbuf_add(&all, f->name, strlen(f->name) + 1) < 0 ||
			 strbuf_add(&all, f->final, f->final_len) < 0)
			rc = -1;
	}
	if (rc)
		goto out;
	h = hash_bytes(all.buf, all.len);
	for (size_t i = 0; i < n; i++)
		set_hashed(&r->fs.v[m[i]], h);
	for (size_t i = 0; i < n; i++) {
		struct cfile *f = &r->fs.v[m[i]];

		if (rewrite(r, f) < 0)
			rc = -1;
		strbuf_addf(&names, "%s'%s'", i ? ", " : "", f->name);
		f->flags |= CF_UNSURE;  /* never cached: recomputed as a whole */
	}
	hash_hex(h, hex);
	log_info(1, "Reference cycle between %s: they share the hash %.*s.", names.buf,
		 HASH_NAME_LEN, hex);
out:
	strbuf_release(&all);
	strbuf_release(&names);
	return rc;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Walks the components in dependency order. */
static void finish_all(struct run *r, const size_t *comp, size_t *order)
{
	size_t n = r->fs.n;

	for (size_t i = 0, j; i < n; i = j) {
		struct cfile *f = &r->fs.v[order[i]];

		for (j = i + 1; j < n && comp[order[j]] == comp[order[i]]; j++)
			;
		if (j - i == 1 && !(f->flags & CF_SELFREF)) {
			finish_single(r, f);
			continue;
		}
		qsort(order + i, j - i, sizeof(*order), cmp_size);
		finish_cycle(r, order + i, j - i);
	}
}

/* A source file named like another file's hashed name gets two contents
 * under one output name unless their bytes agree. */
static void check_clashes(struct run *r)
{
	for (size_t i = 0; i < r->fs.n; i++) {
		struct cfile *f = &r->fs.v[i];
		size_t j = f->hashed ? fileset_find(&r->fs, f->hashed) : (size_t)-1;

		if (j == (size_t)-1 || j == i || r->fs.v[j].src_hash == f->final_hash)
			continue;
		cfile_fail(&r->fs.v[j], "%s: a source file of that name, with other bytes, "
			   "stands where the hashed name of %s goes (remove it, or "
			   "leave it out with -i)", r->fs.v[j].name, f->name);
	}
}

int rewrite_files(struct run *r)
{
	size_t n = r->fs.n;
	const size_t **edges = xcalloc(n + 1, sizeof(*edges));
	size_t *nedges = xcalloc(n + 1, sizeof(*nedges));
	size_t *comp = xcalloc(n + 1, sizeof(*comp));
	size_t *order = xcalloc(n + 1, sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		edges[i] = r->fs.v[i].deps;
		nedges[i] = r->fs.v[i].ndeps;
	}
	refs_graph_order(n, edges, nedges, comp, order);
	finish_all(r, comp, order);
	check_clashes(r);
	free(edges);
	free(nedges);
	free(comp);
	free(order);
	return fileset_report(&r->fs) ? -1 : 0;
}

int cfile_final(struct run *r, struct cfile *f)
{
	uint64_t h;

	if (!f->ndeps || f->final)
		return cfile_load(f);
	if (ensure_scanned(r, f) < 0 || rewrite(r, f) < 0)
		return -1;
	h = hash_bytes(f->final, f->final_len);
	if (h != f->final_hash) {
		cfile_fail(f, "%s: cached rewrite is stale; rerun with the cache removed",
			   cfile_label(f));
		return -1;
	}
	return 0;
}

/* prune_bucket.c: --prune in the bucket: one listing, the kept manifests, DELETEs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "manifest.h"
#include "manifest_history.h"
#include "options.h"
#include "prune.h"
#include "prune_keep.h"
#include "s3_client.h"
#include "s3_list.h"
#include "strbuf.h"
#include "upload.h"
#include "xalloc.h"

#define MANIFEST_MAX ((size_t)1 << 30)

struct bucket {
	const struct options *o;
	struct s3_client c;
	char *name, *prefix;
	struct s3_listing list;
	struct history h;
	unsigned char *flags;
	struct keepset keep;
	struct prune_count count;
};

/* GETs the live manifest and every kept history entry into the keep set. */
static int read_kept(struct bucket *b)
{
	struct s3_req **reqs = xcalloc(b->h.n + 1, sizeof(*reqs));
	size_t n = 0;
	int rc;

	reqs[n++] = s3_req_new(S3_GET, NULL);
	reqs[0]->key = xstrcat3(b->prefix, MANIFEST_NAME, "");
	for (size_t i = 0; i < b->h.n; i++) {
		struct strbuf k = STRBUF_INIT;

		if (!b->flags[i])
			continue;
		strbuf_addf(&k, "%s%s%s", b->prefix, HISTORY_BUCKET_DIR, b->h.v[i].name);
		reqs[n] = s3_req_new(S3_GET, k.buf);
		reqs[n]->ok = S3_OK_404;
		n++;
		strbuf_release(&k);
	}
	for (size_t i = 0; i < n; i++)
		reqs[i]->resp_max = MANIFEST_MAX;
	rc = s3_client_run(&b->c, reqs, n, NULL, NULL);
	for (size_t i = 0; i < n && !rc; i++) {
		if (reqs[i]->status == 404)
			continue;
		if (keep_manifest(&b->keep, reqs[i]->resp.buf, reqs[i]->resp.len) < 0) {
			if (i == 0) {
				rc = log_error("s3://%s/%s is not a manifest: nothing pruned", b->name,
					       reqs[0]->key);
				break;
			}
			log_warn("s3://%s/%s is not a manifest: its names are not kept", b->name,
				 reqs[i]->key);
		}
	}
	for (size_t i = 0; i < n; i++)
		s3_req_free(reqs[i]);
	free(reqs);
	return rc;
}

/* The DELETEs: unneeded hashed objects, then unneeded history entries. */
static int delete_unneeded(struct bucket *b, time_t cutoff)
{
	struct s3_req **reqs = xcalloc(b->list.n + 1, sizeof(*reqs));
	size_t n = 0, plen = strlen(b->prefix);
	unsigned char *kept_hist = xcalloc(b->list.n + 1, 1);
	int rc;

	for (size_t i = 0; i < b->h.n; i++) {
		struct strbuf k = STRBUF_INIT;
		const struct s3_object *lo;

		strbuf_addf(&k, "%s%s%s", b->prefix, HISTORY_BUCKET_DIR, b->h.v[i].name);
		lo = s3_listing_find(&b->list, k.buf);
		if (lo && b->flags[i])
			kept_hist[lo - b->list.v] = 1;
		strbuf_release(&k);
	}
	for (size_t i = 0; i < b->list.n; i++) {
		const struct s3_object *lo = &b->list.v[i];
		const char *rel = lo->key + plen;
		size_t base;
		int history = !strncmp(rel, HISTORY_BUCKET_DIR, strlen(HISTORY_BUCKET_DIR));

		if (history ? kept_hist[i] || lo->mtime > cutoff :
		    !strncmp(rel, ".staticroot/", 12) || !prune_hashed_base(rel, &base) ||
		    keep_has_output(&b->keep, rel, base) || lo->mtime > cutoff)
			continue;
		if (!history) {
			b->count.files++;
			b->count.bytes += lo->size;
		}
		if (b->o->dry_run) {
			if (!history)
				log_info(1, "Would prune 's3://%s/%s'", b->name, lo->key);
			continue;
		}
		reqs[n++] = s3_req_new(S3_DELETE, lo->key);
		reqs[n - 1]->ok = S3_OK_404;
		log_info(2, "Pruned 's3://%s/%s'", b->name, lo->key);
	}
	rc = s3_client_run(&b->c, reqs, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		s3_req_free(reqs[i]);
	free(reqs);
	free(kept_hist);
	return rc;
}

int prune_bucket(const struct options *o)
{
	struct bucket b = { .o = o };
	struct strbuf hist = STRBUF_INIT, where = STRBUF_INIT;
	time_t now = time(NULL);
	int rc = -1;

	if (upload_client(o, &b.c, &b.name, &b.prefix) < 0 ||
	    s3_list(&b.c, b.prefix, &b.list) < 0)
		goto out;
	strbuf_addf(&hist, "%s%s", b.prefix, HISTORY_BUCKET_DIR);
	for (size_t i = 0; i < b.list.n; i++)
		if (!strncmp(b.list.v[i].key, hist.buf, hist.len))
			history_add_name(&b.h, b.list.v[i].key + hist.len);
	history_sort(&b.h);
	b.flags = xcalloc(b.h.n + 1, 1);
	history_select(&b.h, (size_t)o->keep, now, o->prune_grace, b.flags);
	b.count.generations = b.h.n;
	for (size_t i = 0; i < b.h.n; i++)
		b.count.kept_generations += b.flags[i];
	if (!s3_listing_find(&b.list, (strbuf_addf(&where, "%s%s", b.prefix, MANIFEST_NAME),
				       where.buf))) {
		rc = log_error("nothing to prune in s3://%s/%s: it has no %s", b.name, b.prefix,
			       MANIFEST_NAME);
		goto out;
	}
	if (read_kept(&b) < 0)
		goto out;
	keep_sort(&b.keep);
	if (delete_unneeded(&b, now - o->prune_grace) < 0)
		goto out;
	strbuf_reset(&where);
	strbuf_addf(&where, "s3://%s/%s", b.name, b.prefix);
	prune_summary(o, where.buf, &b.count);
	rc = 0;
out:
	s3_client_release(&b.c);
	free(b.name);
	free(b.prefix);
	s3_listing_release(&b.list);
	history_release(&b.h);
	free(b.flags);
	keep_release(&b.keep);
	strbuf_release(&hist);
	strbuf_release(&where);
	return rc;
}

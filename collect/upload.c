/* upload.c: a collected tree into an S3 bucket: one listing, missing objects, manifest last. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "manifest_history.h"
#include "mime.h"
#include "options.h"
#include "run.h"
#include "s3_client.h"
#include "s3_list.h"
#include "strbuf.h"
#include "tree_index.h"
#include "upload.h"
#include "upload_multipart.h"
#include "upload_state.h"
#include "xalloc.h"

#define MANIFEST_MAX ((size_t)1 << 30)

/* One object to publish: a file of the tree or one of its variants. */
struct object {
	char *key;        /* full key (prefix + path); owned */
	char *path;       /* local file; owned */
	uint64_t hash, size, headers;
	const char *type, *cc, *ce; /* borrowed from the index / options */
	int content_addressed;      /* a hashed name: present means done */
	int need;
	char etag[80];
};

struct upload {
	const struct options *o;
	struct s3_client c;
	char *bucket, *prefix;
	struct manifest m;
	struct tree_index ti;
	struct strbuf manifest_bytes;
	struct object *obj;
	size_t nobj;
	struct s3_listing list;
	struct upload_state old_state;
	struct strbuf old_state_text; /* its bytes, as the bucket has them */
	struct strbuf old_manifest; /* the bucket's staticfiles.json, when listed */
	int have_old_manifest;
	size_t puts, bytes, done;
};

int upload_parse_target(const char *url, char **bucket, char **prefix)
{
	const char *b, *slash;
	struct strbuf p = STRBUF_INIT;

	*bucket = *prefix = NULL;
	if (strncmp(url, "s3://", 5) || !url[5] || url[5] == '/')
		return log_error("--upload '%s': expected s3://BUCKET[/PREFIX]", url);
	b = url + 5;
	slash = strchr(b, '/');
	*bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	/* Empty segments and dots would name other keys than the user thinks. */
	for (const char *s = slash; s && *s; ) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchrnul(s, '/');
		if ((e - s == 1 && s[0] == '.') || (e - s == 2 && !strncmp(s, "..", 2))) {
			strbuf_release(&p);
			free(*bucket);
			*bucket = NULL;
			return log_error("--upload '%s': '.' and '..' are not allowed in the prefix", url);
		}
		strbuf_add(&p, s, (size_t)(e - s));
		strbuf_addch(&p, '/');
		s = e;
	}
	*prefix = strbuf_detach(&p, NULL);
	return 0;
}

static enum s3_addressing addressing(const struct options *o)
{
	if (o->s3_addressing && !strcmp(o->s3_addressing, "path"))
		return S3_ADDR_PATH;
	if (o->s3_addressing && !strcmp(o->s3_addressing, "virtual"))
		return S3_ADDR_VIRTUAL;
	return S3_ADDR_AUTO;
}

int upload_client(const struct options *o, struct s3_client *c, char **bucket,
		  char **prefix)
{
	memset(c, 0, sizeof(*c));
	if (upload_parse_target(o->upload, bucket, prefix) < 0)
		return -1;
	return s3_client_init(c, *bucket, o->s3_endpoint, addressing(o), o->upload_jobs);
}

int upload_check(const struct options *o)
{
	struct s3_client c;
	char *bucket = NULL, *prefix = NULL;
	int rc = upload_client(o, &c, &bucket, &prefix);

	s3_client_release(&c);
	free(bucket);
	free(prefix);
	return rc;
}

/* Headers that, when they change, make an object worth uploading again. */
static uint64_t headers_hash(const char *type, const char *cc, const char *ce)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h;

	strbuf_addf(&sb, "%s|%s|%s", type, cc, ce ? ce : "");
	h = hash_bytes(sb.buf, sb.len);
	strbuf_release(&sb);
	return h;
}

static void add_object(struct upload *u, const char *rel, uint64_t hash, uint64_t size,
		       const char *type, const char *cc, const char *ce, int addressed)
{
	struct object *ob;

	u->obj = xrealloc(u->obj, (u->nobj + 1) * sizeof(*u->obj));
	ob = &u->obj[u->nobj++];
	memset(ob, 0, sizeof(*ob));
	ob->key = xstrcat3(u->prefix, rel, "");
	ob->path = xstrcat3(u->o->output, "/", rel);
	ob->hash = hash;
	ob->size = size;
	ob->type = type;
	ob->cc = cc;
	ob->ce = ce;
	ob->content_addressed = addressed;
	ob->headers = headers_hash(type, cc, ce);
}

/* The tree's facts: its index when it belongs to its manifest, else a scan. */
static int load_tree(struct upload *u)
{
	const char *root = u->o->output;
	struct strbuf path = STRBUF_INIT;
	uint64_t mh = 0;
	int rc;

	strbuf_init(&u->manifest_bytes, MANIFEST_MAX);
	strbuf_addf(&path, "%s/%s", root, MANIFEST_NAME);
	rc = strbuf_read_file(&u->manifest_bytes, path.buf);
	strbuf_release(&path);
	if (rc < 0 && rc != -ENOENT)
		return log_error("cannot read %s/%s: %s", root, MANIFEST_NAME, strerror(-rc));
	if (rc >= 0) {
		mh = hash_bytes(u->manifest_bytes.buf, u->manifest_bytes.len);
		if (manifest_load(root, &u->m) < 0)
			return -1;
	}
	if (tree_index_matches(root, mh) && tree_index_load(root, &u->ti) == 0)
		return 0;
	tree_index_release(&u->ti);
	if (access(root, F_OK) != 0)
		return log_error("cannot upload %s: %s", root, strerror(errno));
	return tree_index_scan(root, &u->m, 0, &u->ti);
}

static void build_objects(struct upload *u)
{
	const char *mutable_cc = u->o->upload_cache_control ? u->o->upload_cache_control :
				 UPLOAD_CC_DEFAULT;

	for (size_t i = 0; i < u->ti.n; i++) {
		const struct file_fact *f = &u->ti.v[i];
		int imm = !!(f->flags & FACT_IMMUTABLE);
		const char *cc = imm ? UPLOAD_CC_IMMUTABLE : mutable_cc;

		if (!strcmp(f->path, MANIFEST_NAME))
			continue;
		add_object(u, f->path, f->hash, f->size, f->type, cc, NULL, imm);
		for (int e = 0; e < ENC_COUNT; e++) {
			struct strbuf rel = STRBUF_INIT;

			if (!f->enc[e].present)
				continue;
			strbuf_addf(&rel, "%s%s", f->path, tree_enc_suffix[e]);
			/* A source of its own under that name (htmx.min.js.gz):
			 * its object is the plain file, as serve answers it. */
			if (tree_index_find(&u->ti, rel.buf)) {
				strbuf_release(&rel);
				continue;
			}
			/* A variant's bytes depend on the compressor's settings,
			 * not only on its name: checked by hash, never assumed. */
			add_object(u, rel.buf, f->enc[e].hash, f->enc[e].size, f->type, cc,
				   tree_enc_token[e], 0);
			strbuf_release(&rel);
		}
	}
}

/* Decides, from the listing and the state object, what needs a PUT. */
static size_t decide(struct upload *u)
{
	size_t need = 0, plen = strlen(u->prefix);

	for (size_t i = 0; i < u->nobj; i++) {
		struct object *ob = &u->obj[i];
		const struct s3_object *lo = s3_listing_find(&u->list, ob->key);
		const struct state_entry *se = upload_state_find(&u->old_state, ob->key + plen);

		if (lo)
			snprintf(ob->etag, sizeof(ob->etag), "%s", lo->etag);
		if (ob->content_addressed)
			ob->need = !lo;
		else
			ob->need = !lo || !se || se->hash != ob->hash ||
				   se->headers != ob->headers || strcmp(se->etag, lo->etag) ||
				   lo->size != ob->size;
		need += ob->need;
	}
	return need;
}

static void put_done(struct s3_req *r, void *ctx)
{
	struct upload *u = ctx;
	struct object *ob = r->user;

	if (ob) {
		snprintf(ob->etag, sizeof(ob->etag), "%s", r->etag);
		u->bytes += ob->size;
		log_info(2, "Uploaded '%s'", ob->key);
	}
	u->done++;
}

/* A request carrying ob's headers and hash (a PUT, or a multipart start). */
static struct s3_req *object_req(struct object *ob, enum s3_method method)
{
	struct s3_req *r = s3_req_new(method, ob->key);
	char hex[HASH_HEX_LEN + 1];

	r->content_type = ob->type;
	r->cache_control = ob->cc;
	r->content_encoding = ob->ce;
	hash_hex(ob->hash, hex);
	r->meta_hash = xstrdup(hex);
	r->user = ob;
	return r;
}

/* PUTs the needed objects with content_addressed == addressed, those of
 * UPLOAD_MULTIPART_MIN bytes or more in parts. */
static int put_objects(struct upload *u, int addressed)
{
	struct s3_req **reqs = xcalloc(u->nobj ? u->nobj : 1, sizeof(*reqs));
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < u->nobj; i++) {
		struct object *ob = &u->obj[i];
		struct s3_req *r;

		if (!ob->need || ob->content_addressed != addressed ||
		    ob->size >= UPLOAD_MULTIPART_MIN)
			continue;
		r = object_req(ob, S3_PUT);
		r->body_file = xstrdup(ob->path);
		r->want_hash = ob->hash;
		r->create_only = addressed;
		r->ok = addressed ? S3_OK_412 : 0;
		reqs[n++] = r;
	}
	rc = s3_client_run(&u->c, reqs, n, put_done, u);
	u->puts += n;
	for (size_t i = 0; i < n; i++)
		s3_req_free(reqs[i]);
	free(reqs);
	for (size_t i = 0; i < u->nobj && !rc; i++) {
		struct object *ob = &u->obj[i];

		if (!ob->need || ob->content_addressed != addressed ||
		    ob->size < UPLOAD_MULTIPART_MIN)
			continue;
		rc = upload_multipart(&u->c, ob->key, ob->path, ob->size, ob->hash,
				      object_req(ob, S3_POST), ob->etag, sizeof(ob->etag), &u->puts);
		if (!rc) {
			u->bytes += ob->size;
			u->done++;
			log_info(2, "Uploaded '%s' (in parts)", ob->key);
		}
	}
	return rc;
}

/*
 * GETs of the bucket's state object and manifest, to run beside the
 * listing's first round (a 404 is an answer: a new bucket has neither).
 * Fills reqs (room for 2); returns how many.
 */
static size_t old_reqs(struct upload *u, struct s3_req **reqs)
{
	size_t n = 0;

	reqs[n++] = s3_req_new(S3_GET, NULL);
	reqs[0]->key = xstrcat3(u->prefix, UPLOAD_STATE_KEY, "");
	if (u->manifest_bytes.len) {
		reqs[n++] = s3_req_new(S3_GET, NULL);
		reqs[1]->key = xstrcat3(u->prefix, MANIFEST_NAME, "");
	}
	for (size_t i = 0; i < n; i++) {
		reqs[i]->ok = S3_OK_404;
		reqs[i]->resp_max = MANIFEST_MAX;
	}
	return n;
}

/* Keeps what old_reqs() fetched; frees them. */
static void take_old(struct upload *u, struct s3_req **reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct s3_req *r = reqs[i];

		if (r->done && r->status != 404 && i == 1) {
			strbuf_add(&u->old_manifest, r->resp.buf, r->resp.len);
			u->have_old_manifest = 1;
		} else if (r->done && r->status != 404) {
			strbuf_add(&u->old_state_text, r->resp.buf, r->resp.len);
			if (upload_state_parse(r->resp.buf, r->resp.len, &u->old_state) < 0)
				log_warn("s3://%s/%s is not a state object collect wrote: "
					 "uploading every unhashed name again", u->bucket, r->key);
		}
		s3_req_free(r);
	}
}

/* PUTs one small object from memory; skipped when equal to old. */
static int put_bytes(struct upload *u, const char *rel, const struct strbuf *bytes,
		     const char *type, const char *cc)
{
	struct s3_req *r = s3_req_new(S3_PUT, NULL);
	char hex[HASH_HEX_LEN + 1];
	int rc;

	r->key = xstrcat3(u->prefix, rel, "");
	strbuf_add(&r->body, bytes->buf, bytes->len);
	r->content_type = type;
	r->cache_control = cc;
	hash_hex(hash_bytes(bytes->buf, bytes->len), hex);
	r->meta_hash = xstrdup(hex);
	rc = s3_client_run(&u->c, &r, 1, NULL, NULL);
	if (!rc)
		log_info(2, "Uploaded '%s'", r->key);
	u->puts++;
	s3_req_free(r);
	return rc;
}

/* The state this run leaves: every object, with the ETag now in the bucket. */
static int put_state(struct upload *u)
{
	struct upload_state st;
	struct strbuf text = STRBUF_INIT;
	size_t plen = strlen(u->prefix);
	int rc = 0;

	upload_state_init(&st);
	for (size_t i = 0; i < u->nobj; i++)
		if (!u->obj[i].content_addressed)
			upload_state_add(&st, u->obj[i].key + plen, u->obj[i].etag,
					 u->obj[i].hash, u->obj[i].headers);
	upload_state_sort(&st);
	/* The state describes the bucket, not this tree: what an older tree
	 * left there (old hashed names' variants a fresh collect does not
	 * have) stays recorded while the bucket still holds it unchanged. */
	for (size_t i = 0, ours = st.n; i < u->old_state.n; i++) {
		const struct state_entry *e = &u->old_state.v[i];
		char *key = xstrcat3(u->prefix, e->key, "");
		const struct s3_object *lo = s3_listing_find(&u->list, key);
		struct upload_state mine = { .v = st.v, .n = ours }; /* the sorted part */

		if (lo && !strcmp(lo->etag, e->etag) && !upload_state_find(&mine, e->key))
			upload_state_add(&st, e->key, e->etag, e->hash, e->headers);
		free(key);
	}
	upload_state_sort(&st);
	upload_state_serialize(&st, &text);
	if (text.len != u->old_state_text.len ||
	    memcmp(text.buf, u->old_state_text.buf, text.len))
		rc = put_bytes(u, UPLOAD_STATE_KEY, &text, "application/json", "no-cache");
	upload_state_release(&st);
	strbuf_release(&text);
	return rc;
}

/*
 * The bucket's copy of this manifest in its history (for --prune), under
 * the name the local history gave it, or a new one for a tree without.
 */
static int put_history(struct upload *u)
{
	uint64_t h = hash_bytes(u->manifest_bytes.buf, u->manifest_bytes.len);
	struct history local;
	struct strbuf rel = STRBUF_INIT;
	struct timespec ts;
	char *name = NULL, *key;
	int rc = 0;

	if (history_load_local(u->o->output, &local) == 0 && local.n &&
	    local.v[local.n - 1].hash == h)
		name = xstrdup(local.v[local.n - 1].name);
	history_release(&local);
	if (!name) {
		clock_gettime(CLOCK_REALTIME, &ts);
		name = history_entry_name(h, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	}
	strbuf_addf(&rel, "%s%s", HISTORY_BUCKET_DIR, name);
	key = xstrcat3(u->prefix, rel.buf, "");
	if (!s3_listing_find(&u->list, key))
		rc = put_bytes(u, rel.buf, &u->manifest_bytes, "application/json", "no-cache");
	free(key);
	free(name);
	strbuf_release(&rel);
	return rc;
}

static int put_manifest(struct upload *u)
{
	const char *cc = u->o->upload_cache_control ? u->o->upload_cache_control :
			 UPLOAD_CC_DEFAULT;
	const char *type = mime_from_path(MANIFEST_NAME);

	if (!u->manifest_bytes.len)
		return 0;
	if (u->have_old_manifest && u->old_manifest.len == u->manifest_bytes.len &&
	    !memcmp(u->old_manifest.buf, u->manifest_bytes.buf, u->manifest_bytes.len))
		return 0;
	if (put_history(u) < 0)
		return -1;
	return put_bytes(u, MANIFEST_NAME, &u->manifest_bytes, type ? type : "application/json", cc);
}

static void dry_run_report(struct upload *u)
{
	for (size_t i = 0; i < u->nobj; i++)
		if (u->obj[i].need)
			log_info(1, "Pretending to upload '%s'", u->obj[i].key);
}

static void upload_release(struct upload *u)
{
	s3_client_release(&u->c);
	free(u->bucket);
	free(u->prefix);
	manifest_release(&u->m);
	tree_index_release(&u->ti);
	strbuf_release(&u->manifest_bytes);
	for (size_t i = 0; i < u->nobj; i++) {
		free(u->obj[i].key);
		free(u->obj[i].path);
	}
	free(u->obj);
	s3_listing_release(&u->list);
	upload_state_release(&u->old_state);
	strbuf_release(&u->old_state_text);
	strbuf_release(&u->old_manifest);
}

/*
 * A shared lock on the output, so a collect cannot rewrite the tree while
 * it is being read (collect takes it exclusively).  The fd, or -1.
 */
static int lock_tree(const char *root)
{
	char *p = xstrcat3(root, "/", LOCK_NAME);
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	free(p);
	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0) {
		close(fd);
		return log_error("%s is in use by a collect: upload after it ends", root);
	}
	return fd >= 0 ? fd : -2;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The bucket's listing, in ranges of about s3_list_range_keys() of the keys
 * this tree has (see s3_list_split()): one round of parallel pages when
 * the bucket holds about what the tree holds, instead of one round trip
 * per 1000 keys; the state object and the manifest come in that round.
 */
static int list_bucket(struct upload *u)
{
	const char **keys = xcalloc(u->nobj ? u->nobj : 1, sizeof(*keys));
	size_t step = s3_list_range_keys();
	const char **bounds = xcalloc(u->nobj / step + 1, sizeof(*bounds));
	struct s3_req *old[2];
	size_t nb = 0, nold = old_reqs(u, old);
	int rc;

	for (size_t i = 0; i < u->nobj; i++)
		keys[i] = u->obj[i].key;
	qsort(keys, u->nobj, sizeof(*keys), key_cmp);
	for (size_t i = step; i < u->nobj; i += step)
		bounds[nb++] = keys[i];
	rc = s3_list_split(&u->c, u->prefix, bounds, nb, old, nold, &u->list);
	take_old(u, old, nold);
	free(keys);
	free(bounds);
	return rc;
}

static double secs_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* t0: when the upload began (its figures count reading the tree's index). */
static int publish(struct upload *u, const struct timespec *t0)
{
	double listed;
	size_t need;

	if (list_bucket(u) < 0)
		return -1;
	listed = secs_since(t0);
	need = decide(u);
	if (u->o->dry_run) {
		dry_run_report(u);
		return 0;
	}
	/* Hashed names first: whatever names them may then go up. */
	if (put_objects(u, 1) < 0 || put_objects(u, 0) < 0)
		return -1;
	if (put_state(u) < 0 || put_manifest(u) < 0)
		return -1;
	/* The times are the upload's alone (the bench reads them): up to
	 * the end of the listing with the state and manifest GETs, then all. */
	log_info(1, "%zu object%s uploaded (%zu bytes), %zu unchanged, to s3://%s/%s "
		 "(%zu listing request%s, %zu PUT%s) in %.2f s (listing %.2f s).", need,
		 need == 1 ? "" : "s", u->bytes, u->nobj - need, u->bucket, u->prefix,
		 u->list.pages, u->list.pages == 1 ? "" : "s", u->puts, u->puts == 1 ? "" : "s",
		 secs_since(t0), listed);
	return 0;
}

int upload_run(const struct options *o)
{
	struct upload u = { .o = o };
	struct timespec t0;
	int lock, rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	strbuf_init(&u.old_manifest, MANIFEST_MAX);
	strbuf_init(&u.old_state_text, MANIFEST_MAX);
	manifest_init(&u.m);
	tree_index_init(&u.ti);
	upload_state_init(&u.old_state);
	if (upload_client(o, &u.c, &u.bucket, &u.prefix) < 0) {
		upload_release(&u);
		return -1;
	}
	lock = lock_tree(o->output);
	if (lock == -1)
		goto out;
	if (load_tree(&u) < 0)
		goto out;
	build_objects(&u);
	rc = publish(&u, &t0);
out:
	if (lock >= 0)
		close(lock);
	upload_release(&u);
	return rc;
}

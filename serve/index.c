/* index.c: builds, looks up and swaps the in-memory index of the served tree. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "mime.h"
#include "path.h"
#include "strbuf.h"
#include "xalloc.h"
#include "http.h"
#include "index.h"

#define IMMUTABLE_CC "public, max-age=31536000, immutable"

/* What building one piece of a generation came to. */
enum load_status { LOAD_OK, LOAD_ERROR };   /* error: printed, keep the old generation */
enum entry_status { ENTRY_OK, ENTRY_SKIP, ENTRY_ERROR }; /* skip: warned, serve the rest */

struct build {
	const struct index_config *cfg;
	const struct tree_index *ti; /* all the facts, sorted by path */
	int rootfd;
	struct index_gen *g;
	time_t now;
};

/* Without openat2: open, then ask the kernel where the file really is
 * and refuse it unless that is under the root's real path. */
static int open_checked(int rootfd, const char *path, int flags)
{
	char link[64], real[PATH_MAX], rootreal[PATH_MAX];
	ssize_t n, m;
	int fd = openat(rootfd, path, flags | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
	m = readlink(link, rootreal, sizeof(rootreal) - 1);
	if (n < 0 || m < 0 || n <= m || memcmp(real, rootreal, (size_t)m) ||
	    real[m] != '/') {
		close(fd);
		return -EXDEV;
	}
	return fd;
}

/*
 * Opens path under rootfd.  Without follow, the kernel refuses any ".." or
 * symlink that leaves the root (RESOLVE_BENEATH); with it (trees made by
 * collect --link) symlinks go anywhere.  O_NONBLOCK: a FIFO planted in the
 * tree must not hang start-up.  fd, or -errno.
 */
static int open_beneath(int rootfd, const char *path, int follow)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (follow)
		fd = openat(rootfd, path, (int)how.flags);
	else
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	/* Kernel < 5.6, or a seccomp filter that refuses openat2. */
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		return open_checked(rootfd, path, (int)how.flags);
	return fd < 0 ? -errno : (int)fd;
}

static int read_all(int fd, char *buf, uint64_t size)
{
	uint64_t off = 0;

	while (off < size) {
		ssize_t r = pread(fd, buf + off, size - off, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		off += (uint64_t)r;
	}
	return 0;
}

/* Small enough and room left: keep the bytes, hash them, close the fd. */
static enum entry_status keep_in_memory(struct build *b, struct variant *v,
					const char *path)
{
	char *buf = xmalloc(v->size ? v->size : 1);
	int r = read_all(v->fd, buf, v->size);

	if (r) {
		free(buf);
		log_error("cannot read %s/%s: %s", b->cfg->root, path, strerror(-r));
		return ENTRY_ERROR;
	}
	/* Bytes in hand: hashing them is nearly free and makes the ETag
	 * right even when the on-disk index is stale. */
	v->hash = hash_bytes(buf, v->size);
	close(v->fd);
	v->fd = -1;
	v->body = buf;
	b->g->stats.in_memory++;
	b->g->stats.memory_bytes += v->size;
	return ENTRY_OK;
}

/*
 * Opens one representation, checks it against what the index says (size
 * and, for the file itself, mtime; a mismatch means rehash), keeps small
 * ones in memory.  ENTRY_SKIP when it must be skipped (gone, not regular,
 * a link out of the root), after a warning.
 */
static enum entry_status open_variant(struct build *b, const char *path,
				      struct variant *v, int64_t *mtime)
{
	struct stat st;
	int fd = open_beneath(b->rootfd, path, b->cfg->follow_symlinks);

	if (fd == -EXDEV || fd == -ELOOP) {
		log_warn("skipping %s: a symbolic link leads out of the root "
			 "(--follow-symlinks serves it)", path);
		return ENTRY_SKIP;
	}
	if (fd == -ENOENT || fd == -ENXIO) {
		log_warn("skipping %s: %s", path, strerror(-fd));
		return ENTRY_SKIP;
	}
	/* One file serve's user cannot read (copied with mode 0600) must not
	 * take the whole tree down at start-up, or hold back every reload. */
	if (fd == -EACCES || fd == -EPERM) {
		log_warn("skipping %s: %s (serve runs as uid %u)", path, strerror(-fd),
			 (unsigned)geteuid());
		return ENTRY_SKIP;
	}
	if (fd < 0) {
		log_error("cannot open %s/%s: %s", b->cfg->root, path, strerror(-fd));
		return ENTRY_ERROR;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		log_warn("skipping %s: not a regular file", path);
		close(fd);
		return ENTRY_SKIP;
	}
	v->fd = fd;
	if ((uint64_t)st.st_size != v->size || (mtime && *mtime != st.st_mtim.tv_sec)) {
		v->size = (uint64_t)st.st_size;
		v->hash = 0;
		b->g->stats.rehashed++;
	}
	if (mtime)
		*mtime = st.st_mtim.tv_sec;
	if (v->size <= INDEX_SMALL_MAX &&
	    b->g->stats.memory_bytes + v->size <= INDEX_MEMORY_MAX)
		return keep_in_memory(b, v, path);
	if (!v->hash && hash_fd(fd, &v->hash)) {
		log_error("cannot hash %s/%s", b->cfg->root, path);
		return ENTRY_ERROR;
	}
	b->g->stats.open_fds++;
	return ENTRY_OK;
}

static void keep_immutable(struct build *b, const char *path, struct entry *e)
{
	const struct entry *old;

	if ((e->flags & FACT_IMMUTABLE) || !b->cfg->prev)
		return;
	old = index_lookup(b->cfg->prev, path, strlen(path));
	if (old && (old->flags & FACT_IMMUTABLE) && old->var[0].hash == e->var[0].hash &&
	    old->var[0].size == e->var[0].size)
		e->flags |= FACT_IMMUTABLE;
}

/* A type from the index goes into every head: VCHAR/SP only, bounded. */
static const char *safe_type(const char *type, const char *path)
{
	if (!type || !*type)
		return MIME_DEFAULT;
	if (strlen(type) >= MIME_TYPE_MAX)
		goto bad;
	for (const char *p = type; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			goto bad;
	return type;
bad:
	log_warn("%s: unusable Content-Type in the index, sending %s", path, MIME_DEFAULT);
	return MIME_DEFAULT;
}

/* The first fact whose path is not below key (ti is sorted by path). */
static size_t lower_bound(const struct tree_index *ti, const char *key)
{
	size_t lo = 0, hi = ti->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ti->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether middle[0..n) is a hash part of hash_name(): 12 lower-case hex. */
static int is_hash_part(const char *middle, size_t n)
{
	if (n != HASH_NAME_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", middle[i]))
			return 0;
	return 1;
}

/*
 * RFC 9842 §10-11: a match pattern must cover this logical file's hashed
 * names and nothing else.  "stem.*.ext" also matches "stem.min.<hash>.ext"
 * or "stem.x/y.ext" (the wildcard takes "/"): when any other name in the
 * tree is matched, the file gets no Use-As-Dictionary at all.
 */
static int pattern_is_exact(const struct tree_index *ti, const char *path,
			    size_t stem, size_t ext)
{
	size_t plen = stem + 1, slen = strlen(path + ext);
	char *prefix = xstrndup(path, plen);
	int exact = 1;

	for (size_t i = lower_bound(ti, prefix); i < ti->n && exact; i++) {
		const char *q = ti->v[i].path;
		size_t qlen = strlen(q);

		if (strncmp(q, prefix, plen))
			break;
		if (qlen < plen + slen || strcmp(q + qlen - slen, path + ext))
			continue;
		exact = is_hash_part(q + plen, qlen - plen - slen);
	}
	free(prefix);
	return exact;
}

/*
 * The Use-As-Dictionary line for f, or "" (not a hashed name of a
 * dictionary type, no alias, a pattern that would reach other files).
 */
static void dictionary_header(struct build *b, const struct file_fact *f,
			      struct strbuf *out)
{
	const char *dest = tree_dictionary_dest(f->type);
	char pattern[HTTP_TARGET_MAX + 1];
	size_t stem, ext;

	if (!dest || !b->cfg->alias || !(f->flags & FACT_IMMUTABLE) ||
	    http_hashed_split(f->path, &stem, &ext) ||
	    !http_dictionary_pattern(b->cfg->alias, f->path, pattern, sizeof(pattern)) ||
	    !pattern_is_exact(b->ti, f->path, stem, ext))
		return;
	strbuf_addf(out, "Use-As-Dictionary: match=\"%s\"", pattern);
	if (*dest)
		strbuf_addf(out, ", match-dest=%s", dest);
	strbuf_addstr(out, "\r\n");
}

/* Heads of v, one representation of e: coding is its Content-Encoding
 * (NULL: identity), uad the Use-As-Dictionary line (may be empty). */
static void build_headers(struct build *b, const struct file_fact *f,
			  struct entry *e, struct variant *v, const char *coding,
			  const struct strbuf *uad)
{
	struct strbuf h = STRBUF_INIT, h304 = STRBUF_INIT;
	const char *cc = e->flags & FACT_IMMUTABLE ? IMMUTABLE_CC : b->cfg->cache_control;
	char date[HTTP_DATE_SIZE];

	http_etag_format(v->etag, v->hash);
	http_date_format((time_t)e->mtime, date);
	strbuf_addf(&h304, "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n",
		    v->etag, date, cc);
	/* Every representation of a file with deltas depends on both fields. */
	if (e->flags & ENTRY_HAS_DELTAS)
		strbuf_addstr(&h304, "Vary: Accept-Encoding, Available-Dictionary\r\n");
	else if (e->flags & ENTRY_HAS_VARIANTS)
		strbuf_addstr(&h304, "Vary: Accept-Encoding\r\n");
	if (b->cfg->cors)
		strbuf_addf(&h304, "Access-Control-Allow-Origin: %s\r\n", b->cfg->cors);
	/* A 304 is a response too: the README promises nosniff on every one. */
	strbuf_addstr(&h304, "X-Content-Type-Options: nosniff\r\n");
	strbuf_addf(&h, "Content-Type: %s\r\n", safe_type(f->type, f->path));
	if (coding)
		strbuf_addf(&h, "Content-Encoding: %s\r\n", coding);
	strbuf_add(&h, h304.buf, h304.len);
	strbuf_add(&h, uad->buf, uad->len);
	strbuf_addstr(&h, "Accept-Ranges: bytes\r\n");
	v->hdr = strbuf_detach(&h, &v->hdr_len);
	v->hdr304 = strbuf_detach(&h304, &v->hdr304_len);
}

/* Opens the dcz deltas the index lists for f (a missing one only loses
 * that delta).  ENTRY_OK, or ENTRY_ERROR. */
static enum entry_status open_deltas(struct build *b, const struct file_fact *f,
				     struct entry *e)
{
	if (!(e->flags & FACT_IMMUTABLE))
		return ENTRY_OK;
	for (unsigned i = 0; i < f->ndcz; i++) {
		struct variant *v = &e->dcz[e->ndcz];
		char *name = tree_delta_name(f->path, f->dcz[i].dict_sha);
		enum entry_status r;

		v->size = f->dcz[i].size;
		v->hash = f->dcz[i].hash;
		r = open_variant(b, name, v, NULL);
		free(name);
		if (r == ENTRY_ERROR)
			return ENTRY_ERROR;
		if (r == ENTRY_SKIP)
			continue;
		v->present = 1;
		memcpy(e->dict_sha[e->ndcz], f->dcz[i].dict_sha, TREE_SHA256_LEN);
		e->ndcz++;
		e->flags |= ENTRY_HAS_DELTAS;
	}
	return ENTRY_OK;
}

/* Fills e from f. */
static enum entry_status build_entry(struct build *b, const struct file_fact *f,
				     struct entry *e)
{
	struct strbuf p = STRBUF_INIT;
	enum entry_status r;
	int k;

	memset(e, 0, sizeof(*e));
	for (k = 0; k < VAR_COUNT; k++)
		e->var[k].fd = -1;
	for (k = 0; k < TREE_DCZ_MAX; k++)
		e->dcz[k].fd = -1;
	if (path_check_relative(f->path) || path_has_dot_component(f->path))
		return ENTRY_SKIP;
	e->mtime = f->mtime;
	e->flags = f->flags & FACT_IMMUTABLE;
	e->var[0].size = f->size;
	e->var[0].hash = f->hash;
	e->var[0].present = 1;
	r = open_variant(b, f->path, &e->var[0], &e->mtime);
	/* RFC 9110 §8.8.2.1: a Last-Modified later than the Date it goes
	 * with must be replaced by that date (clock skew, an unpacked tree):
	 * the load time is no later than any Date we send with it. */
	if (r == ENTRY_OK && e->mtime > (int64_t)b->now) {
		e->mtime = (int64_t)b->now;
		b->g->stats.future++;
	}
	if (r == ENTRY_OK)
		keep_immutable(b, f->path, e);
	for (k = 1; k < VAR_COUNT && r == ENTRY_OK; k++) {
		struct variant *v = &e->var[k];

		if (!f->enc[k - 1].present)
			continue;
		v->size = f->enc[k - 1].size;
		v->hash = f->enc[k - 1].hash;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%s", f->path, tree_enc_suffix[k - 1]);
		r = open_variant(b, p.buf, v, NULL);
		if (r == ENTRY_SKIP) /* a missing variant only loses that encoding */
			r = ENTRY_OK;
		else if (r == ENTRY_OK)
			v->present = 1, e->flags |= ENTRY_HAS_VARIANTS;
	}
	if (r == ENTRY_OK)
		r = open_deltas(b, f, e);
	if (r != ENTRY_OK) {
		strbuf_release(&p);
		return r;
	}
	e->path_len = strlen(f->path);
	e->path = xstrndup(f->path, e->path_len);
	e->key = hash_bytes(e->path, e->path_len);
	strbuf_reset(&p);
	dictionary_header(b, f, &p);
	if (p.len)
		e->flags |= ENTRY_DICTIONARY;
	for (k = 0; k < VAR_COUNT; k++)
		if (e->var[k].present)
			build_headers(b, f, e, &e->var[k], k ? tree_enc_token[k - 1] : NULL, &p);
	for (unsigned i = 0; i < e->ndcz; i++)
		build_headers(b, f, e, &e->dcz[i], TREE_DCZ_TOKEN, &p);
	strbuf_release(&p);
	return ENTRY_OK;
}

static void variant_release(struct variant *v)
{
	if (v->fd >= 0)
		close(v->fd);
	free((void *)v->body);
	free((void *)v->hdr);
	free((void *)v->hdr304);
}

static void entry_release(struct entry *e)
{
	for (int k = 0; k < VAR_COUNT; k++)
		variant_release(&e->var[k]);
	for (int k = 0; k < TREE_DCZ_MAX; k++)
		variant_release(&e->dcz[k]);
	free((void *)e->path);
}

static void gen_free(struct index_gen *g)
{
	for (size_t i = 0; i < g->n; i++)
		entry_release(&g->v[i]);
	free(g->v);
	free(g->table);
	free(g);
}

static void build_table(struct index_gen *g)
{
	size_t size = 16;

	while (size < g->n * 2)
		size <<= 1;
	g->mask = size - 1;
	g->table = xcalloc(size, sizeof(*g->table));
	for (size_t i = 0; i < g->n; i++) {
		size_t j = g->v[i].key & g->mask;

		while (g->table[j])
			j = (j + 1) & g->mask;
		g->table[j] = (uint32_t)(i + 1);
	}
}

const struct entry *index_lookup(const struct index_gen *g, const char *path,
				 size_t len)
{
	uint64_t key = hash_bytes(path, len);
	size_t j = key & g->mask;
	uint32_t t;

	while ((t = g->table[j])) {
		const struct entry *e = &g->v[t - 1];

		if (e->key == key && e->path_len == len && !memcmp(e->path, path, len))
			return e;
		j = (j + 1) & g->mask;
	}
	return NULL;
}

/*
 * The facts for the root held open as rootfd: the collect index when it
 * belongs to the manifest beside it, else a scan.  Both are read through
 * rootfd, as the files are, so a switch of the tree while this runs cannot
 * pair one generation's facts with another's bytes.  A manifest that
 * exists but does not parse is an error (so a reload keeps the old
 * generation).
 */
static enum load_status load_facts(const struct index_config *cfg, int rootfd,
				   struct tree_index *ti, int *from_index)
{
	struct manifest m;
	struct strbuf raw = STRBUF_INIT, file = STRBUF_INIT;
	uint64_t mhash = 0;
	enum load_status st = LOAD_ERROR;
	int r;

	manifest_init(&m);
	tree_index_init(ti);
	*from_index = 0;
	strbuf_addf(&file, "%s/%s", cfg->root, MANIFEST_NAME);
	r = strbuf_read_file_at(&raw, rootfd, MANIFEST_NAME);
	if (r != 0 && r != -ENOENT) {
		log_error("cannot read %s: %s", file.buf, strerror(-r));
		goto out;
	}
	/* Hash and parse one read: two reads of a manifest rewritten in place
	 * could pair one file's hash with the other's names. */
	if (r == 0) {
		mhash = hash_bytes(raw.buf, raw.len);
		if (manifest_parse(raw.buf, raw.len, file.buf, &m) < 0)
			goto out;
	}
	r = tree_index_load_at(rootfd, cfg->root, ti);
	if (r == 0 && ti->manifest_hash == mhash) {
		*from_index = 1;
	} else {
		if (r == 0)
			log_info(1, "%s/%s does not match %s: scanning the tree",
				 cfg->root, TREE_INDEX_NAME, MANIFEST_NAME);
		tree_index_release(ti);
		/* A tree without our index (Django's, a plain directory) is
		 * written in place, never switched: its path is its root. */
		if (tree_index_scan(cfg->root, m.n ? &m : NULL, cfg->follow_symlinks, ti))
			goto out;
	}
	if (m.n)
		tree_index_mark_immutable(ti, &m);
	st = LOAD_OK;
out:
	manifest_release(&m);
	strbuf_release(&raw);
	strbuf_release(&file);
	return st;
}

/* Builds the entries of b->g from ti.  LOAD_OK, or LOAD_ERROR. */
static enum load_status build_entries(struct build *b, const struct tree_index *ti)
{
	enum entry_status r = ENTRY_OK;

	b->g->v = xcalloc(ti->n ? ti->n : 1, sizeof(*b->g->v));
	b->ti = ti;
	for (size_t i = 0; i < ti->n && r != ENTRY_ERROR; i++) {
		struct entry *e = &b->g->v[b->g->n];

		r = build_entry(b, &ti->v[i], e);
		if (r != ENTRY_OK) {
			entry_release(e);
			continue;
		}
		b->g->stats.variants += !!(e->flags & ENTRY_HAS_VARIANTS);
		b->g->stats.immutable += !!(e->flags & FACT_IMMUTABLE);
		b->g->stats.dictionaries += !!(e->flags & ENTRY_DICTIONARY);
		b->g->stats.deltas += e->ndcz;
		b->g->n++;
	}
	return r == ENTRY_ERROR ? LOAD_ERROR : LOAD_OK;
}

/* Whether root still names the directory held as rootfd. */
static int root_still_names(const char *root, int rootfd)
{
	struct stat a, b;

	return stat(root, &a) == 0 && fstat(rootfd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* One attempt at a generation of the tree rootfd holds. */
static struct index_gen *build_once(const struct index_config *cfg, int rootfd)
{
	struct build b = { .cfg = cfg, .rootfd = rootfd, .now = time(NULL) };
	struct tree_index ti;
	int from_index;
	enum load_status st;

	if (load_facts(cfg, rootfd, &ti, &from_index) != LOAD_OK)
		return NULL;
	b.g = xcalloc(1, sizeof(*b.g));
	atomic_init(&b.g->refs, 1);
	b.g->stats.from_index = from_index;
	st = build_entries(&b, &ti);
	tree_index_release(&ti);
	if (st != LOAD_OK) {
		gen_free(b.g);
		return NULL;
	}
	b.g->stats.files = b.g->n;
	if (b.g->stats.future)
		log_warn("%zu file(s) under %s modified in the future (clock skew?): "
			 "their Last-Modified is the load time", b.g->stats.future, cfg->root);
	build_table(b.g);
	return b.g;
}

/* A collect that switches the tree while we load it makes what we hold the
 * previous generation (and its files may be going): load again, a bounded
 * number of times (a tree switched faster than we load it stays served). */
#define INDEX_BUILD_TRIES 3

struct index_gen *index_build(const struct index_config *cfg)
{
	struct index_gen *g = NULL;

	for (int tries = 0; tries < INDEX_BUILD_TRIES; tries++) {
		int rootfd = open(cfg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (rootfd < 0) {
			log_error("cannot open root %s: %s", cfg->root, strerror(errno));
			return NULL;
		}
		if (g)
			gen_free(g); /* never published: ours alone */
		g = build_once(cfg, rootfd);
		if (!g || root_still_names(cfg->root, rootfd)) {
			close(rootfd);
			return g;
		}
		close(rootfd);
		log_info(1, "%s was switched while loading: loading it again", cfg->root);
	}
	return g;
}

void index_ref(struct index_gen *g)
{
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
}

void index_unref(struct index_gen *g)
{
	if (g && atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
		gen_free(g);
}

static pthread_mutex_t published_lock = PTHREAD_MUTEX_INITIALIZER;
static struct index_gen *published;
static atomic_ulong published_seq;

void index_publish(struct index_gen *g)
{
	struct index_gen *old;

	pthread_mutex_lock(&published_lock);
	old = published;
	published = g;
	g->seq = atomic_load(&published_seq) + 1;
	atomic_store(&published_seq, g->seq);
	pthread_mutex_unlock(&published_lock);
	index_unref(old);
}

struct index_gen *index_acquire(void)
{
	struct index_gen *g;

	pthread_mutex_lock(&published_lock);
	g = published;
	if (g)
		index_ref(g);
	pthread_mutex_unlock(&published_lock);
	return g;
}

unsigned long index_seq(void)
{
	return atomic_load_explicit(&published_seq, memory_order_acquire);
}

void index_publish_clear(void)
{
	struct index_gen *old;

	pthread_mutex_lock(&published_lock);
	old = published;
	published = NULL;
	pthread_mutex_unlock(&published_lock);
	index_unref(old);
}

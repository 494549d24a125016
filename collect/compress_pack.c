/* compress_pack.c: small compression-cache entries, many to a file: loading, lookup, this run's pack, compaction. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "compress_cache.h"
#include "compress_pack.h"
#include "hash.h"
#include "log.h"
#include "xalloc.h"

#define PACK_SUFFIX ".pack"
#define PACK_MAGIC "srzpack1"
#define PACK_TMP_PREFIX ".tmp-"
#define PACKS_MAX 64              /* loaded at most (the newest); each keeps an fd */
#define PACKS_COMPACT 8           /* more loaded than this: compact */
#define RECORD_MAX ((size_t)1 << 24)
#define INDEX_MAX ((uint64_t)1 << 28)
#define OUT_FLUSH ((size_t)1 << 20)

/* One index row, as stored (host byte order: a pack moved to another
 * kind of machine fails verification on use, and is only a miss). */
struct pack_row {
	uint64_t in_hi, in_lo, in_len, spec_hash, offset, length;
};

struct pack_footer {
	char magic[8];
	uint64_t index_off, nrows, index_hash;
};

struct pack_slot {
	struct pack_row row;
	uint32_t pack;     /* index into fds; slots with length 0 are empty */
	atomic_uchar hit;  /* copied into this run's pack when compacting */
};

static uint64_t spec_hash_of(const char *spec)
{
	return hash_bytes(spec, strlen(spec));
}

static size_t slot_of(const struct compress_pack *p, uint64_t in_hi, uint64_t in_lo,
		      uint64_t spec_hash)
{
	return (size_t)((in_hi ^ in_lo ^ spec_hash) & (p->cap - 1));
}

/* Inserts (or replaces: later packs win) row of pack i. */
static void slots_insert(struct compress_pack *p, const struct pack_row *row, uint32_t i)
{
	size_t s = slot_of(p, row->in_hi, row->in_lo, row->spec_hash);

	while (p->slots[s].row.length) {
		const struct pack_row *o = &p->slots[s].row;

		if (o->in_hi == row->in_hi && o->in_lo == row->in_lo &&
		    o->in_len == row->in_len && o->spec_hash == row->spec_hash)
			break;
		s = (s + 1) & (p->cap - 1);
	}
	p->slots[s].row = *row;
	p->slots[s].pack = i;
}

/* Reads pack fd's index into *rows (owned); the number of rows, 0 when the
 * pack does not check out. */
static size_t read_index(int fd, struct pack_row **rows)
{
	struct pack_footer ft;
	struct stat st;
	size_t n, bytes;

	*rows = NULL;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < sizeof(ft) ||
	    pread(fd, &ft, sizeof(ft), st.st_size - (off_t)sizeof(ft)) != (ssize_t)sizeof(ft) ||
	    memcmp(ft.magic, PACK_MAGIC, sizeof(ft.magic)) || ft.nrows > INDEX_MAX / sizeof(**rows) ||
	    ft.index_off + ft.nrows * sizeof(**rows) + sizeof(ft) != (uint64_t)st.st_size)
		return 0;
	n = (size_t)ft.nrows;
	bytes = n * sizeof(**rows);
	*rows = xmalloc(bytes ? bytes : 1);
	if (pread(fd, *rows, bytes, (off_t)ft.index_off) != (ssize_t)bytes ||
	    hash_bytes(*rows, bytes) != ft.index_hash) {
		free(*rows);
		*rows = NULL;
		return 0;
	}
	return n;
}

struct pack_file {
	char *path;
	int64_t mtime_ns;
};

static int cmp_older(const void *a, const void *b)
{
	const struct pack_file *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The pack files under p->dir, oldest first; *n set. */
static struct pack_file *list_packs(const struct compress_pack *p, size_t *n)
{
	struct pack_file *v = NULL;
	size_t alloc = 0;
	DIR *d = opendir(p->dir);
	struct dirent *de;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(PACK_SUFFIX);
		struct stat st;

		if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, PACK_SUFFIX) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		XGROW(v, alloc, *n + 1);
		v[*n].path = xstrcat3(p->dir, "/", de->d_name);
		v[*n].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_older);
	return v;
}

/* Opens the newest PACKS_MAX packs and indexes their rows. */
static void load_packs(struct compress_pack *p)
{
	size_t n, first, total = 0;
	struct pack_file *v = list_packs(p, &n);
	struct pack_row **rows;
	size_t *nrows;

	first = n > PACKS_MAX ? n - PACKS_MAX : 0;
	rows = xcalloc(n - first + 1, sizeof(*rows));
	nrows = xcalloc(n - first + 1, sizeof(*nrows));
	p->fds = xcalloc(n - first + 1, sizeof(*p->fds));
	p->names = xcalloc(n - first + 1, sizeof(*p->names));
	for (size_t i = first; i < n; i++) {
		int fd = open(v[i].path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		size_t r = fd >= 0 ? read_index(fd, &rows[p->npacks]) : 0;

		if (fd >= 0 && !r) {
			log_info(3, "compression cache: %s is damaged, ignored", v[i].path);
			close(fd);
			continue;
		}
		if (fd < 0)
			continue;
		p->fds[p->npacks] = fd;
		p->names[p->npacks] = v[i].path;
		v[i].path = NULL;
		nrows[p->npacks++] = r;
		total += r;
	}
	p->used = xcalloc(p->npacks + 1, sizeof(*p->used));
	for (p->cap = total ? 16 : 0; p->cap && p->cap < total * 2; p->cap *= 2)
		;
	p->slots = p->cap ? xcalloc(p->cap, sizeof(*p->slots)) : NULL;
	for (size_t i = 0; i < p->npacks; i++) {
		for (size_t j = 0; j < nrows[i]; j++)
			if (rows[i][j].length && rows[i][j].length <= RECORD_MAX)
				slots_insert(p, &rows[i][j], (uint32_t)i);
		free(rows[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	free(rows);
	free(nrows);
}

void compress_pack_init(struct compress_pack *p, const char *dir)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->out_fd = -1;
	strbuf_init(&p->out_buf, 0);
	if (!dir)
		return;
	p->dir = xstrcat3(dir, "/", "packs");
	load_packs(p);
}

void compress_pack_release(struct compress_pack *p)
{
	for (size_t i = 0; i < p->npacks; i++) {
		close(p->fds[i]);
		free(p->names[i]);
	}
	if (p->out_fd >= 0) {  /* finish() never ran: leave no temporary */
		close(p->out_fd);
		unlink(p->out_tmp);
	}
	free(p->fds);
	free(p->names);
	free(p->used);
	free(p->slots);
	free(p->out_tmp);
	free(p->rows);
	free(p->dir);
	strbuf_release(&p->out_buf);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof(*p));
	p->out_fd = -1;
}

static struct pack_slot *find(const struct compress_pack *p, const struct compress_key *k)
{
	uint64_t sh;
	size_t s;

	if (!p->cap)
		return NULL;
	sh = spec_hash_of(k->spec);
	for (s = slot_of(p, k->in_hi, k->in_lo, sh); p->slots[s].row.length;
	     s = (s + 1) & (p->cap - 1)) {
		const struct pack_row *r = &p->slots[s].row;

		if (r->in_hi == k->in_hi && r->in_lo == k->in_lo && r->in_len == k->in_len &&
		    r->spec_hash == sh)
			return &p->slots[s];
	}
	return NULL;
}

/* Reads slot's record into sb; 0 or -1. */
static int read_record(const struct compress_pack *p, const struct pack_slot *sl,
		       struct strbuf *sb)
{
	size_t len = (size_t)sl->row.length;

	if (strbuf_grow(sb, len) < 0 ||
	    pread(p->fds[sl->pack], sb->buf, len, (off_t)sl->row.offset) != (ssize_t)len)
		return -1;
	strbuf_setlen(sb, len);
	return 0;
}

int compress_pack_get(struct compress_pack *p, struct compress_cache *c,
		      const struct compress_key *k, struct strbuf *out, uint64_t *enc_len,
		      int *kept)
{
	struct pack_slot *sl = find(p, k);
	struct strbuf sb;
	size_t payload;
	int hit = 0;

	if (!sl)
		return 0;
	strbuf_init(&sb, RECORD_MAX);
	if (read_record(p, sl, &sb) < 0 ||
	    !compress_entry_valid(sb.buf, sb.len, k, enc_len, kept, &payload) ||
	    (*kept && strbuf_add(out, sb.buf + payload, (size_t)*enc_len) < 0)) {
		log_info(3, "compression cache: a record of %s is damaged, recomputing",
			 p->names[sl->pack]);
		atomic_fetch_add(&c->corrupt, 1);
		goto out;
	}
	atomic_store(&sl->hit, 1);
	atomic_store(&p->used[sl->pack], 1);
	hit = 1;
out:
	strbuf_release(&sb);
	return hit;
}

/* Writes what out_buf holds; 0 or -errno.  Called with the lock held. */
static int flush_out(struct compress_pack *p)
{
	int rc = write_full(p->out_fd, p->out_buf.buf, p->out_buf.len);

	strbuf_setlen(&p->out_buf, 0);
	return rc;
}

/* Opens this run's temporary pack.  Called with the lock held. */
static int open_out(struct compress_pack *p)
{
	struct timespec ts;
	size_t n = strlen(p->dir) + 80;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	p->out_tmp = xmalloc(n);
	snprintf(p->out_tmp, n, "%s/" PACK_TMP_PREFIX "%ld-%lld%09ld" PACK_SUFFIX, p->dir,
		 (long)getpid(), (long long)ts.tv_sec, ts.tv_nsec);
	rc = mkdir_p(p->dir, 0755);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	p->out_fd = open(p->out_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return p->out_fd < 0 ? -errno : 0;
}

/* Appends one record (its bytes rec[0..len)) under row's key.  Lock held. */
static int append_record(struct compress_pack *p, struct pack_row *row, const void *head,
			 size_t head_len, const void *payload, size_t payload_len)
{
	int rc = 0;

	if (p->failed)
		return -EIO;
	if (p->out_fd < 0 && (rc = open_out(p)) < 0)
		goto fail;
	row->offset = p->out_off;
	row->length = head_len + payload_len;
	if (strbuf_add(&p->out_buf, head, head_len) < 0 ||
	    strbuf_add(&p->out_buf, payload, payload_len) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	p->out_off += row->length;
	XGROW(p->rows, p->rows_alloc, (p->nrows + 1) * sizeof(*row));
	memcpy(p->rows + p->nrows * sizeof(*row), row, sizeof(*row));
	p->nrows++;
	if (p->out_buf.len >= OUT_FLUSH && (rc = flush_out(p)) < 0)
		goto fail;
	return 0;
fail:
	p->failed = 1;
	return rc;
}

int compress_pack_put(struct compress_pack *p, const struct compress_key *k,
		      const void *enc, size_t enc_len, int kept)
{
	struct strbuf head = STRBUF_INIT;
	struct pack_row row = { k->in_hi, k->in_lo, k->in_len, spec_hash_of(k->spec), 0, 0 };
	int rc;

	if (!p->dir)
		return 0;
	compress_entry_header(&head, k, enc, enc_len, kept);
	pthread_mutex_lock(&p->lock);
	rc = append_record(p, &row, head.buf, head.len, enc, kept ? enc_len : 0);
	pthread_mutex_unlock(&p->lock);
	strbuf_release(&head);
	return rc;
}

/* Copies every record this run hit into its pack (before the old packs
 * go).  0 or -errno. */
static int copy_hits(struct compress_pack *p)
{
	struct strbuf sb;
	int rc = 0;

	strbuf_init(&sb, RECORD_MAX);
	for (size_t s = 0; s < p->cap && rc == 0; s++) {
		struct pack_slot *sl = &p->slots[s];
		struct pack_row row = sl->row;

		if (!sl->row.length || !atomic_load(&sl->hit))
			continue;
		if (read_record(p, sl, &sb) < 0)
			continue;  /* verified on use: a bad copy is only a miss */
		rc = append_record(p, &row, sb.buf, sb.len, NULL, 0);
	}
	strbuf_release(&sb);
	return rc;
}

/* Writes the index and footer and renames the pack into place; 0 or -errno. */
static int publish_out(struct compress_pack *p)
{
	struct pack_footer ft;
	size_t bytes = p->nrows * sizeof(struct pack_row);
	char *path;
	int rc;

	memcpy(ft.magic, PACK_MAGIC, sizeof(ft.magic));
	ft.index_off = p->out_off;
	ft.nrows = p->nrows;
	ft.index_hash = hash_bytes(p->rows ? (void *)p->rows : (void *)"", bytes);
	if ((rc = flush_out(p)) < 0 || (rc = write_full(p->out_fd, p->rows, bytes)) < 0 ||
	    (rc = write_full(p->out_fd, &ft, sizeof(ft))) < 0)
		return rc;
	rc = close(p->out_fd) != 0 ? -errno : 0;
	p->out_fd = -1;
	if (rc < 0)
		return rc;
	/* the same name without the temporary prefix */
	path = xstrcat3(p->dir, "/", strrchr(p->out_tmp, '/') + 1 + strlen(PACK_TMP_PREFIX));
	rc = rename(p->out_tmp, path) != 0 ? -errno : 0;
	free(path);
	return rc;
}

void compress_pack_finish(struct compress_pack *p, struct compress_cache *c)
{
	int ro = atomic_load(&c->read_only), compact, rc = 0;
	size_t used = 0;

	if (!p->dir)
		return;
	for (size_t i = 0; i < p->npacks; i++)
		used += atomic_load(&p->used[i]) != 0;
	compact = used > PACKS_COMPACT && !ro;
	pthread_mutex_lock(&p->lock);
	if (compact)
		rc = copy_hits(p);
	if (rc == 0 && !ro && !p->failed && p->out_fd >= 0)
		rc = publish_out(p);
	else if (p->failed)
		rc = -EIO;
	if (p->out_fd >= 0) {
		close(p->out_fd);
		unlink(p->out_tmp);
		p->out_fd = -1;
	}
	pthread_mutex_unlock(&p->lock);
	if (rc < 0) {
		compress_cache_give_up(c, "store a pack", -rc);
		return;
	}
	for (size_t i = 0; i < p->npacks && !ro; i++) {
		if (!atomic_load(&p->used[i]))
			continue;  /* another project's, or stale: eviction's business */
		if (compact)
			unlink(p->names[i]);  /* its hits are in the new pack (or another run's) */
		else
			utimensat(AT_FDCWD, p->names[i], NULL, 0);  /* recency, as for entries */
	}
	if (p->nrows && !ro)
		atomic_fetch_add(&c->stored, 1);
}

/* compress_cache.c: the shared compression cache: verified entries, written by rename, evicted least recently used first. */
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
#include <xxhash.h>

#include "atomicfile.h"
#include "compress_cache.h"
#include "hash.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_SUBDIR "compress-v1"
#define ENTRY_MAGIC "srzc1"
#define HEADER_MAX 512
#define ENTRY_MAX ((size_t)1 << 31)
#define TMP_PREFIX ".tmp-"
#define TMP_STALE_SECONDS 3600  /* a temporary file this old was left by a killed run */

void compress_key_of(struct compress_key *k, const void *data, size_t len, const char *spec)
{
	XXH128_hash_t h = XXH3_128bits(data, len);

	k->in_hi = h.high64;
	k->in_lo = h.low64;
	k->in_len = len;
	k->spec = spec;
	k->packed = 0;
}

char *compress_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	/* the XDG spec: a relative $XDG_CACHE_HOME is invalid, ignore it */
	if (xdg && xdg[0] == '/')
		return xstrcat3(xdg, "/", "staticroot");
	if (home && home[0])
		return xstrcat3(home, "/", ".cache/staticroot");
	return NULL;
}

void compress_cache_init(struct compress_cache *c, const char *dir, uint64_t max_size)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir && *dir ? xstrcat3(dir, "/", CACHE_SUBDIR) : NULL;
	c->max_size = max_size;
	compress_pack_init(&c->pack, c->dir);
}

void compress_cache_release(struct compress_cache *c)
{
	compress_pack_release(&c->pack);
	free(c->dir);
	c->dir = NULL;
}

/* DIR/XX/<128-bit hex>-<spec hash>: owned. */
static char *entry_path(const struct compress_cache *c, const struct compress_key *k)
{
	char spec_hex[HASH_HEX_LEN + 1];
	size_t n = strlen(c->dir) + 64;
	char *p = xmalloc(n);

	hash_hex(hash_bytes(k->spec, strlen(k->spec)), spec_hex);
	snprintf(p, n, "%s/%02x/%016" PRIx64 "%016" PRIx64 "-%s", c->dir,
		 (unsigned)(k->in_hi >> 56), k->in_hi, k->in_lo, spec_hex);
	return p;
}

/* The header line for k, without its own hash: "magic|spec|in|len|enc|kept|payload|". */
static void header_body(struct strbuf *sb, const struct compress_key *k, uint64_t enc_len,
			int kept, uint64_t payload_hash)
{
	char hex[HASH_HEX_LEN + 1];

	hash_hex(payload_hash, hex);
	strbuf_addf(sb, "%s|%s|%016" PRIx64 "%016" PRIx64 "|%" PRIu64 "|%" PRIu64 "|%d|%s|",
		    ENTRY_MAGIC, k->spec, k->in_hi, k->in_lo, k->in_len, enc_len, kept, hex);
}

void compress_entry_header(struct strbuf *sb, const struct compress_key *k, const void *enc,
			   size_t enc_len, int kept)
{
	char hex[HASH_HEX_LEN + 1];
	size_t start = sb->len;

	header_body(sb, k, enc_len, kept, kept ? hash_bytes(enc, enc_len) : 0);
	hash_hex(hash_bytes(sb->buf + start, sb->len - start), hex);
	strbuf_addf(sb, "%s\n", hex);
}

/* A decimal field, all digits. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/*
 * Whether buf[0..len) is a whole, intact entry for k; sets *enc_len, *kept
 * and *payload (offset of the encoded bytes).  The header must hash to its
 * last field, name k exactly, and the payload must hash to its field.
 */
int compress_entry_valid(char *buf, size_t len, const struct compress_key *k,
			 uint64_t *enc_len, int *kept, size_t *payload)
{
	char *nl = memchr(buf, '\n', len < HEADER_MAX ? len : HEADER_MAX), *f[9], *p;
	struct strbuf want = STRBUF_INIT;
	uint64_t el, kp, ph, hh;
	size_t nf = 0, hlen;
	int ok = 0;

	if (!nl)
		return 0;
	*nl = '\0';
	hlen = (size_t)(nl - buf) + 1;
	for (p = buf, f[nf++] = p; nf < 9 && (p = strchr(p, '|')); f[nf++] = p)
		*p++ = '\0';
	if (nf != 8 || parse_u64(f[4], &el) || parse_u64(f[5], &kp) || kp > 1 ||
	    hash_parse_hex(f[6], &ph) || hash_parse_hex(f[7], &hh))
		goto out;
	header_body(&want, k, el, (int)kp, ph);
	/* the fields were cut at their '|': put them back to compare */
	for (size_t i = 1; i < nf; i++)
		f[i][-1] = '|';
	if ((size_t)(f[7] - buf) != want.len || memcmp(buf, want.buf, want.len) ||
	    hash_bytes(buf, want.len) != hh)
		goto out;
	if (len != hlen + (kp ? el : 0) || (kp && hash_bytes(buf + hlen, el) != ph))
		goto out;
	*enc_len = el;
	*kept = (int)kp;
	*payload = hlen;
	ok = 1;
out:
	strbuf_release(&want);
	return ok;
}

enum compress_cache_result compress_cache_get(struct compress_cache *c,
					      const struct compress_key *k,
					      struct strbuf *out, uint64_t *enc_len, int *kept)
{
	struct strbuf sb;
	char *path;
	size_t payload;
	int rc;

	if (!c->dir)
		return CC_OFF;
	if (k->packed) {
		if (!compress_pack_get(&c->pack, c, k, out, enc_len, kept)) {
			atomic_fetch_add(&c->misses, 1);
			return CC_MISS;
		}
		atomic_fetch_add(&c->hits, 1);
		atomic_fetch_add(&c->hit_bytes, k->in_len);
		return CC_HIT;
	}
	path = entry_path(c, k);
	strbuf_init(&sb, ENTRY_MAX);
	rc = strbuf_read_file(&sb, path);
	if (rc < 0) {
		atomic_fetch_add(&c->misses, 1);
		goto out;
	}
	if (!compress_entry_valid(sb.buf, sb.len, k, enc_len, kept, &payload) ||
	    (*kept && strbuf_add(out, sb.buf + payload, (size_t)*enc_len) < 0)) {
		/* a torn, truncated or damaged entry: recompute, and the
		 * caller's put() renames a good one over it */
		log_info(3, "compression cache: %s is damaged, recomputing", path);
		atomic_fetch_add(&c->corrupt, 1);
		atomic_fetch_add(&c->misses, 1);
		rc = -1;
		goto out;
	}
	/* mtime is the recency eviction goes by (atime is often not kept) */
	if (!atomic_load(&c->read_only))
		utimensat(AT_FDCWD, path, NULL, 0);
	atomic_fetch_add(&c->hits, 1);
	atomic_fetch_add(&c->hit_bytes, k->in_len);
out:
	strbuf_release(&sb);
	free(path);
	return rc < 0 ? CC_MISS : CC_HIT;
}

void compress_cache_give_up(struct compress_cache *c, const char *what, int err)
{
	if (atomic_exchange(&c->read_only, 1))
		return;
	log_warn("compression cache %s: cannot %s: %s; compressing without storing", c->dir,
		 what, strerror(err));
}

/* Writes an entry to tmp; 0 or -errno. */
static int write_entry(const char *tmp, const struct strbuf *head, const void *enc,
		       size_t enc_len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), rc;

	if (fd < 0)
		return -errno;
	rc = write_full(fd, head->buf, head->len);
	if (rc == 0 && enc_len)
		rc = write_full(fd, enc, enc_len);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

void compress_cache_put(struct compress_cache *c, const struct compress_key *k,
			const void *enc, size_t enc_len, int kept)
{
	struct strbuf head = STRBUF_INIT;
	char *path, *tmp, *slash;
	int rc;

	if (!c->dir || atomic_load(&c->read_only))
		return;
	if (k->packed) {
		if ((rc = compress_pack_put(&c->pack, k, enc, enc_len, kept)) < 0)
			compress_cache_give_up(c, "store a pack", -rc);
		return;
	}
	path = entry_path(c, k);
	slash = strrchr(path, '/');
	compress_entry_header(&head, k, enc, enc_len, kept);
	*slash = '\0';
	tmp = xmalloc(strlen(path) + 64);
	sprintf(tmp, "%s/" TMP_PREFIX "%ld-%zu", path, (long)getpid(),
		atomic_fetch_add(&c->seq, 1));
	rc = write_entry(tmp, &head, enc, kept ? enc_len : 0);
	if (rc == -ENOENT) {  /* first entry of this fan-out directory */
		rc = mkdir_p(path, 0755);
		if (rc == 0 || rc == -EEXIST)
			rc = write_entry(tmp, &head, enc, kept ? enc_len : 0);
	}
	*slash = '/';
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		compress_cache_give_up(c, "store an entry", -rc);
	} else {
		atomic_fetch_add(&c->stored, 1);
	}
	strbuf_release(&head);
	free(tmp);
	free(path);
}

struct entry {
	char *path;
	int64_t mtime_ns;
	uint64_t size;
};

static int cmp_oldest(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Lists one fan-out directory's entries into *v; removes stale temporaries. */
static void list_dir(const char *dir, struct entry **v, size_t *n, size_t *alloc,
		     uint64_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX))) {
			if (now - st.st_mtime > TMP_STALE_SECONDS)
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		XGROW(*v, *alloc, *n + 1);
		(*v)[*n].path = xstrcat3(dir, "/", de->d_name);
		(*v)[*n].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		(*v)[*n].size = (uint64_t)st.st_size;
		*total += (uint64_t)st.st_size;
		(*n)++;
	}
	closedir(d);
}

void compress_cache_finish(struct compress_cache *c)
{
	struct entry *v = NULL;
	size_t n = 0, alloc = 0;
	uint64_t total = 0;
	DIR *d;
	struct dirent *de;

	if (!c->dir)
		return;
	compress_pack_finish(&c->pack, c);
	if (!atomic_load(&c->stored) || !(d = opendir(c->dir)))
		return;
	while ((de = readdir(d))) {
		char *sub;

		/* the fan-out directories, and the packs (each one entry) */
		if ((strlen(de->d_name) != 2 || de->d_name[0] == '.') &&
		    strcmp(de->d_name, "packs"))
			continue;
		sub = xstrcat3(c->dir, "/", de->d_name);
		list_dir(sub, &v, &n, &alloc, &total);
		free(sub);
	}
	closedir(d);
	if (c->max_size && total > c->max_size) {
		qsort(v, n, sizeof(*v), cmp_oldest);
		for (size_t i = 0; i < n && total > c->max_size; i++) {
			/* another run may have removed it first: fine */
			if (unlink(v[i].path) == 0 || errno == ENOENT) {
				total -= v[i].size;
				atomic_fetch_add(&c->evicted, 1);
			}
		}
	}
	atomic_store(&c->size_after, total);
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* prepare.c: phase 2: hashes each source (or takes the hash from the cache), types it,
 * and finds the references of CSS/JS files, in parallel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>

#include "hash.h"
#include "mime.h"
#include "options.h"
#include "prepare.h"
#include "progress.h"
#include "resolve.h"
#include "run.h"
#include "strbuf.h"
#include "workq.h"
#include "xalloc.h"

#define SNIFF_LEN 8192

/* Reads path whole into a buffer sized from size (the file's size as
 * stat'ed, or (size_t)-1 to fstat it): one read() when it still holds that
 * many bytes (asking one more shows a file that grew), not a growth policy,
 * so thousands of small files stay small.  Returns owned bytes, NUL-ended,
 * or NULL with errno set. */
static char *read_whole(const char *path, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, alloc;
	struct stat st;
	char *buf;

	if (fd < 0)
		return NULL;
	if (size == (size_t)-1) {
		if (fstat(fd, &st) != 0) {
			close(fd);
			return NULL;
		}
		size = (size_t)st.st_size;
	}
	if (size >= SOURCE_MAX) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	alloc = size + 2;
	buf = xmalloc(alloc);
	for (;;) {
		ssize_t got;

		if (n + 1 == alloc) {
			if (alloc >= SOURCE_MAX)
				break;
			buf = xrealloc(buf, alloc *= 2);
		}
		got = read(fd, buf + n, alloc - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
		/* short of the room asked: the end of a regular file */
		if (n == size && n + 1 < alloc)
			break;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int cfile_load(struct cfile *f)
{
	size_t len = 0;
	char *buf;
	uint64_t h;

	if (f->data)
		return 0;
	errno = 0;
	buf = read_whole(cfile_source(f), (f->flags & CF_NOSTAT) ? (size_t)-1 : f->len, &len);
	if (!buf) {
		cfile_fail(f, "cannot read %s: %s", cfile_label(f),
			   errno == EFBIG ? "file too large" : strerror(errno));
		return -1;
	}
	h = hash_bytes(buf, len);
	if ((f->flags & CF_HASHED) && h != f->src_hash) {
		free(buf);
		cfile_fail(f, "%s changed while being collected", cfile_label(f));
		return -1;
	}
	f->src_hash = h;
	f->flags |= CF_HASHED;
	f->len = len;
	f->data = buf;
	return 0;
}

void cfile_unload(struct cfile *f)
{
	if (cfile_source(f) && f->data) {
		free(f->data);
		f->data = NULL;
	}
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

static void classify(struct cfile *f)
{
	if (ends_with_ci(f->name, ".css"))
		f->flags |= CF_CSS;
	else if (ends_with_ci(f->name, ".js") || ends_with_ci(f->name, ".mjs"))
		f->flags |= CF_JS;
}

#define SMALL_FILE 16384  /* hashed from one read() on the stack */

/* Hashes a file of the stat'ed size len from one read, when it is small
 * and still that size (asking one byte more shows a file that grew).
 * 0, or -1 to stream it instead. */
static int hash_small(int fd, size_t len, uint64_t *h)
{
	char buf[SMALL_FILE + 1];
	ssize_t got;

	if (len > SMALL_FILE)
		return -1;
	do
		got = read(fd, buf, len + 1);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)len)
		return -1;
	*h = hash_bytes(buf, len);
	return 0;
}

/* Streams the file through the hash without keeping it. */
static int hash_file(struct cfile *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		cfile_fail(f, "cannot read %s: %s", f->path, strerror(errno));
		return -1;
	}
	if (f->len > SMALL_FILE || hash_small(fd, f->len, &f->src_hash) < 0)
		rc = lseek(fd, 0, SEEK_SET) == 0 ? hash_fd(fd, &f->src_hash) : -errno;
	close(fd);
	if (rc < 0) {
		cfile_fail(f, "cannot read %s: %s", f->path, strerror(-rc));
		return -1;
	}
	f->flags |= CF_HASHED;
	return 0;
}

static int stat_source(struct run *r, struct cfile *f, unsigned tid)
{
	struct stat st;

	if (dircache_stat(&r->dirs[tid], f->path, &st, 0) != 0) {
		cfile_fail(f, "cannot stat %s: %s", f->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cfile_fail(f, "%s is no longer a regular file", f->path);
		return -1;
	}
	cfile_set_stat(f, &st);
	return 0;
}

static int source_hash(struct run *r, struct cfile *f)
{
	const struct cache_src *s;

	if (!f->path) {  /* an archive member, hashed as it was unpacked */
		if (!(f->flags & CF_HASHED))
			f->src_hash = hash_bytes(f->data, f->len);
		f->flags |= CF_HASHED;
		return 0;
	}
	s = cache_find_src(&r->cache, f->path);
	if (s && s->size == f->len && s->mtime_ns == f->mtime_ns && s->ino == f->ino &&
	    s->dev == f->dev) {
		f->src_hash = s->hash;
		f->flags |= CF_HASHED;
		return 0;
	}
	atomic_store(&r->dirty, 1);
	if ((f->flags & (CF_CSS | CF_JS)) && !r->o->no_post_process)
		return cfile_load(f);
	return hash_file(f);
}

/* First bytes of f for libmagic, into buf.  Returns the length, or -1. */
static ssize_t head_bytes(struct cfile *f, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (f->data) {
		n = (ssize_t)(f->len < size ? f->len : size);
		memcpy(buf, f->data, (size_t)n);
		return n;
	}
	fd = open(cfile_source(f), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, size, 0);
	close(fd);
	return n;
}

static void type_of(struct run *r, struct cfile *f, unsigned tid)
{
	const struct cache_out *co;
	char buf[SNIFF_LEN], type[MIME_TYPE_MAX];
	ssize_t n;

	f->type = mime_from_path(f->name);
	if (f->type)
		return;
	co = cache_find_out(&r->cache, f->name);
	if (co && co->fact.hash == f->src_hash && co->fact.type && *co->fact.type) {
		f->type = co->fact.type;
		return;
	}
	f->type = MIME_DEFAULT;
	n = head_bytes(f, buf, sizeof(buf));
	if (n < 0) {
		/* an unreadable source fails the run, whichever read met it first */
		cfile_fail(f, "cannot read %s: %s", cfile_label(f), strerror(errno));
		return;
	}
	if (!r->magic[tid])
		r->magic[tid] = mime_magic_open();
	/* A type guessed while libmagic failed (out of memory, its database
	 * unreadable) would be served for good: the run fails instead. */
	if (!r->magic[tid]) {
		cfile_fail(f, "cannot type %s: libmagic did not start", cfile_label(f));
		return;
	}
	mime_sniff(r->magic[tid], buf, (size_t)n, type);
	if (magic_error(r->magic[tid])) {
		cfile_fail(f, "cannot type %s: libmagic: %s", cfile_label(f),
			   magic_error(r->magic[tid]));
		return;
	}
	f->type = f->type_buf = xstrdup(type);
}

/* Takes f's references from the cache when its bytes did not change and
 * every file it referenced is still collected.  1 when taken. */
static int deps_from_cache(struct run *r, struct cfile *f)
{
	const struct cache_rw *rw = cache_find_rw(&r->cache, f->name);
	size_t *deps;

	if (!rw || rw->src_hash != f->src_hash)
		return 0;
	for (size_t i = 0; i < rw->nmissing; i++)
		if (fileset_find(&r->fs, rw->missing[i]) != (size_t)-1)
			return 0;  /* it appeared: rescan */
	deps = xcalloc(rw->ndeps + 1, sizeof(*deps));
	for (size_t i = 0; i < rw->ndeps; i++) {
		deps[i] = fileset_find(&r->fs, rw->deps[i]);
		if (deps[i] == (size_t)-1) {
			free(deps);
			return 0;
		}
	}
	f->deps = deps;
	f->ndeps = rw->ndeps;
	f->cached_rw = rw;
	f->missing = xcalloc(rw->nmissing + 1, sizeof(*f->missing));
	for (size_t i = 0; i < rw->nmissing; i++)
		f->missing[i] = xstrdup(rw->missing[i]);
	f->nmissing = rw->nmissing;
	return 1;
}

static void prepare_one(size_t i, unsigned tid, void *ctx)
{
	struct run *r = ctx;
	struct cfile *f = &r->fs.v[i];
	int refs;

	classify(f);
	refs = (f->flags & (CF_CSS | CF_JS)) && !r->o->no_post_process;
	if ((f->flags & CF_NOSTAT) && stat_source(r, f, tid) < 0)
		goto out;
	/* by its size, before a byte is read (a sparse 5 GiB file took 27 s) */
	if (f->path && f->len >= SOURCE_MAX) {
		cfile_fail(f, "cannot read %s: file too large (%zu bytes, the limit is %zu)",
			   f->path, f->len, SOURCE_MAX - 1);
		goto out;
	}
	if (source_hash(r, f) < 0)
		goto out;
	type_of(r, f, tid);
	if (refs && !deps_from_cache(r, f) && cfile_load(f) == 0) {
		atomic_store(&r->dirty, 1);
		resolve_refs(r, f);
	}
out:
	cfile_unload(f);  /* read again when needed: memory stays flat */
	progress_tick();
}

int prepare_files(struct run *r)
{
	progress_phase("scanning", r->fs.n);
	workq_run(r->fs.n, r->nthreads, prepare_one, r);
	progress_done();
	return fileset_report(&r->fs) ? -1 : 0;
}

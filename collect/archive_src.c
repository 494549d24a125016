/* archive_src.c: reads tar/zip sources in bounded chunks, into memory or scratch files,
 * refusing unsafe entries (zip-slip) and archive bombs. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "archive_src.h"
#include "atomicfile.h"
#include "ignore.h"
#include "log.h"
#include "path.h"
#include "scratch.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *const archive_exts[] = { ".tar.gz", ".tgz", ".tar", ".zip" };

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !strncasecmp(s + len - sl, suffix, sl);
}

int archive_src_match(const char *spec, size_t *file_len)
{
	size_t len = strlen(spec);

	/* Try the whole spec first, then each ':' from the right. */
	for (;;) {
		for (size_t i = 0; i < sizeof(archive_exts) / sizeof(*archive_exts); i++) {
			if (len > strlen(archive_exts[i]) && ends_with(spec, len, archive_exts[i])) {
				*file_len = len;
				return 1;
			}
		}
		while (len > 0 && spec[len - 1] != ':')
			len--;
		if (len == 0)
			return 0;
		len--;
	}
}

/* The name of the entry without leading "./", or NULL with an error. */
static const char *entry_name(struct archive_entry *e)
{
	const char *name = archive_entry_pathname_utf8(e);

	if (!name)
		name = archive_entry_pathname(e);
	if (!name)
		return NULL;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

/* Whether some directory component of rel (or its basename) is ignored. */
static int ignored(const struct strlist *ig, const char *rel)
{
	const char *p = rel, *slash;
	char comp[256];

	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);

		if (n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (ignore_match(ig, comp, NULL))
				return 1;
		}
		p = slash + 1;
	}
	return ignore_match(ig, p, rel);
}

/* Checks one entry's type and name.  0 fine, -1 refused (printed). */
static int check_entry(const char *file, struct archive_entry *e, const char *name)
{
	const char *why = name ? path_check_relative(name) : "unreadable name";
	mode_t type = archive_entry_filetype(e);
	char qf[LOG_NAME_MAX], qn[LOG_NAME_MAX];

	if (!why && archive_entry_hardlink(e))
		why = "hard link";
	else if (!why && type == AE_IFLNK)
		why = "symbolic link";
	else if (!why && type != AE_IFREG && type != AE_IFDIR)
		why = "not a regular file";
	if (why)
		return log_error("%s: entry '%s' refused: %s", log_name(file, qf),
				 name ? log_name(name, qn) : "?", why);
	return 0;
}

/* Refuses an entry of size bytes (known or counted so far) when it is over
 * the limit of one entry or would take the run past --max-expand.  0, or
 * -1 after one line naming archive and entry. */
static int check_size(const char *file, const char *name, uint64_t size,
		      const struct archive_budget *b)
{
	char qf[LOG_NAME_MAX], qn[LOG_NAME_MAX];

	if (size > ARCHIVE_ENTRY_MAX)
		return log_error("%s: entry '%s' is too large (over %zu bytes)",
				 log_name(file, qf), log_name(name, qn), ARCHIVE_ENTRY_MAX);
	if (b->expanded + size > b->max)
		return log_error("%s: entry '%s' refused: with its %llu bytes the run would "
				 "expand more than --max-expand (%llu bytes) from archives "
				 "(an archive bomb?)", log_name(file, qf), log_name(name, qn),
				 (unsigned long long)size, (unsigned long long)b->max);
	return 0;
}

/* Where the bytes of the entry being read go: memory or a scratch file. */
struct sink {
	struct strbuf mem;    /* used when fd < 0 */
	int fd;
	char *path;           /* the scratch file; owned */
};

#define CHUNK 65536

/* Streams the current entry through the hash into m's data or file, in
 * CHUNK-sized reads, counting every byte against the budget.  0, or -1
 * after one line naming archive and entry. */
static int expand_entry(struct archive *a, const char *file, const char *name,
			struct archive_budget *b, int64_t header_size, struct archive_member *m)
{
	XXH3_state_t *h = XXH3_createState();
	struct sink sk = { .fd = -1 };
	uint64_t got = 0;
	char *buf = NULL, qf[LOG_NAME_MAX], qn[LOG_NAME_MAX];
	int rc = -1;

	if (!h)
		die("out of memory");
	XXH3_64bits_reset(h);
	strbuf_init(&sk.mem, MEMBER_IN_MEMORY_MAX);
	/* small entries stay in memory while the run's share lasts */
	if (!(header_size >= 0 && (size_t)header_size <= MEMBER_IN_MEMORY_MAX &&
	      b->in_memory + (size_t)header_size <= MEMBERS_IN_MEMORY_MAX) &&
	    (sk.fd = scratch_create(b->scratch, &sk.path)) < 0)
		goto out;
	buf = xmalloc(CHUNK);
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, CHUNK);
		int wr;

		if (n < 0) {
			log_error("%s: entry '%s': %s", log_name(file, qf), log_name(name, qn),
				  archive_error_string(a));
			goto out;
		}
		if (n == 0)
			break;
		got += (uint64_t)n;
		if (check_size(file, name, got, b) < 0)
			goto out;
		XXH3_64bits_update(h, buf, (size_t)n);
		wr = sk.fd >= 0 ? write_full(sk.fd, buf, (size_t)n) : strbuf_add(&sk.mem, buf, (size_t)n);
		if (wr < 0) {
			/* memory: the header said less than the entry holds */
			if (sk.fd < 0)
				log_error("%s: entry '%s' is longer than its header says",
					  log_name(file, qf), log_name(name, qn));
			else
				log_error("cannot write %s (unpacking '%s' of %s): %s", sk.path,
					  log_name(name, qn), log_name(file, qf), strerror(-wr));
			goto out;
		}
	}
	if (sk.fd >= 0) {
		int closed = close(sk.fd);

		sk.fd = -1;
		if (closed < 0) {
			log_error("cannot write %s (unpacking '%s' of %s): %s", sk.path,
				  log_name(name, qn), log_name(file, qf), strerror(errno));
			goto out;
		}
	}
	b->expanded += got;
	m->len = (size_t)got;
	m->hash = XXH3_64bits_digest(h);
	if (sk.path) {
		m->file = sk.path;
		sk.path = NULL;
	} else {
		b->in_memory += got;
		m->data = strbuf_detach(&sk.mem, NULL);
	}
	rc = 0;
out:
	if (sk.fd >= 0)
		close(sk.fd);
	if (sk.path) {
		unlink(sk.path);
		free(sk.path);
	}
	strbuf_release(&sk.mem);
	free(buf);
	XXH3_freeState(h);
	return rc;
}

/* The part of name below subdir, or NULL when it is not under it. */
static const char *below(const char *name, const char *subdir, size_t sublen)
{
	if (!sublen)
		return name;
	if (strncmp(name, subdir, sublen) || name[sublen] != '/')
		return NULL;
	return name + sublen + 1;
}

struct reader {
	const char *file, *subdir;
	size_t sublen, found;
	const struct strlist *ignore;
	struct archive_budget *budget;
	archive_fn *fn;
	void *ctx;
};

/* Handles the entry just read.  0, or -1 (printed). */
static int take_entry(struct reader *r, struct archive *a, struct archive_entry *e)
{
	const char *raw = entry_name(e), *rel;
	struct archive_member m = { 0 };
	char name[4096], qf[LOG_NAME_MAX];
	int64_t size;
	size_t n;
	int rc;

	if (!raw)
		return check_entry(r->file, e, NULL);
	n = strlen(raw);
	if (n >= sizeof(name))
		return log_error("%s: entry name too long", log_name(r->file, qf));
	memcpy(name, raw, n + 1);
	while (n > 0 && name[n - 1] == '/' && archive_entry_filetype(e) == AE_IFDIR)
		name[--n] = '\0';
	if (n == 0 || !strcmp(name, "."))
		return 0;
	if (check_entry(r->file, e, name) < 0)
		return -1;
	if (archive_entry_filetype(e) == AE_IFDIR)
		return 0;
	/* "a/./b" and "a//b" are a/b: a "." component is no hidden directory */
	if (path_normalize(name, n) <= 0)
		return 0;
	rel = below(name, r->subdir, r->sublen);
	if (!rel || !*rel || ignored(r->ignore, rel))
		return 0;
	/* by the header's size first: a bomb is refused before it expands */
	size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	if (size >= 0 && check_size(r->file, name, (uint64_t)size, r->budget) < 0)
		return -1;
	m.rel = rel;
	if (expand_entry(a, r->file, name, r->budget, size, &m) < 0)
		return -1;
	r->found++;
	rc = r->fn(&m, r->ctx);
	free(m.data);
	if (m.file) {
		unlink(m.file);
		free(m.file);
	}
	return rc;
}

int archive_src_read(const char *file, const char *subdir, const struct strlist *ignore,
		     struct archive_budget *b, archive_fn *fn, void *ctx)
{
	struct reader r = { .file = file, .ignore = ignore, .budget = b, .fn = fn, .ctx = ctx };
	char qf[LOG_NAME_MAX], qs[LOG_NAME_MAX];
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *sub = xstrdup(subdir);
	ssize_t sublen = path_normalize(sub, strlen(sub));
	int rc = 0, st;

	if (sublen < 0) {
		rc = log_error("%s: bad folder '%s'", log_name(file, qf), log_name(subdir, qs));
		goto out;
	}
	r.subdir = sub;
	r.sublen = (size_t)sublen;
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
		rc = log_error("cannot open archive %s: %s", log_name(file, qf),
			       archive_error_string(a));
		goto out;
	}
	while ((st = archive_read_next_header(a, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN) {
		if ((rc = take_entry(&r, a, e)) < 0)
			goto out;
	}
	if (st != ARCHIVE_EOF) {
		rc = log_error("%s: corrupt archive: %s", log_name(file, qf),
			       archive_error_string(a));
		goto out;
	}
	if (r.sublen && !r.found)
		rc = log_error("%s: no files under '%s'", log_name(file, qf), log_name(subdir, qs));
out:
	archive_read_free(a);
	free(sub);
	return rc;
}

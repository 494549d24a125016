/* archive_src.c: reads tar/zip sources into memory, refusing unsafe entries (zip-slip). */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "archive_src.h"
#include "ignore.h"
#include "log.h"
#include "path.h"
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

	if (!why && archive_entry_hardlink(e))
		why = "hard link";
	else if (!why && type == AE_IFLNK)
		why = "symbolic link";
	else if (!why && type != AE_IFREG && type != AE_IFDIR)
		why = "not a regular file";
	if (why)
		return log_error("%s: entry '%s' refused: %s", file,
				 name ? name : "?", why);
	return 0;
}

/* Reads the current entry's bytes.  Returns owned data, or NULL (printed). */
static char *read_data(struct archive *a, const char *file, const char *name,
		       size_t *total, size_t *out_len)
{
	size_t len = 0, alloc = 4096;
	char *buf = xmalloc(alloc);

	for (;;) {
		la_ssize_t n;

		if (len + 1 >= alloc) {
			if (alloc >= ARCHIVE_ENTRY_MAX + 1 || *total + len >= ARCHIVE_TOTAL_MAX) {
				log_error("%s: entry '%s' is too large", file, name);
				goto fail;
			}
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		n = archive_read_data(a, buf + len, alloc - len - 1);
		if (n < 0) {
			log_error("%s: entry '%s': %s", file, name, archive_error_string(a));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*total += len;
	*out_len = len;
	return buf;
fail:
	free(buf);
	return NULL;
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
	size_t sublen, total, found;
	const struct strlist *ignore;
	archive_fn *fn;
	void *ctx;
};

/* Handles the entry just read.  0, or -1 (printed). */
static int take_entry(struct reader *r, struct archive *a, struct archive_entry *e)
{
	const char *raw = entry_name(e), *rel;
	char name[4096];
	size_t n, len;
	char *data;

	if (!raw)
		return check_entry(r->file, e, NULL);
	n = strlen(raw);
	if (n >= sizeof(name))
		return log_error("%s: entry name too long", r->file);
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
	data = read_data(a, r->file, name, &r->total, &len);
	if (!data)
		return -1;
	r->found++;
	return r->fn(rel, data, len, r->ctx);
}

int archive_src_read(const char *file, const char *subdir,
		     const struct strlist *ignore, archive_fn *fn, void *ctx)
{
	struct reader r = { .file = file, .ignore = ignore, .fn = fn, .ctx = ctx };
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *sub = xstrdup(subdir);
	ssize_t sublen = path_normalize(sub, strlen(sub));
	int rc = 0, st;

	if (sublen < 0) {
		rc = log_error("%s: bad folder '%s'", file, subdir);
		goto out;
	}
	r.subdir = sub;
	r.sublen = (size_t)sublen;
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
		rc = log_error("cannot open archive %s: %s", file, archive_error_string(a));
		goto out;
	}
	while ((st = archive_read_next_header(a, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN) {
		if ((rc = take_entry(&r, a, e)) < 0)
			goto out;
	}
	if (st != ARCHIVE_EOF) {
		rc = log_error("%s: corrupt archive: %s", file, archive_error_string(a));
		goto out;
	}
	if (r.sublen && !r.found)
		rc = log_error("%s: no files under '%s'", file, subdir);
out:
	archive_read_free(a);
	free(sub);
	return rc;
}

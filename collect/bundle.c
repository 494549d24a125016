/* bundle.c: the collected tree written as one reproducible tar, tar.gz or zip (libarchive). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "log.h"
#include "path.h"
#include "xalloc.h"

enum bundle_fmt { BUNDLE_NONE, BUNDLE_TAR, BUNDLE_TGZ, BUNDLE_ZIP };

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static enum bundle_fmt bundle_format(const char *out_file)
{
	if (ends_with(out_file, ".tar.gz") || ends_with(out_file, ".tgz"))
		return BUNDLE_TGZ;
	if (ends_with(out_file, ".tar"))
		return BUNDLE_TAR;
	if (ends_with(out_file, ".zip"))
		return BUNDLE_ZIP;
	return BUNDLE_NONE;
}

/* $SOURCE_DATE_EPOCH (reproducible-builds.org), else 0. */
static int64_t bundle_mtime(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0) {
		log_warn("ignoring SOURCE_DATE_EPOCH=%s: not a number of seconds", s);
		return 0;
	}
	return v;
}

/* A writer of fmt on fd, or NULL after printing why. */
static struct archive *bundle_open(enum bundle_fmt fmt, int fd, const char *out_file)
{
	struct archive *a = archive_write_new();
	int r;

	if (!a)
		die("out of memory");
	if (fmt == BUNDLE_ZIP) {
		r = archive_write_set_format_zip(a);
	} else {
		/* ustar headers, pax records only where ustar cannot say it */
		r = archive_write_set_format_pax_restricted(a);
		if (r == ARCHIVE_OK && fmt == BUNDLE_TGZ)
			r = archive_write_add_filter_gzip(a);
		if (r == ARCHIVE_OK && fmt == BUNDLE_TGZ)
			r = archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	}
	if (r == ARCHIVE_OK)
		r = archive_write_open_fd(a, fd);
	if (r != ARCHIVE_OK) {
		log_error("cannot write archive %s: %s", out_file, archive_error_string(a));
		archive_write_free(a);
		return NULL;
	}
	return a;
}

/* Copies fd's size bytes into the current entry.  0, or -1 with a message. */
static int bundle_copy(struct archive *a, int fd, int64_t size, const char *path,
		       const char *out_file)
{
	char buf[65536];
	int64_t total = 0;
	ssize_t got;

	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t)got) != got)
			return log_error("cannot write archive %s: %s", out_file,
					 archive_error_string(a));
		total += got;
	}
	if (got < 0)
		return log_error("cannot write archive %s: reading %s: %s", out_file, path,
				 strerror(errno));
	if (total != size)
		return log_error("cannot write archive %s: %s changed while being read",
				 out_file, path);
	return 0;
}

static int bundle_add(struct archive *a, struct archive_entry *e, const char *root,
		      const char *path, int64_t mtime, const char *out_file)
{
	const char *bad = path_check_relative(path);
	char *full = NULL;
	struct stat st;
	int fd = -1, ret = -1;

	if (bad) {
		log_error("cannot write archive %s: entry '%s': %s", out_file, path, bad);
		goto out;
	}
	full = xmalloc(strlen(root) + strlen(path) + 2);
	sprintf(full, "%s/%s", root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_error("cannot write archive %s: %s: %s", out_file, full, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("cannot write archive %s: %s is not a regular file", out_file, full);
		goto out;
	}
	archive_entry_clear(e);
	archive_entry_set_pathname_utf8(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		log_error("cannot write archive %s: %s: %s", out_file, path,
			  archive_error_string(a));
		goto out;
	}
	ret = bundle_copy(a, fd, st.st_size, full, out_file);
out:
	if (fd >= 0)
		close(fd);
	free(full);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes the sorted, distinct paths to fd.  0, or -1 with a message. */
static int bundle_fill(enum bundle_fmt fmt, int fd, const char *root, char *const *paths,
		       size_t n, const char *out_file)
{
	char **sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	struct archive *a = bundle_open(fmt, fd, out_file);
	struct archive_entry *e = archive_entry_new();
	int64_t mtime = bundle_mtime();
	int ret = -1;

	if (!a || !e)
		goto out;
	if (n)
		memcpy(sorted, paths, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(sorted[i], sorted[i - 1]))
			continue;
		if (bundle_add(a, e, root, sorted[i], mtime, out_file) < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		log_error("cannot write archive %s: %s", out_file, archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	if (e)
		archive_entry_free(e);
	if (a)
		archive_write_free(a);
	free(sorted);
	return ret;
}

int bundle_supported(const char *out_file)
{
	return bundle_format(out_file) != BUNDLE_NONE;
}

int bundle_write(const char *root, char *const *paths, size_t n, const char *out_file)
{
	enum bundle_fmt fmt = bundle_format(out_file);
	char *tmp = NULL;
	int fd = -1, ret = -1, created = 0, r;

	if (fmt == BUNDLE_NONE)
		return log_error("cannot write archive %s: unknown suffix "
				 "(use .tar, .tar.gz, .tgz or .zip)", out_file);
	tmp = xmalloc(strlen(out_file) + sizeof(".tmpXXXXXX"));
	sprintf(tmp, "%s.tmpXXXXXX", out_file);
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error("cannot write archive %s: %s", out_file, strerror(errno));
		goto out;
	}
	created = 1;
	if (bundle_fill(fmt, fd, root, paths, n, out_file) < 0)
		goto out;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		log_error("cannot write archive %s: %s", out_file, strerror(errno));
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r < 0 || rename(tmp, out_file) < 0) {
		log_error("cannot write archive %s: %s", out_file, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && created)
		unlink(tmp);
	free(tmp);
	return ret;
}

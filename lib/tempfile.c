/* tempfile.c: one temporary file for everything that is written then published. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "tempfile.h"
#include "xalloc.h"

int tempfile_durable = 1;

static atomic_ulong tmp_seq;

int tempfile_name(char *buf, size_t n, const char *dir, const char *base)
{
	char num[48];
	int len;

	snprintf(num, sizeof(num), "%ld-%lu", (long)getpid(), atomic_fetch_add(&tmp_seq, 1));
	if (1 + strlen(base) + strlen(TEMPFILE_MARK) + strlen(num) <= NAME_MAX)
		len = snprintf(buf, n, "%s/.%s%s%s", dir, base, TEMPFILE_MARK, num);
	else
		len = snprintf(buf, n, "%s/%s%s", dir, TEMPFILE_MARK, num);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

long tempfile_name_pid(const char *name)
{
	const char *m = strstr(name, TEMPFILE_MARK);
	char *end;
	long pid;

	if (name[0] != '.' || !m)
		return -1;
	m += strlen(TEMPFILE_MARK);
	if (*m < '0' || *m > '9')
		return -1;
	pid = strtol(m, &end, 10);
	if (*end != '-' || end[1] < '0' || end[1] > '9')
		return -1;
	strtoul(end + 1, &end, 10);
	return *end == '\0' ? pid : -1;
}

/* dest's directory ("." for a bare name); owned. */
static char *dir_of(const char *dest)
{
	const char *slash = strrchr(dest, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == dest)
		return xstrdup("/");
	return xstrndup(dest, (size_t)(slash - dest));
}

static const char *base_of(const char *dest)
{
	const char *slash = strrchr(dest, '/');

	return slash ? slash + 1 : dest;
}

/* Opens the temporary in dir: unnamed when the filesystem can. */
static int open_tmp(struct tempfile *t, const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	int rc;

	t->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (t->fd >= 0)
		return 0;
	/* Only "this filesystem has no O_TMPFILE" falls back to a name. */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	if ((rc = tempfile_name(buf, sizeof(buf), dir, base_of(t->dest))) < 0)
		return rc;
	t->fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (t->fd < 0)
		return -errno;
	t->tmp = xstrdup(buf);
	return 0;
}

int tempfile_create(struct tempfile *t, const char *dest, mode_t mode)
{
	char *dir = dir_of(dest);
	int rc;

	memset(t, 0, sizeof(*t));
	t->dest = xstrdup(dest);
	rc = open_tmp(t, dir, mode);
	if (rc == -ENOENT && (rc = mkdir_p(dir, 0755)) == 0)
		rc = open_tmp(t, dir, mode);
	if (!rc)
		rc = file_mode_exact(t->fd, mode);
	free(dir);
	if (rc)
		tempfile_discard(t);
	return rc;
}

int tempfile_write(struct tempfile *t, const void *data, size_t len)
{
	t->written |= len > 0;
	return write_full(t->fd, data, len);
}

int tempfile_copy_fd(struct tempfile *t, int srcfd)
{
	char buf[65536];
	off_t off = 0;

	t->written = 1;
	for (;;) {
		ssize_t n = copy_file_range(srcfd, &off, t->fd, NULL, (size_t)1 << 30, 0);

		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
		break;  /* no in-kernel copy here: read and write */
	}
	for (;;) {
		ssize_t n = pread(srcfd, buf, sizeof(buf), off);
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if ((rc = write_full(t->fd, buf, (size_t)n)) < 0)
			return rc;
		off += n;
	}
}

/* Names the unnamed file: linkat through /proc (no CAP_DAC_READ_SEARCH
 * needed, unlike AT_EMPTY_PATH); an existing dest is replaced through a
 * named temporary and rename. */
static int name_unnamed(struct tempfile *t, unsigned flags)
{
	char proc[64], buf[PATH_MAX], *dir;
	int rc;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, t->dest, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST || (flags & TEMPFILE_NOREPLACE))
		return -errno;
	dir = dir_of(t->dest);
	rc = tempfile_name(buf, sizeof(buf), dir, base_of(t->dest));
	free(dir);
	if (rc)
		return rc;
	if (linkat(AT_FDCWD, proc, AT_FDCWD, buf, AT_SYMLINK_FOLLOW) != 0)
		return -errno;
	t->tmp = xstrdup(buf);  /* discarded by the caller on failure */
	if (rename(t->tmp, t->dest) != 0)
		return -errno;
	free(t->tmp);
	t->tmp = NULL;
	return 0;
}

static int name_named(struct tempfile *t, unsigned flags)
{
	if (flags & TEMPFILE_NOREPLACE) {
		if (link(t->tmp, t->dest) != 0)
			return -errno;
		unlink(t->tmp);
	} else if (rename(t->tmp, t->dest) != 0) {
		return -errno;
	}
	free(t->tmp);
	t->tmp = NULL;
	return 0;
}

int tempfile_commit(struct tempfile *t, unsigned flags, struct stat *st)
{
	int rc = 0;

	if (t->fd < 0) {
		tempfile_discard(t);
		return -EBADF;
	}
	if ((flags & TEMPFILE_SYNC) && tempfile_durable && t->written &&
	    fdatasync(t->fd) != 0)
		rc = -errno;
	if (!rc && st && fstat(t->fd, st) != 0)
		rc = -errno;
	if (!rc)
		rc = t->tmp ? name_named(t, flags) : name_unnamed(t, flags);
	/* A close error after a write may mean lost bytes (NFS reports
	 * ENOSPC here): the caller must not count on the file. */
	if (close(t->fd) != 0 && !rc && errno != EINTR)
		rc = -errno;
	t->fd = -1;
	tempfile_discard(t);
	return rc;
}

void tempfile_discard(struct tempfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp)
		unlink(t->tmp);
	free(t->tmp);
	free(t->dest);
	t->tmp = t->dest = NULL;
}

/* publish.c: O_TMPFILE + linkat publishing of immutable output files, rename as fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "path.h"
#include "publish.h"
#include "xalloc.h"

/* root/name's directory, created when missing.  Owned. */
static char *dir_of(const char *root, const char *name, int create)
{
	char *dir = xstrcat3(root, "/", name);

	dir[strlen(root) + 1 + path_dirlen(name)] = '\0';
	if (create)
		mkdir_p(dir, 0755);
	return dir;
}

/* Links the open unnamed file fd to path (through tmp when path exists). */
static int link_fd(int fd, const char *path, const char *tmp)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST || !tmp)
		return -errno;
	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0)
		return -errno;
	if (rename(tmp, path) != 0) {
		int rc = -errno;

		unlink(tmp);
		return rc;
	}
	return 0;
}

/* The rename way: write tmp completely, then rename it over path. */
static int via_tmp(const char *root, const char *name, const char *path, const void *data,
		   size_t len, const char *tmp, struct stat *st)
{
	int fd, rc;

	if (!tmp)
		return -EEXIST;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = file_mode_exact(fd, 0644);
	if (!rc)
		rc = write_full(fd, data, len);
	if (!rc && fstat(fd, st) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			free(dir_of(root, name, 1));
			rc = rename(tmp, path) == 0 ? 0 : -errno;
		}
	}
	if (rc)
		unlink(tmp);
	return rc;
}

int publish_bytes(const char *root, const char *name, const void *data, size_t len,
		  const char *fallback_tmp, struct stat *st)
{
	char *dir = dir_of(root, name, 0), *path = xstrcat3(root, "/", name);
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644), rc;

	if (fd < 0 && errno == ENOENT) {
		free(dir);
		dir = dir_of(root, name, 1);
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		rc = via_tmp(root, name, path, data, len, fallback_tmp, st);
		goto out;
	}
	rc = file_mode_exact(fd, 0644);
	if (!rc)
		rc = write_full(fd, data, len);
	if (!rc && fstat(fd, st) != 0)
		rc = -errno;
	if (!rc)
		rc = link_fd(fd, path, fallback_tmp);
	close(fd);
out:
	free(dir);
	free(path);
	return rc;
}

int publish_link(const char *root, const char *from, const char *name,
		 const char *fallback_tmp, struct stat *st)
{
	char *src = xstrcat3(root, "/", from), *dst = xstrcat3(root, "/", name);
	int rc = 0;

	if (link(src, dst) != 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			free(dir_of(root, name, 1));
			rc = link(src, dst) == 0 ? 0 : -errno;
		}
		if (rc == -EEXIST && fallback_tmp) {
			rc = link(src, fallback_tmp) == 0 ? 0 : -errno;
			if (!rc && rename(fallback_tmp, dst) != 0) {
				rc = -errno;
				unlink(fallback_tmp);
			}
		}
	}
	if (!rc && lstat(dst, st) != 0)
		rc = -errno;
	free(src);
	free(dst);
	return rc;
}

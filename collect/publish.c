/* publish.c: putting one output file in place under its name, whole or not at all. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "path.h"
#include "publish.h"
#include "tempfile.h"
#include "xalloc.h"

#define OUTPUT_MODE 0644  /* Django's FILE_UPLOAD_PERMISSIONS, whatever the umask */

const char *publish_conflict_hint(int err)
{
	if (err != ENOTDIR && err != EISDIR)
		return "";
	return " (the output has a file where this run needs a directory, or the "
	       "reverse; --clear deletes what is in the way)";
}

static int stat_result(const char *path, struct stat *st)
{
	return lstat(path, st) == 0 ? 0 : -errno;
}

int publish_bytes(const char *root, const char *name, const void *data, size_t len,
		  struct stat *st)
{
	char *path = xstrcat3(root, "/", name);
	struct tempfile t;
	int rc = tempfile_create(&t, path, OUTPUT_MODE);

	if (!rc && (rc = tempfile_write(&t, data, len)) < 0)
		tempfile_discard(&t);
	else if (!rc)
		rc = tempfile_commit(&t, 0, st);
	free(path);
	return rc;
}

int publish_copy(const char *root, const char *from, const char *name, struct stat *st)
{
	char *src = xstrcat3(root, "/", from), *path = xstrcat3(root, "/", name);
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;
	struct tempfile t;

	rc = in < 0 ? -errno : tempfile_create(&t, path, OUTPUT_MODE);
	if (!rc && (rc = tempfile_copy_fd(&t, in)) < 0)
		tempfile_discard(&t);
	else if (!rc)
		rc = tempfile_commit(&t, 0, st);
	if (in >= 0)
		close(in);
	free(src);
	free(path);
	return rc;
}

/* Makes path's missing directories.  0, or -errno. */
static int make_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc = -ENOENT;

	if (slash) {
		*slash = '\0';
		rc = mkdir_p(dir, 0755);
	}
	free(dir);
	return rc;
}

/* Creates path with make(arg, path) under a temporary name, then renames
 * it over path: a name that exists is replaced in one step. */
static int via_rename(const char *path, int (*make)(const char *arg, const char *at),
		      const char *arg)
{
	char tmp[PATH_MAX], *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc;

	*slash = '\0';
	rc = tempfile_name(tmp, sizeof(tmp), dir, slash + 1);
	free(dir);
	if (rc)
		return rc;
	if ((rc = make(arg, tmp)) < 0)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		unlink(tmp);
	}
	return rc;
}

/* Creates path with make, its directories and an existing name dealt with. */
static int make_name(const char *path, int (*make)(const char *arg, const char *at),
		     const char *arg)
{
	int rc = make(arg, path);

	if (rc == -ENOENT && make_parent(path) == 0)
		rc = make(arg, path);
	if (rc == -EEXIST)
		rc = via_rename(path, make, arg);
	return rc;
}

static int make_link(const char *src, const char *at)
{
	return link(src, at) == 0 ? 0 : -errno;
}

static int make_symlink(const char *target, const char *at)
{
	return symlink(target, at) == 0 ? 0 : -errno;
}

int publish_link(const char *root, const char *from, const char *name, struct stat *st)
{
	char *src = xstrcat3(root, "/", from), *path = xstrcat3(root, "/", name);
	int rc = make_name(path, make_link, src);

	if (!rc)
		rc = stat_result(path, st);
	free(src);
	free(path);
	return rc;
}

int publish_symlink(const char *root, const char *target, const char *name, struct stat *st)
{
	char *path = xstrcat3(root, "/", name);
	int rc = make_name(path, make_symlink, target);

	if (!rc)
		rc = stat_result(path, st);
	free(path);
	return rc;
}

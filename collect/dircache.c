/* dircache.c: keeps the fd of the last directory looked up, for cheaper stat() runs. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dircache.h"
#include "xalloc.h"

int dircache_stat(struct dircache *dc, const char *path, struct stat *st, int flags)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash || slash == path)
		return fstatat(AT_FDCWD, path, st, flags);
	len = (size_t)(slash - path);
	if (!dc->dir || dc->len != len || memcmp(dc->dir, path, len)) {
		if (dc->dir && dc->fd >= 0)
			close(dc->fd);
		free(dc->dir);
		dc->dir = xstrndup(path, len);
		dc->len = len;
		dc->fd = open(dc->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dc->fd < 0)
		return fstatat(AT_FDCWD, path, st, flags);
	return fstatat(dc->fd, slash + 1, st, flags);
}

void dircache_release(struct dircache *dc)
{
	if (dc->dir && dc->fd >= 0)
		close(dc->fd);
	free(dc->dir);
	memset(dc, 0, sizeof(*dc));
}

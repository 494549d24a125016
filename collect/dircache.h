/* dircache.h: stat() through a kept directory fd, so sorted paths skip most lookups. */
#ifndef SR_COLLECT_DIRCACHE_H
#define SR_COLLECT_DIRCACHE_H
#include <stddef.h>
#include <sys/stat.h>

/* One per thread; zero-initialised is empty.  Not thread-safe. */
struct dircache {
	char *dir;    /* directory of the last path, owned */
	size_t len;
	int fd;       /* O_PATH fd of dir, or -1 */
};

/*
 * fstatat(path, st, flags) resolved relative to path's directory, whose fd
 * stays open for the next call with the same directory (files come sorted
 * by name, so runs of one directory are common).  Same result and errno as
 * fstatat(AT_FDCWD, path, ...).
 */
int dircache_stat(struct dircache *dc, const char *path, struct stat *st, int flags);
void dircache_release(struct dircache *dc);

#endif

/* durable.c: the files a run wrote, synced to disk in one batch before they are published. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "log.h"
#include "workq.h"
#include "xalloc.h"

void durable_init(struct durable *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
}

void durable_release(struct durable *d)
{
	strlist_release(&d->names);
	pthread_mutex_destroy(&d->lock);
}

void durable_add(struct durable *d, const char *name)
{
	pthread_mutex_lock(&d->lock);
	strlist_add(&d->names, name);
	pthread_mutex_unlock(&d->lock);
}

struct sync_pass {
	const struct durable *d;
	int dirfd;
	const char *label;
	atomic_int failed;
};

/* Allocates nothing: a worker that ran out of memory would end the process
 * from its thread while the others are still in the middle of theirs. */
static void sync_one(size_t i, unsigned tid, void *ctx)
{
	struct sync_pass *p = ctx;
	const char *name = p->d->names.v[i];
	int fd = openat(p->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0;

	(void)tid;
	if (fd < 0 || fdatasync(fd) != 0)
		err = errno;
	if (fd >= 0 && close(fd) != 0 && !err)
		err = errno;
	/* The first failure is the one reported; the others would say the same. */
	if (err && atomic_fetch_add(&p->failed, 1) == 0)
		log_error("cannot sync %s/%s to disk: %s", p->label, name, strerror(err));
}

/* fdatasync waits on the disk, not on a CPU: with many in flight, the
 * filesystem commits them together (ext4's and xfs's journal group commit),
 * where one or two threads pay one journal commit per file. */
#define DURABLE_SYNC_THREADS 32

int durable_sync(struct durable *d, const char *dir, const char *label, unsigned nthreads)
{
	struct sync_pass p = { d, -1, label, 0 };

	p.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.dirfd < 0)
		return log_error("cannot read %s: %s", label, strerror(errno));
	if (nthreads < DURABLE_SYNC_THREADS)
		nthreads = DURABLE_SYNC_THREADS;
	workq_run(d->names.n, nthreads, sync_one, &p);
	close(p.dirfd);
	return atomic_load(&p.failed) ? -1 : 0;
}

/* fsyncs the directory fd (closed here) and those below it. */
static int sync_tree(int fd, const char *path)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(fd);
		return log_error("cannot read %s: %s", path, strerror(errno));
	}
	while (!rc && (de = readdir(d))) {
		char *sub;
		int sfd;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xstrcat3(path, "/", de->d_name);
		sfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sfd < 0 ? log_error("cannot read %s: %s", sub, strerror(errno))
			     : sync_tree(sfd, sub);
		free(sub);
	}
	if (!rc && fsync(dirfd(d)) != 0)
		rc = log_error("cannot sync %s to disk: %s", path, strerror(errno));
	closedir(d);
	return rc;
}

int durable_sync_dirs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return log_error("cannot read %s: %s", dir, strerror(errno));
	return sync_tree(fd, dir);
}

/* stage.c: temporary files for outputs renamed into place at commit, beside their destination. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "path.h"
#include "run.h"
#include "stage.h"
#include "xalloc.h"

/* a, b and c concatenated; owned. */
static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s%s", a, b, c);
	return p;
}

static int64_t st_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

char *stage_path(struct run *r, const char *dest)
{
	size_t dirlen = path_dirlen(dest), blen;
	const char *base = dest + dirlen + (dirlen ? 1 : 0);
	char num[48], *p;

	pthread_mutex_lock(&r->stage_lock);
	if (!r->stage_made && (mkdir(r->stage, 0700) == 0 || errno == EEXIST))
		r->stage_made = 1;
	pthread_mutex_unlock(&r->stage_lock);

	snprintf(num, sizeof(num), "%ld-%zu", r->pid,
		 atomic_fetch_add(&r->tmp_seq, 1));
	blen = strlen(base);
	if (1 + blen + strlen(TMP_MARK) + strlen(num) > NAME_MAX)
		return join(r->stage, "/", num);
	p = xmalloc(strlen(r->root) + dirlen + blen + strlen(TMP_MARK) + strlen(num) + 4);
	sprintf(p, "%s/%.*s%s.%s%s%s", r->root, (int)dirlen, dest, dirlen ? "/" : "", base,
		TMP_MARK, num);
	return p;
}

long stage_name_pid(const char *name)
{
	const char *m = strstr(name, TMP_MARK);
	char *end;
	long pid;

	if (name[0] != '.' || !m)
		return -1;
	m += strlen(TMP_MARK);
	if (*m < '0' || *m > '9')
		return -1;
	pid = strtol(m, &end, 10);
	if (*end != '-' || end[1] < '0' || end[1] > '9')
		return -1;
	strtoul(end + 1, &end, 10);
	return *end == '\0' ? pid : -1;
}

/* Makes the directory of the temporary path tmp (an output directory new
 * to this run).  Returns 0 when made, so the caller retries. */
static int make_tmp_dir(const char *tmp)
{
	char *dir = xstrdup(tmp), *slash = strrchr(dir, '/');
	int rc = -1;

	if (slash) {
		*slash = '\0';
		rc = mkdir_p(dir, 0755);
	}
	free(dir);
	return rc;
}

const char *stage_conflict_hint(int err)
{
	if (err != ENOTDIR && err != EISDIR)
		return "";
	return " (the output has a file where this run needs a directory, or the "
	       "reverse; --clear deletes what is in the way)";
}

/* Writes data to a new staged file; records its mtime and inode in os when
 * given.  Returns the owned path, or NULL after cfile_fail(). */
char *write_tmp(struct run *r, struct cfile *f, const char *dest, const void *data,
		       size_t len, struct out_state *os)
{
	char *tmp = stage_path(r, dest);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	struct stat st;
	int err;

	if (fd < 0 && errno == ENOENT && make_tmp_dir(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if ((err = file_mode_exact(fd, 0644)) != 0 || (err = write_full(fd, data, len)) != 0) {
		errno = -err;
		goto fail_fd;
	}
	atomic_store(&r->staged, 1);
	if (os && fstat(fd, &st) == 0) {
		os->mtime_ns = st_mtime_ns(&st);
		os->ino = st.st_ino;
		os->fact.mtime = st.st_mtim.tv_sec;
	}
	if (close(fd) != 0)
		goto fail;
	return tmp;
fail_fd:
	err = errno;
	close(fd);
	errno = err;
fail:
	err = errno;
	cfile_fail(f, "cannot write %s/%s: %s%s", r->root, dest, strerror(err),
		   stage_conflict_hint(err));
	unlink(tmp);
	free(tmp);
	return NULL;
}

/* Stages a symbolic link to f's source (--link).  Owned path or NULL. */
char *link_tmp(struct run *r, struct cfile *f, struct out_state *os)
{
	char *tmp = stage_path(r, f->name), *target = realpath(f->path, NULL);
	struct stat st;
	int rc = target ? symlink(target, tmp) : -1;

	if (rc != 0 && target && errno == ENOENT && make_tmp_dir(tmp) == 0)
		rc = symlink(target, tmp);
	if (rc != 0) {
		cfile_fail(f, "cannot link %s: %s", f->path, strerror(errno));
		free(target);
		free(tmp);
		return NULL;
	}
	free(target);
	if (lstat(tmp, &st) == 0) {
		os->mtime_ns = st_mtime_ns(&st);
		os->ino = st.st_ino;
	}
	os->fact.mtime = f->mtime_ns / 1000000000;  /* what is served is the source */
	return tmp;
}

/*
 * Stages a hard link to root/from, whose bytes are the ones wanted (the
 * hashed twin of an unchanged file): half the bytes written, and safe as
 * outputs are only ever replaced by rename, never rewritten in place.
 * Returns the owned path, or NULL when linking is not possible.
 */
char *hardlink_tmp(struct run *r, const char *from, const char *dest,
			  struct out_state *os)
{
	char *src = join(r->root, "/", from), *tmp = stage_path(r, dest);
	struct stat st;
	int rc = link(src, tmp);

	if (rc != 0 && errno == ENOENT && make_tmp_dir(tmp) == 0)
		rc = link(src, tmp);
	if (rc != 0 || lstat(tmp, &st) != 0) {
		unlink(tmp);
		free(tmp);
		free(src);
		return NULL;
	}
	free(src);
	if (os) {
		os->mtime_ns = st_mtime_ns(&st);
		os->ino = st.st_ino;
		os->fact.mtime = st.st_mtim.tv_sec;
	}
	return tmp;
}

/* Renames tmp to root/name, creating directories as needed.  0 or -errno. */
int place_file(const char *tmp, const char *root, const char *name)
{
	char *dst = join(root, "/", name);
	int r = 0;

	if (rename(tmp, dst) != 0) {
		r = -errno;
		if (r == -ENOENT) {
			char *dir = join(root, "/", name);

			dir[strlen(root) + 1 + path_dirlen(name)] = '\0';
			r = mkdir_p(dir, 0755);
			if (!r && rename(tmp, dst) != 0)
				r = -errno;
			free(dir);
		}
	}
	free(dst);
	return r;
}

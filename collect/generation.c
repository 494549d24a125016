/* generation.c: the output switches whole: a new generation built beside it, then one exchange. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "generation.h"
#include "log.h"
#include "run.h"
#include "tempfile.h"
#include "xalloc.h"

#define PROBE_SUFFIX ".staticroot-probe"

/* "PARENT/.BASE<suffix>" for the real path real; owned, NULL when the
 * name would be too long. */
static char *sibling(const char *real, const char *suffix)
{
	const char *slash = strrchr(real, '/');
	const char *base = slash ? slash + 1 : real;
	size_t plen = slash ? (size_t)(slash - real) : 0;
	char *p;

	if (1 + strlen(base) + strlen(suffix) > NAME_MAX)
		return NULL;
	p = xmalloc(strlen(real) + strlen(suffix) + 3);
	sprintf(p, "%.*s/.%s%s", (int)plen, real, base, suffix);
	return p;
}

/* Removes dfd/name and everything below it, without following symlinks.
 * 0, or -errno of the first failure (it goes on with the rest). */
static int remove_at(int dfd, const char *name)
{
	int fd, rc = 0;
	DIR *d;
	struct dirent *de;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR)
			r = remove_at(dirfd(d), de->d_name);
		else if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
			r = 0;
		else if (errno == EISDIR)
			r = remove_at(dirfd(d), de->d_name);
		else
			r = -errno;
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

static int remove_path(const char *path)
{
	return remove_at(AT_FDCWD, path);
}

void generation_tidy(const char *root)
{
	char *real = realpath(root, NULL), *next = real ? sibling(real, GEN_SUFFIX) : NULL;
	char *probe = real ? sibling(real, PROBE_SUFFIX) : NULL;
	struct stat st;
	int rc;

	if (next && lstat(next, &st) == 0) {
		log_info(2, "Removing %s (left by a run that did not finish)", next);
		if ((rc = remove_path(next)) < 0)
			log_warn("cannot remove %s: %s", next, strerror(-rc));
	}
	if (probe)
		remove_path(probe);
	free(probe);
	free(next);
	free(real);
}

/* What linking the tree needs to carry along. */
struct linker {
	const char *from;  /* root, for messages */
	int chown;         /* root runs: keep directories' owners */
};

/* A copy of the regular file sfd/name as dfd/name (path dst), with its
 * mode and mtime: what the kernel would not hard-link (another user's
 * file under protected_hardlinks, an inode at its link limit).  0/-errno. */
static int copy_at(int sfd, const char *name, const char *dst, const struct stat *st)
{
	struct tempfile t;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (in < 0)
		return -errno;
	rc = tempfile_create(&t, dst, st->st_mode & 07777);
	if (!rc && (rc = tempfile_copy_fd(&t, in)) < 0)
		tempfile_discard(&t);
	else if (!rc)
		rc = tempfile_commit(&t, TEMPFILE_SYNC | TEMPFILE_NOREPLACE, NULL);
	close(in);
	if (!rc && utimensat(AT_FDCWD, dst, ts, 0) != 0)
		rc = -errno;
	return rc;
}

/* A symlink that could not be linked, made again. */
static int resymlink_at(int sfd, const char *name, int dfd)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	return symlinkat(target, dfd, name) == 0 ? 0 : -errno;
}

static int link_dir(struct linker *lk, int sfd, int dfd, const char *spath, const char *dpath,
		    int top);

/* One entry of a directory being linked. */
static int link_entry(struct linker *lk, int sfd, int dfd, const char *name, unsigned type,
		      const char *spath, const char *dpath)
{
	char *sp = xstrcat3(spath, "/", name), *dp = xstrcat3(dpath, "/", name);
	struct stat st;
	int rc = 0;

	if (type == DT_UNKNOWN) {
		if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -errno;
			goto out;
		}
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG
		       : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
	}
	if (type == DT_DIR) {
		rc = link_dir(lk, sfd, dfd, sp, dp, 0);
		goto out;
	}
	if (type != DT_REG && type != DT_LNK) {
		log_warn("%s is not a file, directory or symlink: left out of the new tree", sp);
		goto out;
	}
	if (linkat(sfd, name, dfd, name, 0) == 0)
		goto out;
	rc = -errno;
	if (rc != -EPERM && rc != -EMLINK)
		goto out;
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		rc = -errno;
	else if (S_ISLNK(st.st_mode))
		rc = resymlink_at(sfd, name, dfd);
	else
		rc = copy_at(sfd, name, dp, &st);
out:
	if (rc < 0 && rc != -1)
		rc = log_error("cannot link %s into the new generation: %s", sp, strerror(-rc));
	free(sp);
	free(dp);
	return rc < 0 ? -1 : 0;
}

/* Makes dfd/basename(dpath) like the directory sfd/basename(spath) and
 * links its entries (at the top, only the sibling's own fd is given). */
static int link_dir(struct linker *lk, int sfd, int dfd, const char *spath, const char *dpath,
		    int top)
{
	const char *name = strrchr(spath, '/') ? strrchr(spath, '/') + 1 : spath;
	int in, out, rc = 0;
	struct stat st;
	struct dirent *de;
	DIR *d;

	in = top ? dup(sfd) : openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0) {
		rc = log_error("cannot read %s: %s", spath, strerror(errno));
		if (in >= 0)
			close(in);
		return rc;
	}
	if (!top && mkdirat(dfd, name, 0700) != 0) {
		close(in);
		return log_error("cannot create %s: %s", dpath, strerror(errno));
	}
	out = top ? dup(dfd) : openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0 || fchmod(out, st.st_mode & 07777) != 0 ||
	    (lk->chown && fchown(out, st.st_uid, st.st_gid) != 0)) {
		rc = log_error("cannot create %s: %s", dpath, strerror(errno));
		if (out >= 0)
			close(out);
		close(in);
		return rc;
	}
	if (!(d = fdopendir(in))) {
		close(in);
		close(out);
		return log_error("cannot read %s: %s", spath, strerror(errno));
	}
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* collect's temporaries, and the in-place mark, stay behind */
		if (tempfile_name_pid(de->d_name) >= 0 || (top && !strcmp(de->d_name, STAGE_NAME)))
			continue;
		rc = link_entry(lk, dirfd(d), out, de->d_name, de->d_type, spath, dpath);
	}
	closedir(d);
	close(out);
	return rc;
}

/* Whether real is the root of a mount (its own, or a bind mount). */
static int mount_root(const char *real)
{
	struct statx a, b;
	char *parent = xstrcat3(real, "/..", "");
	int rc = 0;

	if (statx(AT_FDCWD, real, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_MNT_ID, &a) == 0 &&
	    statx(AT_FDCWD, parent, 0, STATX_BASIC_STATS | STATX_MNT_ID, &b) == 0)
		rc = ((a.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
		      (a.stx_attributes & STATX_ATTR_MOUNT_ROOT)) ||
		     a.stx_dev_major != b.stx_dev_major || a.stx_dev_minor != b.stx_dev_minor ||
		     ((a.stx_mask & b.stx_mask & STATX_MNT_ID) && a.stx_mnt_id != b.stx_mnt_id);
	free(parent);
	return rc;
}

/* Whether the filesystem exchanges directories: two empty ones, next
 * and a probe, are swapped once.  0, or -errno. */
static int probe_exchange(const char *next, const char *probe)
{
	int rc = 0;

	if (mkdir(probe, 0700) != 0)
		return -errno;
	if (renameat2(AT_FDCWD, next, AT_FDCWD, probe, RENAME_EXCHANGE) != 0)
		rc = -errno;
	rmdir(probe);
	return rc;
}

/* Falls back to updating in place, saying why. */
static int in_place(struct generation *g, const char *root, const char *why, int err)
{
	log_warn("%s %s%s%s: its files are replaced one by one instead of switching the whole "
		 "tree at once (see README, Reliability)", root, why, err ? ": " : "",
		 err ? strerror(err) : "");
	if (g->next) {
		rmdir(g->next);
		free(g->next);
		g->next = NULL;
	}
	g->mode = GEN_IN_PLACE;
	return 0;
}

/* Makes the empty sibling, or says why the output is updated in place. */
static int make_sibling(struct generation *g, const char *root)
{
	char *probe;
	int rc;

	if (!strcmp(g->root, "/"))
		return in_place(g, root, "is the filesystem root", 0);
	if (mount_root(g->root))
		return in_place(g, root, "is a mount point", 0);
	g->next = sibling(g->root, GEN_SUFFIX);
	probe = sibling(g->root, PROBE_SUFFIX);
	if (!g->next || !probe) {
		free(probe);
		return in_place(g, root, "has a name too long for a sibling directory", 0);
	}
	if (mkdir(g->next, 0700) != 0) {
		rc = errno;
		free(probe);
		if (rc != EACCES && rc != EPERM && rc != EROFS) {
			log_error("cannot create %s: %s", g->next, strerror(rc));
			free(g->next);
			g->next = NULL;
			return -1;
		}
		free(g->next);
		g->next = NULL;
		return in_place(g, root, "has a parent directory collect cannot write in", rc);
	}
	rc = probe_exchange(g->next, probe);
	free(probe);
	if (rc == -EINVAL || rc == -ENOSYS || rc == -EOPNOTSUPP)
		return in_place(g, root, "is on a filesystem without RENAME_EXCHANGE", -rc);
	if (rc < 0) {
		rmdir(g->next);
		return log_error("cannot create %s: %s", g->next, strerror(-rc));
	}
	return 0;
}

int generation_begin(struct generation *g, const char *root)
{
	struct linker lk = { root, geteuid() == 0 };
	int sfd, dfd, rc;

	memset(g, 0, sizeof(*g));
	g->mode = GEN_SWITCH;
	if (!(g->root = realpath(root, NULL)))
		return log_error("cannot resolve %s: %s", root, strerror(errno));
	if (make_sibling(g, root) < 0 || g->mode == GEN_IN_PLACE) {
		rc = g->mode == GEN_IN_PLACE ? 0 : -1;
		if (rc)
			generation_end(g);
		return rc;
	}
	sfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dfd = open(g->next, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0 || dfd < 0)
		rc = log_error("cannot open %s: %s", sfd < 0 ? root : g->next, strerror(errno));
	else
		rc = link_dir(&lk, sfd, dfd, root, g->next, 1);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	if (rc < 0)
		generation_end(g);
	return rc;
}

const char *generation_dir(const struct generation *g)
{
	return g->mode == GEN_SWITCH ? g->next : g->root;
}

/* fsyncs the directory at path. */
static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int generation_switch(struct generation *g, int sync)
{
	char *parent;
	int rc;

	if (g->mode != GEN_SWITCH)
		return 0;
	if (sync && durable_sync_dirs(g->next) < 0)
		return -1;
	/* Made before the exchange: from there on, nothing may fail but what
	 * can be undone (an allocation failure would exit with the new
	 * generation live). */
	parent = xstrcat3(g->root, "/..", "");
	if (renameat2(AT_FDCWD, g->next, AT_FDCWD, g->root, RENAME_EXCHANGE) != 0) {
		free(parent);
		return log_error("cannot switch %s to the new generation: %s", g->root,
				 strerror(errno));
	}
	/* The exchange itself must survive a power cut before the old
	 * generation's files go. */
	rc = sync ? fsync_dir(parent) : 0;
	free(parent);
	if (rc == 0) {
		g->switched = 1;
		return 0;
	}
	/* A run that fails leaves the previous generation: exchange back. */
	if (renameat2(AT_FDCWD, g->next, AT_FDCWD, g->root, RENAME_EXCHANGE) != 0) {
		g->switched = 1;  /* the new one stays: it is whole */
		return log_error("cannot sync the directory of %s: %s (the new generation is "
				 "in place, but may not survive a power cut)", g->root, strerror(-rc));
	}
	return log_error("cannot sync the directory of %s: %s", g->root, strerror(-rc));
}

void generation_end(struct generation *g)
{
	int rc;

	if (g->next && (rc = remove_path(g->next)) < 0)
		log_warn("cannot remove %s: %s (the next run removes it)", g->next, strerror(-rc));
	free(g->next);
	free(g->root);
	memset(g, 0, sizeof(*g));
}

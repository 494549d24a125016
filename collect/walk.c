/* walk.c: recursive directory walk with symlink following and loop detection. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ignore.h"
#include "log.h"
#include "options.h"
#include "walk.h"

/* One directory of the chain from the root down: for loop detection. */
struct frame {
	dev_t dev;
	ino_t ino;
	const struct frame *up;
};

struct walk {
	const struct strlist *ignore;
	walk_fn *fn;
	void *ctx;
	char path[PATH_MAX];  /* root + "/" + rel of the current entry */
	size_t rel_off;       /* where rel starts in path */
	char shown[LOG_NAME_MAX];  /* path escaped for messages */
};

/* The current path, escaped for a message (log_name()). */
static const char *shown(struct walk *w)
{
	return log_name(w->path, w->shown);
}

static int in_chain(const struct frame *f, const struct stat *st)
{
	for (; f; f = f->up)
		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return 1;
	return 0;
}

static int walk_fd(struct walk *w, int dfd, size_t len, const struct frame *up);

/* Enters the directory name (its stat in st when known, else NULL). */
static int walk_subdir(struct walk *w, int dfd, const char *name, size_t len,
		       const struct frame *up, const struct stat *known)
{
	struct stat st;
	struct frame fr;
	int sub;

	if (ignore_match(w->ignore, name, NULL))
		return 0;
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sub < 0)
		return log_error("cannot open %s: %s", shown(w), strerror(errno));
	if (!known) {
		if (fstat(sub, &st) != 0) {
			close(sub);
			return log_error("cannot stat %s: %s", shown(w), strerror(errno));
		}
		known = &st;
	}
	if (in_chain(up, known)) {
		close(sub);
		log_warn("symbolic link loop at '%s' skipped", shown(w));
		return 0;
	}
	fr = (struct frame){ known->st_dev, known->st_ino, up };
	return walk_fd(w, sub, len, &fr);
}

/* Handles one directory entry whose name was appended to w->path.  Plain
 * files and directories need no stat here (prepare stats files in
 * parallel); links and unknown types are followed with stat(). */
static int walk_entry(struct walk *w, int dfd, const char *name, size_t len,
		      unsigned char type, const struct frame *up)
{
	const char *rel = w->path + w->rel_off;
	struct stat st, lst;

	if (type == DT_DIR)
		return walk_subdir(w, dfd, name, len, up, NULL);
	if (type == DT_REG)
		return ignore_match(w->ignore, name, rel) ? 0 : w->fn(rel, w->path, NULL, w->ctx);
	if (fstatat(dfd, name, &st, 0) != 0) {
		if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode)) {
			log_warn("broken symbolic link '%s' skipped", shown(w));
			return 0;
		}
		return log_error("cannot stat %s: %s", shown(w), strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return walk_subdir(w, dfd, name, len, up, &st);
	if (ignore_match(w->ignore, name, rel))
		return 0;
	if (!S_ISREG(st.st_mode)) {
		log_warn("'%s' skipped: not a regular file", shown(w));
		return 0;
	}
	return w->fn(rel, w->path, &st, w->ctx);
}

/* Walks the open directory dfd (closed here) whose path is w->path[0..len). */
static int walk_fd(struct walk *w, int dfd, size_t len, const struct frame *up)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(dfd);
		return log_error("cannot read %s: %s", shown(w), strerror(errno));
	}
	while ((errno = 0, de = readdir(d))) {
		size_t nl = strlen(de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + nl >= sizeof(w->path)) {
			r = log_error("path too long under %s", shown(w));
			break;
		}
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nl + 1);
		r = walk_entry(w, dirfd(d), de->d_name, len + 1 + nl, de->d_type, up);
		w->path[len] = '\0';
		if (r)
			break;
	}
	if (!r && errno)
		r = log_error("cannot read %s: %s", shown(w), strerror(errno));
	closedir(d);
	return r;
}

int walk_dir(const char *root, const struct strlist *ignore, walk_fn *fn, void *ctx)
{
	struct walk w = { .ignore = ignore, .fn = fn, .ctx = ctx };
	size_t len = strlen(root);
	struct stat st;
	struct frame fr;
	int fd;

	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len + 2 >= sizeof(w.path))
		return log_error("path too long: %s", log_name(root, w.shown));
	memcpy(w.path, root, len);
	w.path[len] = '\0';
	w.rel_off = len + 1;
	fd = open(w.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error("cannot open source directory %s: %s", shown(&w), strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return log_error("cannot stat %s: %s", shown(&w), strerror(errno));
	}
	fr = (struct frame){ st.st_dev, st.st_ino, NULL };
	return walk_fd(&w, fd, len, &fr);
}

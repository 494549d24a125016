/* clear.c: deletes output files that the committed manifest and index no longer list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "clear.h"
#include "fileset.h"
#include "log.h"
#include "manifest.h"
#include "options.h"
#include "path.h"
#include "tree_index.h"
#include "xalloc.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int kept(const struct strlist *keep, const char *rel)
{
	return keep->n && bsearch(&rel, keep->v, keep->n, sizeof(*keep->v), cmp_str) != NULL;
}

static int own_file(const char *rel)
{
	return !strcmp(rel, MANIFEST_NAME) || !strncmp(rel, ".staticroot-", 12);
}

/* Whether rel is a variant sibling of a kept file. */
static int kept_variant(const struct strlist *keep, const char *rel)
{
	size_t n = strlen(rel);
	int found = 0;

	for (int e = 0; e < ENC_COUNT && !found; e++) {
		size_t sl = strlen(tree_enc_suffix[e]);
		char *base;

		if (n <= sl || strcmp(rel + n - sl, tree_enc_suffix[e]))
			continue;
		base = xstrndup(rel, n - sl);
		found = kept(keep, base);
		free(base);
	}
	return found;
}

/* Clears the directory dfd (closed here) at rel ("" for the root).
 * Returns whether it is now empty. */
static int clear_dir(int dfd, const char *rel, const struct strlist *keep, int dry)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	char q[LOG_NAME_MAX];
	int empty = 1;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xmalloc(strlen(rel) + strlen(de->d_name) + 2);
		strcpy(p, rel);
		if (*rel)
			strcat(p, "/");
		strcat(p, de->d_name);
		if (de->d_type == DT_DIR) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			if (sub >= 0 && clear_dir(sub, p, keep, dry) && !dry &&
			    unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
				;
			else
				empty = 0;
		} else if ((!*rel && own_file(p)) || kept(keep, p) ||
			   (dry && kept_variant(keep, p))) {
			empty = 0;
		} else if (dry) {
			log_info(1, "Pretending to delete '%s'", log_name(p, q));
			empty = 0;
		} else {
			/* a name found on disk: any bytes, so escaped (log_name) */
			log_info(1, "Deleting '%s'", log_name(p, q));
			if (unlinkat(dirfd(d), de->d_name, 0) != 0) {
				log_warn("cannot delete %s: %s", q, strerror(errno));
				empty = 0;
			}
		}
		free(p);
	}
	closedir(d);
	return empty;
}

void clear_outputs(const char *root, struct strlist *keep, int dry)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (keep->n)
		qsort(keep->v, keep->n, sizeof(*keep->v), cmp_str);
	if (fd < 0) {
		log_warn("cannot clear %s: %s", root, strerror(errno));
		return;
	}
	clear_dir(fd, "", keep, dry);
}

void clear_manifest(const char *root, int dry)
{
	char *path = xstrcat3(root, "/", MANIFEST_NAME);

	if (access(path, F_OK) == 0) {
		log_info(1, "%s '%s'", dry ? "Pretending to delete" : "Deleting", MANIFEST_NAME);
		if (!dry && unlink(path) != 0)
			log_warn("cannot delete %s: %s", path, strerror(errno));
	}
	free(path);
}

/* Deletes the directory root/name and everything below it. */
static void clear_tree(int rootfd, const char *name)
{
	struct strlist none = { 0 };
	char q[LOG_NAME_MAX];
	int fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && clear_dir(fd, name, &none, 0) && unlinkat(rootfd, name, AT_REMOVEDIR) != 0)
		log_warn("cannot delete %s: %s", log_name(name, q), strerror(errno));
}

/* Deletes a non-directory standing at a directory of name's path (the
 * first dirlen bytes; it stops at the first one that does not exist). */
static void clear_parents(int rootfd, char *name, size_t dirlen)
{
	char q[LOG_NAME_MAX];
	struct stat st;

	for (char *s = strchr(name, '/'); s && (size_t)(s - name) <= dirlen; s = strchr(s + 1, '/')) {
		int gone;

		*s = '\0';
		gone = fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0;
		if (!gone && !S_ISDIR(st.st_mode) &&
		    (fstatat(rootfd, name, &st, 0) != 0 || !S_ISDIR(st.st_mode))) {
			log_info(1, "Deleting '%s'", log_name(name, q));
			if (unlinkat(rootfd, name, 0) != 0)
				log_warn("cannot delete %s: %s", q, strerror(errno));
			gone = 1;
		}
		*s = '/';
		if (gone)
			break;
	}
}

/* Clears the way for name; the directories of the last name it checked
 * (*last_dir) are not checked again: names come sorted. */
static void clear_at(int rootfd, const char *name, const char **last_dir, size_t *last_len)
{
	size_t dirlen = path_dirlen(name);
	struct stat st;

	if (dirlen && !(*last_dir && *last_len == dirlen && !memcmp(*last_dir, name, dirlen))) {
		char *p = xstrdup(name);

		clear_parents(rootfd, p, dirlen);
		free(p);
		*last_dir = name;
		*last_len = dirlen;
	}
	if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		clear_tree(rootfd, name);
}

void clear_in_the_way(const char *root, const struct fileset *fs, int hashed)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *last_dir = NULL;
	size_t last_len = 0;

	if (fd < 0)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		clear_at(fd, fs->v[i].name, &last_dir, &last_len);
		if (hashed && fs->v[i].hashed)
			clear_at(fd, fs->v[i].hashed, &last_dir, &last_len);
	}
	close(fd);
}

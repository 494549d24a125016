/* dirstamp.c: output directories' mtimes at the end of a run, so a rerun trusts unchanged ones. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirstamp.h"
#include "hash.h"
#include "path.h"
#include "strbuf.h"
#include "xalloc.h"

#define DIRSTAMP_MAGIC "staticroot-dirs 1"
#define DIRSTAMP_MAX ((size_t)1 << 28)

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static char *join(const char *root, const char *rel, size_t len)
{
	size_t rl = strlen(root);
	char *p = xmalloc(rl + len + 2);

	memcpy(p, root, rl);
	p[rl] = '/';
	memcpy(p + rl + 1, rel, len);
	p[rl + 1 + len] = '\0';
	return p;
}

/* Appends "mtime\tdir\n" for each distinct directory of fs's names. */
static void add_dirs(struct strbuf *sb, const char *root, const struct fileset *fs)
{
	const char *prev = NULL;
	size_t prevlen = 0;

	for (size_t i = 0; i < fs->n; i++) {
		const char *name = fs->v[i].name;
		size_t len = path_dirlen(name);
		struct stat st;
		char *dir;

		if (!len || (prev && len == prevlen && !memcmp(prev, name, len)) ||
		    memchr(name, '\t', len) || memchr(name, '\n', len))
			continue;
		prev = name;
		prevlen = len;
		dir = join(root, name, len);
		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			strbuf_addf(sb, "%" PRId64 "\t", mtime_ns(&st));
			strbuf_add(sb, name, len);
			strbuf_addch(sb, '\n');
		}
		free(dir);
	}
}

void dirstamp_write(const char *root, const struct fileset *fs, uint64_t cache_hash)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[HASH_HEX_LEN + 1], *path = join(root, DIRSTAMP_NAME, strlen(DIRSTAMP_NAME));
	char *tmp = xmalloc(strlen(path) + 8);
	int fd;

	hash_hex(cache_hash, hex);
	strbuf_addf(&sb, "%s %s\n", DIRSTAMP_MAGIC, hex);
	add_dirs(&sb, root, fs);
	hash_hex(hash_bytes(sb.buf, sb.len), hex);
	strbuf_addf(&sb, "end %s\n", hex);
	/* A hint, not data: no fsync; a torn file fails its check. */
	sprintf(tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t n = write(fd, sb.buf, sb.len);

		if (close(fd) == 0 && n == (ssize_t)sb.len && rename(tmp, path) == 0)
			goto out;
		unlink(tmp);
	}
	unlink(path);  /* a stale record must not outlive the cache it went with */
out:
	strbuf_release(&sb);
	free(tmp);
	free(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps the directory of line "mtime\tdir" when its mtime is unchanged and
 * older than the record itself (a change in the same clock tick as the
 * record would not show). */
static void take_line(struct dirstamp *ds, size_t *alloc, const char *root, char *line,
		      int64_t written)
{
	char *tab = strchr(line, '\t'), *end, *dir;
	struct stat st;
	long long mt;

	if (!tab)
		return;
	*tab = '\0';
	errno = 0;
	mt = strtoll(line, &end, 10);
	if (errno || *end || mt >= written)
		return;
	dir = join(root, tab + 1, strlen(tab + 1));
	if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && mtime_ns(&st) == mt) {
		XGROW(ds->dirs, *alloc, ds->n + 1);
		ds->dirs[ds->n++] = xstrdup(tab + 1);
	}
	free(dir);
}

void dirstamp_load(struct dirstamp *ds, const char *root, uint64_t cache_hash)
{
	char hex[HASH_HEX_LEN + 1], want[64], *path = join(root, DIRSTAMP_NAME, strlen(DIRSTAMP_NAME));
	struct strbuf sb;
	struct stat st;
	size_t alloc = 0, body;
	char *p, *nl, *last;
	int fd;

	memset(ds, 0, sizeof(*ds));
	strbuf_init(&sb, DIRSTAMP_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || strbuf_read_fd(&sb, fd) < 0 || sb.len < 2 ||
	    sb.buf[sb.len - 1] != '\n')
		goto out;
	/* "end HASH\n" closes the body it hashes */
	sb.buf[sb.len - 1] = '\0';
	last = strrchr(sb.buf, '\n');
	if (!last)
		goto out;
	body = (size_t)(last + 1 - sb.buf);
	hash_hex(hash_bytes(sb.buf, body), hex);
	if (strncmp(last + 1, "end ", 4) || strcmp(last + 5, hex))
		goto out;
	*last = '\0';
	hash_hex(cache_hash, hex);
	snprintf(want, sizeof(want), "%s %s", DIRSTAMP_MAGIC, hex);
	nl = strchr(sb.buf, '\n');
	if (nl)
		*nl = '\0';
	if (strcmp(sb.buf, want))
		goto out;
	ds->valid = 1;
	for (p = nl ? nl + 1 : NULL; p && *p; p = nl ? nl + 1 : NULL) {
		if ((nl = strchr(p, '\n')))
			*nl = '\0';
		take_line(ds, &alloc, root, p, mtime_ns(&st));
	}
	if (ds->n)
		qsort(ds->dirs, ds->n, sizeof(*ds->dirs), cmp_str);
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&sb);
	free(path);
}

int dirstamp_trusted(const struct dirstamp *ds, const char *name)
{
	size_t len = path_dirlen(name), lo = 0, hi = ds->n;

	if (!len)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(ds->dirs[mid], name, len);

		if (!c)
			c = ds->dirs[mid][len] ? 1 : 0;
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void dirstamp_release(struct dirstamp *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->dirs[i]);
	free(ds->dirs);
	memset(ds, 0, sizeof(*ds));
}

/* strbuf.c: growable, bounded byte buffers (see strbuf.h for the rules). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = strbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max ? max : STRBUF_DEFAULT_MAX;
}

void strbuf_release(struct strbuf *sb)
{
	size_t max = sb->max;

	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, max);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	if (!sb->alloc)
		p = xstrdup("");
	else
		p = sb->buf;
	strbuf_init(sb, sb->max);
	return p;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;
	char *old = sb->alloc ? sb->buf : NULL;

	if (extra > sb->max || sb->len > sb->max - extra)
		return -EFBIG;
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	if (need < sb->alloc / 2 * 3)
		need = sb->alloc / 2 * 3;
	if (need < 64)
		need = 64;
	sb->buf = xrealloc(old, need);
	if (!old)
		sb->buf[0] = '\0';
	sb->alloc = need;
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	int r = strbuf_grow(sb, len);

	if (r)
		return r;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	int r;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -EINVAL;
	r = strbuf_grow(sb, (size_t)n);
	if (r)
		return r;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc)
		return; /* only 0 is valid here; the slop buffer stays "" */
	sb->len = len;
	sb->buf[len] = '\0';
}

/* Room to ask read() for: the whole file when its size is known. */
static size_t read_room(const struct strbuf *sb, size_t want)
{
	size_t left = sb->max - sb->len;

	return want < left ? want : left;
}

int strbuf_read_fd(struct strbuf *sb, int fd)
{
	struct stat st;
	/* size + 1, so that the read after the last byte finds EOF in place. */
	size_t want = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
		(size_t)st.st_size + 1 : 8192;

	for (;;) {
		ssize_t n;
		char probe;

		if (sb->len == sb->max) {
			/* Full: only an immediate EOF keeps this a success. */
			n = read(fd, &probe, 1);
			if (n < 0 && errno == EINTR)
				continue;
			return n < 0 ? -errno : n ? -EFBIG : 0;
		}
		if (sb->alloc <= sb->len + 1)
			strbuf_grow(sb, read_room(sb, want)); /* fits under max */
		n = read(fd, sb->buf + sb->len,
			 read_room(sb, sb->alloc - sb->len - 1));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
		want = sb->len / 2 > 8192 ? sb->len / 2 : 8192; /* it grew */
	}
}

int strbuf_read_file(struct strbuf *sb, const char *path)
{
	return strbuf_read_file_at(sb, AT_FDCWD, path);
}

int strbuf_read_file_at(struct strbuf *sb, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = strbuf_read_fd(sb, fd);
	close(fd);
	return r;
}

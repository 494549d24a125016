/* strbuf.h: growable, bounded byte buffers in git's strbuf shape. */
#ifndef SR_STRBUF_H
#define SR_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

/*
 * buf is never NULL and always NUL-terminated, so it can be handed to any
 * string function.  max bounds len (like curl's dynbuf): an addition that
 * would exceed it fails with -EFBIG and leaves the buffer unchanged, so a
 * hostile input fails cleanly instead of eating memory.  Allocation failure
 * dies (see xalloc.h).  Not thread-safe; one owner per buffer.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

extern char strbuf_slopbuf[1];
#define STRBUF_DEFAULT_MAX ((size_t)1 << 32)
#define STRBUF_INIT { strbuf_slopbuf, 0, 0, STRBUF_DEFAULT_MAX }

/* max 0 means STRBUF_DEFAULT_MAX (4 GiB). */
void strbuf_init(struct strbuf *sb, size_t max);
/* Frees the contents; the buffer is empty and reusable afterwards. */
void strbuf_release(struct strbuf *sb);
/* Hands the bytes over: owned by the caller, free with free(). */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* These return 0, or -EFBIG when max would be exceeded. */
int strbuf_grow(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

/* Append the whole of fd / path.  0, or -errno (-EFBIG over max). */
int strbuf_read_fd(struct strbuf *sb, int fd);
int strbuf_read_file(struct strbuf *sb, const char *path);
/* name relative to the directory dirfd (or AT_FDCWD). */
int strbuf_read_file_at(struct strbuf *sb, int dirfd, const char *name);

#endif

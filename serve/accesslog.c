/* accesslog.c: writes the combined-format access log, buffered per worker, reopened on SIGUSR1. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "http.h"
#include "accesslog.h"

static int log_fd = -1;
static atomic_uint flush_ticket;
static char *log_path; /* NULL for stdout */
static char log_path_buf[4096];

static int open_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return log_error("cannot open access log %s: %s", path, strerror(errno));
	return fd;
}

int accesslog_open(const char *path)
{
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		log_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
		if (log_fd < 0)
			return log_error("cannot use stdout for the access log: %s", strerror(errno));
		return 0;
	}
	if (strlen(path) >= sizeof(log_path_buf))
		return log_error("access log path too long");
	strcpy(log_path_buf, path);
	log_path = log_path_buf;
	log_fd = open_path(path);
	return log_fd < 0 ? -1 : 0;
}

int accesslog_reopen(void)
{
	int fd;

	if (log_fd < 0 || !log_path)
		return 0;
	fd = open_path(log_path);
	if (fd < 0)
		return -1;
	/* Atomic for the workers: the number keeps pointing at a file. */
	if (dup3(fd, log_fd, O_CLOEXEC) < 0) {
		close(fd);
		return log_error("cannot reopen access log %s: %s", log_path, strerror(errno));
	}
	close(fd);
	return 0;
}

int accesslog_enabled(void)
{
	return log_fd >= 0;
}

void accesslog_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void accesslog_flush(struct accesslog_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(log_fd, b->buf + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* a full disk must not stop serving */
		off += (size_t)w;
	}
	b->len = 0;
}

static void refresh_stamp(struct accesslog_buf *b, time_t now)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(b->stamp, sizeof(b->stamp), "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
	b->stamp_t = now;
}

/* Appends s[0..len) escaped (at most max input bytes); "-" when absent. */
static char *put_field(char *o, const char *s, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	if (!s)
		return *o = '-', o + 1;
	if (len > max)
		len = max;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	return o;
}

/*
 * The client to log for a unix-socket peer: the last element of
 * X-Forwarded-For, which only a local proxy (nginx's
 * $proxy_add_x_forwarded_for) can have put there, when it looks like an
 * address (hex digits, '.' and ':' only); else "unix:".  The elements
 * before it came from the client and prove nothing.
 */
static const char *forwarded_peer(const struct http_request *req, char *buf, size_t size)
{
	const char *p, *end;
	size_t n;

	if (!req || !req->forwarded_for.p)
		return "unix:";
	end = req->forwarded_for.p + req->forwarded_for.len;
	for (p = end; p > req->forwarded_for.p && p[-1] != ','; p--)
		;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (!n || n >= size || n > 45)
		return "unix:";
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]) && p[i] != '.' && p[i] != ':')
			return "unix:";
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

void accesslog_add(struct accesslog_buf *b, time_t now, const char *peer,
		   const struct http_request *req, int status, uint64_t bytes)
{
	char fwd[64];
	char *o;
	int n;

	if (log_fd < 0)
		return;
	if (!strcmp(peer, "unix:"))
		peer = forwarded_peer(req, fwd, sizeof(fwd));
	if (b->len + ACCESSLOG_LINE_MAX > sizeof(b->buf))
		accesslog_flush(b);
	if (now != b->stamp_t || !b->stamp[0])
		refresh_stamp(b, now);
	o = b->buf + b->len;
	n = strnlen(peer, 64);
	memcpy(o, peer, (size_t)n);
	o += n;
	memcpy(o, " - - ", 5);
	o += 5;
	n = (int)strlen(b->stamp);
	memcpy(o, b->stamp, (size_t)n);
	o += n;
	memcpy(o, " \"", 2);
	o += 2;
	/* 4x expansion at worst: 1024 + 256 + 256 input bytes stay in the line. */
	o = put_field(o, req ? req->request_line.p : NULL,
		      req ? req->request_line.len : 0, 1024);
	memcpy(o, "\" ", 2);
	o = http_put_u64(o + 2, (uint64_t)status);
	*o++ = ' ';
	o = http_put_u64(o, bytes);
	memcpy(o, " \"", 2);
	o += 2;
	o = put_field(o, req ? req->referer.p : NULL, req ? req->referer.len : 0, 256);
	memcpy(o, "\" \"", 3);
	o += 3;
	o = put_field(o, req ? req->user_agent.p : NULL, req ? req->user_agent.len : 0, 256);
	memcpy(o, "\"\n", 2);
	o += 2;
	b->len = (size_t)(o - b->buf);
}

unsigned accesslog_flush_request(void)
{
	return atomic_fetch_add(&flush_ticket, 1) + 1;
}

unsigned accesslog_flush_if_asked(struct accesslog_buf *b, unsigned seen)
{
	unsigned t = atomic_load_explicit(&flush_ticket, memory_order_acquire);

	if (t != seen && b)
		accesslog_flush(b);
	return t;
}

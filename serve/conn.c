/* conn.c: one connection's life: read heads, answer them in order (pipelining), send, keep alive or close. */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "conn.h"

#define SENDFILE_CHUNK ((uint64_t)1 << 30)

/* Drops the first n bytes of the pending segments. */
static void segs_advance(struct conn *c, size_t n)
{
	while (n && c->segi < c->nseg) {
		struct segment *s = &c->seg[c->segi];
		size_t take = n < s->len ? n : (size_t)s->len;

		s->p += take;
		s->len -= take;
		n -= take;
		if (!s->len)
			c->segi++;
	}
	while (c->segi < c->nseg && !c->seg[c->segi].len)
		c->segi++;
}

/*
 * Runs of memory segments go out in one call.  When file bytes follow,
 * MSG_MORE lets the kernel put the head and the start of the file in the
 * same packets instead of sending a short one first.
 */
static ssize_t send_mem(struct conn *c)
{
	struct iovec iov[CONN_SEGS];
	struct msghdr mh = { .msg_iov = iov };
	unsigned i;
	int n = 0;

	for (i = c->segi; i < c->nseg && c->seg[i].fd < 0; i++)
		iov[n++] = (struct iovec){ (void *)c->seg[i].p, (size_t)c->seg[i].len };
	if (i == c->nseg)
		return writev(c->fd, iov, n);
	mh.msg_iovlen = (size_t)n;
	return sendmsg(c->fd, &mh, MSG_MORE | MSG_NOSIGNAL);
}

/*
 * A kept-open file ended before the bytes its Content-Length promised
 * (truncated or rewritten in place after the load).  The client gets a
 * short body and a close, the error log the file's name: at most one line
 * a second, as every request for the file meets the same end.  The name
 * comes from /proc, so the request path keeps no names of its own.
 */
static void report_short_file(const struct segment *s)
{
	static atomic_llong last_report;
	long long now = (long long)time(NULL), last = atomic_load(&last_report);
	char link[64], path[PATH_MAX], q[LOG_NAME_MAX];
	ssize_t n;

	if (last == now || !atomic_compare_exchange_strong(&last_report, &last, now))
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		n = snprintf(path, sizeof(path), "(fd %d)", s->fd);
	path[n] = '\0';
	log_error("%s: file ends at byte %lld, %llu bytes short of what was loaded: "
		  "response cut short, connection closed (collect again, or reload)",
		  log_name(path, q), (long long)s->off, (unsigned long long)s->len);
}

/* How far conn_send() got. */
enum send_status {
	SEND_DONE,    /* all is out */
	SEND_BLOCKED, /* the socket is full: EPOLLOUT resumes */
	SEND_GONE,    /* the peer is gone, or the body's file shrank */
};

/* Sends what it can. */
static enum send_status conn_send(struct conn *c)
{
	while (c->segi < c->nseg) {
		struct segment *s = &c->seg[c->segi];
		ssize_t n;

		if (s->fd < 0) {
			n = send_mem(c);
			if (n > 0)
				segs_advance(c, (size_t)n);
		} else {
			n = sendfile(c->fd, s->fd, &s->off,
				     s->len < SENDFILE_CHUNK ? s->len : SENDFILE_CHUNK);
			if (n > 0) {
				s->len -= (uint64_t)n;
				if (!s->len)
					c->segi++;
			} else if (n == 0) {
				report_short_file(s);
				return SEND_GONE; /* file shrank under us: framing is lost */
			}
		}
		if (n < 0 && errno == EAGAIN)
			return SEND_BLOCKED;
		if (n < 0 && errno != EINTR)
			return SEND_GONE;
	}
	return SEND_DONE;
}

/* Reads from this connection per turn while lingering, before others
 * get theirs (16 KiB each). */
#define LINGER_READS 64

static void defer(struct worker *w, struct conn *c)
{
	c->deferred = 1;
	if (!c->in_dlist) {
		c->in_dlist = 1;
		c->dnext = w->deferred;
		w->deferred = c;
	}
}

/* Reads and drops what the client sends until it closes (then closes). */
static void linger_drain(struct worker *w, struct conn *c)
{
	for (int i = 0; i < LINGER_READS; i++) {
		ssize_t n = read(c->fd, c->rbuf, CONN_RBUF);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		worker_close_conn(w, c);
		return;
	}
	defer(w, c); /* edge-triggered: nobody would wake us for the rest */
}

/*
 * Closes after the last answer.  A plain close() while request bytes are
 * unread makes the kernel send a reset, and a reset can destroy the answer
 * before the client reads it: nginx in front then reports 502 instead of
 * our 405 or 400.  So, when the client may still be sending, shut the
 * write side (the client sees the end of the answer) and drop what comes
 * until it closes, for at most CONN_LINGER_MS (nginx's lingering close).
 */
static void conn_finish(struct worker *w, struct conn *c)
{
	if (!c->linger && c->rpos == c->rlen) {
		worker_close_conn(w, c);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	c->rpos = c->rlen = 0;
	c->deadline = w->now_ms + CONN_LINGER_MS;
	linger_drain(w, c);
}

/* What a connection does next, after a step of its state machine. */
enum conn_next {
	NEXT_GO_ON, /* more to read or answer now */
	NEXT_WAIT,  /* nothing more for now: an epoll event resumes it */
	NEXT_CLOSED, /* closed, or closing */
};

/* After a response is fully out: reading goes on, or the connection closes. */
static enum conn_next response_done(struct worker *w, struct conn *c)
{
	if (c->gen) {
		index_unref(c->gen);
		c->gen = NULL;
	}
	if (!c->keep_alive || w->stop_deadline) {
		if (w->stop_deadline)
			c->linger = 1; /* the client may have pipelined more */
		conn_finish(w, c);
		return NEXT_CLOSED;
	}
	c->state = CONN_READ;
	c->nseg = c->segi = 0;
	c->reusable = c->rpos == c->rlen;
	c->deadline = w->now_ms + (c->rpos < c->rlen ? w->srv->opt->header_timeout
				   : w->srv->opt->keepalive_timeout);
	return NEXT_GO_ON;
}

/* Starts sending the response just built: go on, or wait (sending, or closed). */
static enum conn_next start_send(struct worker *w, struct conn *c)
{
	enum send_status r;

	c->segi = 0;
	r = conn_send(c);
	if (r == SEND_GONE) {
		worker_close_conn(w, c);
		return NEXT_WAIT;
	}
	if (r == SEND_BLOCKED) {
		/* The body may outlive this worker's generation: hold it. */
		c->gen = w->gen;
		index_ref(c->gen);
		c->state = CONN_SEND;
		c->deadline = w->now_ms + w->srv->opt->send_timeout;
		return NEXT_WAIT;
	}
	return response_done(w, c) == NEXT_GO_ON ? NEXT_GO_ON : NEXT_WAIT;
}

/*
 * Reads more: go on with new bytes, or wait when there is nothing more for
 * now (or the connection was closed).  *drained: the read came back short,
 * so the socket is empty and the next edge will say when more comes.
 */
static enum conn_next conn_fill(struct worker *w, struct conn *c, int *drained)
{
	size_t room;
	ssize_t n;

	if (c->rpos == c->rlen) {
		c->rpos = c->rlen = 0;
	} else if (c->rpos) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	room = CONN_RBUF - c->rlen;
	if (*drained)
		return NEXT_WAIT;
	n = read(c->fd, c->rbuf + c->rlen, room);
	if (n > 0) {
		if (!c->rlen) /* a new head starts: its total deadline */
			c->deadline = w->now_ms + w->srv->opt->header_timeout;
		c->reusable = 0;
		c->rlen += (size_t)n;
		*drained = (size_t)n < room;
		return NEXT_GO_ON;
	}
	if (n < 0 && errno == EINTR)
		return NEXT_GO_ON;
	if (n < 0 && errno == EAGAIN && !(w->stop_deadline && !c->rlen))
		return NEXT_WAIT;
	worker_close_conn(w, c);
	return NEXT_WAIT;
}

/* Answers every complete head in the buffer, reading as needed. */
static void conn_process(struct worker *w, struct conn *c, int drained)
{
	struct http_request req;
	unsigned served = 0;

	for (;;) {
		if (c->rpos < c->rlen && ++served > CONN_BATCH) {
			/* Edge-triggered: nobody would wake us for these bytes. */
			defer(w, c);
			return;
		}
		if (c->rpos < c->rlen) {
			int r = http_parse_request(c->rbuf + c->rpos, c->rlen - c->rpos, &req);
			int full = c->rpos == 0 && c->rlen == CONN_RBUF;

			if (r > 0) {
				response_build(w, c, &req);
				c->rpos += (size_t)r;
			} else if (r != -2) {
				response_refuse(w, c, &req, -r);
			} else if (full) {
				response_error(w, c, NULL, 431);
			}
			if (r != -2 || full) {
				if (start_send(w, c) != NEXT_GO_ON)
					return;
				continue;
			}
		}
		if (conn_fill(w, c, &drained) != NEXT_GO_ON)
			return;
	}
}

void conn_on_event(struct worker *w, struct conn *c, uint32_t events)
{
	/* Closed earlier in this epoll batch (begin_stop closes idle slots). */
	if (c->state == CONN_FREE)
		return;
	if (events & EPOLLERR) {
		worker_close_conn(w, c);
		return;
	}
	if (c->state == CONN_LINGER) {
		if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
			linger_drain(w, c);
		return;
	}
	if (c->state == CONN_SEND) {
		enum send_status r;

		if (!(events & (EPOLLOUT | EPOLLHUP)))
			return; /* reads wait until the response is out */
		r = conn_send(c);
		if (r == SEND_GONE) {
			worker_close_conn(w, c);
			return;
		}
		if (r == SEND_BLOCKED) {
			c->deadline = w->now_ms + w->srv->opt->send_timeout;
			return;
		}
		if (response_done(w, c) != NEXT_GO_ON)
			return;
		/* Edges that came while sending were ignored: read until empty. */
		conn_process(w, c, 0);
		return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		conn_process(w, c, 0);
}

void conn_resume(struct worker *w, struct conn *c)
{
	c->deferred = 0;
	if (c->state == CONN_READ)
		conn_process(w, c, 0);
	else if (c->state == CONN_LINGER)
		linger_drain(w, c);
}

void conn_on_timeout(struct worker *w, struct conn *c)
{
	/* A head that never completed gets a 408 (best effort), then close. */
	if (c->state == CONN_READ && c->rpos < c->rlen) {
		response_error(w, c, NULL, 408);
		c->segi = 0;
		conn_send(c);
	}
	worker_close_conn(w, c);
}

void conn_refuse(int fd)
{
	static const char msg[] =
		"HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
		"Content-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
		"503 Service Unavailable\n";
	char sink[4096];

	/* Take what the client already sent, so close() sends FIN, not RST. */
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	(void)!send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
}

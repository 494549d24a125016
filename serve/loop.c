/* loop.c: a worker thread's epoll loop: accepting, dispatching, timeouts, reload pick-up, graceful stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"
#include "options.h"
#include "conn.h"

/*
 * Workers: N threads, each with its own epoll set, all watching the SAME
 * listening sockets with EPOLLEXCLUSIVE (one worker woken per connection)
 * rather than SO_REUSEPORT copies.  Why: it works unchanged for unix
 * sockets (Linux does not balance SO_REUSEPORT on AF_UNIX) and for the one
 * fd per address systemd passes (LISTEN_FDS), and stopping or reloading
 * never closes a reuseport socket with connections queued on it (those
 * would be reset).  A connection stays on the worker that accepted it, so
 * the request path shares nothing but the index (read-only) and a counter.
 */

#define MAX_EVENTS 256
#define ACCEPT_BATCH 64

int worker_init(struct worker *w, struct server *srv, int id)
{
	struct epoll_event ev;

	memset(w, 0, sizeof(*w));
	w->srv = srv;
	w->id = id;
	w->active.next = w->active.prev = &w->active;
	w->nslots = srv->opt->max_connections;
	/*
	 * Every worker may end up holding all the connections, so each gets
	 * max_connections slots of ~25 KiB: 65536 of them are 1.6 GiB of
	 * address space per worker.  Untouched slots cost no memory, but a
	 * plain calloc of that much fails on a small machine (the kernel's
	 * overcommit heuristic refuses one allocation larger than RAM + swap),
	 * so reserve it with MAP_NORESERVE: pages are backed as they are used.
	 */
	w->slots_bytes = (size_t)w->nslots * sizeof(*w->slots);
	w->slots = mmap(NULL, w->slots_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->slots == MAP_FAILED) {
		w->slots = NULL;
		return log_error("cannot reserve %u connection slots (%zu MiB): %s",
				 w->nslots, w->slots_bytes >> 20, strerror(errno));
	}
	if (accesslog_enabled())
		w->log = xcalloc(1, sizeof(*w->log));
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return log_error("epoll_create1: %s", strerror(errno));
	for (size_t i = 0; i < srv->nls; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &srv->ltag[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, srv->ltag[i].fd, &ev))
			return log_error("epoll_ctl: %s", strerror(errno));
	}
	ev.events = EPOLLIN | EPOLLET;
	ev.data.ptr = &srv->stop;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, srv->stop.fd, &ev))
		return log_error("epoll_ctl: %s", strerror(errno));
	return 0;
}

void worker_release(struct worker *w)
{
	if (w->epfd > 0)
		close(w->epfd);
	if (w->slots)
		munmap(w->slots, w->slots_bytes);
	free(w->log);
	index_unref(w->gen);
	memset(w, 0, sizeof(*w));
}

static void list_del(struct conn *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

void worker_close_conn(struct worker *w, struct conn *c)
{
	close(c->fd);
	if (c->gen)
		index_unref(c->gen);
	c->gen = NULL;
	c->fd = -1;
	c->state = CONN_FREE;
	c->deferred = 0;
	list_del(c);
	w->nactive--;
	c->next = w->free_list;
	w->free_list = c;
	atomic_fetch_sub_explicit(&w->srv->nconns, 1, memory_order_relaxed);
}

static struct conn *slot_get(struct worker *w)
{
	struct conn *c = w->free_list;

	if (c)
		w->free_list = c->next;
	else if (w->nused < w->nslots)
		c = &w->slots[w->nused++];
	return c;
}

static void format_peer(struct conn *c, const struct sockaddr_storage *ss, int is_unix)
{
	const void *a = NULL;

	if (is_unix || ss->ss_family == AF_UNIX) {
		strcpy(c->peer, "unix:");
		return;
	}
	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!a || !inet_ntop(ss->ss_family, a, c->peer, sizeof(c->peer)))
		strcpy(c->peer, "-");
}

/*
 * At the cap, an idle keep-alive connection gives its slot up (nginx does
 * the same): the longest idle of this worker's, closed as the end of its
 * keep-alive.  1 when one was closed.
 */
static int reclaim_idle(struct worker *w)
{
	struct conn *c, *oldest = NULL;

	/* From the oldest connection: ties (one clock tick) go to it. */
	for (c = w->active.prev; c != &w->active; c = c->prev)
		if (c->state == CONN_READ && c->reusable && !c->rlen &&
		    (!oldest || c->deadline < oldest->deadline))
			oldest = c;
	if (!oldest)
		return 0;
	worker_close_conn(w, oldest);
	return 1;
}

/* Takes a new connection into a slot, or refuses it politely. */
static void conn_open(struct worker *w, int fd, const struct sockaddr_storage *ss,
		      int is_unix)
{
	struct server *srv = w->srv;
	struct epoll_event ev;
	struct conn *c = NULL;

	if ((atomic_fetch_add_explicit(&srv->nconns, 1, memory_order_relaxed) >=
	     srv->opt->max_connections || !(c = slot_get(w))) &&
	    !(reclaim_idle(w) && (c = slot_get(w)))) {
		atomic_fetch_sub_explicit(&srv->nconns, 1, memory_order_relaxed);
		conn_refuse(fd);
		close(fd);
		return;
	}
	c->kind = EV_CONN;
	c->fd = fd;
	c->state = CONN_READ;
	c->rlen = c->rpos = 0;
	c->nseg = c->segi = 0;
	c->gen = NULL;
	c->deferred = 0;
	c->reusable = 0;
	c->deadline = w->now_ms + srv->opt->header_timeout;
	if (w->log)
		format_peer(c, ss, is_unix);
	c->next = w->active.next;
	c->prev = &w->active;
	c->next->prev = c;
	w->active.next = c;
	w->nactive++;
	/* Registered once, edge-triggered both ways: no epoll_ctl per request. */
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev))
		worker_close_conn(w, c);
}

/* Listeners in and out of this worker's epoll set (pause, resume, stop). */
static void listeners_ctl(struct worker *w, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	for (size_t i = 0; i < w->srv->nls; i++) {
		ev.data.ptr = &w->srv->ltag[i];
		epoll_ctl(w->epfd, op, w->srv->ltag[i].fd, op == EPOLL_CTL_DEL ? NULL : &ev);
	}
}

/*
 * Out of descriptors: the listeners are level-triggered, so retrying at
 * once would spin.  Stop accepting for a second (connections wait in the
 * backlog) and say so once.
 */
static void accept_pause(struct worker *w, int err)
{
	log_warn("accept: %s; pausing accepts for a second", strerror(err));
	listeners_ctl(w, EPOLL_CTL_DEL);
	w->accept_resume = w->now_ms + 1000;
}

static void accept_some(struct worker *w, const struct ev_tag *l)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				accept_pause(w, errno);
			return; /* EAGAIN: another worker took it, or none left */
		}
		conn_open(w, fd, &ss, l->is_unix);
	}
}

static void clock_update(struct worker *w)
{
	struct timespec ts;
	time_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	w->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	now = time(NULL);
	if (now != w->now || !w->date_len) {
		w->now = now;
		memcpy(w->date_line, "Date: ", 6);
		http_date_format(now, w->date_line + 6);
		w->date_len = strlen(w->date_line);
		memcpy(w->date_line + w->date_len, "\r\n", 2);
		w->date_len += 2;
	}
}

/* A reload was published: new requests use it; old responses keep theirs. */
static void gen_update(struct worker *w)
{
	unsigned long seq = index_seq();
	struct index_gen *g;

	if (seq == w->seq)
		return;
	g = index_acquire();
	if (!g)
		return;
	index_unref(w->gen);
	w->gen = g;
	w->seq = seq;
}

static void begin_stop(struct worker *w)
{
	struct server *srv = w->srv;
	struct conn *c, *next;

	if (!w->accept_resume)
		listeners_ctl(w, EPOLL_CTL_DEL);
	w->accept_resume = 0;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, srv->stop.fd, NULL);
	w->stop_deadline = w->now_ms + srv->opt->shutdown_timeout;
	/* Idle keep-alive connections go now; the others after their reply. */
	for (c = w->active.next; c != &w->active; c = next) {
		next = c->next;
		if (c->state == CONN_READ && c->rpos == c->rlen)
			worker_close_conn(w, c);
	}
}

static void check_timeouts(struct worker *w)
{
	struct conn *c, *next;

	for (c = w->active.next; c != &w->active; c = next) {
		next = c->next;
		if (w->now_ms >= c->deadline ||
		    (w->stop_deadline && w->now_ms >= w->stop_deadline))
			conn_on_timeout(w, c);
	}
	if (w->log)
		accesslog_flush(w->log);
	if (w->accept_resume && w->now_ms >= w->accept_resume) {
		w->accept_resume = 0;
		listeners_ctl(w, EPOLL_CTL_ADD);
	}
}

static void dispatch(struct worker *w, struct epoll_event *ev)
{
	enum ev_kind kind = *(enum ev_kind *)ev->data.ptr;

	if (kind == EV_CONN)
		conn_on_event(w, ev->data.ptr, ev->events);
	else if (kind == EV_LISTENER && !w->stop_deadline)
		accept_some(w, ev->data.ptr);
	else if (kind == EV_STOP && !w->stop_deadline)
		begin_stop(w);
}

static void resume_deferred(struct worker *w)
{
	struct conn *c = w->deferred, *next;

	w->deferred = NULL;
	for (; c; c = next) {
		next = c->dnext;
		c->in_dlist = 0;
		if (c->deferred) /* cleared when the slot was closed meanwhile */
			conn_resume(w, c);
	}
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	uint64_t next_tick;

	clock_update(w);
	w->seq = index_seq();
	w->gen = index_acquire();
	next_tick = w->now_ms + w->srv->tick_ms;
	if (atomic_load(&w->srv->stopping))
		begin_stop(w);
	while (!w->stop_deadline || w->nactive) {
		int n = epoll_wait(w->epfd, evs, MAX_EVENTS,
				   w->deferred ? 0 : (int)w->srv->tick_ms);

		clock_update(w);
		gen_update(w);
		atomic_store_explicit(&w->log_ticket,
				      accesslog_flush_if_asked(w->log, w->log_ticket),
				      memory_order_release);
		for (int i = 0; i < n; i++)
			dispatch(w, &evs[i]);
		resume_deferred(w);
		if (w->now_ms >= next_tick || (w->stop_deadline && !w->nactive)) {
			check_timeouts(w);
			next_tick = w->now_ms + w->srv->tick_ms;
		}
	}
	if (w->log)
		accesslog_flush(w->log);
	return NULL;
}

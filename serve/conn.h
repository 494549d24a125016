/* conn.h: the server, its workers and their fixed connection slots, shared by loop.c, conn.c and response.c. */
#ifndef SERVE_CONN_H
#define SERVE_CONN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "accesslog.h"
#include "http.h"
#include "index.h"

struct listener;
struct options;

#define CONN_RBUF (16 * 1024)  /* request heads (<= HTTP_HEAD_MAX) + pipelining */
#define CONN_HBUF (8 * 1024)   /* response head, then multipart part headers */
#define CONN_HEAD_MAX 2048     /* what one response head may take of hbuf */
#define CONN_SEGS (3 + 2 * HTTP_RANGES_MAX)
/* Pipelined requests answered per turn before other connections get theirs. */
#define CONN_BATCH 32

/* What an epoll event points at: the first member of each kind. */
enum ev_kind { EV_CONN, EV_LISTENER, EV_STOP };

/* What a listener or the stop eventfd registers as its epoll data. */
struct ev_tag {
	enum ev_kind kind;
	int fd;
	int is_unix;
};

enum conn_state {
	CONN_FREE,
	CONN_READ,  /* waiting for (the rest of) a request head */
	CONN_SEND,  /* a response is going out; reads wait */
	CONN_LINGER, /* answered, write side shut: reading what still comes */
};

/* How long a closing connection goes on reading (and dropping) what the
 * client still sends, so that its last answer is not lost to a reset. */
#define CONN_LINGER_MS 5000

/* A piece of a response: bytes in memory (fd < 0) or a file range. */
struct segment {
	const char *p;
	int fd;
	off_t off;
	uint64_t len;
};

struct conn {
	enum ev_kind kind;
	enum conn_state state;
	int fd;
	int keep_alive;     /* after this response */
	int linger;         /* when closing: the client may still be sending */
	int reusable;       /* idle between keep-alive requests: may be
			     * closed to make room at --max-connections */
	struct conn *prev, *next; /* the worker's active list, or free list */
	struct conn *dnext; /* the worker's deferred list */
	int in_dlist;       /* the slot is on that list (survives a close) */
	int deferred;       /* more pipelined requests wait their turn */
	uint64_t deadline;  /* monotonic ms */
	struct index_gen *gen; /* held while a response is pending */
	struct segment seg[CONN_SEGS];
	unsigned nseg, segi;
	size_t rlen, rpos;
	char peer[64];      /* for the access log */
	char hbuf[CONN_HBUF];
	char rbuf[CONN_RBUF];
};

/* Settings the request path reads; immutable after start-up. */
struct server {
	const struct options *opt;
	struct ev_tag *ltag;      /* one per listening socket */
	size_t nls;
	struct ev_tag stop;       /* eventfd: readable once stopping */
	atomic_int stopping;
	atomic_uint nconns;       /* open connections, all workers */
	unsigned tick_ms;
	const char **allowed_host;
	size_t nallowed_host;
	size_t alias_len;
};

struct worker {
	struct server *srv;
	int id;
	int epfd;
	pthread_t thread;
	struct conn *slots;       /* mmap()ed, slots_bytes long */
	size_t slots_bytes;
	unsigned nslots;
	struct conn *free_list;
	unsigned nused;           /* slots ever handed out (touched) */
	struct conn active;       /* list head of open connections */
	unsigned nactive;
	struct index_gen *gen;    /* the generation new requests use */
	unsigned long seq;
	uint64_t now_ms;          /* monotonic, refreshed per epoll_wait */
	time_t now;               /* wall clock seconds, for Date */
	uint64_t stop_deadline;   /* 0 until stopping */
	uint64_t accept_resume;   /* listeners paused (EMFILE) until then */
	char date_line[8 + HTTP_DATE_SIZE]; /* "Date: ...\r\n" for now */
	size_t date_len;
	struct accesslog_buf *log; /* NULL when the log is off */
	atomic_uint log_ticket;    /* last flush request served (rotation) */
	struct conn *deferred;    /* connections to resume after this round */
};

/* loop.c: one thread per worker.  worker_init() allocates the slots. */
int worker_init(struct worker *w, struct server *srv, int id);
void *worker_main(void *arg);
void worker_release(struct worker *w);
void worker_close_conn(struct worker *w, struct conn *c);

/* conn.c: drives a connection's reads, request handling and sends. */
void conn_on_event(struct worker *w, struct conn *c, uint32_t events);
void conn_on_timeout(struct worker *w, struct conn *c);
/* Goes on with a deferred connection's pipelined requests. */
void conn_resume(struct worker *w, struct conn *c);
/* Writes the canned 503 to a connection we will not serve, best effort. */
void conn_refuse(int fd);

/*
 * response.c: fills c->hbuf and c->seg for one request (status decided
 * here, headers from the index), logs it.  req NULL with status for a
 * request that did not parse.  Returns the status sent.
 */
void response_init(void);
int response_build(struct worker *w, struct conn *c, const struct http_request *req);
int response_error(struct worker *w, struct conn *c, const struct http_request *req,
		   int status);
/* For a head http_parse_request() refused: closes after, logs its line. */
int response_refuse(struct worker *w, struct conn *c, const struct http_request *partial,
		    int status);

#endif

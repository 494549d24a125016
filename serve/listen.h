/* listen.h: listening sockets: TCP, IPv6, unix (with stale-file recovery), systemd's LISTEN_FDS. */
#ifndef SERVE_LISTEN_H
#define SERVE_LISTEN_H
#include <sys/types.h>

struct listener {
	int fd;           /* non-blocking, close-on-exec */
	int is_unix;      /* AF_UNIX: clients are logged as "unix:" */
	int passed;       /* from LISTEN_FDS: already listening */
	char *name;       /* for messages; owned */
	char *unlink_path;/* socket file we created (removed on close); owned */
	dev_t dev;        /* its identity, so we never remove someone else's */
	ino_t ino;
};

/*
 * Binds a socket for addr (listen_start() makes it accept: serve binds
 * early, as root, and listens only once the index is loaded, so a client
 * that can connect is served at once): "HOST:PORT", "[V6]:PORT", ":PORT" (all IPv4
 * addresses) or "unix:/path" (created with mode; an existing socket file is
 * replaced only when it is a socket nobody answers on).  0, or -1 after
 * printing one line naming addr.
 */
int listen_open(const char *addr, mode_t mode, struct listener *l);

/* What listen_open() checks before binding (syntax, port range, that the
 * host resolves), for --check.  0, or -1 after printing one line. */
int listen_check(const char *addr);

/* listen(2) on a bound listener.  0, or -1 after printing one line. */
int listen_start(struct listener *l);

/*
 * Takes the sockets systemd passed (already listening) (LISTEN_PID/LISTEN_FDS, fds from 3) and
 * unsets those variables.  Returns how many (0: not socket-activated), or -1.
 * *v is owned, free each with listen_close() then free(*v).
 */
int listen_from_env(struct listener **v);

/* Stops taking connections (those queued are refused) and removes the
 * socket file when it is still ours; the fd stays open until close. */
void listen_stop(struct listener *l);

/* Closes l->fd and removes the socket file when it is still ours. */
void listen_close(struct listener *l);

#endif

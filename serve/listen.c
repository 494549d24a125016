/* listen.c: opens the listening sockets serve accepts on (TCP, unix, socket activation). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"
#include "listen.h"

#define LISTEN_BACKLOG 4096

static void listener_init(struct listener *l, int fd, const char *name)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->name = xstrdup(name);
}

/* A decimal port up to 65535 (getaddrinfo takes 99999 and wraps it; 0 is
 * any free port, for tests). */
static int valid_port(const char *p)
{
	unsigned long v = 0;

	if (!*p || strlen(p) > 5)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v <= 65535;
}

/* Splits "HOST:PORT" / "[V6]:PORT" into host (may be "") and port. */
static int split_hostport(const char *addr, char *host, size_t hostsz,
			  const char **port)
{
	const char *colon;
	size_t n;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (!end || end[1] != ':')
			return -1;
		n = (size_t)(end - addr - 1);
		memcpy(host, addr + 1, n < hostsz ? n : 0);
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - addr);
		memcpy(host, addr, n < hostsz ? n : 0);
	}
	if (n >= hostsz || !valid_port(colon + 1))
		return -1;
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

/* Resolves addr's host and port for listening; *res is owned by the caller
 * (freeaddrinfo).  0, or -1 after printing one line naming addr. */
static int resolve_tcp(const char *addr, struct addrinfo **res)
{
	struct addrinfo hints = { 0 };
	char host[256];
	const char *port;
	int r;

	*res = NULL;
	if (split_hostport(addr, host, sizeof(host), &port))
		return log_error("bad listen address '%s' (HOST:PORT with a port up to 65535, "
				 "[V6]:PORT, :PORT or unix:/path)", addr);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(*host ? host : NULL, port, &hints, res);
	if (r)
		return log_error("cannot resolve '%s': %s", addr, gai_strerror(r));
	return 0;
}

static int bind_tcp(const char *addr, struct listener *l)
{
	struct addrinfo *res;
	int fd = -1, one = 1, r;

	if (resolve_tcp(addr, &res))
		return -1;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = log_error("cannot listen on %s: %s", addr, strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Accepted sockets inherit it: a header writev followed by sendfile
	 * must not wait for the client's delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen)) {
		r = log_error("cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		goto out;
	}
	listener_init(l, fd, addr);
	r = 0;
out:
	freeaddrinfo(res);
	return r;
}

/* An existing file at path: remove it only when it is a dead socket. */
static int clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : log_error("cannot stat %s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return log_error("cannot listen on unix:%s: file exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error("socket: %s", strerror(errno));
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0)
		return log_error("cannot listen on unix:%s: address in use by a running server", path);
	if (errno != ECONNREFUSED)
		return log_error("cannot listen on unix:%s: %s", path, strerror(errno));
	if (unlink(path) && errno != ENOENT)
		return log_error("cannot remove stale socket %s: %s", path, strerror(errno));
	return 0;
}

static int bind_unix(const char *addr, mode_t mode, struct listener *l)
{
	const char *path = addr + 5;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	if (!*path || strlen(path) >= sizeof(sun.sun_path))
		return log_error("bad unix socket path in '%s'", addr);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (clear_stale(path, &sun))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error("socket: %s", strerror(errno));
	/* The file is created with the right mode: no window where it is
	 * wider than asked.  Single-threaded here, so umask is safe. */
	old = umask(~mode & 0777);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r || chmod(path, mode) || lstat(path, &st)) {
		r = log_error("cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		return r;
	}
	listener_init(l, fd, addr);
	l->is_unix = 1;
	l->unlink_path = xstrdup(path);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return 0;
}

int listen_check(const char *addr)
{
	struct sockaddr_un sun;
	struct addrinfo *res;

	if (!strncmp(addr, "unix:", 5)) {
		if (!addr[5] || strlen(addr + 5) >= sizeof(sun.sun_path))
			return log_error("bad unix socket path in '%s'", addr);
		return 0;
	}
	if (resolve_tcp(addr, &res))
		return -1;
	freeaddrinfo(res);
	return 0;
}

int listen_start(struct listener *l)
{
	if (listen(l->fd, LISTEN_BACKLOG))
		return log_error("cannot listen on %s: %s", l->name, strerror(errno));
	return 0;
}

int listen_open(const char *addr, mode_t mode, struct listener *l)
{
	if (!strncmp(addr, "unix:", 5))
		return bind_unix(addr, mode, l);
	return bind_tcp(addr, l);
}

static int parse_env_int(const char *name, long *out)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static void name_passed(struct listener *l, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char name[64];

	snprintf(name, sizeof(name), "fd:%d", fd);
	listener_init(l, fd, name);
	l->passed = 1;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_UNIX)
		l->is_unix = 1;
}

int listen_from_env(struct listener **v)
{
	long pid, n, i;

	*v = NULL;
	if (parse_env_int("LISTEN_PID", &pid) || pid != (long)getpid())
		return 0;
	if (parse_env_int("LISTEN_FDS", &n) || n < 1 || n > 64)
		return log_error("LISTEN_FDS: expected a count from 1 to 64");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	*v = xcalloc((size_t)n, sizeof(**v));
	for (i = 0; i < n; i++) {
		int fd = 3 + (int)i, fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC))
			return log_error("LISTEN_FDS: fd %d: %s", fd, strerror(errno));
		name_passed(&(*v)[i], fd);
	}
	return (int)n;
}

static void unlink_ours(struct listener *l)
{
	struct stat st;

	if (l->unlink_path && lstat(l->unlink_path, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->unlink_path);
	free(l->unlink_path);
	l->unlink_path = NULL;
}

void listen_stop(struct listener *l)
{
	/* A socket systemd passed is systemd's to keep: it queues clients
	 * for the next start. */
	if (l->passed)
		return;
	unlink_ours(l);
	if (l->fd >= 0)
		shutdown(l->fd, SHUT_RDWR);
}

void listen_close(struct listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	unlink_ours(l);
	free(l->name);
	l->unlink_path = l->name = NULL;
}

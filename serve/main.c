/* main.c: serve's start-up (options, sockets, privileges, index, workers) and its signal loop. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"
#include "accesslog.h"
#include "conn.h"
#include "index.h"
#include "listen.h"
#include "options.h"
#include "sdnotify.h"

#define HEADER_VALUE_MAX 512

struct serve {
	struct options opt;
	struct server srv;
	struct listener *ls;
	size_t nls;
	struct worker *w;
	int nworkers;
	struct index_config icfg;
};

/* A value pasted into every response head: printable, bounded. */
static int check_header_value(const char *flag, const char *v)
{
	if (!v)
		return 0;
	if (strlen(v) > HEADER_VALUE_MAX)
		return log_error("--%s: longer than %d bytes", flag, HEADER_VALUE_MAX);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return log_error("--%s: control character in value", flag);
	return 0;
}

/*
 * Access-Control-Allow-Origin holds one origin, "*" or "null", and browsers
 * compare it with their origin byte for byte: "https://app.example/" (a
 * slash), a path or a list never matches, and every cross-origin font then
 * fails in the browser only.  Refuse those at start-up.
 */
static int check_origin(const char *v)
{
	const char *p = v, *host;

	if (!v || !strcmp(v, "*") || !strcmp(v, "null"))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (p > v && *p && ((*p >= '0' && *p <= '9') || strchr("+.-", *p))))
		p++;
	host = p > v && !strncmp(p, "://", 3) ? p + 3 : NULL;
	if (!host || !*host || strpbrk(host, "/?#, \t@"))
		return log_error("--cors '%s': not an origin (scheme://host[:port], "
				 "no path or trailing slash, one only; or *)", v);
	return 0;
}

static void print_summary(const struct serve *s, const struct index_gen *g)
{
	const struct index_stats *st = &g->stats;

	printf("serve: root %s: %zu files (%zu immutable, %zu with encoded variants), "
	       "%zu in memory (%llu bytes), %zu kept open, %zu rehashed; from %s\n",
	       s->opt.root, st->files, st->immutable, st->variants, st->in_memory,
	       (unsigned long long)st->memory_bytes, st->open_fds, st->rehashed,
	       st->from_index ? TREE_INDEX_NAME : "a scan of the tree");
	printf("serve: alias %s, %d worker(s), cache-control \"%s\"\n", s->opt.alias,
	       s->nworkers, s->opt.cache_control);
	if (st->dictionaries || st->deltas)
		printf("serve: %zu dictionary file(s), %zu dcz delta(s)\n", st->dictionaries,
		       st->deltas);
	for (size_t i = 0; i < s->opt.listen.n; i++)
		printf("serve: listen %s\n", s->opt.listen.v[i]);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Descriptors open now (listeners, the tree's kept-open files, logs). */
static size_t fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n ? n - 1 : 0;  /* not the one reading the directory */
}

/* Spare descriptors: an accept() to answer 503 on, the index and
 * manifest a reload reads, the access log's reopen. */
#define FD_SPARE 16

/*
 * Connections take a descriptor each; past the open-file limit accept()
 * fails and clients wait unanswered.  So --max-connections is clamped to
 * what the limit holds beside what serve keeps open (and what a reload
 * opens beside it: a second set of the tree's files), with one warning, and
 * clients over it get the 503.  0, or -1 when no connection would fit.
 */
static int fit_connections(struct serve *s, const struct index_gen *g)
{
	struct rlimit rl;
	uint64_t reserve, fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	reserve = fds_open() + g->stats.open_fds + 2 * (uint64_t)s->nworkers + FD_SPARE;
	fit = rl.rlim_cur > reserve ? rl.rlim_cur - reserve : 0;
	if (s->opt.max_connections <= fit)
		return 0;
	if (!fit)
		return log_error("the open-file limit (RLIMIT_NOFILE %llu) leaves no descriptor "
				 "for connections beside the %llu serve needs: raise it (ulimit -n, "
				 "LimitNOFILE=)", (unsigned long long)rl.rlim_cur,
				 (unsigned long long)reserve);
	log_warn("--max-connections %u does not fit the open-file limit (RLIMIT_NOFILE %llu, "
		 "hard limit %llu; %llu kept for the tree, listeners and workers): using %llu, "
		 "clients over it get 503 (raise ulimit -n or LimitNOFILE=)",
		 s->opt.max_connections, (unsigned long long)rl.rlim_cur,
		 (unsigned long long)rl.rlim_max, (unsigned long long)reserve,
		 (unsigned long long)fit);
	s->opt.max_connections = (unsigned)fit;
	return 0;
}

static int open_listeners(struct serve *s)
{
	int n = listen_from_env(&s->ls);

	if (n < 0)
		return -1;
	if (n > 0) {
		s->nls = (size_t)n;
		return 0;
	}
	free(s->ls);
	s->ls = xcalloc(s->opt.listen.n, sizeof(*s->ls));
	for (size_t i = 0; i < s->opt.listen.n; i++) {
		if (listen_open(s->opt.listen.v[i], s->opt.socket_mode, &s->ls[i]))
			return -1;
		s->nls++;
	}
	return 0;
}

/* After binding (ports < 1024 need root) and before reading the tree, so
 * the first load meets the same permissions as every reload. */
static int drop_privileges(const char *user)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return log_error("--user %s: %s", user, errno ? strerror(errno) : "no such user");
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		return log_error("--user %s: must start as root to switch user", user);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) ||
	    setuid(pw->pw_uid))
		return log_error("--user %s: cannot switch: %s", user, strerror(errno));
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return log_error("--user %s: root privileges could be regained", user);
	return 0;
}

static int start_workers(struct serve *s)
{
	s->srv.ltag = xcalloc(s->nls, sizeof(*s->srv.ltag));
	for (size_t i = 0; i < s->nls; i++)
		s->srv.ltag[i] = (struct ev_tag){ EV_LISTENER, s->ls[i].fd, s->ls[i].is_unix };
	s->srv.nls = s->nls;
	s->srv.stop.kind = EV_STOP;
	s->srv.stop.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->srv.stop.fd < 0)
		return log_error("eventfd: %s", strerror(errno));
	s->w = xcalloc((size_t)s->nworkers, sizeof(*s->w));
	for (int i = 0; i < s->nworkers; i++) {
		int r;

		if (worker_init(&s->w[i], &s->srv, i))
			return -1;
		r = pthread_create(&s->w[i].thread, NULL, worker_main, &s->w[i]);
		if (r)
			return log_error("cannot start worker: %s", strerror(r));
	}
	return 0;
}

static void reload(struct serve *s)
{
	struct index_gen *g;

	sdnotify("RELOADING=1");
	s->icfg.prev = index_acquire();
	g = index_build(&s->icfg);
	index_unref((struct index_gen *)s->icfg.prev);
	s->icfg.prev = NULL;
	if (!g) {
		log_error("reload failed: still serving the previous index");
	} else {
		log_info(1, "serve: reloaded: %zu files", g->stats.files);
		index_publish(g);
	}
	sdnotify("READY=1");
}

/*
 * SIGUSR1: the workers first write out what they buffered before the
 * signal (into the old file), then the new file takes over.  A worker idle
 * in epoll_wait answers within a tick; the wait is bounded.
 */
static int rotate_log(struct serve *s)
{
	unsigned ticket = accesslog_flush_request();
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (int tries = 0; tries < 300 && accesslog_enabled(); tries++) {
		int done = 1;

		for (int i = 0; i < s->nworkers; i++)
			if ((int)(atomic_load(&s->w[i].log_ticket) - ticket) < 0)
				done = 0;
		if (done)
			break;
		nanosleep(&pause, NULL);
	}
	return accesslog_reopen();
}

/* Blocks until TERM/INT, handling HUP and USR1 on the way. */
static void signal_loop(struct serve *s, const sigset_t *set)
{
	for (;;) {
		int sig = sigwaitinfo(set, NULL);

		if (sig == SIGHUP)
			reload(s);
		else if (sig == SIGUSR1 && rotate_log(s))
			log_warn("access log not reopened");
		else if (sig == SIGTERM || sig == SIGINT)
			return;
	}
}

static void close_listeners(struct serve *s)
{
	for (size_t i = 0; i < s->nls; i++)
		listen_close(&s->ls[i]);
}

static void stop(struct serve *s)
{
	uint64_t one = 1;

	sdnotify("STOPPING=1");
	atomic_store(&s->srv.stopping, 1);
	(void)!write(s->srv.stop.fd, &one, sizeof(one));
	/* Refuse new clients now (they can go elsewhere) rather than let them
	 * queue unanswered while in-flight responses finish. */
	for (size_t i = 0; i < s->nls; i++)
		listen_stop(&s->ls[i]);
	for (int i = 0; i < s->nworkers; i++)
		pthread_join(s->w[i].thread, NULL);
	for (int i = 0; i < s->nworkers; i++)
		worker_release(&s->w[i]);
	close_listeners(s);
	close(s->srv.stop.fd);
	accesslog_close();
	index_publish_clear();
}

static int setup(struct serve *s, int argc, char **argv)
{
	enum opt_status st = serve_options_parse(&s->opt, argc, argv);

	if (st != OPT_RUN)
		return st == OPT_EXIT ? 1 : -1;
	if (check_header_value("cors", s->opt.cors) || check_origin(s->opt.cors) ||
	    check_header_value("cache-control", s->opt.cache_control))
		return -1;
	s->nworkers = s->opt.workers ? s->opt.workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (s->nworkers < 1)
		s->nworkers = 1;
	s->icfg = (struct index_config){ .root = s->opt.root,
					 .cache_control = s->opt.cache_control,
					 .cors = s->opt.cors, .alias = s->opt.alias,
					 .follow_symlinks = s->opt.follow_symlinks };
	s->srv.opt = &s->opt;
	s->srv.allowed_host = (const char **)s->opt.allowed_host.v;
	s->srv.nallowed_host = s->opt.allowed_host.n;
	s->srv.alias_len = strlen(s->opt.alias);
	s->srv.tick_ms = 1000;
	if (s->opt.header_timeout < 2000 || s->opt.send_timeout < 2000 ||
	    (s->opt.keepalive_timeout && s->opt.keepalive_timeout < 2000))
		s->srv.tick_ms = 100;
	log_verbosity = s->opt.verbosity;
	return 0;
}

/* Loads the tree as start() would: as --user when given. */
static int check_only(struct serve *s)
{
	struct index_gen *g;

	for (size_t i = 0; i < s->opt.listen.n; i++)
		if (listen_check(s->opt.listen.v[i]))
			return 1;
	if (s->opt.user && drop_privileges(s->opt.user))
		return 1;
	g = index_build(&s->icfg);
	if (!g)
		return 1;
	print_summary(s, g);
	printf("serve: configuration ok\n");
	index_unref(g);
	return 0;
}

/* Binds, drops privileges, loads the tree, listens.  0, or -1. */
static int start(struct serve *s)
{
	struct index_gen *g;

	raise_nofile();
	if (open_listeners(s) || (s->opt.user && drop_privileges(s->opt.user)) ||
	    accesslog_open(s->opt.access_log))
		return -1;
	g = index_build(&s->icfg);
	if (!g)
		return -1;
	if (fit_connections(s, g)) {
		index_unref(g);
		return -1;
	}
	index_publish(g);
	response_init();
	if (start_workers(s))
		return -1;
	print_summary(s, g);
	/* Last: a client that can connect finds everything in place. */
	for (size_t i = 0; i < s->nls; i++)
		if (!s->ls[i].passed && listen_start(&s->ls[i]))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct serve s;
	sigset_t set;
	int r;

	log_prog = "serve";
	/* Status lines reach a journal or a log file as they happen. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Blocked from the start (a HUP during a long first load must not kill
	 * us); the workers inherit the mask; signal_loop() takes them. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = setup(&s, argc, argv);
	if (r)
		return r > 0 ? 0 : 2;
	if (s.opt.check)
		return check_only(&s);
	if (start(&s)) {
		close_listeners(&s); /* no socket file left behind */
		return 1;
	}
	sdnotify("READY=1");
	signal_loop(&s, &set);
	stop(&s);
	serve_options_release(&s.opt);
	return 0;
}

/* options.c: serve's option table: every flag, staticroot.conf key and environment variable in one place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "optparse.h"
#include "options.h"
#include "static_url.h"
#include "xalloc.h"

#define OFF(field) offsetof(struct options, field)

/*
 * Seconds ("10", "10s") or milliseconds ("500ms") into milliseconds.  Zero
 * is refused unless the entry's min is 0: a deadline of nothing is nonsense
 * (nginx refuses such values too), and taking it for the default would
 * hide the mistake.
 */
static int set_duration(void *opts, const struct opt *o, const char *name,
			const char *s, enum opt_layer from)
{
	unsigned *out = (unsigned *)((char *)opts + o->off);
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *s == '-')
		goto bad;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else
		goto bad;
	if (v > 24UL * 3600 * 1000)
		goto bad;
	if (!v && o->min)
		return log_error("%s: must be more than 0", name);
	*out = (unsigned)v;
	return 0;
bad:
	return log_error("%s: bad duration '%s' (seconds, or Nms)", name, s);
}

/* s as a number in base from 0 to max, or -1 after saying why. */
static int parse_ulong(const char *name, const char *s, int base, unsigned long max,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, base);
	if (errno || end == s || *end || *s == '-' || *out > max)
		return log_error("%s: bad number '%s'", name, s);
	return 0;
}

static int set_max_connections(void *opts, const struct opt *o, const char *name,
			       const char *s, enum opt_layer from)
{
	struct options *so = opts;
	unsigned long v;

	if (parse_ulong(name, s, 10, 1u << 20, &v))
		return -1;
	if (!v)
		return log_error("%s: must be at least 1", name);
	so->max_connections = (unsigned)v;
	return 0;
}

/* The alias from Django's STATIC_URL: the path of what reaches us. */
static int set_static_url(void *opts, const struct opt *o, const char *name,
			  const char *v, enum opt_layer from)
{
	struct options *so = opts;
	char *url = static_url_normalize(v);

	free(so->alias);
	so->alias = xstrdup(static_url_path(url));
	free(url);
	return 0;
}

/* A listen value from the file: a relative unix socket path is relative to it. */
static int add_listen(void *opts, const struct opt *o, const char *name,
		      const char *v, enum opt_layer from)
{
	struct options *so = opts;
	char *p;

	if (from != OPT_FROM_FILE || strncmp(v, "unix:", 5)) {
		strlist_add(&so->listen, v);
		return 0;
	}
	p = config_path(v + 5);
	strlist_add_nodup(&so->listen, xstrcat3("unix:", p, ""));
	free(p);
	return 0;
}

/* FILE, '-' (stdout) or 'off'; a relative FILE in the file is relative to it. */
static int set_access_log(void *opts, const struct opt *o, const char *name,
			  const char *v, enum opt_layer from)
{
	struct options *so = opts;

	free(so->access_log);
	so->access_log = NULL;
	if (!strcmp(v, "off"))
		return 0;
	so->access_log = from == OPT_FROM_FILE && strcmp(v, "-") ? config_path(v) : xstrdup(v);
	return 0;
}

static int set_socket_mode(void *opts, const struct opt *o, const char *name,
			   const char *s, enum opt_layer from)
{
	struct options *so = opts;
	unsigned long v;

	if (parse_ulong(name, s, 8, 07777, &v))
		return -1;
	so->socket_mode = (int)v;
	return 0;
}

static const struct opt serve_opts[] = {
	{ OPT_PATH, 'r', "root", .argh = "DIR", .key = "static-root", .section = "",
	  .env = "STATIC_ROOT", .off = OFF(root),
	  .help = "tree to serve (default $STATIC_ROOT, static-root)",
	  .doc = "The tree.  Default: $STATIC_ROOT, then static-root in the config "
		 "file." },
	{ OPT_STRING, 'a', "alias", .argh = "PATH", .off = OFF(alias),
	  .help = "URL prefix (default $STATIC_URL, static-url, /static/)",
	  .doc = "URL prefix, a path, matched with its trailing slash.  Default: "
		 "the path of $STATIC_URL, then of static-url, then /static/." },
	{ OPT_CALLBACK, 0, NULL, .argh = "URL", .key = "static-url", .section = "",
	  .env = "STATIC_URL", .off = OFF(alias), .cb = set_static_url,
	  .help = "Django's STATIC_URL: the alias is its path",
	  .doc = "Django's STATIC_URL, read as collect reads it: \"static/\" is "
		 "/static/, https://cdn.example.com/static/ and "
		 "//cdn.example.com/static/ give the alias /static/." },
	{ OPT_CALLBACK, 'l', "listen", .argh = "ADDR", .off = OFF(listen), .cb = add_listen,
	  .group = 1,
	  .help = "HOST:PORT, [::1]:PORT or unix:/path (repeatable;\n"
		  "default 127.0.0.1:8080; LISTEN_FDS overrides)",
	  .doc = "HOST:PORT, [V6]:PORT, :PORT, or unix:/path.  Repeatable; the "
		 "command line replaces the file's list.  Default 127.0.0.1:8080.  "
		 "Ignored when systemd passes sockets (LISTEN_FDS)." },
	{ OPT_CALLBACK, 0, "socket-mode", .argh = "MODE", .cb = set_socket_mode,
	  .help = "mode of unix sockets (default 0666)",
	  .doc = "Mode of unix sockets, octal (default 0666).  An existing socket "
		 "file is replaced only when nothing answers on it." },
	{ OPT_INT, 'w', "workers", .argh = "N", .off = OFF(workers), .min = 0, .max = 1024,
	  .help = "worker threads (default, or 0: one per core)",
	  .doc = "Worker threads, each with its own epoll set on the shared "
		 "listening sockets (default, or 0: one per online CPU, like "
		 "nginx's worker_processes auto)." },
	{ OPT_CALLBACK, 0, "access-log", .argh = "FILE", .cb = set_access_log,
	  .help = "combined log to FILE, - (stdout) or off (default)",
	  .doc = "Combined log format, buffered per worker (flushed at least every "
		 "second and at exit); SIGUSR1 reopens FILE.  - is stdout; default "
		 "off.  For a peer on a unix socket (nginx in front), the client "
		 "is the last X-Forwarded-For address, else \"unix:\"." },
	{ OPT_LIST, 0, "allowed-host", .argh = "NAME", .off = OFF(allowed_host),
	  .help = "accept only this Host (repeatable; else 400;\n"
		  ".example.com: and subdomains, *: any)",
	  .doc = "Accept only requests whose Host (port stripped, "
		 "case-insensitive) is NAME; repeatable; others get 400.  NAME is "
		 "read as in Django's ALLOWED_HOSTS: .example.com matches "
		 "example.com and every subdomain, * matches any host." },
	{ OPT_STRING, 0, "cors", .argh = "ORIGIN", .off = OFF(cors),
	  .help = "send Access-Control-Allow-Origin: ORIGIN",
	  .doc = "Send Access-Control-Allow-Origin: ORIGIN.  One origin, "
		 "scheme://host[:port] without a path or trailing slash, or *: "
		 "browsers compare it byte for byte, so anything else is a "
		 "start-up error." },
	{ OPT_STRING, 0, "cache-control", .argh = "VAL", .off = OFF(cache_control),
	  .help = "Cache-Control of unhashed files (default no-cache)",
	  .doc = "Cache-Control for files the manifest does not list as hashed "
		 "names (default no-cache).  Hashed names get \"public, "
		 "max-age=31536000, immutable\"." },
	{ OPT_FLAG, 0, "follow-symlinks", .off = OFF(follow_symlinks),
	  .help = "serve symlinks that leave the root (collect --link)",
	  .doc = "Serve symbolic links that leave the root (trees made by collect "
		 "--link)." },
	{ OPT_CALLBACK, 0, "max-connections", .argh = "N", .cb = set_max_connections,
	  .help = "open connections before 503 (default 4096)",
	  .doc = "Open connections, all workers together (default 4096).  At the "
		 "cap the accepting worker first closes its longest-idle "
		 "keep-alive connection to make room (as nginx does); when it has "
		 "none, the new one gets 503 with Retry-After: 1 and is closed.  "
		 "serve raises its open-file soft limit to the hard one at start; "
		 "when N connections still do not fit beside the descriptors it "
		 "keeps open, it warns once naming the limit and uses what fits." },
	{ OPT_CALLBACK, 0, "header-timeout", .argh = "SEC", .off = OFF(header_timeout),
	  .min = 1, .cb = set_duration,
	  .help = "deadline to receive a request head (default 10)",
	  .doc = "Total time to receive a request head (default 10 s; 408 then "
		 "close).  Every timeout may be given in milliseconds as Nms; 0 is "
		 "an error (exit 2), except for --keepalive-timeout." },
	{ OPT_CALLBACK, 0, "keepalive-timeout", .argh = "SEC", .off = OFF(keepalive_timeout),
	  .min = 0, .cb = set_duration, /* 0: no keep-alive, as in nginx */
	  .help = "idle keep-alive timeout (default 30; 0: off)",
	  .doc = "Idle time between keep-alive requests (default 30 s).  0 turns "
		 "keep-alive off (every response carries Connection: close), as in "
		 "nginx." },
	{ OPT_CALLBACK, 0, "send-timeout", .argh = "SEC", .off = OFF(send_timeout),
	  .min = 1, .cb = set_duration,
	  .help = "close clients that stop reading (default 30)",
	  .doc = "Time without send progress before the client is closed (default "
		 "30 s).  A connection closed while the client may still be "
		 "sending lingers: serve shuts its side and reads and drops what "
		 "comes for up to 5 s, so the answer is not lost to a reset." },
	{ OPT_CALLBACK, 0, "shutdown-timeout", .argh = "SEC", .off = OFF(shutdown_timeout),
	  .min = 1, .cb = set_duration,
	  .help = "bound on finishing in-flight on stop (default 10)",
	  .doc = "Bound on finishing in-flight responses when stopping (default 10 "
		 "s)." },
	{ OPT_STRING, 0, "user", .argh = "USER", .off = OFF(user),
	  .help = "drop privileges to USER after binding",
	  .doc = "After binding, switch to USER (groups too); the tree and the "
		 "access log are then opened as USER, on start-up as on every "
		 "reload." },
	OPT_COMMON_CONFIG,
	{ OPT_FLAG, 0, "check", .key = "", .off = OFF(check),
	  .help = "load config and tree, print a summary, exit 0/1",
	  .doc = "Load the configuration and the tree (as USER when --user is "
		 "given, as the server would), print a summary, exit 0 (or 1).  A "
		 "file serve may not read is skipped with a warning, at start-up "
		 "and on reload alike." },
	OPT_COMMON_VERBOSITY(OFF(verbosity), "more detail"),
	OPT_COMMON_END,
};

static void set_defaults(void *opts)
{
	struct options *o = opts;

	memset(o, 0, sizeof(*o));
	o->alias = xstrdup("/static/");
	o->cache_control = xstrdup("no-cache");
	o->socket_mode = 0666;
	o->max_connections = 4096;
	o->header_timeout = 10000;
	o->keepalive_timeout = 30000;
	o->send_timeout = 30000;
	o->shutdown_timeout = 10000;
	o->verbosity = 1;
}

static int check_alias(struct options *o)
{
	size_t n = strlen(o->alias);

	if (o->alias[0] != '/')
		return log_error("alias '%s' must start with '/'", o->alias);
	if (o->alias[n - 1] != '/') {
		char *a = xstrcat3(o->alias, "/", "");

		free(o->alias);
		o->alias = a;
	}
	return 0;
}

/* After every source: the list default, the root, the alias's shape. */
static int check_settings(void *opts)
{
	struct options *o = opts;

	/* A list's default goes in last: a given list replaces it. */
	if (!o->listen.n)
		strlist_add(&o->listen, "127.0.0.1:8080");
	if (!o->root)
		return log_error("no root: give --root DIR, $STATIC_ROOT or static-root");
	return check_alias(o);
}

/* What the callbacks stored. */
static void release_callbacks(void *opts)
{
	struct options *o = opts;

	free(o->access_log);
}

const struct opt_program serve_program = {
	.synopsis = "[--root DIR] [--alias /static/] [--listen ADDR]... [OPTIONS]",
	.about = "Serves a collected static tree over HTTP/1.1.\n",
	.epilog =
"Signals: HUP reloads the tree, USR1 reopens the access log, TERM/INT stop.\n"
"Exit status: 0 stopped cleanly, 1 start-up failed, 2 a bad option or setting.\n",
	.name = "serve", .version = SERVE_VERSION, .opts = serve_opts, .size = sizeof(struct options),
	.defaults = set_defaults, .check = check_settings, .release = release_callbacks,
};

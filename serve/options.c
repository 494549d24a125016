/* options.c: parses serve's command line and the [serve] part of staticroot.conf. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "xalloc.h"
#include "options.h"

/* A duration not given (0 is a value: --keepalive-timeout 0). */
#define OPT_UNSET UINT_MAX

enum opt_id {
	O_ROOT = 'r', O_ALIAS = 'a', O_LISTEN = 'l', O_WORKERS = 'w',
	O_HELP = 'h', O_VERSION = 'V', O_VERBOSE = 'v',
	O_CONFIG = 256, O_ACCESS_LOG, O_ALLOWED_HOST, O_CORS, O_CHECK, O_USER,
	O_FOLLOW, O_CACHE_CONTROL, O_SOCKET_MODE, O_MAX_CONN,
	O_HEADER_TIMEOUT, O_KEEPALIVE_TIMEOUT, O_SEND_TIMEOUT,
	O_SHUTDOWN_TIMEOUT, O_STATIC_ROOT, O_STATIC_URL,
};

static const struct option long_opts[] = {
	{ "root", required_argument, NULL, O_ROOT },
	{ "alias", required_argument, NULL, O_ALIAS },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "workers", required_argument, NULL, O_WORKERS },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "access-log", required_argument, NULL, O_ACCESS_LOG },
	{ "allowed-host", required_argument, NULL, O_ALLOWED_HOST },
	{ "cors", required_argument, NULL, O_CORS },
	{ "check", no_argument, NULL, O_CHECK },
	{ "user", required_argument, NULL, O_USER },
	{ "follow-symlinks", no_argument, NULL, O_FOLLOW },
	{ "cache-control", required_argument, NULL, O_CACHE_CONTROL },
	{ "socket-mode", required_argument, NULL, O_SOCKET_MODE },
	{ "max-connections", required_argument, NULL, O_MAX_CONN },
	{ "header-timeout", required_argument, NULL, O_HEADER_TIMEOUT },
	{ "keepalive-timeout", required_argument, NULL, O_KEEPALIVE_TIMEOUT },
	{ "send-timeout", required_argument, NULL, O_SEND_TIMEOUT },
	{ "shutdown-timeout", required_argument, NULL, O_SHUTDOWN_TIMEOUT },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Keys only the config file knows (shared with collect). */
static const struct option file_only_opts[] = {
	{ "static-root", required_argument, NULL, O_STATIC_ROOT },
	{ "static-url", required_argument, NULL, O_STATIC_URL },
	{ NULL, 0, NULL, 0 },
};

void options_usage(void)
{
	fputs(
"usage: serve [--root DIR] [--alias /static/] [--listen ADDR]... [OPTIONS]\n"
"Serves a collected static tree over HTTP/1.1.\n"
"\n"
"  -r, --root DIR            tree to serve (default $STATIC_ROOT, static-root)\n"
"  -a, --alias PATH          URL prefix (default $STATIC_URL, static-url, /static/)\n"
"  -l, --listen ADDR         HOST:PORT, [::1]:PORT or unix:/path (repeatable;\n"
"                            default 127.0.0.1:8080; LISTEN_FDS overrides)\n"
"      --socket-mode MODE    mode of unix sockets (default 0666)\n"
"  -w, --workers N           worker threads (default, or 0: one per core)\n"
"      --access-log FILE     combined log to FILE, - (stdout) or off (default)\n"
"      --allowed-host NAME   accept only this Host (repeatable; else 400;\n"
"                            .example.com: and subdomains, *: any)\n"
"      --cors ORIGIN         send Access-Control-Allow-Origin: ORIGIN\n"
"      --cache-control VAL   Cache-Control of unhashed files (default no-cache)\n"
"      --follow-symlinks     serve symlinks that leave the root (collect --link)\n"
"      --max-connections N   open connections before 503 (default 4096)\n"
"      --header-timeout SEC  deadline to receive a request head (default 10)\n"
"      --keepalive-timeout SEC  idle keep-alive timeout (default 30; 0: off)\n"
"      --send-timeout SEC    close clients that stop reading (default 30)\n"
"      --shutdown-timeout SEC  bound on finishing in-flight on stop (default 10)\n"
"      --user USER           drop privileges to USER after binding\n"
"      --config FILE         settings file (default ./staticroot.conf if any)\n"
"      --check               load config and tree, print a summary, exit 0/1\n"
"  -v, --verbose             (adds nothing yet: summary, reloads and\n"
"                            warnings are always printed)\n"
"  -V, --version, --help\n"
"\n"
"Signals: HUP reloads the tree, USR1 reopens the access log, TERM/INT stop.\n",
	      stdout);
}

static char *resolve(const char *value, int from_file)
{
	return from_file ? config_path(value) : xstrdup(value);
}

static void set_str(char **dst, const char *value, int from_file)
{
	free(*dst);
	*dst = resolve(value, from_file);
}

static void add_str(char ***v, size_t *n, char *owned)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = owned;
}

/*
 * Seconds ("10", "10s") or milliseconds ("500ms") into milliseconds.  Zero
 * is refused unless zero_ok: a deadline of nothing is nonsense (nginx
 * refuses such values too), and taking it for the default would hide the
 * mistake.
 */
static int parse_duration(const char *name, const char *s, unsigned *out,
			  int zero_ok)
{
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
	if (!v && !zero_ok)
		return log_error("--%s: must be more than 0", name);
	*out = (unsigned)v;
	return 0;
bad:
	return log_error("--%s: bad duration '%s' (seconds, or Nms)", name, s);
}

static int parse_uint(const char *name, const char *s, int base,
		      unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, base);
	if (errno || end == s || *end || *s == '-' || *out > max)
		return log_error("--%s: bad number '%s'", name, s);
	return 0;
}

/*
 * The alias from Django's STATIC_URL (static-url, $STATIC_URL, which collect
 * reads the same way): of a full or scheme-relative URL
 * ("https://cdn.example.com/static/", "//cdn.example.com/static/") the
 * path, which is what reaches us through the CDN or proxy; a relative one
 * gets the '/' Django puts before it ("static/" is "/static/").  --alias
 * itself must be a path.  Owned.
 */
static char *alias_of_static_url(const char *url)
{
	const char *p = url, *scheme = strstr(url, "://");
	size_t n;
	char *a;

	if (scheme || !strncmp(url, "//", 2)) {
		p = strchr(scheme ? scheme + 3 : url + 2, '/');
		if (!p)
			p = "/";
	}
	n = strlen(p) + 2;
	a = xmalloc(n);
	snprintf(a, n, "%s%s", *p == '/' ? "" : "/", p);
	return a;
}

/* A listen value from the file: resolve a relative unix socket path. */
static char *resolve_listen(const char *value, int from_file)
{
	char *p, *r;
	size_t n;

	if (!from_file || strncmp(value, "unix:", 5))
		return xstrdup(value);
	p = config_path(value + 5);
	n = strlen(p) + 6;
	r = xmalloc(n);
	snprintf(r, n, "unix:%s", p);
	free(p);
	return r;
}

static int set_flag(int *dst, const char *name, const char *value)
{
	int b = value ? config_bool(value) : 1;

	if (b < 0)
		return log_error("%s: expected true or false, got '%s'", name, value);
	*dst = b;
	return 0;
}

static int set_number(struct options *o, int id, const char *name, const char *v)
{
	unsigned long n;

	switch (id) {
	case O_WORKERS:
		if (parse_uint(name, v, 10, 1024, &n))
			return -1;
		o->workers = (int)n;
		return 0;
	case O_MAX_CONN:
		if (parse_uint(name, v, 10, 1u << 20, &n))
			return -1;
		if (!n)
			return log_error("--%s: must be at least 1", name);
		o->max_connections = (unsigned)n;
		return 0;
	case O_SOCKET_MODE:
		if (parse_uint(name, v, 8, 07777, &n))
			return -1;
		o->socket_mode = (mode_t)n;
		return 0;
	case O_HEADER_TIMEOUT:
		return parse_duration(name, v, &o->header_timeout, 0);
	case O_KEEPALIVE_TIMEOUT: /* 0: no keep-alive, as in nginx */
		return parse_duration(name, v, &o->keepalive_timeout, 1);
	case O_SEND_TIMEOUT:
		return parse_duration(name, v, &o->send_timeout, 0);
	case O_SHUTDOWN_TIMEOUT:
		return parse_duration(name, v, &o->shutdown_timeout, 0);
	}
	return log_error("--%s: unknown option", name);
}

/* Applies one setting; from_file also resolves relative paths. */
static int options_set(struct options *o, int id, const char *name,
		       const char *v, int from_file)
{
	switch (id) {
	case O_ROOT: case O_STATIC_ROOT:
		set_str(&o->root, v, from_file);
		return 0;
	case O_ALIAS:
		set_str(&o->alias, v, 0);
		return 0;
	case O_STATIC_URL:
		free(o->alias);
		o->alias = alias_of_static_url(v);
		return 0;
	case O_LISTEN:
		add_str(&o->listen, &o->nlisten, resolve_listen(v, from_file));
		return 0;
	case O_ALLOWED_HOST:
		add_str(&o->allowed_host, &o->nallowed_host, xstrdup(v));
		return 0;
	case O_ACCESS_LOG:
		if (!strcmp(v, "off") || !strcmp(v, "-"))
			from_file = 0;
		set_str(&o->access_log, v, from_file);
		return 0;
	case O_CORS: set_str(&o->cors, v, 0); return 0;
	case O_USER: set_str(&o->user, v, 0); return 0;
	case O_CACHE_CONTROL: set_str(&o->cache_control, v, 0); return 0;
	case O_CONFIG: set_str(&o->config, v, 0); return 0;
	case O_CHECK: return set_flag(&o->check, name, v);
	case O_FOLLOW: return set_flag(&o->follow_symlinks, name, v);
	case O_VERBOSE: return set_flag(&o->verbose, name, v);
	}
	return set_number(o, id, name, v);
}

struct file_ctx {
	struct options *o;
	struct options *cli; /* what the command line set: it wins */
};

static int lookup(const struct option *t, const char *key)
{
	for (; t->name; t++)
		if (!strcmp(t->name, key))
			return t->val;
	return 0;
}

/* Whether the command line already set the option id. */
static int cli_has(const struct options *c, int id)
{
	switch (id) {
	case O_ROOT: case O_STATIC_ROOT: return c->root != NULL;
	case O_ALIAS: case O_STATIC_URL: return c->alias != NULL;
	case O_LISTEN: return c->nlisten != 0;
	case O_ALLOWED_HOST: return c->nallowed_host != 0;
	case O_ACCESS_LOG: return c->access_log != NULL;
	case O_CORS: return c->cors != NULL;
	case O_USER: return c->user != NULL;
	case O_CACHE_CONTROL: return c->cache_control != NULL;
	case O_WORKERS: return c->workers >= 0;
	case O_FOLLOW: return c->follow_symlinks >= 0;
	case O_VERBOSE: return c->verbose >= 0;
	}
	return 0;
}

static int file_key(const char *key, const char *value, void *vctx)
{
	struct file_ctx *ctx = vctx;
	int id = lookup(long_opts, key);

	if (!id)
		id = lookup(file_only_opts, key);
	if (!id || id == O_CONFIG || id == O_HELP || id == O_VERSION ||
	    id == O_CHECK)
		return log_error("unknown setting '%s'", key);
	if (cli_has(ctx->cli, id))
		return 0;
	return options_set(ctx->o, id, key, value, 1);
}

static void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->workers = -1;
	o->follow_symlinks = -1;
	o->verbose = -1;
	o->socket_mode = (mode_t)-1;
	o->max_connections = 0;
	o->header_timeout = o->keepalive_timeout = OPT_UNSET;
	o->send_timeout = o->shutdown_timeout = OPT_UNSET;
}

/* Duplicates the strings and lists of src into dst. */
static void merge_cli(struct options *dst, const struct options *src)
{
	size_t i;

#define TAKE(f) if (src->f) set_str(&dst->f, src->f, 0)
	TAKE(root); TAKE(alias); TAKE(access_log); TAKE(cors); TAKE(user);
	TAKE(cache_control); TAKE(config);
#undef TAKE
	if (src->nlisten) {
		for (i = 0; i < dst->nlisten; i++)
			free(dst->listen[i]);
		dst->nlisten = 0;
		for (i = 0; i < src->nlisten; i++)
			add_str(&dst->listen, &dst->nlisten, xstrdup(src->listen[i]));
	}
	if (src->nallowed_host) {
		for (i = 0; i < dst->nallowed_host; i++)
			free(dst->allowed_host[i]);
		dst->nallowed_host = 0;
		for (i = 0; i < src->nallowed_host; i++)
			add_str(&dst->allowed_host, &dst->nallowed_host,
				xstrdup(src->allowed_host[i]));
	}
#define TAKEN(f, unset) if (src->f != (unset)) dst->f = src->f
	TAKEN(workers, -1); TAKEN(follow_symlinks, -1); TAKEN(verbose, -1);
	TAKEN(socket_mode, (mode_t)-1); TAKEN(max_connections, 0u);
	TAKEN(header_timeout, OPT_UNSET); TAKEN(keepalive_timeout, OPT_UNSET);
	TAKEN(send_timeout, OPT_UNSET); TAKEN(shutdown_timeout, OPT_UNSET);
	TAKEN(check, 0);
#undef TAKEN
}

/* Parses argv into cli.  1 for --help/--version, 0, or -1. */
static int parse_argv(struct options *cli, int argc, char **argv)
{
	int c, idx;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:a:l:w:vhV", long_opts, &idx)) != -1) {
		const char *name = "";
		size_t i;

		if (c == '?' || c == ':') {
			if (c == ':')
				return log_error("option '%s' needs a value (see --help)",
						 argv[optind - 1]);
			return log_error("unknown option '%s' (see --help)",
					 argv[optind - 1]);
		}
		if (c == O_HELP) {
			options_usage();
			return 1;
		}
		if (c == O_VERSION) {
			printf("serve (staticroot) %s\n", SERVE_VERSION);
			return 1;
		}
		for (i = 0; long_opts[i].name; i++)
			if (long_opts[i].val == c)
				name = long_opts[i].name;
		if (options_set(cli, c, name, optarg, 0))
			return -1;
	}
	if (optind < argc)
		return log_error("unexpected argument '%s' (see --help)", argv[optind]);
	return 0;
}

static int check_alias(struct options *o)
{
	size_t n = strlen(o->alias);
	char *a;

	if (o->alias[0] != '/')
		return log_error("alias '%s' must start with '/'", o->alias);
	if (o->alias[n - 1] != '/') {
		a = xmalloc(n + 2);
		memcpy(a, o->alias, n);
		memcpy(a + n, "/", 2);
		free(o->alias);
		o->alias = a;
	}
	return 0;
}

static void apply_defaults(struct options *o)
{
	if (!o->alias)
		o->alias = xstrdup("/static/");
	if (!o->nlisten)
		add_str(&o->listen, &o->nlisten, xstrdup("127.0.0.1:8080"));
	if (!o->cache_control)
		o->cache_control = xstrdup("no-cache");
	if (o->access_log && !strcmp(o->access_log, "off")) {
		free(o->access_log);
		o->access_log = NULL;
	}
	if (o->workers < 0)
		o->workers = 0;
	if (o->follow_symlinks < 0)
		o->follow_symlinks = 0;
	if (o->verbose < 0)
		o->verbose = 0;
	if (o->socket_mode == (mode_t)-1)
		o->socket_mode = 0666;
	if (!o->max_connections)
		o->max_connections = 4096;
#define DEF(f, v) if (o->f == OPT_UNSET) o->f = (v)
	DEF(header_timeout, 10000); DEF(keepalive_timeout, 30000);
	DEF(send_timeout, 30000); DEF(shutdown_timeout, 10000);
#undef DEF
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct options cli;
	struct file_ctx ctx;
	const char *file, *env;
	int r;

	options_init(o);
	options_init(&cli);
	r = parse_argv(&cli, argc, argv);
	if (r)
		goto out;
	/* $STATIC_ROOT and $STATIC_URL count as given on the command line
	 * when it did not give them: over the config file, as for collect. */
	if (!cli.root && (env = getenv("STATIC_ROOT")) && *env)
		cli.root = xstrdup(env);
	if (!cli.alias && (env = getenv("STATIC_URL")) && *env)
		cli.alias = alias_of_static_url(env);
	file = cli.config;
	if (!file && access(CONFIG_DEFAULT, F_OK) == 0)
		file = CONFIG_DEFAULT;
	if (file) {
		ctx.o = o;
		ctx.cli = &cli;
		if (access(file, R_OK) != 0) {
			r = log_error("cannot read %s: %s", file, strerror(errno));
			goto out;
		}
		if (config_read(file, "serve", file_key, &ctx)) {
			r = -1;
			goto out;
		}
	}
	merge_cli(o, &cli);
	apply_defaults(o);
	if (!o->root) {
		r = log_error("no root: give --root DIR, $STATIC_ROOT or static-root");
		goto out;
	}
	r = check_alias(o);
out:
	options_release(&cli);
	return r;
}

void options_release(struct options *o)
{
	size_t i;

	for (i = 0; i < o->nlisten; i++)
		free(o->listen[i]);
	for (i = 0; i < o->nallowed_host; i++)
		free(o->allowed_host[i]);
	free(o->listen);
	free(o->allowed_host);
	free(o->config);
	free(o->root);
	free(o->alias);
	free(o->access_log);
	free(o->cors);
	free(o->user);
	free(o->cache_control);
	memset(o, 0, sizeof(*o));
}

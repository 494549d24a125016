/* options.h: serve's settings, from the command line, staticroot.conf and the environment. */
#ifndef SERVE_OPTIONS_H
#define SERVE_OPTIONS_H
#include <stddef.h>
#include <sys/types.h>

#define SERVE_VERSION "0.1.0"

/*
 * Everything serve can be told.  Strings are owned (free with
 * options_release()).  Durations are milliseconds.
 */
struct options {
	char *config;        /* --config FILE, or NULL: ./staticroot.conf if present */
	char *root;          /* --root, $STATIC_ROOT, static-root */
	char *alias;         /* --alias, $STATIC_URL, static-url; "/x/" shaped */
	char **listen;       /* --listen ADDR... */
	size_t nlisten;
	char **allowed_host; /* --allowed-host NAME...; none: any Host */
	size_t nallowed_host;
	char *access_log;    /* --access-log FILE|-|off (NULL = off) */
	char *cors;          /* --cors ORIGIN, or NULL */
	char *user;          /* --user USER, or NULL */
	char *cache_control; /* --cache-control, for files not hashed */
	mode_t socket_mode;  /* --socket-mode, for unix: listeners */
	int workers;         /* --workers, 0 = one per core */
	unsigned max_connections;
	/* milliseconds; keepalive_timeout 0: every response closes */
	unsigned header_timeout, keepalive_timeout, send_timeout, shutdown_timeout;
	int follow_symlinks;
	int check;
	int verbose;
};

/*
 * Fills o from argv, then the config file, then $STATIC_ROOT/$STATIC_URL,
 * then defaults (the command line wins over the file, the file over the
 * environment).  Handles --help and --version itself: returns 1 then (the
 * caller exits 0).  Returns 0, or -1 after printing one line.
 */
int options_parse(struct options *o, int argc, char **argv);
void options_release(struct options *o);

/* Prints the --help text on stdout. */
void options_usage(void);

#endif

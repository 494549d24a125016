/* options.h: serve's settings, from the command line, the environment and staticroot.conf. */
#ifndef SERVE_OPTIONS_H
#define SERVE_OPTIONS_H
#include <stddef.h>
#include <sys/types.h>

#include "strlist.h"

#define SERVE_VERSION "0.1.0"

/*
 * Everything serve can be told.  Strings are owned (free with
 * serve_options_release()).  Durations are milliseconds.
 */
struct options {
	char *root;          /* --root, $STATIC_ROOT, static-root */
	char *alias;         /* --alias, $STATIC_URL, static-url; "/x/" shaped */
	struct strlist listen;       /* --listen ADDR... */
	struct strlist allowed_host; /* --allowed-host NAME...; none: any Host */
	char *access_log;    /* --access-log FILE|- (NULL = off) */
	char *cors;          /* --cors ORIGIN, or NULL */
	char *user;          /* --user USER, or NULL */
	char *cache_control; /* --cache-control, for files not hashed */
	int socket_mode;     /* --socket-mode, for unix: listeners */
	int workers;         /* --workers, 0 = one per core */
	unsigned max_connections;
	/* milliseconds; keepalive_timeout 0: every response closes */
	unsigned header_timeout, keepalive_timeout, send_timeout, shutdown_timeout;
	int follow_symlinks;
	int check;
	int verbosity;       /* -v [N]: 0 quiet .. 3 debug, default 1 */
};

#include "optparse.h"

/* serve's option table (serve/options.c), for --help and tests. */
extern const struct opt_program serve_program;

/*
 * Fills o from the defaults, staticroot.conf (--config, else
 * ./staticroot.conf when present), the environment and argv, in that order
 * of precedence, lowest first (lib/optparse.c).  Returns OPT_RUN, OPT_EXIT
 * when --help/--version was handled (exit 0), or OPT_BAD after printing one
 * line (exit 2).
 */
#define serve_options_parse(o, argc, argv) opt_parse(&serve_program, (o), (argc), (argv))
/* Frees every string and list of o, and zeroes it. */
#define serve_options_release(o) opt_release(&serve_program, (o))

#endif

/* log.h: one-line diagnostics shared by collect and serve. */
#ifndef SR_LOG_H
#define SR_LOG_H

/* 0 quiet .. 3 chatty; set once by main(), read by everyone. */
extern int log_verbosity;
/* Program name prefixed to every stderr line ("collect", "serve"). */
extern const char *log_prog;
/* While set, where the message comes from ("FILE:LINE"), after the kind:
 * config_read() sets it around each setting, so that an option parser's
 * own message names the line in one line. */
extern const char *log_where;

/* Prints "PROG: error: ..." on stderr and returns -1, so that a caller can
 * write `return log_error("cannot read %s: %s", path, strerror(errno));`. */
int log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PROG: warning: ..." on stderr. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the line on stdout when level <= log_verbosity. */
void log_info(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The one way to put a name (file, archive entry, path) from outside into
 * a message: control bytes, bytes that are not UTF-8, '\\' and '"' become
 * C-style escapes (\n, \t, \x7f, \\, \"), so one message stays one line
 * and says which bytes the name holds.  Writes into buf (LOG_NAME_MAX
 * bytes, cut short with "..." past that) and returns it: borrowed, valid
 * while buf is.  Thread-safe.
 */
#define LOG_NAME_MAX 1024
const char *log_name(const char *name, char buf[LOG_NAME_MAX]);

/* How many error lines log_error() and die() printed so far (thread-safe):
 * collect exits non-zero whenever it printed one. */
unsigned log_error_count(void);

/* Prints "PROG: fatal: ..." and exits 1.  Only for conditions that cannot be
 * handled (out of memory); never on the serve request path. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The same line, then _exit(1): no atexit handler, no library destructor.
 * For a failure inside a library that still holds its own locks (libcrypto
 * allocating in its one-time set-up: its exit handler would wait on the
 * set-up for ever).  What a run leaves is what a kill leaves, which the
 * next run clears. */
void die_at_once(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

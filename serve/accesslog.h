/* accesslog.h: the combined-format access log, buffered per worker. */
#ifndef SERVE_ACCESSLOG_H
#define SERVE_ACCESSLOG_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct http_request;

#define ACCESSLOG_BUF (64 * 1024)
#define ACCESSLOG_LINE_MAX (7 * 1024) /* fields are truncated to fit */

/* One per worker: lines accumulate here and go out in one write(). */
struct accesslog_buf {
	size_t len;
	time_t stamp_t;
	char stamp[40]; /* "[10/Oct/2000:13:55:36 +0000]" for stamp_t */
	char buf[ACCESSLOG_BUF];
};

/*
 * Opens the log: a file (appended, created 0640), "-" for stdout.  The fd
 * number stays the same across accesslog_reopen() (the new file is dup2()ed
 * over it), so workers never see a closed descriptor.  0, or -1 after
 * printing one line.  accesslog_enabled() says whether a log is open.
 */
int accesslog_open(const char *path);
int accesslog_reopen(void);
int accesslog_enabled(void);
void accesslog_close(void);

/*
 * Appends one line in the combined format: peer - - [time] "request line"
 * status bytes "referer" "user-agent".  req may be NULL (unparsable
 * request: logged as "-").  Untrusted bytes are escaped as \xHH so a request
 * cannot forge log lines.  Flushes when the buffer is nearly full.
 */
void accesslog_add(struct accesslog_buf *b, time_t now, const char *peer,
		   const struct http_request *req, int status, uint64_t bytes);
/* Writes out what is buffered (each worker's tick, and at exit). */
void accesslog_flush(struct accesslog_buf *b);

/*
 * Rotation without moving old lines into the new file: the reopening
 * thread calls accesslog_flush_request() (returns a ticket), waits until
 * every worker has called accesslog_flush_if_asked() past that ticket (or
 * a bound), then accesslog_reopen().  accesslog_flush_if_asked() is one
 * atomic load when nothing is asked; it returns the ticket it has seen.
 */
unsigned accesslog_flush_request(void);
unsigned accesslog_flush_if_asked(struct accesslog_buf *b, unsigned seen);

#endif

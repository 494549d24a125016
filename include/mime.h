/* mime.h: the Content-Type of a file: extension table first, libmagic after. */
#ifndef SR_MIME_H
#define SR_MIME_H
#include <stddef.h>

#define MIME_DEFAULT "application/octet-stream"
#define MIME_TYPE_MAX 128

/*
 * Content-Type header value for path's extension (case-insensitive), with
 * "; charset=utf-8" on text types; NULL when the extension is unknown.
 * Returns a static string.  Thread-safe.
 */
const char *mime_from_path(const char *path);

/*
 * Sniffs content with libmagic (for unknown extensions only: magic is wrong
 * about CSS, JS and SVG).  Writes the Content-Type value, with charset for
 * text, into out; falls back to MIME_DEFAULT.  magic is a magic_t opened with
 * mime_magic_open(); one per thread.
 */
void mime_sniff(void *magic, const void *buf, size_t len, char out[MIME_TYPE_MAX]);
/* Returns a magic_t (as void *) or NULL with an error printed. */
void *mime_magic_open(void);
void mime_magic_close(void *magic);

/* Whether precompressing pays off for this Content-Type value. */
int mime_is_compressible(const char *type);

#endif

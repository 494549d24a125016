/* path.h: '/'-separated relative paths: normalising, checking, decoding. */
#ifndef SR_PATH_H
#define SR_PATH_H
#include <stddef.h>
#include <sys/types.h>

/*
 * Normalises p[0..len) in place: drops empty and "." segments, resolves "..",
 * strips leading and trailing slashes, and NUL-terminates the result (p must
 * have room for len + 1 bytes).  Returns the new length, or -1 when a ".."
 * would climb above the start.
 */
ssize_t path_normalize(char *p, size_t len);

/*
 * Checks a name taken from untrusted input (an archive entry): NULL when it
 * is a safe relative path, else a short reason ("absolute path",
 * "contains '..'", "contains a backslash", "empty", "control character").
 */
const char *path_check_relative(const char *name);

/*
 * Percent-decodes src[0..len) into dst (room for len + 1 bytes).  Returns the
 * decoded length, or -1 on a bad escape, a decoded NUL or control byte.
 */
ssize_t path_percent_decode(char *dst, const char *src, size_t len);

/*
 * The one rule for names both programs agree on: why serve could not
 * answer for a file called name[0..len) (its path below the root), or NULL
 * when it can.  collect skips such a name with a warning, serve answers 400
 * for a request that decodes to one, so a collected name is a servable
 * URL.  Refused: bytes that are not UTF-8, control bytes (a newline ends
 * the header or log line a name goes into), a backslash (a separator to
 * Windows, to Django's clean_name() and to some proxies) and a double
 * quote (it ends the quoted strings names are written into: CSS url(""),
 * HTML attributes, ETag-like headers, the access log's request field).
 */
const char *path_check_servable(const char *name, size_t len);

/* Checks that s[0..len) is valid UTF-8 (no overlongs, surrogates). 1 / 0. */
int path_is_utf8(const char *s, size_t len);

/* Directory part of a relative path ("a/b/c.css" -> "a/b", "c" -> "").
 * Returns the length of that prefix. */
size_t path_dirlen(const char *path);

/* Whether any component of the path starts with '.'. */
int path_has_dot_component(const char *path);

#endif

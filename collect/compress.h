/* compress.h: deterministic gzip and brotli encodings of a file's bytes. */
#ifndef SR_COLLECT_COMPRESS_H
#define SR_COLLECT_COMPRESS_H
#include <stddef.h>

struct strbuf;

/*
 * Both functions honour out's max: an encoding that does not fit is an
 * error (one line printed, out unchanged).  To decide whether a variant is
 * worth keeping (at most 95% of the input), compress into an unbounded
 * buffer and compare lengths.
 */

/*
 * Appends the gzip encoding of data[0..len) to out: zlib level 9, a gzip
 * header with mtime 0, no name and a fixed OS byte (3, Unix), so the same
 * input always gives the same bytes.  Returns 0, or -1 after printing one
 * line (out is then restored to its previous length).  Thread-safe: each
 * call has its own stream state.
 */
int compress_gzip(const void *data, size_t len, struct strbuf *out);

/*
 * Appends the brotli encoding of data[0..len) to out (libbrotlienc, window
 * 22, generic mode; quality 0..11, clamped).  Deterministic for a given
 * library version and quality.  Returns 0, or -1 after printing one line
 * (out is then restored).  Thread-safe.
 */
int compress_brotli(const void *data, size_t len, int quality, struct strbuf *out);

#endif

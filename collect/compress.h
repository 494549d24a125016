/* compress.h: deterministic gzip, brotli and zstd encodings of a file's bytes. */
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

/*
 * Appends the gzip encoding of data[0..len) made by libdeflate at level
 * (1..12, clamped): about three times faster than zlib at the same size
 * (level 6 is within 0.6% of zlib 9 on the bench's tree).  The same header
 * as compress_gzip() (mtime 0, no name, OS byte 3).  Returns 0, or -1 after
 * printing one line (out restored).  Thread-safe.
 */
int compress_gzip_fast(const void *data, size_t len, int level, struct strbuf *out);

/*
 * Appends one zstd frame of data[0..len) at level (1..19, clamped),
 * single-threaded, with the content size, no checksum and no dictionary id,
 * so the bytes depend only on the input, the level and the libzstd version,
 * never on the machine.  Levels up to 19 keep the window at most 8 MB, what
 * browsers accept for Content-Encoding: zstd (RFC 8878 section 3.1.1.1.2).
 * Returns 0, or -1 after printing one line (out restored).  Thread-safe:
 * each call has its own context.  A dictionary-compressed (dcz) caller
 * builds its own ZSTD_CCtx with ZSTD_CCtx_refPrefix() and may share
 * compress_zstd_setup() for the same fixed parameters.
 */
int compress_zstd(const void *data, size_t len, int level, struct strbuf *out);

/* Applies the fixed parameters above to cctx (a ZSTD_CCtx *, void * so that
 * this header needs no zstd.h).  0, or -1 when libzstd refused one. */
int compress_zstd_setup(void *cctx, int level);

/* Version of each encoder library as loaded ("1.0.9"): part of the
 * compression cache's keys.  Static strings. */
const char *compress_version_brotli(void);
const char *compress_version_zlib(void);
const char *compress_version_libdeflate(void);
const char *compress_version_zstd(void);

#endif

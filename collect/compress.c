/* compress.c: deterministic gzip (zlib, libdeflate), brotli (libbrotlienc) and zstd (libzstd) encodings. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <brotli/encode.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include "compress.h"
#include "log.h"
#include "strbuf.h"

#define GZIP_OS_UNIX 3
#define BROTLI_WINDOW 22
#define ZSTD_MAX_LEVEL 19 /* above, the window outgrows what browsers accept */
#define ZLIB_CHUNK ((size_t)1 << 30) /* avail_in/out are 32-bit */

/* Runs deflate over the whole input, growing out as needed. */
static int gzip_run(z_stream *zs, const unsigned char *in, size_t len,
		    struct strbuf *out)
{
	int zret = Z_OK;

	while (zret != Z_STREAM_END) {
		size_t in_now = len < ZLIB_CHUNK ? len : ZLIB_CHUNK;
		size_t room = deflateBound(zs, (uLong)in_now) + 64;
		int flush = in_now == len ? Z_FINISH : Z_NO_FLUSH;

		/* a bounded out may still hold the result: fill it up to max */
		if (room > out->max - out->len)
			room = out->max - out->len;
		if (room == 0 || strbuf_grow(out, room) < 0)
			return -EFBIG;
		zs->next_in = (Bytef *)in;
		zs->avail_in = (uInt)in_now;
		zs->next_out = (Bytef *)out->buf + out->len;
		zs->avail_out = (uInt)(room < ZLIB_CHUNK ? room : ZLIB_CHUNK);
		zret = deflate(zs, flush);
		if (zret != Z_OK && zret != Z_STREAM_END && zret != Z_BUF_ERROR)
			return -EIO;
		strbuf_setlen(out, (size_t)((char *)zs->next_out - out->buf));
		in += in_now - zs->avail_in;
		len -= in_now - zs->avail_in;
	}
	return 0;
}

int compress_gzip(const void *data, size_t len, struct strbuf *out)
{
	z_stream zs;
	gz_header head;
	size_t start = out->len;
	int ret;

	memset(&zs, 0, sizeof(zs));
	/* 15 + 16: a gzip wrapper; memLevel 8 is zlib's (and gzip's) default. */
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return log_error("gzip: cannot initialise zlib");
	memset(&head, 0, sizeof(head));
	head.time = 0;
	head.os = GZIP_OS_UNIX;
	ret = deflateSetHeader(&zs, &head);
	if (ret == Z_OK)
		ret = gzip_run(&zs, data, len, out);
	deflateEnd(&zs);
	if (ret != 0) {
		strbuf_setlen(out, start);
		return log_error("gzip: cannot compress %zu bytes: %s", len,
				 ret == -EFBIG ? "output too large" : "zlib error");
	}
	return 0;
}

int compress_brotli(const void *data, size_t len, int quality, struct strbuf *out)
{
	size_t bound = BrotliEncoderMaxCompressedSize(len);
	size_t room = out->max - out->len, got;

	if (quality < BROTLI_MIN_QUALITY)
		quality = BROTLI_MIN_QUALITY;
	if (quality > BROTLI_MAX_QUALITY)
		quality = BROTLI_MAX_QUALITY;
	if (bound == 0)
		return log_error("brotli: cannot compress %zu bytes: input too large", len);
	/* a bounded out may still hold the result: offer what it has */
	if (bound < room)
		room = bound;
	if (strbuf_grow(out, room) < 0)
		return log_error("brotli: cannot compress %zu bytes: output too large", len);
	got = room;
	if (!BrotliEncoderCompress(quality, BROTLI_WINDOW, BROTLI_MODE_GENERIC, len,
				   data, &got, (uint8_t *)out->buf + out->len)) {
		strbuf_setlen(out, out->len); /* the encoder wrote over the NUL */
		return log_error("brotli: cannot compress %zu bytes%s", len,
				 room < bound ? ": output too large" : "");
	}
	strbuf_setlen(out, out->len + got);
	return 0;
}

int compress_gzip_fast(const void *data, size_t len, int level, struct strbuf *out)
{
	struct libdeflate_compressor *c;
	size_t bound, room, got;

	if (level < 1)
		level = 1;
	if (level > 12)
		level = 12;
	c = libdeflate_alloc_compressor(level);
	if (!c)
		return log_error("gzip: cannot initialise libdeflate");
	bound = libdeflate_gzip_compress_bound(c, len);
	room = out->max - out->len;
	if (bound < room)
		room = bound;
	if (strbuf_grow(out, room) < 0) {
		libdeflate_free_compressor(c);
		return log_error("gzip: cannot compress %zu bytes: output too large", len);
	}
	got = libdeflate_gzip_compress(c, data, len, out->buf + out->len, room);
	libdeflate_free_compressor(c);
	if (got < 10) {
		strbuf_setlen(out, out->len);
		return log_error("gzip: cannot compress %zu bytes%s", len,
				 room < bound ? ": output too large" : "");
	}
	/* libdeflate says "unknown OS" (255); zlib's 3 keeps one header for
	 * both (the byte is outside the CRC, which covers the data only) */
	out->buf[out->len + 9] = GZIP_OS_UNIX;
	strbuf_setlen(out, out->len + got);
	return 0;
}

int compress_zstd_setup(void *cctx, int level)
{
	ZSTD_CCtx *cc = cctx;

	if (level < 1)
		level = 1;
	if (level > ZSTD_MAX_LEVEL)
		level = ZSTD_MAX_LEVEL;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_dictIDFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_nbWorkers, 0)))
		return -1;
	return 0;
}

int compress_zstd(const void *data, size_t len, int level, struct strbuf *out)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(len), room = out->max - out->len, got;

	if (!cc || compress_zstd_setup(cc, level) < 0) {
		ZSTD_freeCCtx(cc);
		return log_error("zstd: cannot initialise libzstd");
	}
	if (bound < room)
		room = bound;
	if (strbuf_grow(out, room) < 0) {
		ZSTD_freeCCtx(cc);
		return log_error("zstd: cannot compress %zu bytes: output too large", len);
	}
	got = ZSTD_compress2(cc, out->buf + out->len, room, data, len);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(got)) {
		strbuf_setlen(out, out->len);
		return log_error("zstd: cannot compress %zu bytes: %s", len,
				 ZSTD_getErrorName(got));
	}
	strbuf_setlen(out, out->len + got);
	return 0;
}

const char *compress_version_brotli(void)
{
	static char v[32];
	uint32_t n = BrotliEncoderVersion();

	/* 0xMMMmmmppp; written once, before any thread reads it */
	if (!v[0])
		snprintf(v, sizeof(v), "%u.%u.%u", n >> 24, (n >> 12) & 0xfff, n & 0xfff);
	return v;
}

const char *compress_version_zlib(void)
{
	return zlibVersion();
}

const char *compress_version_libdeflate(void)
{
	return LIBDEFLATE_VERSION_STRING;
}

const char *compress_version_zstd(void)
{
	return ZSTD_versionString();
}

/* variant_src.c: source files named like a sibling's variant: kept as files of their own, used as the sibling's variant only when they decode to its bytes. */
#include <brotli/decode.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "fileset.h"
#include "log.h"
#include "options.h"
#include "prepare.h"
#include "run.h"
#include "variant_src.h"
#include "xalloc.h"

#define CHUNK ((size_t)64 * 1024)

/* The --compress bit of each enum tree_enc. */
static const unsigned enc_flag[ENC_COUNT] = { COMPRESS_BR, COMPRESS_ZSTD, COMPRESS_GZIP };

void variant_src_mark(struct fileset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		size_t n, base;
		int e = tree_enc_of_name(fs->v[i].name, &n);
		char *stem;

		if (e < 0)
			continue;
		stem = xstrndup(fs->v[i].name, n);
		base = fileset_find(fs, stem);
		if (base != (size_t)-1) {
			fs->v[base].varsrc[e] = i + 1;
			log_info(3, "'%s' is a file of its own beside '%s'", fs->v[i].name, stem);
		}
		free(stem);
	}
}

/* Compares the next got bytes of the decoded stream with want at *pos. */
static int same_so_far(const unsigned char *buf, size_t got, const unsigned char *want,
		       size_t want_len, size_t *pos)
{
	if (got > want_len - *pos || memcmp(buf, want + *pos, got))
		return 0;
	*pos += got;
	return 1;
}

/* gzip members, one after another (what gzip -d accepts, minus trailing junk). */
static int gzip_decodes(const unsigned char *in, size_t len, const unsigned char *want,
			size_t want_len, unsigned char *buf)
{
	z_stream z;
	size_t pos = 0;
	int rc, same = 1;

	memset(&z, 0, sizeof(z));
	if (len > UINT32_MAX || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	for (;;) {
		z.next_out = buf;
		z.avail_out = (uInt)CHUNK;
		rc = inflate(&z, Z_NO_FLUSH);
		if (!same_so_far(buf, CHUNK - z.avail_out, want, want_len, &pos)) {
			same = 0;
			break;
		}
		if (rc == Z_STREAM_END && !z.avail_in)
			break;
		if (rc == Z_STREAM_END)
			rc = inflateReset(&z);
		if (rc != Z_OK) {  /* corrupt, or truncated (Z_BUF_ERROR) */
			same = 0;
			break;
		}
	}
	inflateEnd(&z);
	return same && pos == want_len;
}

static int brotli_decodes(const unsigned char *in, size_t len, const unsigned char *want,
			  size_t want_len, unsigned char *buf)
{
	BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
	size_t pos = 0, avail_in = len;
	const uint8_t *next_in = in;
	int same = s != NULL;

	while (same && rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
		size_t avail_out = CHUNK;
		uint8_t *next_out = buf;

		rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out,
						   NULL);
		same = same_so_far(buf, CHUNK - avail_out, want, want_len, &pos);
	}
	if (s)
		BrotliDecoderDestroyInstance(s);
	return same && rc == BROTLI_DECODER_RESULT_SUCCESS && !avail_in && pos == want_len;
}

/* zstd frames, one after another. */
static int zstd_decodes(const unsigned char *in, size_t len, const unsigned char *want,
			size_t want_len, unsigned char *buf)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer zi = { in, len, 0 };
	size_t pos = 0, rc = 1;
	int same = d != NULL && len > 0;

	while (same) {
		ZSTD_outBuffer zo = { buf, CHUNK, 0 };

		rc = ZSTD_decompressStream(d, &zo, &zi);
		if (ZSTD_isError(rc) || !same_so_far(buf, zo.pos, want, want_len, &pos))
			same = 0;
		else if (zi.pos == zi.size && zo.pos < zo.size)
			break;  /* all input taken and nothing more held back */
	}
	ZSTD_freeDCtx(d);
	return same && rc == 0 && pos == want_len;
}

int variant_src_decodes(int enc, const void *data, size_t len, const void *want,
			size_t want_len)
{
	unsigned char *buf = xmalloc(CHUNK);
	int same = 0;

	switch (enc) {
	case ENC_GZIP: same = gzip_decodes(data, len, want, want_len, buf); break;
	case ENC_BR: same = brotli_decodes(data, len, want, want_len, buf); break;
	case ENC_ZSTD: same = zstd_decodes(data, len, want, want_len, buf); break;
	}
	free(buf);
	return same;
}

/* Whether g (named f's variant e) serves as f's variant: the facts, or none. */
static struct file_variant decide_one(struct run *r, struct cfile *f, struct cfile *g, int e)
{
	struct file_variant v = { 0 };
	int had_f = f->data != NULL, had_g = g->data != NULL;

	if (!(r->o->compress & enc_flag[e]) || ((f->flags | g->flags) & CF_FAILED))
		return v;
	if (cfile_load(f) < 0 || cfile_load(g) < 0)
		goto out;
	if (variant_src_decodes(e, g->data, g->len, f->data, f->len)) {
		v = (struct file_variant){ 1, g->len, g->src_hash };
		log_info(2, "'%s' decodes to '%s': it is that name's %s variant", g->name,
			 f->name, tree_enc_token[e]);
	} else {
		log_warn("'%s' does not decode to '%s': collected as a file of its own, and "
			 "'%s' has no %s variant under its original name (its hashed name has "
			 "collect's)", g->name, f->name, f->name, tree_enc_token[e]);
	}
out:
	if (!had_f)
		cfile_unload(f);
	if (!had_g)
		cfile_unload(g);
	return v;
}

void variant_src_decide(struct run *r)
{
	for (size_t i = 0; i < r->fs.n; i++) {
		struct cfile *f = &r->fs.v[i];

		for (int e = 0; e < ENC_COUNT; e++) {
			struct file_variant *have = &f->orig.fact.enc[e], v;

			if (!f->varsrc[e])
				continue;
			v = decide_one(r, f, &r->fs.v[f->varsrc[e] - 1], e);
			/* An unchanged file took the cache's facts: a new decision is
			 * a new index. */
			if (have->present != v.present || have->size != v.size || have->hash != v.hash)
				atomic_store(&r->dirty, 1);
			*have = v;
		}
	}
}

/* encode.c: the level policy (which encoder, how hard, per file) and the cache around each compression. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "compress_cache.h"
#include "encode.h"
#include "hash.h"
#include "log.h"
#include "options.h"
#include "progress.h"
#include "strbuf.h"
#include "xalloc.h"

#define KEEP_PERCENT 95           /* a variant must be at most this % of the original */
#define INCOMPRESSIBLE_MIN 4096   /* below, headers dominate: always try the others */
#define INCOMPRESSIBLE_PERCENT 99 /* gzip above this: brotli and zstd will not reach 95% */

/*
 * The auto level, measured on the bench's real tree (8,717 compressible
 * files, 59 MB; notes/zip.md has the table).  Compression there has about
 * 7 core-seconds before a run costs more than Django's own collectstatic:
 *  - gzip: libdeflate 6 is 0.6% above zlib 9 in total and 3.3 times
 *    faster (1.5 s against 5.0 s); level 9 where files are small enough
 *    that its extra search costs nothing in total.
 *  - brotli: quality 6 (3.8 s, 11.7% above quality 11).  Quality 10 or 11
 *    anywhere worth it costs far more than the whole budget: even choosing
 *    files greedily by bytes saved per second, getting within 2% of
 *    quality 11 takes 58 core-seconds (quality 10) against Django's ~7.
 *    --compress-level max (and the cache, across builds) is the way to
 *    quality 11.
 *  - zstd: level 9 (not in the default set).
 */
#define AUTO_GZIP_LEVEL 6
#define AUTO_GZIP_SMALL_LEVEL 9
#define AUTO_GZIP_SMALL ((size_t)16 << 10)
#define AUTO_BROTLI_QUALITY 6
#define AUTO_ZSTD_LEVEL 9
#define MAX_GZIP_LEVEL 9       /* zlib: what collect always did */
#define MAX_BROTLI_QUALITY 11
#define MAX_ZSTD_LEVEL 19
/* Below this input size a cheap setting recompresses faster than the cache
 * reads an entry file back (the bench's real tree: 0.2-0.4 ms to compress
 * 4-16 KB at gzip 6 or brotli 6, about as much to create or read one entry
 * file), so smaller inputs at cheap settings go into the run's pack (one
 * file for all of them, compress_pack.h): a warm run then reads them back
 * with one pread each (the real tree's 7,700 small files cost 3 of a warm
 * run's 4 user seconds when they were compressed again). */
#define CACHE_MIN_INPUT ((size_t)16 << 10)
#define SPEC_MAX 96
/* Bump when a wrapper in compress.c changes its bytes for the same library
 * and settings (header fields, parameters): older cache entries then miss. */
#define WRAPPER_VERSION 1

enum codec { CODEC_ZLIB, CODEC_LIBDEFLATE, CODEC_BROTLI, CODEC_ZSTD };

struct setting {
	enum codec codec;
	int level;
};

void encoder_init(struct encoder *en, const struct options *o)
{
	char *dir = NULL;

	memset(en, 0, sizeof(*en));
	en->want = o->compress;
	en->level = o->compress_level;
	en->brotli_quality = o->brotli_quality;
	if (o->compress && !o->no_cache_dir && !o->dry_run)
		dir = o->cache_dir ? xstrdup(o->cache_dir) : compress_cache_default_dir();
	compress_cache_init(&en->cache, dir, o->cache_max_size);
	free(dir);
	compress_version_brotli();  /* formats its string now, before the threads */
}

void encoder_release(struct encoder *en)
{
	compress_cache_release(&en->cache);
}

/* How hard encoding enc works on a len-byte input. */
static struct setting choose(const struct encoder *en, int enc, size_t len)
{
	int max = en->level == COMPRESS_LEVEL_MAX;
	struct setting s = { CODEC_BROTLI, 0 };

	switch (enc) {
	case ENC_GZIP:
		if (max)
			return (struct setting){ CODEC_ZLIB, MAX_GZIP_LEVEL };
		return (struct setting){ CODEC_LIBDEFLATE, len < AUTO_GZIP_SMALL
					 ? AUTO_GZIP_SMALL_LEVEL : AUTO_GZIP_LEVEL };
	case ENC_ZSTD:
		return (struct setting){ CODEC_ZSTD, max ? MAX_ZSTD_LEVEL : AUTO_ZSTD_LEVEL };
	default:
		s.level = en->brotli_quality >= 0 ? en->brotli_quality
			  : max ? MAX_BROTLI_QUALITY : AUTO_BROTLI_QUALITY;
		return s;
	}
}

/* The cache's name for a setting: encoder, library version, every knob. */
static void spec_of(const struct setting *s, char out[SPEC_MAX])
{
	switch (s->codec) {
	case CODEC_ZLIB:
		snprintf(out, SPEC_MAX, "gzip zlib-%s l%d w15 m8 os3 v%d",
			 compress_version_zlib(), s->level, WRAPPER_VERSION);
		break;
	case CODEC_LIBDEFLATE:
		snprintf(out, SPEC_MAX, "gzip libdeflate-%s l%d os3 v%d",
			 compress_version_libdeflate(), s->level, WRAPPER_VERSION);
		break;
	case CODEC_BROTLI:
		snprintf(out, SPEC_MAX, "br brotli-%s q%d w22 generic v%d",
			 compress_version_brotli(), s->level, WRAPPER_VERSION);
		break;
	case CODEC_ZSTD:
		snprintf(out, SPEC_MAX, "zstd zstd-%s l%d nochecksum nodictid size st v%d",
			 compress_version_zstd(), s->level, WRAPPER_VERSION);
		break;
	}
}

static int run_codec(const struct setting *s, const void *data, size_t len, struct strbuf *out)
{
	switch (s->codec) {
	case CODEC_ZLIB: return compress_gzip(data, len, out);
	case CODEC_LIBDEFLATE: return compress_gzip_fast(data, len, s->level, out);
	case CODEC_BROTLI: return compress_brotli(data, len, s->level, out);
	case CODEC_ZSTD: return compress_zstd(data, len, s->level, out);
	}
	return -1;
}

/* Whether reading s's result back from an entry file of its own is
 * cheaper than computing it again (else it goes in a pack). */
static int worth_an_entry(const struct setting *s, size_t len)
{
	if (len >= CACHE_MIN_INPUT)
		return 1;
	return (s->codec == CODEC_BROTLI && s->level >= 10) ||
	       (s->codec == CODEC_ZSTD && s->level >= 16);
}

static int worth_keeping(uint64_t enc_len, size_t len)
{
	return enc_len * 100 <= (uint64_t)len * KEEP_PERCENT;
}

/*
 * Variant enc of data into out: from the cache, else compressed (and
 * stored).  Sets *enc_len to the encoded size; out holds the bytes only
 * when worth keeping.  0, or -1 after printing one line.
 */
static int encode_one(struct encoder *en, int enc, const void *data, size_t len,
		      struct compress_key *key, struct strbuf *out, uint64_t *enc_len)
{
	struct setting s = choose(en, enc, len);
	int kept;
	char spec[SPEC_MAX];

	spec_of(&s, spec);
	key->spec = spec;
	key->packed = !worth_an_entry(&s, len);
	if (compress_cache_get(&en->cache, key, out, enc_len, &kept) == CC_HIT &&
	    kept == worth_keeping(*enc_len, len))
		return 0;
	strbuf_setlen(out, 0);
	progress_work(len);
	if (run_codec(&s, data, len, out) < 0)
		return -1;
	*enc_len = out->len;
	kept = worth_keeping(out->len, len);
	compress_cache_put(&en->cache, key, out->buf, out->len, kept);
	if (!kept)
		strbuf_release(out);
	return 0;
}

int encoder_run(struct encoder *en, const void *data, size_t len, struct strbuf buf[ENC_COUNT],
		struct file_variant v[ENC_COUNT])
{
	/* gzip is the cheap probe: what it cannot shrink, the others skip */
	static const int order[] = { ENC_GZIP, ENC_ZSTD, ENC_BR };
	static const unsigned bit[ENC_COUNT] = {
		[ENC_BR] = COMPRESS_BR, [ENC_ZSTD] = COMPRESS_ZSTD, [ENC_GZIP] = COMPRESS_GZIP,
	};
	struct compress_key key;
	int incompressible = 0;

	compress_key_of(&key, data, len, NULL);
	for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
		int e = order[k];
		uint64_t enc_len;

		if (!(en->want & bit[e]) || (e != ENC_GZIP && incompressible))
			continue;
		if (encode_one(en, e, data, len, &key, &buf[e], &enc_len) < 0)
			return -1;
		atomic_fetch_add(&en->tally[e].contents, 1);
		if (e == ENC_GZIP && len >= INCOMPRESSIBLE_MIN &&
		    enc_len * 100 >= (uint64_t)len * INCOMPRESSIBLE_PERCENT)
			incompressible = 1;
		if (!worth_keeping(enc_len, len))
			continue;
		v[e].present = 1;
		v[e].size = buf[e].len;
		v[e].hash = hash_bytes(buf[e].buf, buf[e].len);
		atomic_fetch_add(&en->tally[e].kept, 1);
		atomic_fetch_add(&en->tally[e].in_bytes, len);
		atomic_fetch_add(&en->tally[e].out_bytes, buf[e].len);
	}
	return 0;
}

static double mb(unsigned long long n)
{
	return (double)n / 1e6;
}

void encoder_finish(struct encoder *en)
{
	static const int order[] = { ENC_BR, ENC_ZSTD, ENC_GZIP };
	struct compress_cache *c = &en->cache;
	struct strbuf sb = STRBUF_INIT;

	if (en->finished)
		return;
	en->finished = 1;
	compress_cache_finish(c);
	if (!en->want)
		return;
	for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
		const struct encode_tally *t = &en->tally[order[k]];
		struct setting big = choose(en, order[k], AUTO_GZIP_SMALL);

		if (!(en->want & (order[k] == ENC_BR ? COMPRESS_BR : order[k] == ENC_ZSTD
				  ? COMPRESS_ZSTD : COMPRESS_GZIP)))
			continue;
		strbuf_addf(&sb, "%s%s (%s %d): %zu of %zu kept, %.1f MB -> %.1f MB",
			    sb.len ? "; " : "", tree_enc_token[order[k]],
			    big.codec == CODEC_ZLIB ? "zlib" : big.codec == CODEC_LIBDEFLATE
			    ? "libdeflate" : big.codec == CODEC_BROTLI ? "quality" : "level",
			    big.level, atomic_load(&t->kept), atomic_load(&t->contents),
			    mb(atomic_load(&t->in_bytes)), mb(atomic_load(&t->out_bytes)));
	}
	log_info(2, "Compression level %s: %s", en->level == COMPRESS_LEVEL_MAX ? "max" : "auto",
		 sb.buf);
	if (c->dir)
		log_info(2, "Compression cache %s: %zu hits (%.1f MB not compressed again), "
			 "%zu misses, %zu stored, %zu damaged and replaced, %zu evicted%s",
			 c->dir, atomic_load(&c->hits), mb(atomic_load(&c->hit_bytes)),
			 atomic_load(&c->misses), atomic_load(&c->stored),
			 atomic_load(&c->corrupt), atomic_load(&c->evicted),
			 atomic_load(&c->read_only) ? " (not writable)" : "");
	else
		log_info(2, "Compression cache: off");
	strbuf_release(&sb);
}

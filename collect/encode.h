/* encode.h: a content's precompressed variants: which encodings, how hard (the level policy), through the compression cache. */
#ifndef SR_COLLECT_ENCODE_H
#define SR_COLLECT_ENCODE_H
#include <stdatomic.h>
#include <stddef.h>

#include "compress_cache.h"
#include "tree_index.h"

struct options;
#include "strbuf.h"

/* Per-encoding tallies of one run (what -v 2 reports). */
struct encode_tally {
	atomic_size_t contents;      /* contents encoded (cache hits included) */
	atomic_size_t kept;          /* of them, variants worth keeping */
	atomic_ullong in_bytes, out_bytes; /* of the kept ones */
};

/* One run's encoder: the options' encodings and level, and the cache. */
struct encoder {
	unsigned want;          /* COMPRESS_* */
	int level;              /* COMPRESS_LEVEL_* */
	int brotli_quality;     /* -1: the level's */
	struct compress_cache cache;
	struct encode_tally tally[ENC_COUNT];
	int finished;           /* encoder_finish() ran */
};

/* Sets en up from o; the cache is o's --cache-dir (or the default) unless
 * --no-cache-dir or dry_run. */
void encoder_init(struct encoder *en, const struct options *o);
void encoder_release(struct encoder *en);

/*
 * Encodes data[0..len) (a compressible type; len > 0) for every wanted
 * encoding: buf[e] gets the bytes and v[e] the facts of each variant worth
 * keeping (at most 95% of the input); the others stay absent.  buf[] must
 * be initialised.  Looks in the cache first and stores what it computed.
 * Returns 0, or -1 after printing one line.  Thread-safe.
 */
int encoder_run(struct encoder *en, const void *data, size_t len, struct strbuf buf[ENC_COUNT],
		struct file_variant v[ENC_COUNT]);

/* After the writes: evicts past the cache's bound, reports at -v 2.  Once
 * only (later calls do nothing): a run calls it before its generation
 * switch, so that nothing of it can fail with the new generation live. */
void encoder_finish(struct encoder *en);

#endif

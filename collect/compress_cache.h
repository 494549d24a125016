/* compress_cache.h: a content-addressed cache of compressed variants, shared by every collect run on a machine. */
#ifndef SR_COLLECT_COMPRESS_CACHE_H
#define SR_COLLECT_COMPRESS_CACHE_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "compress_pack.h"

struct strbuf;

/*
 * Entries live in DIR/compress-v1/XX/<input hash>-<spec hash>, one file
 * each: a header line (format version, the encoder spec, the 128-bit
 * XXH3 hash and length of the input, the encoded length, a hash of the
 * payload and a hash of the header itself) then the encoded bytes.  An
 * entry whose encoding was not worth keeping stores its length only, so a
 * rerun does not try again.  The spec names the encoder, its library
 * version and every setting ("br 1.0.9 q6 w22"), so a library upgrade or
 * another level never reuses an entry.
 *
 * Concurrent runs (two CI jobs on one runner) are safe: an entry is written
 * to a temporary name and renamed, so a reader sees a whole entry or none,
 * and every entry is verified on use; a corrupt or truncated one counts as
 * a miss and is replaced.  A hit sets the entry's mtime, and
 * compress_cache_finish() removes the least recently used entries past the
 * size bound.  A cache that cannot be created or written (read-only, full)
 * gets one warning and is read-only for the rest of the run: compression
 * goes on without it.
 */
struct compress_cache {
	char *dir;               /* DIR/compress-v1; owned; NULL: no cache */
	uint64_t max_size;       /* bytes; 0: no bound */
	atomic_int read_only;    /* a write failed: stop writing (warned once) */
	atomic_size_t seq;       /* temporary names */
	atomic_size_t hits, misses, corrupt, stored, evicted;
	atomic_ullong hit_bytes;  /* input bytes a hit saved compressing */
	atomic_ullong size_after; /* total entry bytes after finish() */
	struct compress_pack pack; /* the packed keys' entries */
};

/* The key of one entry: the input's identity and the encoder spec. */
struct compress_key {
	uint64_t in_hi, in_lo;   /* XXH3-128 of the input */
	uint64_t in_len;
	const char *spec;        /* borrowed; no '\n' or '|' */
	int packed;              /* a small input: its entry goes in a pack
				  * (compress_pack.h), not a file of its own */
};

/* Fills k's input part from data[0..len); packed 0. */
void compress_key_of(struct compress_key *k, const void *data, size_t len, const char *spec);

/*
 * Uses dir (copied; NULL or "" for no cache) bounded to max_size bytes.
 * Creates nothing yet: the first store makes the directories.
 */
void compress_cache_init(struct compress_cache *c, const char *dir, uint64_t max_size);
void compress_cache_release(struct compress_cache *c);

enum compress_cache_result {
	CC_MISS,      /* no entry, or one that failed verification */
	CC_HIT,       /* *enc_len set; out holds the bytes when *kept */
	CC_OFF,       /* no cache */
};

/*
 * Looks k up.  On a hit appends the encoded bytes to out (when the entry
 * kept them) and sets *enc_len and *kept.  Thread-safe.
 */
enum compress_cache_result compress_cache_get(struct compress_cache *c,
					      const struct compress_key *k,
					      struct strbuf *out, uint64_t *enc_len, int *kept);

/* Stores the encoding of k: enc[0..enc_len) when kept, else its length
 * only.  Failures disable storing with one warning.  Thread-safe. */
void compress_cache_put(struct compress_cache *c, const struct compress_key *k,
			const void *enc, size_t enc_len, int kept);

/* After the run: publishes the run's pack; when it stored entries,
 * removes the least recently used entries and packs until the cache is
 * within its bound, and stale temporary files. */
void compress_cache_finish(struct compress_cache *c);

/* The entry format, shared with the packs.  compress_entry_header()
 * appends k's header line (with its hashes and '\n') to sb;
 * compress_entry_valid() says whether buf[0..len) is a whole, intact entry
 * for k (header, then enc_len payload bytes when kept), setting *enc_len,
 * *kept and *payload (the payload's offset); it writes into buf. */
void compress_entry_header(struct strbuf *sb, const struct compress_key *k, const void *enc,
			   size_t enc_len, int kept);
int compress_entry_valid(char *buf, size_t len, const struct compress_key *k,
			 uint64_t *enc_len, int *kept, size_t *payload);

/* Stops storing for the rest of the run, with the run's one warning. */
void compress_cache_give_up(struct compress_cache *c, const char *what, int err);

/* The default directory: $XDG_CACHE_HOME/staticroot, else
 * $HOME/.cache/staticroot; owned, NULL when neither is set. */
char *compress_cache_default_dir(void);

#endif

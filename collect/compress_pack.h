/* compress_pack.h: the compression cache's pack files: many small entries in one file per run. */
#ifndef SR_COLLECT_COMPRESS_PACK_H
#define SR_COLLECT_COMPRESS_PACK_H
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct compress_cache;
struct compress_key;

/*
 * A small input compresses in about the time it takes to create or read
 * one entry file of its own, so small entries live in packs instead:
 * DIR/compress-v1/packs/<run>.pack, written by one run (to a temporary name,
 * renamed when whole) and never changed after.  A pack is the run's
 * records, each exactly an entry file's bytes (header line with its hashes,
 * then the payload), then an index (one fixed-size row per record: key,
 * offset, length), then a footer (magic, index offset, row count, hash of
 * the index).  A pack whose footer or index does not check out is ignored
 * whole; a record is verified against its key and hashes on every use, like
 * an entry file, so a damaged record is a miss and the run stores a good
 * one in its own pack (later packs win).
 *
 * Recency is the pack's mtime (set at the end of a run that hit it), so
 * eviction removes whole packs, least recently used first.  A run that
 * hit records in more than a few packs copies the records it hit into its
 * own pack and removes those packs: the cache then holds one pack per
 * working set, and their unused records go with them.  Packs it did not
 * use (another project's, on a shared runner) stay for eviction to judge.
 */
struct pack_slot;

struct compress_pack {
	char *dir;                /* DIR/compress-v1/packs; owned; NULL: off */
	int *fds;                 /* the loaded packs, oldest first; owned */
	char **names;             /* their paths; owned */
	atomic_uchar *used;       /* per pack: a record of it was hit */
	size_t npacks;
	struct pack_slot *slots;  /* open addressing over every loaded row; owned */
	size_t cap;               /* power of two, 0 when nothing loaded */
	pthread_mutex_t lock;     /* what follows: this run's pack */
	int out_fd;               /* its temporary file, -1 before the first put */
	char *out_tmp;            /* its temporary path; owned */
	uint64_t out_off;         /* bytes written so far, buffer included */
	struct strbuf out_buf;    /* records not written yet */
	unsigned char *rows;      /* this run's index rows; owned */
	size_t nrows, rows_alloc;
	int failed;               /* writing failed (warned through the cache) */
};

/* Loads every pack under dir's packs/ (dir is DIR/compress-v1; NULL: off). */
void compress_pack_init(struct compress_pack *p, const char *dir);
void compress_pack_release(struct compress_pack *p);

/* As compress_cache_get() for a packed key: 1 hit, 0 miss (counted as
 * damaged in c when a record failed verification).  Thread-safe. */
int compress_pack_get(struct compress_pack *p, struct compress_cache *c,
		      const struct compress_key *k, struct strbuf *out, uint64_t *enc_len,
		      int *kept);

/* Adds the record for k to this run's pack.  0, or -errno (the caller
 * gives up storing).  Thread-safe. */
int compress_pack_put(struct compress_pack *p, const struct compress_key *k,
		      const void *enc, size_t enc_len, int kept);

/* After the run: publishes this run's pack (compacting when many were
 * loaded) and marks the packs hit as recently used; nothing when c is
 * read-only.  A write failure goes through c's one warning. */
void compress_pack_finish(struct compress_pack *p, struct compress_cache *c);

#endif

/* index.h: the in-memory index serve answers from: URL path -> open file or bytes + prebuilt headers. */
#ifndef SERVE_INDEX_H
#define SERVE_INDEX_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "tree_index.h"

/* Files up to this size are kept in memory and sent with writev. */
#define INDEX_SMALL_MAX (64 * 1024)
/* Past this total, files stay open and go out with sendfile. */
#define INDEX_MEMORY_MAX ((uint64_t)256 << 20)

#define VAR_IDENTITY 0 /* then 1 + enum tree_enc */
#define VAR_COUNT (1 + ENC_COUNT)

#define ENTRY_HAS_VARIANTS (1u << 8) /* flags beyond FACT_* */
#define ENTRY_HAS_DELTAS (1u << 9)   /* dcz[] holds at least one delta */
#define ENTRY_DICTIONARY (1u << 10)  /* sent with Use-As-Dictionary */

/* One representation of a file (the file itself, or its .br/.zst/.gz). */
struct variant {
	int present;
	int fd;            /* open when body is NULL, else -1 */
	const char *body;  /* the bytes of a small file */
	uint64_t size;
	uint64_t hash;
	char etag[HASH_HEX_LEN + 3]; /* "\"<hex>\"", NUL-terminated */
	/* Header lines for 200/206/HEAD (Content-Type .. Accept-Ranges, each
	 * ending in CRLF; no Content-Length, Date, Connection) and the subset a
	 * 304 repeats (ETag, Last-Modified, Cache-Control, Vary, CORS). */
	const char *hdr;
	size_t hdr_len;
	const char *hdr304;
	size_t hdr304_len;
};

struct entry {
	const char *path;  /* relative to the root, normalised */
	size_t path_len;
	uint64_t key;      /* hash of path */
	int64_t mtime;     /* seconds, for Last-Modified / If-Modified-Since */
	unsigned flags;    /* FACT_IMMUTABLE, ENTRY_HAS_VARIANTS */
	struct variant var[VAR_COUNT];
	/* RFC 9842 deltas against earlier versions: dcz[i] is the delta whose
	 * dictionary's SHA-256 is dict_sha[i]. */
	unsigned ndcz;
	unsigned char dict_sha[TREE_DCZ_MAX][TREE_SHA256_LEN];
	struct variant dcz[TREE_DCZ_MAX];
};

struct index_stats {
	size_t files, variants, immutable, in_memory, open_fds, rehashed;
	size_t dictionaries, deltas; /* Use-As-Dictionary files, dcz deltas */
	size_t future; /* modified after the load: Last-Modified is the load */
	uint64_t memory_bytes;
	int from_index; /* 1: .staticroot-index.json, 0: scanned */
};

/*
 * One generation of the index.  Immutable once built; shared by all workers.
 * Freed when the last reference goes (the published slot holds one).
 */
struct index_gen {
	atomic_int refs;
	struct entry *v;
	size_t n;
	uint32_t *table; /* open addressing: entry number + 1, 0 empty */
	size_t mask;
	struct index_stats stats;
	unsigned long seq;
};

/* What a generation is built from; strings borrowed for the call. */
struct index_config {
	const char *root;
	const char *cache_control; /* for files that are not immutable */
	const char *cors;          /* Access-Control-Allow-Origin, or NULL */
	int follow_symlinks;
	/* The generation being replaced, or NULL: a hashed name it served as
	 * immutable stays immutable while its bytes are the same, although
	 * the new manifest no longer lists it (pages and caches still do). */
	const struct index_gen *prev;
	const char *alias;         /* URL prefix ("/static/"), for match patterns;
				    * NULL: no Use-As-Dictionary */
};

/*
 * Builds a generation from cfg->root: the collect index when it belongs to
 * the manifest, else a scan; every file opened and checked (size changed ->
 * rehashed).  Returns a generation holding one reference (owned, drop with
 * index_unref()), or NULL after printing why.  Not for the request path.
 */
struct index_gen *index_build(const struct index_config *cfg);

/* The entry for a normalised relative path, borrowed from g, or NULL.
 * Thread-safe (g is read-only). */
const struct entry *index_lookup(const struct index_gen *g, const char *path,
				 size_t len);

void index_ref(struct index_gen *g);
void index_unref(struct index_gen *g);

/*
 * The published generation.  index_publish() steals g's reference and drops
 * the previous one; index_acquire() returns the current one with a new
 * reference (drop it with index_unref()).  index_seq() changes on every
 * publish, so a worker can check cheaply whether to re-acquire.
 * All thread-safe.
 */
void index_publish(struct index_gen *g);
struct index_gen *index_acquire(void);
unsigned long index_seq(void);
/* Drops the published generation (at exit). */
void index_publish_clear(void);

#endif

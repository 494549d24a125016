/* cache.h: what the last run learnt, kept in OUTPUT/.staticroot-cache, so reruns skip work. */
#ifndef SR_COLLECT_CACHE_H
#define SR_COLLECT_CACHE_H
#include <stddef.h>
#include <stdint.h>

#include "tree_index.h"

#define CACHE_NAME ".staticroot-cache"

/* A source file's identity on disk and the hash of its bytes. */
struct cache_src {
	const char *path;
	uint64_t size, ino, dev, hash;
	int64_t mtime_ns;
};

/* A CSS/JS file's rewrite: valid while src_hash and dep_sig match. */
struct cache_rw {
	const char *name;
	uint64_t src_hash, dep_sig, final_hash;
	const char **deps;    /* names it references, in the order of dep_sig */
	size_t ndeps;
	const char **missing; /* names it references that were not collected */
	size_t nmissing;
};

/* An output file as the last run left it (what the tree index lists). */
struct cache_out {
	struct file_fact fact;  /* path and type point into the cache */
	int64_t mtime_ns;
	uint64_t ino;
	int current;            /* written by the run (else kept from an older one) */
};

/*
 * Strings point into buf (owned).  Arrays are sorted by path/name.  A cache
 * whose settings differ from this run's keeps only src (content hashes do
 * not depend on settings); rw and out are then empty and valid is 0.
 */
struct cache {
	char *buf;
	uint64_t raw_hash;     /* hash of the file as read, to skip rewriting it */
	int valid;
	struct cache_src *src;
	size_t nsrc;
	struct cache_rw *rw;
	size_t nrw;
	struct cache_out *out;
	size_t nout;
	size_t ncurrent;       /* entries of out[] with current set */
};

/*
 * Loads root/CACHE_NAME.  A missing, unreadable or malformed cache is just
 * empty (the run does all the work).  settings is a hash of every option
 * that changes outputs.
 */
void cache_load(struct cache *c, const char *root, uint64_t settings);
void cache_release(struct cache *c);

/* Lookups: borrowed from c, or NULL. */
const struct cache_src *cache_find_src(const struct cache *c, const char *path);
const struct cache_rw *cache_find_rw(const struct cache *c, const char *name);
const struct cache_out *cache_find_out(const struct cache *c, const char *path);

/* Serialising a new cache: the caller adds records in any order. */
struct strbuf;
void cache_begin(struct strbuf *sb, uint64_t settings);
void cache_add_src(struct strbuf *sb, const struct cache_src *s);
void cache_add_rw(struct strbuf *sb, const char *name, uint64_t src_hash,
		  uint64_t dep_sig, uint64_t final_hash, const char *const *deps, size_t ndeps,
		  char *const *missing, size_t nmissing);
void cache_add_out(struct strbuf *sb, const struct cache_out *o);

#endif

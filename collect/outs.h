/* outs.h: the list of output files one commit describes (index + cache facts). */
#ifndef SR_COLLECT_OUTS_H
#define SR_COLLECT_OUTS_H
#include <stddef.h>
#include <stdint.h>

#include "cache.h"

/* Facts borrow their strings (from the files, the cache, or run->strings). */
struct outs {
	struct cache_out *v;
	size_t n, alloc;
};

void outs_add(struct outs *o, const struct file_fact *fact, int64_t mtime_ns,
	      uint64_t ino, int current);
/* Sorts by path. */
void outs_sort(struct outs *o);
/* After outs_sort(): one entry per path, the immutable one when a source
 * file carries another file's hashed name (same bytes: check_clashes()
 * refused other bytes). */
void outs_unique(struct outs *o);
/* Searches the sorted first n entries of o: borrowed, or NULL. */
struct cache_out *outs_find(const struct outs *o, size_t n, const char *path);

struct run;
/*
 * After a killed run (or with no usable cache), makes o match the disk:
 * files under root that o does not list are hashed and added (not current,
 * not immutable), their .gz/.br siblings attached as variants; a variant
 * sibling of a listed file that o says has none is stale and removed.
 * Expects o sorted; leaves it sorted.
 */
void outs_reconcile(struct run *r, struct outs *o);

#endif

/* prune_keep.h: what --prune keeps: the names of the kept manifests, and the shape of a hashed name. */
#ifndef SR_COLLECT_PRUNE_KEEP_H
#define SR_COLLECT_PRUNE_KEEP_H
#include <stddef.h>

struct options;

/* Names (owned) that keep a file: every name and hashed name of the kept
 * manifests, and every path of the current tree.  Sorted by keep_sort()
 * before keep_has(). */
struct keepset {
	char **v;
	size_t n, alloc;
};

void keep_add(struct keepset *k, const char *s);
void keep_sort(struct keepset *k);
/* Whether s[0..len) is in k (after keep_sort()). */
int keep_has(const struct keepset *k, const char *s, size_t len);
/* Whether output rel, whose file is rel[0..base_len) (prune_hashed_base()),
 * is kept: by that file, or by rel itself. */
int keep_has_output(const struct keepset *k, const char *rel, size_t base_len);
void keep_release(struct keepset *k);
/* Adds the names of a manifest given as bytes.  0, or -1 (not a manifest). */
int keep_manifest(struct keepset *k, const char *bytes, size_t len);

struct prune_count {
	size_t files, bytes, kept_generations, generations;
};
/* The one summary line of a prune of where. */
void prune_summary(const struct options *o, const char *where, const struct prune_count *c);

#endif

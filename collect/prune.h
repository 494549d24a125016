/* prune.h: retires hashed files no recent manifest names, locally and in the bucket. */
#ifndef SR_COLLECT_PRUNE_H
#define SR_COLLECT_PRUNE_H

struct options;

/* Parses "90", "90s", "30m", "1h", "2d" into seconds.  0, or -1 with a message. */
int prune_parse_duration(const char *s, long *out);

/*
 * --prune on the output: removes every hashed file (and its .br/.gz/.zst
 * variants and dcz deltas) that none of the manifests history_select()
 * keeps names (the live one always among them) and that is older than the
 * grace period; then the history entries no longer needed.  The index is
 * rewritten without the removed files and collect's cache dropped.
 * Unhashed names are never touched.  With o->dry_run, prints what would
 * go.  Each returns 0, or -1 after printing why.
 *
 * The removals happen in a generation before it is published
 * (generation.h), never in the live tree: a reader never sees a name the
 * live index lists missing, and a failure leaves the previous generation
 * live.
 */

/* Prunes dir, the generation a collect is about to publish (or the output
 * itself when it is updated in place); the caller holds the lock. */
int prune_local_in(const struct options *o, const char *dir);

/* Prunes o->output, the caller holding its lock: when anything would go,
 * in a new generation that then replaces the output (nothing is built
 * when nothing would go). */
int prune_local_locked(const struct options *o);

/* prune_local_locked() under the output's lock (--prune without sources). */
int prune_local(const struct options *o);

/*
 * The same for o->upload's bucket, from one listing, the kept manifests
 * read from the bucket (its staticfiles.json and PREFIX/.staticroot/
 * manifests/), LastModified as the age.  0, or -1 after one line.
 */
int prune_bucket(const struct options *o);

/* Whether path (a file of the tree) is a hashed name, or a variant or dcz
 * delta of one; the hashed name's length goes to *base_len. */
int prune_hashed_base(const char *path, size_t *base_len);

#endif

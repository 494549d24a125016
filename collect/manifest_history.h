/* manifest_history.h: every staticfiles.json a tree published, kept for --prune. */
#ifndef SR_COLLECT_MANIFEST_HISTORY_H
#define SR_COLLECT_MANIFEST_HISTORY_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;

/*
 * Each manifest a run publishes is kept, byte for byte, as
 *   ROOT/.staticroot-manifests/<YYYYMMDDTHHMMSS.mmmZ>-<16 hex XXH3>.json
 * (the time it was published, UTC, so names sort by age) and, with
 * --upload, under the same name as PREFIX/.staticroot/manifests/NAME in the
 * bucket, written before the bucket's staticfiles.json.  --prune reads it
 * to know which hashed names the last N generations, and every generation
 * live during the grace period, still use; it removes the entries it no
 * longer needs.  Neither serve nor Django reads it.
 */
#define HISTORY_DIR ".staticroot-manifests"
#define HISTORY_BUCKET_DIR ".staticroot/manifests/"

struct history_entry {
	char *name;    /* "<stamp>-<hash>.json"; owned */
	time_t time;   /* when it was published (from the name) */
	uint64_t hash; /* of the manifest's bytes (from the name) */
};

struct history {
	struct history_entry *v; /* oldest first */
	size_t n, alloc;
};

void history_release(struct history *h);
/* Adds an entry when name has the shape above; ignores any other name. */
void history_add_name(struct history *h, const char *name);
/* Sorts oldest first. */
void history_sort(struct history *h);

/* The entry name for a manifest with hash h published at t (ms); owned. */
char *history_entry_name(uint64_t hash, long long t_ms);

/* Lists ROOT/HISTORY_DIR.  0 (an absent directory is an empty history),
 * or -1 with a message. */
int history_load_local(const char *root, struct history *h);

/*
 * While a run publishes (root: the new generation, before the switch):
 * keeps a copy of root/staticfiles.json unless the newest entry already
 * has these bytes.  0, or -1 with a message.
 */
int history_record(const char *root);

/*
 * A run that publishes nothing (a no-op) on a tree collected before the
 * history existed (no root/HISTORY_DIR): keeps its live manifest as the
 * first entry, so that the next run's --prune knows it.  Only
 * .staticroot-manifests/ changes, which no reader looks at; a failure is a
 * warning, the tree is whole either way.
 */
void history_adopt(const char *root);

/*
 * The indexes (into h) of the entries a prune keeps: the newest keep, and
 * every one live at some time in [now - grace, now] (those published in
 * it, and the one live when it began).  Sets keep_flags[i] to 1 for them;
 * keep_flags has h->n elements.
 */
void history_select(const struct history *h, size_t keep, time_t now, long grace,
		    unsigned char *keep_flags);

#endif

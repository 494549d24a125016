/* dict_history.h: the earlier hashed versions of each logical file, for dcz deltas. */
#ifndef SR_COLLECT_DICT_HISTORY_H
#define SR_COLLECT_DICT_HISTORY_H
#include <stddef.h>

#include "tree_index.h"

/*
 * ROOT/.staticroot-history.json remembers, for each logical name that is a
 * dictionary candidate, its hashed names newest first (the current one
 * first) with the SHA-256 of each once computed, and the dictionaries a
 * delta of the current version was tried against and not kept (so an
 * unchanged file is not compressed again every run):
 *
 *   {"css/site.css": {"rejected": ["<64 hex>"],
 *                     "versions": [{"name": "css/site.<12 hex>.css", "sha256": "<64 hex or empty>"}, ...]},
 *    ...}
 *
 * It is pruned with the tree: every run keeps only the names it collected
 * and the versions still in the output.  collect's alone: serve never
 * reads it (the index lists the deltas).
 */
#define DICT_HISTORY_NAME ".staticroot-history.json"
#define DICT_VERSIONS_MAX (1 + TREE_DCZ_MAX)

struct dict_version {
	char *name; /* hashed name; owned */
	int has_sha;
	unsigned char sha[TREE_SHA256_LEN];
};

struct dict_line {
	char *logical; /* owned */
	size_t n;
	struct dict_version v[DICT_VERSIONS_MAX];
	size_t nrejected;
	unsigned char rejected[TREE_DCZ_MAX][TREE_SHA256_LEN];
};

struct dict_history {
	struct dict_line *v; /* sorted by logical name */
	size_t n, alloc;
};

/* Loads root's history (empty when absent; a damaged one is dropped with
 * a warning: it only costs deltas).  0, or -1 after printing why when it
 * could not be read for want of memory (the run must then fail rather
 * than publish a tree without its deltas). */
int dict_history_load(struct dict_history *h, const char *root);
/* The line for logical, borrowed from h, or NULL. */
struct dict_line *dict_history_find(const struct dict_history *h, const char *logical);
/* Appends a line (kept sorted by the caller adding in name order). */
struct dict_line *dict_history_add(struct dict_history *h, const char *logical);
/* Writes root/DICT_HISTORY_NAME atomically.  0, or -1 with a message. */
int dict_history_write(const struct dict_history *h, const char *root);
void dict_history_release(struct dict_history *h);

#endif

/* tree_index.h: the per-file facts collect writes and serve loads. */
#ifndef SR_TREE_INDEX_H
#define SR_TREE_INDEX_H
#include <stddef.h>
#include <stdint.h>

struct manifest;

/*
 * The on-disk contract between collect and serve.  collect writes
 * ROOT/.staticroot-index.json next to ROOT/staticfiles.json; serve loads it
 * (or, for a tree without one, builds the same facts with tree_index_scan()),
 * so that serving needs no stat, hash or libmagic per request.
 *
 *   {"files": [
 *   {"encodings": {"br": {"hash": "<16 hex>", "size": 300},
 *                  "gzip": {"hash": "<16 hex>", "size": 400}},
 *    "hash": "<16 hex>", "immutable": true, "mtime": 1700000000,
 *    "path": "css/base.1a2b3c4d5e6f.css", "size": 1234,
 *    "type": "text/css; charset=utf-8"},
 *   ...
 *   ], "manifest": "<hash of the staticfiles.json bytes, or empty>", "version": 1}
 *
 * It is plain JSON, written as one fact per line (keys sorted) so that it is
 * streamed out and read back line by line without a DOM of the whole tree.
 * files are sorted by path.  A variant lives beside its file as PATH.br,
 * PATH.zst or PATH.gz and is not listed on its own.  "immutable" marks the
 * hashed names the manifest lists.  The index is written before the manifest
 * (the manifest's rename is the commit point) and records the manifest's
 * hash, so a reader can tell an index that does not belong to the manifest.
 */
#define TREE_INDEX_NAME ".staticroot-index.json"

/* Preference order when q-values tie: br > zstd > gzip. */
enum tree_enc { ENC_BR, ENC_ZSTD, ENC_GZIP, ENC_COUNT };
/* Content-Encoding token, index key and file suffix of each encoding. */
extern const char *const tree_enc_token[ENC_COUNT];  /* "br", "zstd", "gzip" */
extern const char *const tree_enc_suffix[ENC_COUNT]; /* ".br", ".zst", ".gz" */

/* The encoding whose suffix ends path after a non-empty stem ("a.css.br":
 * ENC_BR, stem "a.css"), with *stem_len set; -1 for any other name. */
int tree_enc_of_name(const char *path, size_t *stem_len);

#define FACT_IMMUTABLE (1u << 0)

struct file_variant {
	int present;
	uint64_t size;
	uint64_t hash;
};

struct file_fact {
	char *path; /* relative to the root, '/'-separated, normalised; owned */
	char *type; /* Content-Type value; owned */
	uint64_t size;
	uint64_t hash;
	int64_t mtime;
	unsigned flags;
	struct file_variant enc[ENC_COUNT];
};

struct tree_index {
	struct file_fact *v;
	size_t n, alloc;
	uint64_t manifest_hash; /* 0 when the tree has no manifest */
};

void tree_index_init(struct tree_index *ti);
void tree_index_release(struct tree_index *ti);
/* Appends a zeroed fact owning a copy of path; borrowed until the next add. */
struct file_fact *tree_index_add(struct tree_index *ti, const char *path);
/* Sorts by path; needed before tree_index_find() and write. */
void tree_index_sort(struct tree_index *ti);
/* Borrowed from ti, or NULL. */
const struct file_fact *tree_index_find(const struct tree_index *ti, const char *path);

/* Writes root/TREE_INDEX_NAME atomically.  0, or -1 with a message. */
int tree_index_write(const struct tree_index *ti, const char *root);

/*
 * Loads root/TREE_INDEX_NAME.  0, 1 when absent, -1 with a message when
 * unreadable or invalid (every path is re-checked: no "..", no absolute).
 */
int tree_index_load(const char *root, struct tree_index *ti);

/*
 * Whether root's index looks whole (its first and last lines are intact) and
 * names manifest_hash (0: no manifest).  Cheap: reads a few bytes, so a
 * no-op collect can tell a stale, truncated or foreign index from its own.
 */
int tree_index_matches(const char *root, uint64_t manifest_hash);

/*
 * Builds the facts by walking root (for a tree collected by Django or a plain
 * directory): every regular file not under a dot component, hashed, typed by
 * mime_from_path() then libmagic, with .br/.zst/.gz siblings taken as
 * variants, immutable when m lists it as a hashed name (m may be NULL).
 * Symlinks that stay inside root are followed; the others only when
 * follow_symlinks.  A link back into a directory being walked is skipped,
 * and so, with a warning, is a file or subdirectory the caller may not read
 * (a server must not stay down for one 0600 file).  0, or -1 with a message.
 */
int tree_index_scan(const char *root, const struct manifest *m,
		    int follow_symlinks, struct tree_index *ti);

/* Sets FACT_IMMUTABLE on every fact that m lists as a hashed name. */
void tree_index_mark_immutable(struct tree_index *ti, const struct manifest *m);

#endif

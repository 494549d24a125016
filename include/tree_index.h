/* tree_index.h: the per-file facts collect writes and serve loads. */
#ifndef SR_TREE_INDEX_H
#define SR_TREE_INDEX_H
#include <stddef.h>
#include <stdint.h>

struct manifest;
struct file_fact;

/*
 * The on-disk contract between collect and serve.  collect writes
 * ROOT/.staticroot-index.json next to ROOT/staticfiles.json; serve loads it
 * (or, for a tree without one, builds the same facts with tree_index_scan()),
 * so that serving needs no stat, hash or libmagic per request.
 *
 *   {"files": [
 *   {"dcz": [{"dictionary": "<64 hex>", "hash": "<16 hex>", "size": 90}],
 *    "encodings": {"br": {"hash": "<16 hex>", "size": 300},
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
 * hashed names the manifest lists.  "dcz" (present only when non-empty) lists
 * the RFC 9842 dictionary-compressed deltas of the file against earlier
 * versions of the same logical file: "dictionary" is the SHA-256 of the
 * dictionary's bytes (what a browser sends in Available-Dictionary), hash and
 * size are the delta file's, which lives beside the file as
 * PATH.<first 16 hex of the dictionary's SHA-256>.dcz (tree_delta_name()).
 * At most TREE_DCZ_MAX per file, no dictionary twice.  The index is written before the manifest
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

/* RFC 9842 dictionary-compressed ("dcz") deltas: the token, the suffix of
 * their files, the SHA-256 size and the most a file may list. */
#define TREE_DCZ_TOKEN "dcz"
#define TREE_DCZ_SUFFIX ".dcz"
#define TREE_SHA256_LEN 32
#define TREE_DCZ_MAX 4
/* Hex digits of the dictionary's SHA-256 in a delta's file name. */
#define TREE_DCZ_NAME_HEX 16

struct file_delta {
	unsigned char dict_sha[TREE_SHA256_LEN]; /* SHA-256 of the dictionary */
	uint64_t size;                           /* of the delta file */
	uint64_t hash;                           /* of the delta file (ETag) */
};

/* A SHA-256 as 64 lower-case hex digits, and back (0, or -1). */
void tree_sha_hex(const unsigned char sha[TREE_SHA256_LEN], char out[2 * TREE_SHA256_LEN + 1]);
int tree_sha_parse(const char *s, unsigned char sha[TREE_SHA256_LEN]);

/* PATH.<16 hex of dict_sha>.dcz for the delta of path against dict_sha;
 * owned, free with free(). */
char *tree_delta_name(const char *path, const unsigned char dict_sha[TREE_SHA256_LEN]);
/*
 * Whether a file of this Content-Type is worth keeping deltas for and
 * offering as a dictionary (CSS, JavaScript, JSON, wasm, SVG, XML: what a
 * browser fetches again in a new version).  Returns the match-dest value
 * to send with it (an sf inner list such as ("style"), or "" for none), or
 * NULL when it is not a candidate.  Static storage.
 */
const char *tree_dictionary_dest(const char *type);

/* Sorts f->dcz by dictionary hash (the order the index lists them in). */
void tree_fact_sort_deltas(struct file_fact *f);
/* Whether name has the shape tree_delta_name() gives (scans skip them). */
int tree_is_delta_name(const char *name);

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
	unsigned ndcz;                       /* deltas in dcz[] */
	struct file_delta dcz[TREE_DCZ_MAX]; /* sorted by dict_sha */
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
/* The same for the directory dirfd (AT_FDCWD: root itself), named root in
 * messages. */
int tree_index_load_at(int dirfd, const char *root, struct tree_index *ti);

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

/* upload_state.h: what the last upload confirmed in a bucket, kept as one object there. */
#ifndef SR_COLLECT_UPLOAD_STATE_H
#define SR_COLLECT_UPLOAD_STATE_H
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * ListObjectsV2 gives no metadata, so the content hash of an object whose
 * name is not content-addressed (an unhashed name, a variant) cannot be
 * read from the listing.  Instead each upload writes, once every object is
 * confirmed and before staticfiles.json, PREFIX/.staticroot/state.json:
 *
 *   {"objects": [
 *   {"etag": "<ETag the bucket gave>", "hash": "<16 hex XXH3 of the bytes>",
 *    "headers": "<16 hex of Content-Type|Cache-Control|Content-Encoding>",
 *    "key": "css/site.css"},
 *   ...
 *   ], "version": 1}
 *
 * sorted by key (relative to PREFIX), one object a line, no times: the same
 * tree gives the same bytes, so a rerun does not rewrite it.  An entry is
 * believed only while the listing shows the same ETag for its key: an
 * object overwritten since (by a killed run of another tree, or another
 * tool) has another ETag and is uploaded again.  The ETag is compared as an
 * opaque version tag, never as an MD5 of the bytes.
 */
#define UPLOAD_STATE_KEY ".staticroot/state.json"

struct state_entry {
	char *key;        /* owned */
	char *etag;       /* owned */
	uint64_t hash;
	uint64_t headers;
};

struct upload_state {
	struct state_entry *v;
	size_t n, alloc;
};

void upload_state_init(struct upload_state *st);
void upload_state_release(struct upload_state *st);
void upload_state_add(struct upload_state *st, const char *key, const char *etag,
		      uint64_t hash, uint64_t headers);
/* Sorts by key; needed before find and serialize. */
void upload_state_sort(struct upload_state *st);
/* Borrowed from st, or NULL. */
const struct state_entry *upload_state_find(const struct upload_state *st, const char *key);
/* Parses what upload_state_serialize() wrote.  0, or -1 (st left empty). */
int upload_state_parse(const char *text, size_t len, struct upload_state *st);
void upload_state_serialize(const struct upload_state *st, struct strbuf *out);

#endif

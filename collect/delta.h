/* delta.h: RFC 9842 "dcz" deltas of new hashed files against their previous versions. */
#ifndef SR_COLLECT_DELTA_H
#define SR_COLLECT_DELTA_H
#include <stddef.h>

#include "tree_index.h"

struct run;
struct strbuf;

/* SHA-256 (libcrypto) of data.  0, or -1. */
int delta_sha256(const void *data, size_t len, unsigned char out[TREE_SHA256_LEN]);

enum delta_result {
	DELTA_MADE,     /* out holds the delta */
	DELTA_TOO_BIG,  /* the dictionary is over RFC 9842's window limit */
	DELTA_FAILED,   /* libzstd refused, or the delta did not decode back */
};

/*
 * Appends to out the dcz encoding of src against the dictionary dict
 * (RFC 9842 §5.2): 5e 2a 4d 18 20 00 00 00, dict_sha (the SHA-256 of
 * dict), then one zstd frame (level 19, the .zst variants' fixed parameters
 * from compress_zstd_setup(), window covering the
 * dictionary and src within RFC 9842's limit of max(8 MB, 1.25 x the
 * dictionary), at most 128 MB) made with dict as a raw-content prefix
 * (ZSTD_CCtx_refPrefix).  The frame is decoded back under that limit and
 * compared before it is accepted.  Deterministic for a given libzstd.
 * out is unchanged unless DELTA_MADE.  Thread-safe.
 */
enum delta_result delta_encode(const void *dict, size_t dictlen,
			       const unsigned char dict_sha[TREE_SHA256_LEN],
			       const void *src, size_t slen, struct strbuf *out);

/*
 * Phase 5b (after write_files): for every current hashed name of a
 * dictionary type, the deltas against up to --dictionary-versions earlier
 * versions of the same logical name still in the output (from
 * dict_history.h), written beside it as tree_delta_name() says and listed
 * in its fact (f->hash.fact.dcz); existing deltas are reused.  Nothing
 * with --dictionary-versions 0, --no-post-process or --dry-run.
 * 0, or -1 after printing every per-file error.
 */
int delta_files(struct run *r);

/* After the commit, before the switch: removes the deltas no longer
 * listed and saves the history delta_files() built into r->out.  0, or -1
 * after printing why (the run then fails, the previous generation live). */
int delta_commit(struct run *r);

#endif

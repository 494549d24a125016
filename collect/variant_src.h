/* variant_src.h: source files named like a sibling's variant (htmx's dist/htmx.min.js.gz). */
#ifndef SR_COLLECT_VARIANT_SRC_H
#define SR_COLLECT_VARIANT_SRC_H
#include <stddef.h>

struct fileset;
struct run;

/*
 * A source "X.gz", "X.br" or "X.zst" beside a collected "X" is a file of
 * its own, as in Django: its own manifest key, hashed name
 * ("X.<hash>.gz", os.path.splitext's last extension) and bytes.  That name
 * is also where X's original name would get its variant, so collect never
 * writes or removes a variant there; X's hashed name keeps collect's own.
 */

/* Records in each X (cfile.varsrc) which of its variant names are source
 * files.  After fileset_finish(): the indexes must not move again. */
void variant_src_mark(struct fileset *fs);

/*
 * Decides, for every X with such a source, whether X's original name lists
 * it as that encoding's variant: only when the encoding is on and the file
 * decodes to exactly X's bytes (else X's original name has no variant of
 * that encoding; a warning says so).  Sets X's orig.fact.enc[] (marks the
 * run dirty when that differs from what the cache said).  After the check
 * phase, before writing; single-threaded.
 */
void variant_src_decide(struct run *r);

/* Whether data (len bytes, encoded with enum tree_enc enc) decodes to
 * exactly want (want_len bytes).  Never decodes more than want_len + 64 KiB:
 * a bomb costs nothing. */
int variant_src_decodes(int enc, const void *data, size_t len, const void *want,
			size_t want_len);

#endif

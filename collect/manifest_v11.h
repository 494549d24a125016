/* manifest_v11.h: staticfiles.json version 1.1, with the "hash" Django 4.2+ writes. */
#ifndef SR_COLLECT_MANIFEST_V11_H
#define SR_COLLECT_MANIFEST_V11_H

struct manifest;
struct strbuf;

/*
 * Django 4.2's ManifestFilesMixin.save_manifest(): {"paths": {...},
 * "version": "1.1", "hash": H} where H is the first 12 hex digits of the
 * MD5 of json.dumps(sorted(paths.items())), Django's manifest_hash.  m must
 * be sorted (manifest_sort()).  Appends to out.
 */
void manifest_serialize_v11(const struct manifest *m, struct strbuf *out);

/* H alone: owned by the caller's buffer of 13 bytes. */
void manifest_hash_v11(const struct manifest *m, char hex[13]);

#endif

/* manifest.h: Django's staticfiles.json ({"paths": {...}, "version": "1.0"}). */
#ifndef SR_MANIFEST_H
#define SR_MANIFEST_H
#include <stddef.h>

struct strbuf;

#define MANIFEST_NAME "staticfiles.json"

struct manifest_entry {
	char *name;   /* original name, relative to the root; owned */
	char *hashed; /* hashed name, relative to the root; owned */
};

/* Entries sorted by name once manifest_sort() ran (load sorts). */
struct manifest {
	struct manifest_entry *v;
	size_t n, alloc;
};

void manifest_init(struct manifest *m);
void manifest_release(struct manifest *m);
/* Copies both strings. */
void manifest_add(struct manifest *m, const char *name, const char *hashed);
void manifest_sort(struct manifest *m);
/* After sort: the hashed name for name, borrowed from m, or NULL. */
const char *manifest_lookup(const struct manifest *m, const char *name);

/*
 * Reads root/staticfiles.json (versions "1.0" and "1.1" as Django writes
 * them).  Returns 0, 1 when the file does not exist (m stays empty), or -1
 * after printing one line naming the file.
 */
int manifest_load(const char *root, struct manifest *m);
/* The same for the directory dirfd, named root in messages: a reader that
 * holds the directory open reads the generation it holds, not whatever the
 * name leads to after a switch. */
int manifest_load_at(int dirfd, const char *root, struct manifest *m);

/*
 * Parses text[0..len), the bytes of a staticfiles.json, into m (which the
 * caller has initialised; entries are added, then sorted), for a caller
 * that already holds the bytes (serve hashes the ones it parses).  file
 * names the manifest in messages.  Returns 0, or -1 after printing one
 * line naming file; m may then hold some entries (release it either way).
 * text is borrowed, need not be NUL-terminated.
 */
int manifest_parse(const char *text, size_t len, const char *file, struct manifest *m);

/* Django's format, keys sorted, non-ASCII escaped like Python's json. */
void manifest_serialize(const struct manifest *m, struct strbuf *out);

#endif

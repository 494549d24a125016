/* dirstamp.h: output directories' mtimes at the end of a run, so a rerun trusts unchanged ones. */
#ifndef SR_COLLECT_DIRSTAMP_H
#define SR_COLLECT_DIRSTAMP_H
#include <stddef.h>
#include <stdint.h>

#include "fileset.h"

#define DIRSTAMP_NAME ".staticroot-dirs"

/*
 * Directories (relative to the output root, never the root itself) whose
 * entries are exactly those they held when the cache was written: no name
 * added, removed or renamed since, as their mtime says.  An output there
 * whose inode the run has verified needs no stat under its other names
 * (hard links) and variants.  In-place edits do not show in a directory's
 * mtime: each inode is still stat'ed once.
 */
struct dirstamp {
	char **dirs;  /* sorted, owned */
	size_t n;
	int valid;    /* a record for this cache was found */
};

/*
 * Records the mtime of every directory holding one of fs's files, for a
 * cache whose bytes hash to cache_hash.  Call last, once the run changes
 * nothing more in the output.  A failure only costs the next run stats.
 */
void dirstamp_write(const char *root, const struct fileset *fs, uint64_t cache_hash);

/* Loads the directories still as recorded, for the cache read as
 * cache_hash; empty when the record is missing, stale or damaged. */
void dirstamp_load(struct dirstamp *ds, const char *root, uint64_t cache_hash);

/* Whether name's directory is unchanged (never for the root).  Thread-safe. */
int dirstamp_trusted(const struct dirstamp *ds, const char *name);

void dirstamp_release(struct dirstamp *ds);

#endif

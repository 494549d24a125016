/* commit.h: renaming staged outputs and writing index, manifest and cache (commit.c). */
#ifndef SR_COLLECT_COMMIT_H
#define SR_COLLECT_COMMIT_H

struct run;

/* Phase 6: renames staged originals, writes index, manifest and cache.
 * 0 or -1. */
int commit_files(struct run *r);

#endif

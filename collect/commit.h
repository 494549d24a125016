/* commit.h: writing the new generation's index, cache and manifest (commit.c). */
#ifndef SR_COLLECT_COMMIT_H
#define SR_COLLECT_COMMIT_H

struct run;

/* Whether the output is exactly what this run would write: then nothing is
 * built, written or switched (a no-op run). */
int commit_settled(struct run *r);

/* Phase 6: writes index, cache and staticfiles.json into r->out (the
 * manifest last), then --clear's deletions and the directory record.
 * 0 or -1. */
int commit_files(struct run *r);

#endif

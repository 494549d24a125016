/* writer.h: writing hashed files and staged originals (writer.c). */
#ifndef SR_COLLECT_WRITER_H
#define SR_COLLECT_WRITER_H

struct run;
struct cfile;

/* Phase 5: decides what to write and writes hashed files and staged
 * originals (nothing when dry-run).  0 or -1. */
int write_files(struct run *r);

/* Removes root/name's variant for encoding enc, if any (warns on failure). */
void unlink_variant(const char *root, const char *name, int enc);

#endif

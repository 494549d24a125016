/* writer.h: deciding what to write, then writing both names of each file (writer.c). */
#ifndef SR_COLLECT_WRITER_H
#define SR_COLLECT_WRITER_H

struct run;
struct cfile;

/* Phase 5a: decides for each output name what it needs (stat only;
 * prints the "Pretending" lines of a dry run).  0 or -1. */
int check_files(struct run *r);

/* Phase 5b: writes what check_files() found missing or stale into r->out.
 * 0 or -1. */
int write_files(struct run *r);

/* Removes root/name's variant for encoding enc, if any (warns on failure). */
void unlink_variant(const char *root, const char *name, int enc);

#endif

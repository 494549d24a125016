/* prepare.h: hashing, typing and loading the sources (prepare.c). */
#ifndef SR_COLLECT_PREPARE_H
#define SR_COLLECT_PREPARE_H

struct run;
struct cfile;

/* Phase 2-3: hashes sources, types them, scans and resolves references.
 * Returns 0, or -1 after printing every per-file error in name order. */
int prepare_files(struct run *r);

/* Loads f's source bytes into f->data (a no-op when loaded); checks them
 * against f->src_hash when known.  0, or -1 with cfile_fail(). */
int cfile_load(struct cfile *f);
/* Frees bytes that can be read again from disk. */
void cfile_unload(struct cfile *f);

#endif

/* rewrite.h: final contents in dependency order (rewrite.c). */
#ifndef SR_COLLECT_REWRITE_H
#define SR_COLLECT_REWRITE_H

struct run;
struct cfile;

/* Phase 4: final contents and hashes in dependency order.  0 or -1. */
int rewrite_files(struct run *r);

/* Makes f's final bytes available: f->final when rewritten, else the
 * source bytes in f->data.  Thread-safe across different files once
 * rewrite_files() ran.  0, or -1 with cfile_fail(). */
int cfile_final(struct run *r, struct cfile *f);

#endif

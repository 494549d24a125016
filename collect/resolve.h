/* resolve.h: resolving a file's references to tree paths (resolve.c). */
#ifndef SR_COLLECT_RESOLVE_H
#define SR_COLLECT_RESOLVE_H

struct run;
struct cfile;

/* Scans f's loaded bytes for references and resolves them into f->rrefs
 * and f->deps; missing targets are errors or warnings on f.  0 or -1. */
int resolve_refs(struct run *r, struct cfile *f);

#endif

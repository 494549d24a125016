/* stage.h: temporary files for outputs renamed into place at commit, beside their destination. */
#ifndef SR_COLLECT_STAGE_H
#define SR_COLLECT_STAGE_H
#include <stddef.h>

#include "fileset.h"

struct run;

/* Writes data to a new temporary file for root/dest; records its mtime
 * and inode in os when given.  Returns the owned path, or NULL after
 * cfile_fail().  Thread-safe across files. */
char *write_tmp(struct run *r, struct cfile *f, const char *dest, const void *data,
		size_t len, struct out_state *os);

/* A temporary symbolic link to f's source for root/f->name (--link).
 * Owned path, or NULL after cfile_fail(). */
char *link_tmp(struct run *r, struct cfile *f, struct out_state *os);

/* A temporary hard link to root/from for root/dest (identical bytes).
 * Owned path, or NULL when linking is not possible. */
char *hardlink_tmp(struct run *r, const char *from, const char *dest, struct out_state *os);

/* What to add to a "cannot write" message for the error err (a positive
 * errno): a hint when a file and a directory of the output are in each
 * other's way, else "".  Static string. */
const char *stage_conflict_hint(int err);

#endif

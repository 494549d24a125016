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

/*
 * A fresh temporary path for an output to be renamed to root/dest later:
 * beside it, ".<base>" TMP_MARK "<pid>-<n>", so the rename stays within one
 * directory (the stage directory when that name would be too long).  The
 * stage directory is made on first use either way: it tells the next run
 * that this one may have left temporary files.  Owned.
 */
char *stage_path(struct run *r, const char *dest);

/* The process id in an entry's name when stage_path() made it, else -1. */
long stage_name_pid(const char *name);

/* Renames tmp to root/name, creating its directories.  0 or -errno. */
int place_file(const char *tmp, const char *root, const char *name);

#endif

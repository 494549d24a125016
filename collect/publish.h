/* publish.h: putting one output file in place under its name, whole or not at all. */
#ifndef SR_COLLECT_PUBLISH_H
#define SR_COLLECT_PUBLISH_H
#include <stddef.h>
#include <sys/stat.h>

/*
 * Each call makes root/name appear (or replaces it) in one step, through a
 * struct tempfile or a rename, creating missing directories; a failure
 * leaves root/name as it was and no temporary behind.  Nothing is ever
 * rewritten in place: a name another generation or a reader shares keeps
 * its bytes.  st receives the new file's lstat.  Each returns 0 or -errno,
 * the caller prints the message.  Thread-safe across names.
 */

/* Writes data (mode 0644) as root/name. */
int publish_bytes(const char *root, const char *name, const void *data, size_t len,
		  struct stat *st);

/* Copies root/from (identical bytes wanted, a new inode: an in-place edit
 * of one name never shows under the other) as root/name. */
int publish_copy(const char *root, const char *from, const char *name, struct stat *st);

/* Makes root/name a hard link to root/from (two immutable, hashed names of
 * the same bytes). */
int publish_link(const char *root, const char *from, const char *name, struct stat *st);

/* Makes root/name a symbolic link to target (--link). */
int publish_symlink(const char *root, const char *target, const char *name, struct stat *st);

/* What to add to a "cannot write" message for the error err (a positive
 * errno): a hint when a file and a directory of the output are in each
 * other's way, else "".  Static string. */
const char *publish_conflict_hint(int err);

#endif

/* publish.h: putting content-addressed files (hashed names, their variants) in place. */
#ifndef SR_COLLECT_PUBLISH_H
#define SR_COLLECT_PUBLISH_H
#include <stddef.h>
#include <sys/stat.h>

/*
 * Writes data as root/name so that readers see the whole file or none: an
 * unnamed O_TMPFILE inode in name's directory, linked in once complete (a
 * crash leaves nothing behind, and there is no shared temporary directory
 * to contend on).  An existing root/name is replaced through fallback_tmp
 * (a fresh temporary path on the same filesystem, owned by the caller) and
 * rename; so is a filesystem without O_TMPFILE.  Directories are created as
 * needed.  st receives the new file's stat.  Returns 0 or -errno.
 */
int publish_bytes(const char *root, const char *name, const void *data, size_t len,
		  const char *fallback_tmp, struct stat *st);

/*
 * Makes root/name a hard link to root/from (identical bytes), replacing an
 * existing root/name through fallback_tmp.  st receives its stat.  Returns
 * 0 or -errno (then the caller writes the bytes instead).
 */
int publish_link(const char *root, const char *from, const char *name,
		 const char *fallback_tmp, struct stat *st);

#endif

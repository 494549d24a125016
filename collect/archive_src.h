/* archive_src.h: tar and zip archives as collect sources (read with libarchive). */
#ifndef SR_COLLECT_ARCHIVE_SRC_H
#define SR_COLLECT_ARCHIVE_SRC_H
#include <stddef.h>

struct strlist;

#define ARCHIVE_ENTRY_MAX ((size_t)256 << 20)  /* bytes in one entry */
#define ARCHIVE_TOTAL_MAX ((size_t)2 << 30)    /* bytes in one archive */

/*
 * Whether spec (without any PREFIX=) names an archive: FILE.tar, .tar.gz,
 * .tgz or .zip, optionally followed by ":SUBDIR".  On yes, *file_len is the
 * length of FILE's part.
 */
int archive_src_match(const char *spec, size_t *file_len);

/*
 * Called for each regular file: rel is its name below subdir (borrowed),
 * data its bytes (owned: the callee steals it; NUL-terminated, len bytes).
 * Returns 0, or -1 to stop.
 */
typedef int archive_fn(const char *rel, char *data, size_t len, void *ctx);

/*
 * Reads every entry of file (tar or zip only, optionally gzip-compressed)
 * into memory and hands those under subdir ("" for all) that ignore does
 * not match to fn.  An absolute name, one with "..", a backslash, or a
 * non-regular entry (symlink, hard link, device) anywhere in the archive
 * is refused: returns -1 after one line naming archive and entry.  So is a
 * corrupt archive or one over the size limits.  Thread-compatible.
 */
int archive_src_read(const char *file, const char *subdir,
		     const struct strlist *ignore, archive_fn *fn, void *ctx);

#endif

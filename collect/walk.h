/* walk.h: walking a source directory the way Django's finders do, following symlinks. */
#ifndef SR_COLLECT_WALK_H
#define SR_COLLECT_WALK_H
#include <sys/stat.h>

struct strlist;

/*
 * Called for each regular file: rel is its path relative to the walked
 * root, path its path on disk (root + "/" + rel), st its stat() after
 * following links, or NULL when the directory entry said "regular file"
 * and no stat was needed (the caller stats it later, in parallel).  Both
 * strings are borrowed for the call.  Returns 0 to go on, -1 to stop.
 */
typedef int walk_fn(const char *rel, const char *path, const struct stat *st, void *ctx);

/*
 * Walks root recursively in no particular order, skipping what ignore
 * matches.  Symbolic links are followed; a link loop (a directory that is
 * its own ancestor, by device and inode) and a broken link are warnings
 * naming the link, never errors.  Returns 0, or -1 after printing one line
 * (root unreadable, or fn stopped the walk).
 */
int walk_dir(const char *root, const struct strlist *ignore, walk_fn *fn, void *ctx);

#endif

/* clear.h: --clear: removing what a run did not collect from the output directory. */
#ifndef SR_COLLECT_CLEAR_H
#define SR_COLLECT_CLEAR_H

struct fileset;
struct strlist;

/*
 * With dry_run, deletes nothing and prints "Pretending to delete 'x'"
 * instead, keeping also any .gz/.br/.zst sibling of a kept file (the run
 * did not decide its variants).
 *
 * Deletes every file and symlink under root that keep does not list (keep
 * is sorted here), except collect's own files at the top (staticfiles.json,
 * .staticroot-*), then the directories left empty.  Prints "Deleting 'x'"
 * at -v 1, and a warning for what cannot be removed.  Runs after the
 * manifest is committed, so a failed run deletes nothing.
 */
void clear_outputs(const char *root, struct strlist *keep, int dry_run);

/*
 * --clear, before anything is written: deletes what stands where this run
 * needs to write, as Django's --clear (which deletes everything first)
 * would: a file or symlink where a directory of a collected name must be,
 * and a directory (with its contents) where a collected file goes; both
 * names of each file when hashed is set (the hashed names must be known).
 * Prints "Deleting 'x'" at -v 1 and a warning for what cannot be removed
 * (the write then fails and names it).
 */
void clear_in_the_way(const char *root, const struct fileset *fs, int hashed);

/*
 * --clear --no-post-process: deletes root's staticfiles.json (this run
 * writes none, and the old one names hashed files --clear deletes), as
 * Django's --clear does; with dry_run prints "Pretending to delete" only.
 */
void clear_manifest(const char *root, int dry_run);

#endif

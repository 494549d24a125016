/* bundle.h: the collected tree written as one reproducible archive (--archive). */
#ifndef SR_COLLECT_BUNDLE_H
#define SR_COLLECT_BUNDLE_H
#include <stddef.h>

/*
 * Writes the files root/paths[i] (paths relative to root, '/'-separated, in
 * any order: they are sorted, and duplicates dropped) into out_file, whose
 * format follows its suffix: ".tar", ".tar.gz" / ".tgz" (gzip without a
 * timestamp) or ".zip".  Entries get a fixed mtime ($SOURCE_DATE_EPOCH, else
 * 0), uid/gid 0, empty uname/gname, mode 0644, so the same tree always gives
 * the same bytes.  The archive is written to a temporary file beside
 * out_file and renamed over it; on failure the temporary is removed and any
 * previous out_file is left intact.  paths is borrowed, not modified.
 *
 * One caveat: zip's DOS date field is local time (libarchive uses
 * localtime()), so with a SOURCE_DATE_EPOCH after 1980 two zips agree only
 * when written under the same TZ (run with TZ=UTC to agree everywhere);
 * tar, tar.gz and the default epoch 0 do not depend on TZ.
 *
 * Needs an UTF-8 LC_CTYPE (main() calls setlocale(LC_CTYPE, "C.UTF-8")) for
 * non-ASCII names.  Returns 0, or -1 after printing one line naming out_file.
 * Not thread-safe against other users of the same out_file.
 */
int bundle_write(const char *root, char *const *paths, size_t n, const char *out_file);

/* Whether out_file's suffix names a format bundle_write() writes.  1 / 0. */
int bundle_supported(const char *out_file);

#endif

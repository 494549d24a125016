/* sources.h: turning SOURCE arguments and --app/--apps into the list of files to collect. */
#ifndef SR_COLLECT_SOURCES_H
#define SR_COLLECT_SOURCES_H

struct options;
struct fileset;

/*
 * Gathers every file of every source, in source order then app order, into
 * fs (first match wins, sorted by name: see fileset_finish()).  Directory
 * files are stat()ed, not read; archive members are read into memory.
 * Returns 0, or -1 after printing one line naming the source.
 */
int sources_gather(const struct options *opts, struct fileset *fs);

/*
 * Checks, without reading them, that the sources sources_gather() would
 * fail on at once are there: each archive, each --app/--apps directory, no
 * source that is a plain file.  Run before the confirmation question, so
 * that a missing source is what a run without a terminal reports.
 * Returns 0, or -1 after printing one line naming the source.
 */
int sources_check(const struct options *opts);

#endif

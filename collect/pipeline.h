/* pipeline.h: one whole collect run, from sources to the committed manifest. */
#ifndef SR_COLLECT_PIPELINE_H
#define SR_COLLECT_PIPELINE_H

struct options;

/*
 * Collects: gathers the sources, hashes and rewrites, writes the outputs,
 * commits staticfiles.json, prints Django's summary line at -v 1.  A failure
 * leaves the previous manifest and the files it names as they were.
 * Returns 0, or -1 after printing why.
 */
int pipeline_run(const struct options *opts);

/* The absolute form of path (not resolving symlinks); owned. */
char *pipeline_abspath(const char *path);

#endif

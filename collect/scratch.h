/* scratch.h: a private directory for the unpacked copies of archive members. */
#ifndef SR_COLLECT_SCRATCH_H
#define SR_COLLECT_SCRATCH_H

/*
 * Archive members too large to keep in memory are unpacked into one
 * directory of the run's own, $TMPDIR/staticroot-unpack.PID.XXXXXX (or
 * /tmp), made on first use.  It goes away with scratch_release(); one that
 * a killed run left (its PID gone) is removed by the next run that makes
 * one.  Zero-initialise; not thread-safe (sources are gathered by one
 * thread).
 */
struct scratch {
	char *dir;               /* owned, NULL until the first file */
	unsigned long files;     /* names handed out so far */
};

/*
 * Creates a new empty file in the directory for writing.  Returns its fd
 * and sets *path (owned: free with free(); the file is removed with the
 * directory), or -1 after printing one line naming the directory.
 */
int scratch_create(struct scratch *s, char **path);

/* Removes every file in the directory, the directory, and frees s's contents. */
void scratch_release(struct scratch *s);

#endif

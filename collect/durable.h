/* durable.h: the files a run wrote, synced to disk in one batch before they are published. */
#ifndef SR_COLLECT_DURABLE_H
#define SR_COLLECT_DURABLE_H
#include <pthread.h>

#include "options.h"

/*
 * A power cut after the switch must find every file the new manifest
 * names: the data of each file written this run is fdatasync'ed before the
 * switch, as one batch at the end of the writes (the first sync commits
 * the filesystem journal for most of them), on the output's files only:
 * never a syncfs() or sync() that would flush every other writer's dirty
 * pages on the disk too.  Hard links and renames write no data; they are
 * covered by the directory syncs.
 */
struct durable {
	pthread_mutex_t lock;
	struct strlist names;  /* relative to the run's output; owned */
};

void durable_init(struct durable *d);
void durable_release(struct durable *d);

/* Records that the run wrote name (relative to its output).  Thread-safe. */
void durable_add(struct durable *d, const char *name);

/*
 * fdatasync()s every recorded file under dir on max(nthreads, 32) threads
 * (a sync waits on the disk, not a core), allocating nothing in them.
 * Messages name label/name (the output as the user gave it).  0, or -1
 * after printing the first failure.
 */
int durable_sync(struct durable *d, const char *dir, const char *label, unsigned nthreads);

/* fsync()s dir and every directory below it (new or changed entries must
 * survive a crash).  0, or -1 after printing why. */
int durable_sync_dirs(const char *dir);

#endif

/* run.h: the state one collect run shares between its phases. */
#ifndef SR_COLLECT_RUN_H
#define SR_COLLECT_RUN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "cache.h"
#include "dircache.h"
#include "dict_history.h"
#include "dirstamp.h"
#include "encode.h"
#include "durable.h"
#include "fileset.h"
#include "options.h"
#include "stage.h"

struct options;

struct run {
	const struct options *o;
	struct fileset fs;
	struct cache cache;
	struct encoder enc;     /* variants: level policy + compression cache */
	struct tree_index old_index; /* loaded only when the cache cannot say */
	uint64_t settings;     /* hash of the options that change outputs */
	const char *root;      /* output directory as given (the current
				* generation, and names in messages); borrowed */
	const char *out;       /* where this run writes: the next generation, or
				* root when updated in place; borrowed */
	char *root_abs;        /* absolute, for messages; owned */
	char *mark;            /* root/STAGE_NAME: an in-place update is under way;
				* owned */
	unsigned nthreads;
	void **magic;          /* one libmagic handle per thread, opened lazily */
	struct dircache *dirs; /* one per thread: cheaper stat() of sorted paths */
	struct dirstamp stamps;/* output directories unchanged since the cache */
	struct durable durable;/* files written, synced before the switch */
	struct stage stage;    /* in place: originals renamed after the commit */
	long pid;
	atomic_size_t copied, unmodified, post_processed;
	atomic_int dirty;      /* something differs from what the cache says */
	int reconcile;         /* a killed in-place run left files: match the index
				* to the disk */
	int fresh;             /* the output held nothing before this run: no old
				* state to check or protect, write names directly */
	struct strlist strings;/* owns strings that index facts borrow */
	size_t *leader;        /* per file: the first file with the same bytes */
	struct dict_history history; /* this run's, saved after the commit (delta.c) */
	int history_made;      /* delta_files() built it */
	struct strlist stale_deltas; /* hashed names whose deltas go after the commit */
};

/* Left in the output while an in-place update runs (and by older versions
 * while they staged files): the next run reconciles the index with the
 * disk when it finds it. */
#define STAGE_NAME ".staticroot-tmp"
#define LOCK_NAME ".staticroot-lock"

#endif

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
#include "fileset.h"
#include "options.h"

struct options;

struct run {
	const struct options *o;
	struct fileset fs;
	struct cache cache;
	struct encoder enc;     /* variants: level policy + compression cache */
	struct tree_index old_index; /* loaded only when the cache cannot say */
	uint64_t settings;     /* hash of the options that change outputs */
	const char *root;      /* output directory as given; borrowed */
	char *root_abs;        /* absolute, for messages; owned */
	char *stage;           /* root/.staticroot-tmp; owned */
	pthread_mutex_t stage_lock;
	int stage_made;        /* stage exists (made on the first write) */
	unsigned nthreads;
	void **magic;          /* one libmagic handle per thread, opened lazily */
	struct dircache *dirs; /* one per thread: cheaper stat() of sorted paths */
	struct dirstamp stamps;/* output directories unchanged since the cache */
	atomic_size_t tmp_seq; /* names of staged files */
	long pid;              /* in the names of staged files */
	atomic_size_t copied, unmodified, post_processed;
	atomic_int staged;     /* some file was written: sync before commit */
	atomic_int dirty;      /* something differs from what the cache says */
	int reconcile;         /* a killed run left files: match the index to the disk */
	int fresh;             /* the output held nothing before this run: no old
				* state to check or protect, write names directly */
	struct strlist strings;/* owns strings that index facts borrow */
	size_t *leader;        /* per file: the first file with the same bytes */
	struct dict_history history; /* this run's, saved after the commit (delta.c) */
	int history_made;      /* delta_files() built it */
	struct strlist stale_deltas; /* hashed names whose deltas go after the commit */
};

#define STAGE_NAME ".staticroot-tmp"
#define LOCK_NAME ".staticroot-lock"
#define TMP_MARK ".sr-tmp"

/* Phase 2-3: hashes sources, types them, scans and resolves references.
 * Returns 0, or -1 after printing every per-file error in name order. */
int prepare_files(struct run *r);

/* Phase 4: final contents and hashes in dependency order.  0 or -1. */
int rewrite_files(struct run *r);

/* Phase 5: decides what to write and writes hashed files and staged
 * originals (nothing when dry-run).  0 or -1. */
int write_files(struct run *r);

/* Phase 6: renames staged originals, writes index, manifest and cache.
 * 0 or -1. */
int commit_files(struct run *r);

/* Scans f's loaded bytes for references and resolves them into f->rrefs
 * and f->deps; missing targets are errors or warnings on f.  0 or -1. */
int resolve_refs(struct run *r, struct cfile *f);

/* Makes f's final bytes available: f->final when rewritten, else the
 * source bytes in f->data.  Thread-safe across different files once
 * rewrite_files() ran.  0, or -1 with cfile_fail(). */
int cfile_final(struct run *r, struct cfile *f);

/*
 * A fresh temporary path for an output to be renamed to root/dest later:
 * beside it, ".<base>" TMP_MARK "<pid>-<n>", so the rename stays within one
 * directory (the stage directory when that name would be too long).  The
 * stage directory is made on first use either way: it tells the next run
 * that this one may have left temporary files.  Owned.
 */
char *stage_path(struct run *r, const char *dest);

/* The process id in an entry's name when stage_path() made it, else -1. */
long stage_name_pid(const char *name);

/* Renames tmp to root/name, creating its directories.  0 or -errno. */
int place_file(const char *tmp, const char *root, const char *name);

/* Removes root/name's variant for encoding enc, if any (warns on failure). */
void unlink_variant(const char *root, const char *name, int enc);

/* Loads f's source bytes into f->data (a no-op when loaded); checks them
 * against f->src_hash when known.  0, or -1 with cfile_fail(). */
int cfile_load(struct cfile *f);
/* Frees bytes that can be read again from disk. */
void cfile_unload(struct cfile *f);

#endif

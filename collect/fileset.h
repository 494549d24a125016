/* fileset.h: the files one run collects, by output name, and what it learns about them. */
#ifndef SR_COLLECT_FILESET_H
#define SR_COLLECT_FILESET_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "refs.h"
#include "scratch.h"
#include "tree_index.h"

#define SOURCE_MAX ((size_t)1 << 31)  /* one source file's bytes (a limit, not included) */

#define CF_HASHED   (1u << 0)  /* src_hash is known */
#define CF_CSS      (1u << 1)
#define CF_JS       (1u << 2)
#define CF_SELFREF  (1u << 3)  /* references itself */
#define CF_UNSURE   (1u << 4)  /* warned about a reference: never cache its rewrite */
#define CF_FINAL    (1u << 5)  /* final_hash is known */
#define CF_FAILED   (1u << 6)
#define CF_NOSTAT   (1u << 7)  /* size, mtime, inode not read yet */
#define CF_LENKNOWN (1u << 8)  /* final_len is the last rewrite's, even once final is freed */

/* What the check found an output name needs (the name true when work is left). */
enum out_todo {
	OUT_UNCHANGED = 0,     /* bytes and variants as wanted: nothing to do */
	OUT_VARIANTS_UNKNOWN,  /* bytes as wanted, variants to (re)make */
	OUT_WRITE,             /* missing or other bytes: write it */
};

/* What was decided about one output file (original or hashed name). */
struct out_state {
	int written;          /* this run (re)wrote the file itself */
	struct file_fact fact;/* path and type borrowed from the cfile */
	int64_t mtime_ns;     /* of the output file, for the cache */
	uint64_t ino;
	int existed;          /* the file was there before this run */
	enum out_todo todo;
};

/* A reference of a CSS/JS file, resolved. */
struct rref {
	size_t off, len;      /* URL text in the source bytes */
	size_t suffix_off;    /* "?query#frag" start within the URL */
	size_t target;        /* file index, or (size_t)-1 to leave alone */
};

struct cfile {
	char *name;           /* output name, relative, normalised; owned */
	char *path;           /* source path on disk; NULL for an archive member; owned */
	char *unpacked;       /* an archive member's copy in the scratch dir, or NULL; owned */
	char *data;           /* source bytes when loaded; owned (malloc) */
	size_t len;           /* source size */
	int64_t mtime_ns;
	uint64_t ino, dev;
	unsigned flags;       /* CF_* */
	uint64_t src_hash;    /* XXH3 of the source bytes */
	const char *type;     /* Content-Type, static or interned; borrowed */

	struct rref *rrefs;   /* resolved references, NULL when taken from the cache */
	size_t nrrefs;
	int scanned;          /* rrefs is valid */
	const void *cached_rw;/* the cache's rewrite record that still applies */
	char **missing;       /* referenced names not collected (warned); owned */
	size_t nmissing;
	size_t *deps;         /* indexes of the files it references; owned */
	size_t ndeps;
	uint64_t dep_sig;     /* hash of the deps' names and final hashes */
	char *final;          /* rewritten bytes, owned; NULL when equal to data */
	size_t final_len;
	uint64_t final_hash;  /* hash in the hashed name */
	char *hashed;         /* hashed name; owned */

	struct out_state orig, hash;
	size_t varsrc[ENC_COUNT]; /* 1 + index of the source named name + that
				   * encoding's suffix, else 0 (variant_src.c) */
	char *type_buf;       /* owned storage behind type when sniffed */
	char *err;            /* first error met, owned; printed in name order */
	char *warns;          /* warnings, one per line, owned; printed in name order */
	size_t seq;           /* insertion order, for first-match-wins */
};

struct fileset {
	struct cfile *v;
	size_t n, alloc;
	struct scratch scratch;  /* where archive members are unpacked; removed with the set */
};

/* Appends a zeroed file; borrowed until the next add. */
struct cfile *fileset_add(struct fileset *fs);
/*
 * Sorts by name keeping the first of each name in insertion order (first
 * match wins, like Django's finders); the others are reported at -v 2 and
 * dropped.
 */
void fileset_finish(struct fileset *fs);
/* Drops every file i with drop[i] set (after fileset_finish(); the order
 * is kept). */
void fileset_drop(struct fileset *fs, const unsigned char *drop);
/* Index of name after fileset_finish(), or (size_t)-1. */
size_t fileset_find(const struct fileset *fs, const char *name);
void fileset_release(struct fileset *fs);

/* Takes size, mtime and identity from st. */
void cfile_set_stat(struct cfile *f, const struct stat *st);

/* Records a per-file error (first one wins); thread-safe per file. */
void cfile_fail(struct cfile *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records a warning to print later in name order. */
void cfile_warn(struct cfile *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Where f's bytes can be read again: its source, or an archive member's
 * unpacked copy; NULL for a member kept in memory (data). */
static inline const char *cfile_source(const struct cfile *f)
{
	return f->path ? f->path : f->unpacked;
}

/* The file as users know it: its source path, else its name. */
static inline const char *cfile_label(const struct cfile *f)
{
	return f->path ? f->path : f->name;
}

/*
 * Prints the recorded warnings and errors of every file in name order and
 * clears them.  Returns the number of files that failed.
 */
size_t fileset_report(struct fileset *fs);

#endif

/* archive_src.h: tar and zip archives as collect sources (read with libarchive). */
#ifndef SR_COLLECT_ARCHIVE_SRC_H
#define SR_COLLECT_ARCHIVE_SRC_H
#include <stddef.h>
#include <stdint.h>

struct scratch;
struct strlist;

#define ARCHIVE_ENTRY_MAX (((size_t)1 << 31) - 1)  /* one entry, as one source file */
#define MEMBER_IN_MEMORY_MAX ((size_t)64 << 10)     /* larger entries go to disk */
#define MEMBERS_IN_MEMORY_MAX ((size_t)32 << 20)    /* all entries kept in memory */
#define MAX_EXPAND_DEFAULT ((uint64_t)4 << 30)      /* --max-expand */

/*
 * What the archives of one run may expand to, shared by all of them: at
 * most max bytes in all (--max-expand), small entries in memory up to
 * MEMBERS_IN_MEMORY_MAX, the others unpacked into scratch (borrowed).
 * Fill max and scratch, zero the rest.
 */
struct archive_budget {
	uint64_t max, expanded;
	size_t in_memory;
	struct scratch *scratch;
};

/*
 * Whether spec (without any PREFIX=) names an archive: FILE.tar, .tar.gz,
 * .tgz or .zip, optionally followed by ":SUBDIR".  On yes, *file_len is the
 * length of FILE's part.
 */
int archive_src_match(const char *spec, size_t *file_len);

/* One regular file of an archive, as handed to an archive_fn. */
struct archive_member {
	const char *rel;      /* name below subdir; borrowed for the call */
	char *data;           /* its bytes, NUL-terminated, when kept in memory */
	char *file;           /* else the path of its unpacked copy in scratch */
	size_t len;
	uint64_t hash;        /* XXH3 of the bytes, as hash_bytes() */
};

/*
 * Called for each regular file.  The callee steals data or file (whichever
 * is set; NULL them to take them, else they are freed after the call).
 * Returns 0, or -1 to stop.
 */
typedef int archive_fn(struct archive_member *m, void *ctx);

/*
 * Reads every entry of file (tar or zip only, optionally gzip-compressed)
 * and hands those under subdir ("" for all) that ignore does not match to
 * fn, streaming each through the hash into memory or into b's scratch in
 * bounded chunks.  An absolute name, one with "..", a backslash, or a
 * non-regular entry (symlink, hard link, device) anywhere in the archive
 * is refused: returns -1 after one line naming archive and entry.  So is a
 * corrupt archive, an entry over ARCHIVE_ENTRY_MAX or one that would take
 * the run past b->max, checked on the size in its header before a byte is
 * expanded when the header has one, and on the bytes as they come.
 * Thread-compatible.
 */
int archive_src_read(const char *file, const char *subdir, const struct strlist *ignore,
		     struct archive_budget *b, archive_fn *fn, void *ctx);

#endif

/* tempfile.h: one temporary file for everything that is written then published. */
#ifndef SR_TEMPFILE_H
#define SR_TEMPFILE_H
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * The shape of git's tempfile.h: create, write, then commit (the file
 * appears under its name whole, with its bytes, or not at all) or discard.
 * No caller handles a temporary path: an unnamed O_TMPFILE inode in the
 * destination's directory when the filesystem has them (a crash leaves
 * nothing behind), else a named temporary beside it,
 * ".<name>" TEMPFILE_MARK "<pid>-<n>" (TEMPFILE_MARK "<pid>-<n>" when that
 * would be too long), which tempfile_name_pid() recognises so that a later
 * run can remove what a killed one left.
 *
 * Every function returns 0 or -errno; messages are the caller's (it knows
 * the name the user gave).  A struct tempfile is used by one thread.
 */
#define TEMPFILE_MARK ".sr-tmp"

struct tempfile {
	int fd;          /* open for writing until commit or discard; -1 after */
	char *dest;      /* the name it is committed to; owned */
	char *tmp;       /* the named temporary, or NULL when unnamed; owned */
	int written;     /* bytes went in (commit syncs only then) */
};

/* Commit flags. */
#define TEMPFILE_SYNC (1u << 0)      /* fdatasync before the name appears */
#define TEMPFILE_NOREPLACE (1u << 1) /* fail with -EEXIST when dest exists */

/*
 * Opens a new temporary for dest, with exactly mode whatever the umask.
 * Creates dest's missing parent directories (0755).  On failure t is
 * released (nothing to discard).
 */
int tempfile_create(struct tempfile *t, const char *dest, mode_t mode);

/* Appends len bytes, retrying short writes and EINTR. */
int tempfile_write(struct tempfile *t, const void *data, size_t len);

/* Appends every byte of the open file srcfd (from its start) without
 * going through user space when the kernel can (copy_file_range). */
int tempfile_copy_fd(struct tempfile *t, int srcfd);

/*
 * Gives the file its name, replacing an existing dest atomically (rename)
 * unless TEMPFILE_NOREPLACE; st, when not NULL, receives its stat.  Closes
 * and releases t whatever happens; on failure nothing new is left under
 * dest or under a temporary name.
 */
int tempfile_commit(struct tempfile *t, unsigned flags, struct stat *st);

/* Closes, removes the temporary and releases t.  Safe on a released t. */
void tempfile_discard(struct tempfile *t);

/*
 * Writes "<dir>/<temporary name for base>" into buf (size n): the name a
 * named temporary for dir/base gets.  0, or -ENAMETOOLONG.
 */
int tempfile_name(char *buf, size_t n, const char *dir, const char *base);

/* The process id in a name tempfile_name() made, else -1. */
long tempfile_name_pid(const char *name);

/*
 * Whether commits fsync (default 1).  collect --no-fsync turns it off for
 * scratch trees; it is read by atomic_write_file() too.
 */
extern int tempfile_durable;

#endif

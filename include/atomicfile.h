/* atomicfile.h: whole-file writes that readers see either old or new, never half. */
#ifndef SR_ATOMICFILE_H
#define SR_ATOMICFILE_H
#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data to a temporary file beside path (a struct tempfile), syncs it
 * (unless tempfile_durable is off), renames it over path; the file gets
 * exactly mode, whatever the umask.  0, or -1 with a message naming path
 * (the temporary is removed).
 */
int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Gives fd, a file just created with mode, every bit of mode the process
 * umask took away (one fchmod, and only under a umask that takes some).
 * Collected files are 0644 whatever the deploy user's umask, as Django's
 * FILE_UPLOAD_PERMISSIONS makes them, so a server running as another user
 * can read them.  0, or -errno.
 */
int file_mode_exact(int fd, mode_t mode);

/* Writes all of data to fd, retrying short writes and EINTR.  0, or -errno. */
int write_full(int fd, const void *data, size_t len);

/* Creates dir and its parents like mkdir -p.  0, or -errno. */
int mkdir_p(const char *dir, mode_t mode);

#endif

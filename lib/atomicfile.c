/* atomicfile.c: whole-file writes that readers see either old or new, never half. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "tempfile.h"

static mode_t process_umask = 0777;  /* unknown: assume the worst */
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;

/* umask(2) can only be read by setting it, which would race with other
 * threads creating files: read it from /proc instead (Linux 4.7+). */
static void read_umask(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Umask:", 6)) {
			process_umask = (mode_t)strtoul(line + 6, NULL, 8) & 0777;
			break;
		}
	fclose(f);
}

int file_mode_exact(int fd, mode_t mode)
{
	pthread_once(&umask_once, read_umask);
	if (!(process_umask & mode))
		return 0;
	return fchmod(fd, mode) == 0 ? 0 : -errno;
}

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	struct tempfile t;
	int r = tempfile_create(&t, path, mode);

	if (!r && (r = tempfile_write(&t, data, len)) < 0)
		tempfile_discard(&t);
	else if (!r)
		r = tempfile_commit(&t, TEMPFILE_SYNC, NULL);
	if (r)
		return log_error("cannot write %s: %s", path, strerror(-r));
	return 0;
}

int mkdir_p(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

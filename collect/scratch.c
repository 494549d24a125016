/* scratch.c: the run's private directory for unpacked archive members, and the sweep
 * of the ones killed runs left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "scratch.h"
#include "xalloc.h"

#define SCRATCH_PREFIX "staticroot-unpack."

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* Unlinks every entry of dir (flat: we never make subdirectories), then dir. */
static void remove_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

/* Removes the directories of runs that died without removing theirs: the
 * PID in the name no longer exists (kill(pid, 0) says ESRCH). */
static void sweep_stale(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)))
			continue;
		pid = strtol(de->d_name + strlen(SCRATCH_PREFIX), &end, 10);
		if (pid <= 0 || *end != '.' || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = xstrcat3(root, "/", de->d_name);
		remove_flat(path);
		free(path);
	}
	closedir(d);
}

static int scratch_open_dir(struct scratch *s)
{
	const char *root = tmp_root();
	char *dir = xmalloc(strlen(root) + sizeof(SCRATCH_PREFIX) + 32);

	sweep_stale(root);
	sprintf(dir, "%s/%s%ld.XXXXXX", root, SCRATCH_PREFIX, (long)getpid());
	if (!mkdtemp(dir)) {
		log_error("cannot create a directory in %s to unpack archives: %s", root,
			  strerror(errno));
		free(dir);
		return -1;
	}
	s->dir = dir;
	return 0;
}

int scratch_create(struct scratch *s, char **path)
{
	char name[32];
	int fd;

	if (!s->dir && scratch_open_dir(s) < 0)
		return -1;
	snprintf(name, sizeof(name), "m%lu", s->files++);
	*path = xstrcat3(s->dir, "/", name);
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("cannot create %s: %s", *path, strerror(errno));
		free(*path);
		*path = NULL;
	}
	return fd;
}

void scratch_release(struct scratch *s)
{
	if (s->dir)
		remove_flat(s->dir);
	free(s->dir);
	s->dir = NULL;
	s->files = 0;
}

/* faultshim.c: an LD_PRELOAD library that fails the Nth call of one I/O function, SQLite-style.
 *
 * Environment (all optional; without SR_FAULT_CALL it only counts):
 *   SR_FAULT_UNDER=DIR   only calls on paths (or fds open on paths) under DIR count
 *   SR_FAULT_CALL=NAME   the function to fail: open, openat, read, write, copy_file_range,
 *                        rename, renameat2, link, linkat, symlink, unlink, unlinkat, mkdir,
 *                        mkdirat, fsync, fdatasync, close (faultmalloc.c does malloc)
 *   SR_FAULT_N=N         fail its Nth counted call (1-based)
 *   SR_FAULT_ERR=KIND    ENOSPC, EIO, EINTR, EMFILE or SHORT (a short write/read)
 *   SR_FAULT_KILL=WHEN   instead of failing it, SIGKILL the process just before the
 *                        call (WHEN=before) or just after it returns (after)
 *   SR_FAULT_LOG=FILE    at exit: one line "NAME COUNT" per function, then
 *                        "injected NAME N KIND PATH" when the fault fired
 * Every call is counted once, before the real one; the failing call does
 * nothing (close still closes, as Linux's does on error).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum fn {
	F_OPEN, F_OPENAT, F_READ, F_WRITE, F_COPY, F_RENAME, F_RENAMEAT2, F_LINK, F_LINKAT,
	F_SYMLINK, F_UNLINK, F_UNLINKAT, F_MKDIR, F_MKDIRAT, F_FSYNC, F_FDATASYNC, F_CLOSE,
	F_COUNT
};

static const char *const fn_name[F_COUNT] = {
	"open", "openat", "read", "write", "copy_file_range", "rename", "renameat2", "link",
	"linkat", "symlink", "unlink", "unlinkat", "mkdir", "mkdirat", "fsync", "fdatasync",
	"close",
};

static atomic_long counts[F_COUNT];
static int target = -1;
static long target_n;
static int fault_err = EIO, fault_short;
static char under[PATH_MAX];
static size_t under_len;
static atomic_int fired;
static char fired_path[PATH_MAX];
static const char *log_path;
static int ready;
static int kill_when;  /* 0: fail the call, 1: kill before it, 2: kill after it */
static __thread int inside;
static __thread int kill_pending;  /* our own calls (readlink, the log) are not counted */

__attribute__((constructor)) static void shim_init(void)
{
	const char *call = getenv("SR_FAULT_CALL"), *err = getenv("SR_FAULT_ERR");
	const char *u = getenv("SR_FAULT_UNDER");

	log_path = getenv("SR_FAULT_LOG");
	if (getenv("SR_FAULT_KILL"))
		kill_when = !strcmp(getenv("SR_FAULT_KILL"), "after") ? 2 : 1;
	if (u && strlen(u) < sizeof(under)) {
		strcpy(under, u);
		under_len = strlen(under);
	}
	for (int i = 0; call && i < F_COUNT; i++)
		if (!strcmp(call, fn_name[i]))
			target = i;
	target_n = getenv("SR_FAULT_N") ? atol(getenv("SR_FAULT_N")) : 0;
	if (err) {
		if (!strcmp(err, "ENOSPC"))
			fault_err = ENOSPC;
		else if (!strcmp(err, "EINTR"))
			fault_err = EINTR;
		else if (!strcmp(err, "EMFILE"))
			fault_err = EMFILE;
		else if (!strcmp(err, "SHORT"))
			fault_short = 1;
	}
	ready = 1;
}

__attribute__((destructor)) static void shim_fini(void)
{
	FILE *f;

	if (!log_path)
		return;
	inside = 1;
	f = fopen(log_path, "w");
	if (!f)
		return;
	for (int i = 0; i < F_COUNT; i++)
		fprintf(f, "%s %ld\n", fn_name[i], atomic_load(&counts[i]));
	if (atomic_load(&fired))
		fprintf(f, "injected %s %ld %s %s\n", fn_name[target], target_n,
			fault_short ? "SHORT" : strerrorname_np(fault_err), fired_path);
	fclose(f);
}

static int path_under(const char *p)
{
	if (!under_len)
		return 1;
	return p && !strncmp(p, under, under_len) && (p[under_len] == '/' || !p[under_len]);
}

/* The absolute path of dirfd/p (p relative or absolute). */
static void resolve_at(int dirfd, const char *p, char *out, size_t n)
{
	char link[64], base[PATH_MAX];
	ssize_t len;

	if (!p) {
		out[0] = '\0';
		return;
	}
	if (p[0] == '/') {
		snprintf(out, n, "%s", p);
		return;
	}
	if (dirfd == AT_FDCWD) {
		if (!getcwd(base, sizeof(base)))
			base[0] = '\0';
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		len = readlink(link, base, sizeof(base) - 1);
		base[len > 0 ? len : 0] = '\0';
	}
	snprintf(out, n, "%s/%s", base, p);
}

static void fd_path(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, out, n - 1);
	out[len > 0 ? len : 0] = '\0';
}

/* Counts a call on path; whether it is the one to fail. */
static int should_fail(enum fn f, const char *path)
{
	long n;

	if (!path_under(path))
		return 0;
	n = atomic_fetch_add(&counts[f], 1) + 1;
	if ((int)f != target || n != target_n || atomic_exchange(&fired, 1))
		return 0;
	snprintf(fired_path, sizeof(fired_path), "%s", path ? path : "");
	if (kill_when == 1)
		kill(getpid(), SIGKILL);
	if (kill_when == 2) {
		kill_pending = 1;
		return 0;
	}
	return 1;
}

/* The real call's result, after the kill a fault asked for. */
static long long after(long long r)
{
	if (kill_pending)
		kill(getpid(), SIGKILL);
	return r;
}

static int fail_at(enum fn f, int dirfd, const char *p)
{
	char abs[PATH_MAX];
	int r;

	if (!ready || inside)
		return 0;
	inside = 1;
	resolve_at(dirfd, p, abs, sizeof(abs));
	r = should_fail(f, abs);
	inside = 0;
	return r;
}

static int fail_fd(enum fn f, int fd)
{
	char path[PATH_MAX];
	int r;

	if (!ready || inside)
		return 0;
	inside = 1;
	fd_path(fd, path, sizeof(path));
	r = should_fail(f, path);
	inside = 0;
	return r;
}

#define REAL(ret, name, ...) \
	static ret (*real_##name)(__VA_ARGS__); \
	if (!real_##name) \
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

static int failed(void)
{
	errno = fault_err;
	return -1;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *p, int flags, ...)
{
	va_list ap;
	mode_t m;
	REAL(int, open, const char *, int, ...);

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	if (fail_at(F_OPEN, AT_FDCWD, p))
		return failed();
	return after(real_open(p, flags, m));
}
int open64(const char *p, int flags, ...) __attribute__((alias("open")));

int openat(int dfd, const char *p, int flags, ...)
{
	va_list ap;
	mode_t m;
	REAL(int, openat, int, const char *, int, ...);

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	if (fail_at(F_OPENAT, dfd, p))
		return failed();
	return after(real_openat(dfd, p, flags, m));
}
int openat64(int dfd, const char *p, int flags, ...) __attribute__((alias("openat")));

ssize_t read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, read, int, void *, size_t);

	if (fail_fd(F_READ, fd)) {
		if (fault_short && n > 1)
			return after(real_read(fd, buf, n / 2));
		return failed();
	}
	return after(real_read(fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);

	if (fail_fd(F_WRITE, fd)) {
		if (fault_short && n > 1)
			return after(real_write(fd, buf, n / 2));
		return failed();
	}
	return after(real_write(fd, buf, n));
}

ssize_t copy_file_range(int in, off_t *ioff, int out, off_t *ooff, size_t n, unsigned fl)
{
	REAL(ssize_t, copy_file_range, int, off_t *, int, off_t *, size_t, unsigned);

	if (fail_fd(F_COPY, out)) {
		if (fault_short && n > 1)
			return after(real_copy_file_range(in, ioff, out, ooff, 1, fl));
		return failed();
	}
	return after(real_copy_file_range(in, ioff, out, ooff, n, fl));
}

int rename(const char *a, const char *b)
{
	REAL(int, rename, const char *, const char *);

	if (fail_at(F_RENAME, AT_FDCWD, b))
		return failed();
	return after(real_rename(a, b));
}

int renameat2(int da, const char *a, int db, const char *b, unsigned fl)
{
	REAL(int, renameat2, int, const char *, int, const char *, unsigned);

	if (fail_at(F_RENAMEAT2, db, b))
		return failed();
	return after(real_renameat2(da, a, db, b, fl));
}

int link(const char *a, const char *b)
{
	REAL(int, link, const char *, const char *);

	if (fail_at(F_LINK, AT_FDCWD, b))
		return failed();
	return after(real_link(a, b));
}

int linkat(int da, const char *a, int db, const char *b, int fl)
{
	REAL(int, linkat, int, const char *, int, const char *, int);

	if (fail_at(F_LINKAT, db, b))
		return failed();
	return after(real_linkat(da, a, db, b, fl));
}

int symlink(const char *t, const char *p)
{
	REAL(int, symlink, const char *, const char *);

	if (fail_at(F_SYMLINK, AT_FDCWD, p))
		return failed();
	return after(real_symlink(t, p));
}

int unlink(const char *p)
{
	REAL(int, unlink, const char *);

	if (fail_at(F_UNLINK, AT_FDCWD, p))
		return failed();
	return after(real_unlink(p));
}

int unlinkat(int d, const char *p, int fl)
{
	REAL(int, unlinkat, int, const char *, int);

	if (fail_at(F_UNLINKAT, d, p))
		return failed();
	return after(real_unlinkat(d, p, fl));
}

int mkdir(const char *p, mode_t m)
{
	REAL(int, mkdir, const char *, mode_t);

	if (fail_at(F_MKDIR, AT_FDCWD, p))
		return failed();
	return after(real_mkdir(p, m));
}

int mkdirat(int d, const char *p, mode_t m)
{
	REAL(int, mkdirat, int, const char *, mode_t);

	if (fail_at(F_MKDIRAT, d, p))
		return failed();
	return after(real_mkdirat(d, p, m));
}

int fsync(int fd)
{
	REAL(int, fsync, int);

	if (fail_fd(F_FSYNC, fd))
		return failed();
	return after(real_fsync(fd));
}

int fdatasync(int fd)
{
	REAL(int, fdatasync, int);

	if (fail_fd(F_FDATASYNC, fd))
		return failed();
	return after(real_fdatasync(fd));
}

int close(int fd)
{
	REAL(int, close, int);
	int fail = fail_fd(F_CLOSE, fd), r = (int)after(real_close(fd));

	return fail ? failed() : r;
}

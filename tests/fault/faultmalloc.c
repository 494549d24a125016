/* faultmalloc.c: an LD_PRELOAD library that makes the Nth malloc/calloc/realloc return NULL.
 *
 *   SR_FAULT_N=N       the allocation to fail (1-based, counted from the
 *                      first call after start-up, in every thread)
 *   SR_FAULT_LOG=FILE  "injected malloc N ENOMEM OBJECT" the moment it fires (OBJECT: the
 *                      file name of the library or program that asked, so a test can
 *                      tell a library's own crash from collect's), "malloc COUNT" at exit
 * Not for sanitizer builds (ASan owns malloc there).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_long count;
static long target;
static atomic_int fired;
static int ready;

__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("SR_FAULT_N");

	target = n ? atol(n) : 0;
	ready = 1;
}

__attribute__((destructor)) static void fini(void)
{
	const char *p = getenv("SR_FAULT_LOG");
	FILE *f;

	ready = 0;
	if (!p || !(f = fopen(p, "a")))
		return;
	fprintf(f, "malloc %ld\n", atomic_load(&count));
	fclose(f);
}

/* Written at once, with no allocation: a library that does not survive the
 * failure may abort before the destructor runs. */
static void log_fired(const void *caller)
{
	const char *p = getenv("SR_FAULT_LOG"), *obj = "?", *slash;
	char line[512];
	Dl_info info;
	int fd, n;

	if (!p)
		return;
	if (dladdr(caller, &info) && info.dli_fname) {
		obj = info.dli_fname;
		slash = strrchr(obj, '/');
		obj = slash ? slash + 1 : obj;
	}
	n = snprintf(line, sizeof(line), "injected malloc %ld ENOMEM %s\n", target, obj);
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0)
		n = 0;
	close(fd);
}

static int fail_now(const void *caller)
{
	if (!ready)
		return 0;
	if (atomic_fetch_add(&count, 1) + 1 != target || atomic_exchange(&fired, 1))
		return 0;
	log_fired(caller);
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}

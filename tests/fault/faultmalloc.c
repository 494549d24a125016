/* faultmalloc.c: an LD_PRELOAD library that makes the Nth malloc/calloc/realloc return NULL.
 *
 *   SR_FAULT_N=N       the allocation to fail (1-based, counted from the
 *                      first call after start-up, in every thread)
 *   SR_FAULT_LOG=FILE  at exit: "malloc COUNT", then "injected malloc N ENOMEM" when it fired
 * Not for sanitizer builds (ASan owns malloc there).
 */
#define _GNU_SOURCE
#include <errno.h>
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
	if (!p || !(f = fopen(p, "w")))
		return;
	fprintf(f, "malloc %ld\n", atomic_load(&count));
	if (atomic_load(&fired))
		fprintf(f, "injected malloc %ld ENOMEM -\n", target);
	fclose(f);
}

static int fail_now(void)
{
	if (!ready)
		return 0;
	if (atomic_fetch_add(&count, 1) + 1 != target || atomic_exchange(&fired, 1))
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

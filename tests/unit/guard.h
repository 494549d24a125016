/* guard.h: test helper placing input right before a PROT_NONE page, so any
 * read past its end crashes (picohttpparser's test.c trick). */
#ifndef SR_TEST_GUARD_H
#define SR_TEST_GUARD_H
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guarded {
	char *map;
	size_t maplen;
	const char *p; /* the copy, ending exactly at the guard page */
	size_t len;
};

/* Copies s[0..len) so that s + len is the first byte of a PROT_NONE page.
 * Aborts the test on mmap failure.  Release with guard_free(). */
static inline struct guarded guard_copy(const char *s, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (len + page - 1) / page * page;
	struct guarded g;

	g.maplen = data + page;
	g.map = mmap(NULL, g.maplen, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.map == MAP_FAILED || mprotect(g.map + data, page, PROT_NONE))
		abort();
	memcpy(g.map + data - len, s, len);
	g.p = g.map + data - len;
	g.len = len;
	return g;
}

static inline void guard_free(struct guarded *g)
{
	munmap(g->map, g->maplen);
}

#endif

/* refs_check.h: runs a reference scanner on input placed right before a
 * PROT_NONE page and checks the references it found. */
#ifndef SR_TEST_REFS_CHECK_H
#define SR_TEST_REFS_CHECK_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../../collect/refs.h"

struct want {
	const char *text;
	enum ref_kind kind;
	unsigned line; /* 0: don't check */
};

/* Copies len bytes to just before an unreadable page, so over-reads crash. */
static inline char *guarded_copy(const char *s, size_t len, void **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (len + pg - 1) / pg + 1;
	char *m = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + (pages - 1) * pg, pg, PROT_NONE), 0);
	*map = m;
	*maplen = pages * pg;
	memcpy(m + (pages - 1) * pg - len, s, len);
	return m + (pages - 1) * pg - len;
}

enum lang { CSS, JS, JS_MODULES };

static inline void scan(enum lang lang, const char *src, size_t len, struct ref_list *rl,
		 const char **buf, void **map, size_t *maplen)
{
	*buf = guarded_copy(src, len, map, maplen);
	if (lang == CSS)
		refs_scan_css(*buf, len, rl);
	else
		refs_scan_js(*buf, len, lang == JS_MODULES, rl);
}

static inline void check(enum lang lang, const char *src, const struct want *w, size_t nw)
{
	struct ref_list rl = { 0 };
	const char *buf;
	void *map;
	size_t maplen;

	scan(lang, src, strlen(src), &rl, &buf, &map, &maplen);
	for (size_t i = 0; rl.n != nw && i < rl.n; i++)
		print_message("# ref %zu: [%.*s] kind %d line %u\n", i, (int)rl.v[i].len,
			      buf + rl.v[i].off, rl.v[i].kind, rl.v[i].line);
	assert_int_equal(rl.n, nw);
	for (size_t i = 0; i < nw; i++) {
		assert_int_equal(rl.v[i].len, strlen(w[i].text));
		assert_memory_equal(buf + rl.v[i].off, w[i].text, rl.v[i].len);
		assert_int_equal(rl.v[i].kind, w[i].kind);
		if (w[i].line)
			assert_int_equal(rl.v[i].line, w[i].line);
	}
	ref_list_release(&rl);
	munmap(map, maplen);
}

#define WANT(...) ((const struct want[]){ __VA_ARGS__ }), \
	(sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want))

#define NONE NULL, 0

#define CHECK_CSS(src, ...) check(CSS, src, __VA_ARGS__)

#define CHECK_JS(src, ...) check(JS, src, __VA_ARGS__)

#define CHECK_MOD(src, ...) check(JS_MODULES, src, __VA_ARGS__)

#endif

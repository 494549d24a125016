/* xalloc.h: allocation that dies with one clear line instead of returning NULL. */
#ifndef SR_XALLOC_H
#define SR_XALLOC_H
#include <stddef.h>

/* Each returns owned memory, free with free(); never returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* a, b and c concatenated. */
char *xstrcat3(const char *a, const char *b, const char *c);

/* Grows *v (of *alloc elements of size elem) to hold at least need elements. */
void xgrow(void **v, size_t *alloc, size_t need, size_t elem);
#define XGROW(v, alloc, need) xgrow((void **)&(v), &(alloc), (need), sizeof(*(v)))

#endif

/* strlist.c: a growable list of owned strings. */
#include <stdlib.h>

#include "strlist.h"
#include "xalloc.h"

void strlist_add_nodup(struct strlist *l, char *s)
{
	XGROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = s;
}

void strlist_add(struct strlist *l, const char *s)
{
	strlist_add_nodup(l, xstrdup(s));
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

void strlist_release(struct strlist *l)
{
	strlist_clear(l);
	free(l->v);
	l->v = NULL;
	l->alloc = 0;
}

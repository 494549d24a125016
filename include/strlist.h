/* strlist.h: a growable list of owned strings (sources, ignore patterns, listen addresses). */
#ifndef SR_STRLIST_H
#define SR_STRLIST_H
#include <stddef.h>

/* Zero-initialised is empty.  Every v[i] is owned by the list. */
struct strlist {
	char **v;
	size_t n, alloc;
};

/* Appends a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Appends s itself: steals the argument. */
void strlist_add_nodup(struct strlist *l, char *s);
/* Frees every string; the list is empty (and reusable) after. */
void strlist_clear(struct strlist *l);
/* Frees every string and the array. */
void strlist_release(struct strlist *l);

#endif

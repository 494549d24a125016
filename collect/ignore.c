/* ignore.c: matches names against the ignore patterns, like Django's matches_patterns(). */
#include <fnmatch.h>

#include "ignore.h"
#include "options.h"

int ignore_match(const struct strlist *pats, const char *base, const char *rel)
{
	for (size_t i = 0; i < pats->n; i++) {
		if (!fnmatch(pats->v[i], base, 0))
			return 1;
		if (rel && rel != base && !fnmatch(pats->v[i], rel, 0))
			return 1;
	}
	return 0;
}

void ignore_add_defaults(struct strlist *pats)
{
	strlist_add(pats, "CVS");
	strlist_add(pats, ".*");
	strlist_add(pats, "*~");
}

/* ignore.c: matches names against the ignore patterns, like Django's matches_patterns(). */
#include <fnmatch.h>
#include <string.h>

#include "ignore.h"
#include "options.h"

/* fnmatch() without FNM_PATHNAME, with fast paths for the usual shapes
 * ("CVS", ".*", "*~", "*.scss"): fnmatch converts to wide characters in a
 * UTF-8 locale, which shows on big trees. */
static int match(const char *pat, const char *name)
{
	size_t pl, nl;
	const char *star = strchr(pat, '*');

	if (!strpbrk(pat, "?[\\")) {
		if (!star)
			return !strcmp(pat, name);
		if (!strchr(star + 1, '*')) {
			pl = strlen(pat);
			nl = strlen(name);
			return nl + 1 >= pl && !strncmp(name, pat, (size_t)(star - pat)) &&
			       !strcmp(name + nl - (pl - 1 - (size_t)(star - pat)), star + 1);
		}
	}
	return !fnmatch(pat, name, 0);
}

int ignore_match(const struct strlist *pats, const char *base, const char *rel)
{
	for (size_t i = 0; i < pats->n; i++) {
		if (match(pats->v[i], base))
			return 1;
		if (rel && rel != base && match(pats->v[i], rel))
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

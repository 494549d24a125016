/* ignore.h: Django's ignore patterns (fnmatch on names). */
#ifndef SR_COLLECT_IGNORE_H
#define SR_COLLECT_IGNORE_H

struct strlist;

/*
 * Whether a file or directory is ignored: pats are matched with fnmatch()
 * (no FNM_PATHNAME, like Python's fnmatch) against the basename and, for
 * files, also against rel, the path relative to the source root, as
 * Django's get_files() does.  rel may be NULL.  Thread-safe.
 */
int ignore_match(const struct strlist *pats, const char *base, const char *rel);

/* Adds the defaults "CVS", ".*", "*~" to pats. */
void ignore_add_defaults(struct strlist *pats);

#endif

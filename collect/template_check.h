/* template_check.h: every {% static "name" %} of the project's templates names a collected file. */
#ifndef SR_COLLECT_TEMPLATE_CHECK_H
#define SR_COLLECT_TEMPLATE_CHECK_H
#include <stddef.h>

struct strlist;
struct fileset;

/* What one template's scan found. */
struct template_scan {
	size_t literal;     /* {% static "..." %} with a string literal */
	size_t nonliteral;  /* a variable, a filter, _("..."): counted, skipped */
	size_t missing;     /* literal names fs lacks (each printed) */
};

/*
 * Scans the text of one Django template (path for messages) the way
 * Django's lexer splits it ({% %} tags on one line, {# #} and
 * {% comment %} skipped, {% verbatim %} left alone), and after a
 * `{% load static %}` looks each literal {% static %} name up in fs as
 * ManifestStaticFilesStorage.url() would (fragment and query dropped,
 * %-escapes decoded, names ending in '/' not looked up).  Each missing name
 * is printed as "PATH:LINE: {% static "x" %} names a file that is not
 * collected", an error, or a warning when warn_only.  Adds to *out.
 */
void template_scan_text(const char *path, const char *text, size_t len,
			const struct fileset *fs, int warn_only, struct template_scan *out);

/*
 * Scans every file under each directory of dirs (sorted by path, binary
 * files skipped).  Returns 0 when every literal name is collected (or
 * warn_only), else -1 after printing each missing one and a last line.
 */
int template_check(const struct strlist *dirs, const struct fileset *fs, int warn_only);

#endif

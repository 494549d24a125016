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
 * The same for a Jinja2 template (Django's Jinja2 backend, with Django's
 * static() in the environment as its docs set it up): every static("x")
 * call inside {{ }} and {% %} whose one argument is a string literal,
 * {# #} and {% raw %} skipped, tags over several lines allowed.
 * Missing names print as "PATH:LINE: static("x") names ..." (template_jinja2.c).
 */
void template_scan_jinja2_text(const char *path, const char *text, size_t len,
			       const struct fileset *fs, int warn_only, struct template_scan *out);

/* Counts one literal name found at path:line and reports it when fs lacks
 * the key url() would look up (jinja2: how the message shows the call). */
void template_check_name(const char *path, size_t line, const char *name, int jinja2,
			 const struct fileset *fs, int warn_only, struct template_scan *out);

/*
 * Scans every file under each directory of dirs as Django templates, then
 * of jinja2_dirs (may be NULL) as Jinja2 ones (each sorted by path, binary
 * files skipped).  Returns 0 when every literal name is collected (or
 * warn_only), else -1 after printing each missing one and a last line.
 */
int template_check(const struct strlist *dirs, const struct strlist *jinja2_dirs,
		   const struct fileset *fs, int warn_only);

#endif

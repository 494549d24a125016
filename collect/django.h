/* django.h: what a Django project's own settings say collectstatic collects (collect --django). */
#ifndef SR_COLLECT_DJANGO_H
#define SR_COLLECT_DJANGO_H
#include <stddef.h>

#include "options.h"

/* One finder location, in Django's order (first location wins). */
enum django_root_kind {
	DJANGO_DIRS,      /* FileSystemFinder entry: may be missing (warning) */
	DJANGO_APP,       /* AppDirectoriesFinder app storage: must exist */
	DJANGO_FILES,     /* another finder: the files its list() yields */
};

struct django_file {
	const char *name;  /* output name (prefix included); borrowed from the doc */
	const char *path;  /* absolute source path; borrowed from the doc */
};

struct django_root {
	enum django_root_kind kind;
	const char *finder;  /* dotted class name; borrowed from the doc */
	const char *prefix;  /* "" for none */
	const char *path;    /* DIRS/APP: the directory */
	const char *app;     /* APP: the app's name */
	struct django_file *files; /* FILES; owned */
	size_t nfiles;
};

struct django_project {
	void *doc;                  /* the parsed JSON document; owns the strings */
	struct django_root *roots;  /* owned */
	size_t nroots;
	struct strlist ignore;      /* collectstatic's patterns, final */
	struct strlist template_dirs;
	struct strlist jinja2_dirs; /* the Jinja2 engines' (may be empty) */
	const char *version;        /* Django's version */
	const char *settings;       /* the settings module */
	const char *manifest_version; /* "1.0" or "1.1" (Django 4.2+) */
};

/*
 * Runs o->python on the helper with o->django_settings (or
 * $DJANGO_SETTINGS_MODULE), parses the document it prints, and fills
 * o->django; STATIC_ROOT and STATIC_URL become o->output and o->static_url
 * unless the command line gave them.  Prints the cost at -v 2.  Returns 0,
 * or -1 after printing one line (nothing written).
 */
int django_load(struct options *o);

void django_free(struct django_project *d);

#endif

/* template_fixture.h: the fileset the template scanner tests look names up
 * in (cmocka group setup/teardown), shared by the Django and Jinja2 tests. */
#ifndef SR_TEST_TEMPLATE_FIXTURE_H
#define SR_TEST_TEMPLATE_FIXTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../../collect/fileset.h"
#include "log.h"
#include "xalloc.h"

static struct fileset fs;

static int setup(void **state)
{
	/* "it's.css": found through an escaped quote ({% static 'it\'s.css' %}). */
	static const char *const names[] = { "css/site.css", "img/logo small.png", "js/a.js",
					     "it's.css" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fileset_add(&fs)->name = xstrdup(names[i]);
	fileset_finish(&fs);
	log_verbosity = 0;
	return 0;
}

static int teardown(void **state)
{
	fileset_release(&fs);
	return 0;
}

#endif

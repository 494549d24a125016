/* tmproot.h: a fresh temporary directory per test (setup/teardown for
 * cmocka) and put() to write a file into it. */
#ifndef SR_TEST_TMPROOT_H
#define SR_TEST_TMPROOT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atomicfile.h"

static char root[64];

static inline void put(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(atomic_write_file(path, text, strlen(text), 0644), 0);
}

static inline int setup(void **state)
{
	strcpy(root, "/tmp/sr-unit.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static inline int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

#endif

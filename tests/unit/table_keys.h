/* table_keys.h: checks a program's option table against lib/config_keys.c,
 * the list that lets either program name the section of the other's keys. */
#ifndef SR_TEST_TABLE_KEYS_H
#define SR_TEST_TABLE_KEYS_H
#include <string.h>

#include "config_keys.h"
#include "optparse.h"

static inline const char *table_key(const struct opt *o)
{
	return o->key ? o->key : o->long_name;
}

/* Every key of the table is listed under its section, and every key listed
 * under the program's section is in the table. */
static inline void check_table_keys(const struct opt_program *p)
{
	for (const struct opt *o = p->opts; o->kind != OPT_END; o++) {
		const char *names[] = { table_key(o), o->alias };

		for (int i = 0; i < 2; i++) {
			const char *want = o->section ? o->section : p->name;
			const char *got = names[i] && *names[i] && o->kind < OPT_CONFIG ?
				config_key_section(names[i]) : want;

			if (!got || (strcmp(got, want) && *got))
				fail_msg("key '%s' of %s: lib/config_keys.c says [%s], the table [%s]",
					 names[i], p->name, got ? got : "(missing)", want);
		}
	}
	for (unsigned n = 0; config_key_nth(p->name, n); n++) {
		const char *key = config_key_nth(p->name, n);
		const struct opt *o = p->opts;

		while (o->kind != OPT_END && strcmp(table_key(o) ? table_key(o) : "", key) &&
		       (!o->alias || strcmp(o->alias, key)))
			o++;
		if (o->kind == OPT_END)
			fail_msg("lib/config_keys.c lists '%s' in [%s]: not in the table", key, p->name);
	}
}
#endif

/* config_keys.h: which section of staticroot.conf each key belongs to, for both programs. */
#ifndef SR_CONFIG_KEYS_H
#define SR_CONFIG_KEYS_H

/*
 * Where key belongs: "collect", "serve", "" (the top of the file, read by
 * both), or NULL (neither program has it).  Lets either program say
 * "'listen' belongs in [serve]" of a key the other one owns.  The list is
 * lib/config_keys.c; each program's unit test checks its option table
 * against it, so a new option's key is added there too.
 */
const char *config_key_section(const char *key);

/* The n-th key of section ("" for the top), or NULL past the last. */
const char *config_key_nth(const char *section, unsigned n);

#endif

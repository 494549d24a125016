/* hash.h: content hashes (XXH3-64) and the hashed file names built from them. */
#ifndef SR_HASH_H
#define SR_HASH_H
#include <stddef.h>
#include <stdint.h>

#define HASH_HEX_LEN 16  /* full digest, as in ETags and the index */
#define HASH_NAME_LEN 12 /* digits put into hashed file names, like Django */

uint64_t hash_bytes(const void *data, size_t len);

/* Hashes fd from its current offset to EOF.  0, or -errno. */
int hash_fd(int fd, uint64_t *out);

/* Canonical (big-endian) lower-case hex, so every machine agrees. */
void hash_hex(uint64_t h, char out[HASH_HEX_LEN + 1]);
/* Parses exactly HASH_HEX_LEN hex digits.  0, or -1. */
int hash_parse_hex(const char *s, uint64_t *out);

/*
 * The hashed name of path, Django's way: ".<12 hex>" goes before the last
 * extension of the last component ("css/a.min.css" -> "css/a.min.HASH.css",
 * "LICENSE" -> "LICENSE.HASH", ".htaccess" -> ".htaccess.HASH").
 * Returns owned memory, free with free().
 */
char *hash_name(const char *path, uint64_t h);

#endif

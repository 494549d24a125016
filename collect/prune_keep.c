/* prune_keep.c: the keep set, durations and hashed-name shapes of --prune (see prune_keep.h, prune.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "options.h"
#include "prune.h"
#include "prune_keep.h"
#include "tree_index.h"
#include "xalloc.h"

int prune_parse_duration(const char *s, long *out)
{
	char *end;
	long v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end != s && *end && !end[1]) {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: end = (char *)s;
		}
		if (end != s)
			end++;
	}
	if (errno || end == s || *end || v < 0 || v > 100L * 365 * 86400 / mul)
		return log_error("--prune-grace: expected a duration like 3600, 30m, 1h or 2d, "
				 "got '%s'", s);
	*out = v * mul;
	return 0;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* hash_name()'s shape on the last component: "a.HASH.css" or "LICENSE.HASH". */
static int hashed_shape(const char *path, size_t len)
{
	const char *comp = path, *last = NULL, *prev = NULL;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			comp = path + i + 1;
	for (const char *p = comp; p < path + len; p++)
		if (*p == '.') {
			prev = last;
			last = p;
		}
	if (!last || last == comp)
		return 0;
	if (path + len - last - 1 == HASH_NAME_LEN && all_hex(last + 1, HASH_NAME_LEN))
		return 1;
	return prev && last - prev - 1 == HASH_NAME_LEN && all_hex(prev + 1, HASH_NAME_LEN) &&
	       prev > comp;
}

int prune_hashed_base(const char *path, size_t *base_len)
{
	size_t len = strlen(path), stem;

	/* A dcz delta: PATH.<16 hex>.dcz. */
	if (len > 21 && !strcmp(path + len - 4, ".dcz") && path[len - 21] == '.' &&
	    all_hex(path + len - 20, 16))
		len -= 21;
	else if (tree_enc_of_name(path, &stem) >= 0)
		len = stem;
	*base_len = len;
	return hashed_shape(path, len);
}

int keep_has_output(const struct keepset *k, const char *rel, size_t base_len)
{
	size_t len = strlen(rel);

	/* "a.js.HASH.gz" is the shape of a variant and also the hashed name
	 * of a source "a.js.gz" (Django's too): kept either way. */
	return keep_has(k, rel, base_len) || (base_len < len && keep_has(k, rel, len));
}

void keep_add(struct keepset *k, const char *s)
{
	XGROW(k->v, k->alloc, k->n + 1);
	k->v[k->n++] = xstrdup(s);
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int keep_has(const struct keepset *k, const char *s, size_t len)
{
	char *key = xstrndup(s, len);
	int r = k->n && bsearch(&key, k->v, k->n, sizeof(*k->v), strp_cmp);

	free(key);
	return r;
}

void keep_release(struct keepset *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

int keep_manifest(struct keepset *k, const char *bytes, size_t len)
{
	json_error_t err;
	json_t *doc = json_loadb(bytes, len, 0, &err), *paths, *v;
	const char *name;

	paths = json_object_get(doc, "paths");
	if (!json_is_object(paths)) {
		json_decref(doc);
		return -1;
	}
	json_object_foreach(paths, name, v) {
		keep_add(k, name);
		if (json_is_string(v))
			keep_add(k, json_string_value(v));
	}
	json_decref(doc);
	return 0;
}

void keep_sort(struct keepset *k)
{
	if (k->n)
		qsort(k->v, k->n, sizeof(*k->v), strp_cmp);
}

void prune_summary(const struct options *o, const char *where, const struct prune_count *c)
{
	log_info(1, "%s%zu hashed file%s %s (%zu bytes) from %s; %zu of %zu published "
		 "manifest%s kept.", o->dry_run ? "Would prune: " : "", c->files,
		 c->files == 1 ? "" : "s", o->dry_run ? "unneeded" : "pruned", c->bytes, where,
		 c->kept_generations, c->generations, c->generations == 1 ? "" : "s");
}


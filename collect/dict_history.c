/* dict_history.c: reads and writes .staticroot-history.json (see dict_history.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dict_history.h"
#include "json_out.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

static void line_release(struct dict_line *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->logical);
}

void dict_history_release(struct dict_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		line_release(&h->v[i]);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

struct dict_line *dict_history_add(struct dict_history *h, const char *logical)
{
	struct dict_line *l;

	XGROW(h->v, h->alloc, h->n + 1);
	l = &h->v[h->n++];
	memset(l, 0, sizeof(*l));
	l->logical = xstrdup(logical);
	return l;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dict_line *)a)->logical,
		      ((const struct dict_line *)b)->logical);
}

struct dict_line *dict_history_find(const struct dict_history *h, const char *logical)
{
	struct dict_line key = { .logical = (char *)logical };

	if (!h->n)
		return NULL;
	return bsearch(&key, h->v, h->n, sizeof(*h->v), line_cmp);
}

/* One "name": {...} member.  0, or -1 when it is not what we write. */
static int line_from_json(struct dict_history *h, const char *logical, json_t *o)
{
	json_t *vers = json_object_get(o, "versions"), *rej = json_object_get(o, "rejected");
	struct dict_line *l;

	if (!json_is_array(vers) || (rej && !json_is_array(rej)) ||
	    json_array_size(vers) > DICT_VERSIONS_MAX || json_array_size(rej) > TREE_DCZ_MAX)
		return -1;
	l = dict_history_add(h, logical);
	for (size_t i = 0; i < json_array_size(vers); i++) {
		json_t *v = json_array_get(vers, i);
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *sha = json_string_value(json_object_get(v, "sha256"));
		struct dict_version *dv = &l->v[l->n];

		if (!name || !sha)
			return -1;
		if (*sha && tree_sha_parse(sha, dv->sha))
			return -1;
		dv->has_sha = *sha != '\0';
		dv->name = xstrdup(name);
		l->n++;
	}
	for (size_t i = 0; i < json_array_size(rej); i++) {
		const char *sha = json_string_value(json_array_get(rej, i));

		if (!sha || tree_sha_parse(sha, l->rejected[l->nrejected]))
			return -1;
		l->nrejected++;
	}
	return 0;
}

int dict_history_load(struct dict_history *h, const char *root)
{
	struct strbuf path = STRBUF_INIT;
	json_error_t err;
	json_t *doc, *o;
	const char *logical;
	int ok = 1;

	memset(h, 0, sizeof(*h));
	strbuf_addf(&path, "%s/%s", root, DICT_HISTORY_NAME);
	doc = json_load_file(path.buf, 0, &err);
	if (!doc && access(path.buf, F_OK) != 0) {
		strbuf_release(&path);
		return 0;
	}
	/* jansson says nothing (an empty text) when one of its own
	 * allocations fails: not a damaged history, and dropping it would
	 * silently drop every delta of this run. */
	if (!doc && (json_error_code(&err) == json_error_out_of_memory || !err.text[0])) {
		log_error("cannot read %s: out of memory", path.buf);
		strbuf_release(&path);
		return -1;
	}
	/* There but not readable (EIO, EMFILE, fopen's own allocation):
	 * not damaged either. */
	if (!doc && json_error_code(&err) == json_error_cannot_open_file) {
		log_error("%s", err.text);
		strbuf_release(&path);
		return -1;
	}
	if (!doc) {
		log_warn("%s: %s: starting a new history (earlier versions get no deltas)",
			 path.buf, err.text);
		strbuf_release(&path);
		return 0;
	}
	ok = json_is_object(doc);
	json_object_foreach(doc, logical, o)
		if (ok && line_from_json(h, logical, o) < 0)
			ok = 0;
	if (!ok) {
		log_warn("%s: not a history of ours: starting a new one", path.buf);
		dict_history_release(h);
	} else if (h->n) {
		qsort(h->v, h->n, sizeof(*h->v), line_cmp);
	}
	json_decref(doc);
	strbuf_release(&path);
	return 0;
}

int dict_history_write(const struct dict_history *h, const char *root)
{
	struct strbuf out = STRBUF_INIT, path = STRBUF_INIT, old = STRBUF_INIT;
	char hex[2 * TREE_SHA256_LEN + 1];
	int r;

	strbuf_addch(&out, '{');
	for (size_t i = 0; i < h->n; i++) {
		const struct dict_line *l = &h->v[i];

		strbuf_addstr(&out, i ? ",\n" : "\n");
		json_put_string(&out, l->logical);
		strbuf_addstr(&out, ": {\"rejected\": [");
		for (size_t j = 0; j < l->nrejected; j++) {
			tree_sha_hex(l->rejected[j], hex);
			strbuf_addf(&out, "%s\"%s\"", j ? ", " : "", hex);
		}
		strbuf_addstr(&out, "], \"versions\": [");
		for (size_t j = 0; j < l->n; j++) {
			if (l->v[j].has_sha)
				tree_sha_hex(l->v[j].sha, hex);
			strbuf_addstr(&out, j ? ", {\"name\": " : "{\"name\": ");
			json_put_string(&out, l->v[j].name);
			strbuf_addf(&out, ", \"sha256\": \"%s\"}", l->v[j].has_sha ? hex : "");
		}
		strbuf_addstr(&out, "]}");
	}
	strbuf_addstr(&out, "\n}\n");
	strbuf_addf(&path, "%s/%s", root, DICT_HISTORY_NAME);
	/* A run that changed nothing writes nothing. */
	r = strbuf_read_file(&old, path.buf) == 0 && old.len == out.len &&
	    !memcmp(old.buf, out.buf, out.len) ? 0
	    : atomic_write_file(path.buf, out.buf, out.len, 0644);
	strbuf_release(&old);
	strbuf_release(&out);
	strbuf_release(&path);
	return r;
}

/* tree_index.c: the per-file facts collect writes and serve loads (see tree_index.h). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "path.h"
#include "strbuf.h"
#include "tree_index.h"
#include "xalloc.h"

const char *const tree_enc_token[ENC_COUNT] = { "br", "zstd", "gzip" };
const char *const tree_enc_suffix[ENC_COUNT] = { ".br", ".zst", ".gz" };

#define TREE_INDEX_VERSION 1

void tree_index_init(struct tree_index *ti)
{
	memset(ti, 0, sizeof(*ti));
}

void tree_index_release(struct tree_index *ti)
{
	for (size_t i = 0; i < ti->n; i++) {
		free(ti->v[i].path);
		free(ti->v[i].type);
	}
	free(ti->v);
	tree_index_init(ti);
}

struct file_fact *tree_index_add(struct tree_index *ti, const char *path)
{
	struct file_fact *f;

	XGROW(ti->v, ti->alloc, ti->n + 1);
	f = &ti->v[ti->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	return f;
}

static int fact_cmp(const void *a, const void *b)
{
	return strcmp(((const struct file_fact *)a)->path,
		      ((const struct file_fact *)b)->path);
}

void tree_index_sort(struct tree_index *ti)
{
	if (ti->n)
		qsort(ti->v, ti->n, sizeof(ti->v[0]), fact_cmp);
}

const struct file_fact *tree_index_find(const struct tree_index *ti, const char *path)
{
	struct file_fact key = { .path = (char *)path };

	if (!ti->n)
		return NULL;
	return bsearch(&key, ti->v, ti->n, sizeof(ti->v[0]), fact_cmp);
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void tree_index_mark_immutable(struct tree_index *ti, const struct manifest *m)
{
	/* The hashed names are the manifest's values: sort a copy to search. */
	const char **hashed;

	if (!m || !m->n)
		return;
	hashed = xcalloc(m->n, sizeof(*hashed));
	for (size_t i = 0; i < m->n; i++)
		hashed[i] = m->v[i].hashed;
	qsort(hashed, m->n, sizeof(*hashed), strp_cmp);
	for (size_t i = 0; i < ti->n; i++) {
		const char *key = ti->v[i].path;

		if (bsearch(&key, hashed, m->n, sizeof(*hashed), strp_cmp))
			ti->v[i].flags |= FACT_IMMUTABLE;
	}
	free(hashed);
}

static json_t *hash_json(uint64_t h)
{
	char hex[HASH_HEX_LEN + 1];

	hash_hex(h, hex);
	return json_string(hex);
}

static json_t *fact_to_json(const struct file_fact *f)
{
	json_t *o = json_object(), *encs = json_object();

	json_object_set_new(o, "path", json_string(f->path));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	json_object_set_new(o, "mtime", json_integer(f->mtime));
	json_object_set_new(o, "hash", hash_json(f->hash));
	json_object_set_new(o, "type", json_string(f->type ? f->type : ""));
	json_object_set_new(o, "immutable", json_boolean(f->flags & FACT_IMMUTABLE));
	for (int e = 0; e < ENC_COUNT; e++) {
		json_t *v;

		if (!f->enc[e].present)
			continue;
		v = json_object();
		json_object_set_new(v, "size", json_integer((json_int_t)f->enc[e].size));
		json_object_set_new(v, "hash", hash_json(f->enc[e].hash));
		json_object_set_new(encs, tree_enc_token[e], v);
	}
	json_object_set_new(o, "encodings", encs);
	return o;
}

int tree_index_write(const struct tree_index *ti, const char *root)
{
	json_t *doc = json_object(), *files = json_array();
	struct strbuf path = STRBUF_INIT;
	char *text;
	int r;

	json_object_set_new(doc, "version", json_integer(TREE_INDEX_VERSION));
	json_object_set_new(doc, "manifest", ti->manifest_hash ?
			    hash_json(ti->manifest_hash) : json_string(""));
	for (size_t i = 0; i < ti->n; i++)
		json_array_append_new(files, fact_to_json(&ti->v[i]));
	json_object_set_new(doc, "files", files);
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (!text)
		die("out of memory serialising the tree index");
	strbuf_addf(&path, "%s/%s", root, TREE_INDEX_NAME);
	r = atomic_write_file(path.buf, text, strlen(text), 0644);
	free(text);
	strbuf_release(&path);
	return r;
}

/* Reads a "<16 hex>" member; 0 or -1. */
static int json_hash(json_t *o, const char *key, uint64_t *out)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? hash_parse_hex(s, out) : -1;
}

static int json_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int fact_from_json(json_t *o, struct tree_index *ti)
{
	const char *path = json_string_value(json_object_get(o, "path"));
	const char *type = json_string_value(json_object_get(o, "type"));
	json_t *encs = json_object_get(o, "encodings"), *mt;
	struct file_fact *f;

	if (!path || !type || path_check_relative(path) || strlen(type) > 255)
		return -1;
	f = tree_index_add(ti, path);
	f->type = xstrdup(type);
	mt = json_object_get(o, "mtime");
	f->mtime = json_is_integer(mt) ? json_integer_value(mt) : 0;
	if (json_is_true(json_object_get(o, "immutable")))
		f->flags |= FACT_IMMUTABLE;
	if (json_u64(o, "size", &f->size) || json_hash(o, "hash", &f->hash))
		return -1;
	for (int e = 0; e < ENC_COUNT; e++) {
		json_t *v = json_object_get(encs, tree_enc_token[e]);

		if (!v)
			continue;
		if (json_u64(v, "size", &f->enc[e].size) ||
		    json_hash(v, "hash", &f->enc[e].hash))
			return -1;
		f->enc[e].present = 1;
	}
	return 0;
}

static int tree_index_parse(json_t *doc, const char *file, struct tree_index *ti)
{
	json_t *files = json_object_get(doc, "files"), *v;
	const char *mh = json_string_value(json_object_get(doc, "manifest"));
	size_t i;

	if (json_integer_value(json_object_get(doc, "version")) != TREE_INDEX_VERSION)
		return log_error("%s: unsupported index version", file);
	if (!json_is_array(files) || !mh)
		return log_error("%s: not a staticroot index", file);
	if (*mh && hash_parse_hex(mh, &ti->manifest_hash))
		return log_error("%s: bad manifest hash", file);
	json_array_foreach(files, i, v) {
		if (fact_from_json(v, ti) < 0)
			return log_error("%s: invalid entry #%zu", file, i + 1);
	}
	tree_index_sort(ti);
	return 0;
}

int tree_index_load(const char *root, struct tree_index *ti)
{
	struct strbuf path = STRBUF_INIT;
	json_error_t err;
	json_t *doc;
	int r;

	strbuf_addf(&path, "%s/%s", root, TREE_INDEX_NAME);
	doc = json_load_file(path.buf, 0, &err);
	if (!doc) {
		if (access(path.buf, F_OK) < 0 && errno == ENOENT)
			r = 1;
		else
			r = log_error("%s:%d: invalid index: %s", path.buf, err.line,
				      err.text);
	} else {
		r = tree_index_parse(doc, path.buf, ti);
		json_decref(doc);
	}
	if (r < 0)
		tree_index_release(ti);
	strbuf_release(&path);
	return r;
}

/* manifest.c: Django's staticfiles.json, read and written. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_out.h"
#include "log.h"
#include "manifest.h"
#include "strbuf.h"
#include "xalloc.h"

void manifest_init(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
}

void manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].hashed);
	}
	free(m->v);
	manifest_init(m);
}

void manifest_add(struct manifest *m, const char *name, const char *hashed)
{
	XGROW(m->v, m->alloc, m->n + 1);
	m->v[m->n].name = xstrdup(name);
	m->v[m->n].hashed = xstrdup(hashed);
	m->n++;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->name,
		      ((const struct manifest_entry *)b)->name);
}

void manifest_sort(struct manifest *m)
{
	if (m->n)
		qsort(m->v, m->n, sizeof(m->v[0]), entry_cmp);
}

const char *manifest_lookup(const struct manifest *m, const char *name)
{
	struct manifest_entry key = { (char *)name, NULL };
	const struct manifest_entry *e;

	if (!m->n)
		return NULL;
	e = bsearch(&key, m->v, m->n, sizeof(m->v[0]), entry_cmp);
	return e ? e->hashed : NULL;
}

/* Copies the "paths" object of a parsed manifest into m. */
static int manifest_take_paths(json_t *paths, const char *file, struct manifest *m)
{
	const char *name;
	json_t *value;

	if (!json_is_object(paths))
		return log_error("%s: \"paths\" is not an object", file);
	json_object_foreach(paths, name, value) {
		if (!json_is_string(value))
			return log_error("%s: the entry for '%s' is not a string",
					 file, name);
		manifest_add(m, name, json_string_value(value));
	}
	manifest_sort(m);
	return 0;
}

int manifest_load(const char *root, struct manifest *m)
{
	int dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dirfd < 0 && errno == ENOENT)
		return 1;
	if (dirfd < 0)
		return log_error("cannot open %s: %s", root, strerror(errno));
	r = manifest_load_at(dirfd, root, m);
	close(dirfd);
	return r;
}

int manifest_parse(const char *text, size_t len, const char *file, struct manifest *m)
{
	json_error_t err;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	const char *version;
	int r;

	if (!doc)
		return log_error("%s:%d: invalid manifest: %s", file, err.line, err.text);
	version = json_string_value(json_object_get(doc, "version"));
	if (!version || (strcmp(version, "1.0") && strcmp(version, "1.1")))
		r = log_error("%s: unsupported manifest version", file);
	else
		r = manifest_take_paths(json_object_get(doc, "paths"), file, m);
	json_decref(doc);
	return r;
}

int manifest_load_at(int dirfd, const char *root, struct manifest *m)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int r;

	strbuf_addf(&path, "%s/%s", root, MANIFEST_NAME);
	r = strbuf_read_file_at(&text, dirfd, MANIFEST_NAME);
	if (r == -ENOENT)
		r = 1;
	else if (r < 0)
		r = log_error("cannot read %s: %s", path.buf, strerror(-r));
	else
		r = manifest_parse(text.buf, text.len, path.buf, m);
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

/* Entry indexes in name order, for a const manifest that may be unsorted. */
static int entry_ptr_cmp(const void *a, const void *b)
{
	return entry_cmp(*(const struct manifest_entry *const *)a,
			 *(const struct manifest_entry *const *)b);
}

void manifest_serialize(const struct manifest *m, struct strbuf *out)
{
	const struct manifest_entry **sorted;

	sorted = xcalloc(m->n ? m->n : 1, sizeof(*sorted));
	for (size_t i = 0; i < m->n; i++)
		sorted[i] = &m->v[i];
	qsort(sorted, m->n, sizeof(*sorted), entry_ptr_cmp);
	/* Python's json.dumps(sort_keys=True) shape, byte for byte. */
	strbuf_addstr(out, "{\"paths\": {");
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		json_put_string(out, sorted[i]->name);
		strbuf_addstr(out, ": ");
		json_put_string(out, sorted[i]->hashed);
	}
	strbuf_addstr(out, "}, \"version\": \"1.0\"}");
	free(sorted);
}

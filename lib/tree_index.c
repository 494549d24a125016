/* tree_index.c: the per-file facts collect writes and serve loads (see tree_index.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "hash.h"
#include "json_out.h"
#include "log.h"
#include "manifest.h"
#include "path.h"
#include "strbuf.h"
#include "tree_index.h"
#include "xalloc.h"

const char *const tree_enc_token[ENC_COUNT] = { "br", "zstd", "gzip" };
const char *const tree_enc_suffix[ENC_COUNT] = { ".br", ".zst", ".gz" };

int tree_enc_of_name(const char *path, size_t *stem_len)
{
	size_t len = strlen(path);

	for (int e = 0; e < ENC_COUNT; e++) {
		size_t sl = strlen(tree_enc_suffix[e]);

		if (len > sl && !strcmp(path + len - sl, tree_enc_suffix[e])) {
			*stem_len = len - sl;
			return e;
		}
	}
	return -1;
}

static void hex_bytes(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * n lower-case hex digits into b.  0, or -1. */
static int parse_hex_bytes(const char *s, unsigned char *b, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void tree_sha_hex(const unsigned char sha[TREE_SHA256_LEN], char out[2 * TREE_SHA256_LEN + 1])
{
	hex_bytes(sha, TREE_SHA256_LEN, out);
}

int tree_sha_parse(const char *s, unsigned char sha[TREE_SHA256_LEN])
{
	return parse_hex_bytes(s, sha, TREE_SHA256_LEN);
}

char *tree_delta_name(const char *path, const unsigned char dict_sha[TREE_SHA256_LEN])
{
	char hex[2 * TREE_SHA256_LEN + 1];
	size_t n = strlen(path) + TREE_DCZ_NAME_HEX + sizeof(TREE_DCZ_SUFFIX) + 1;
	char *name = xmalloc(n);

	hex_bytes(dict_sha, TREE_SHA256_LEN, hex);
	snprintf(name, n, "%s.%.*s%s", path, TREE_DCZ_NAME_HEX, hex, TREE_DCZ_SUFFIX);
	return name;
}

int tree_is_delta_name(const char *name)
{
	size_t len = strlen(name), sl = strlen(TREE_DCZ_SUFFIX);
	const char *h;

	if (len < 2 + TREE_DCZ_NAME_HEX + sl || strcmp(name + len - sl, TREE_DCZ_SUFFIX))
		return 0;
	h = name + len - sl - TREE_DCZ_NAME_HEX;
	if (h[-1] != '.')
		return 0;
	for (int i = 0; i < TREE_DCZ_NAME_HEX; i++)
		if (hex_digit(h[i]) < 0)
			return 0;
	return 1;
}

const char *tree_dictionary_dest(const char *type)
{
	static const struct {
		const char *type, *dest;
	} kinds[] = {
		{ "text/css", "(\"style\")" },
		{ "text/javascript", "(\"script\")" },
		{ "application/javascript", "(\"script\")" },
		{ "application/json", "" },
		{ "application/manifest+json", "" },
		{ "application/wasm", "" },
		{ "image/svg+xml", "" },
		{ "application/xml", "" },
		{ "text/xml", "" },
	};
	size_t n;

	if (!type)
		return NULL;
	n = strcspn(type, "; ");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].type) == n && !strncmp(type, kinds[i].type, n))
			return kinds[i].dest;
	return NULL;
}

#define TREE_INDEX_VERSION 1
#define TREE_INDEX_HEAD "{\"files\": [\n"

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

static void put_hash(struct strbuf *sb, const char *key, uint64_t h)
{
	char hex[HASH_HEX_LEN + 1];

	hash_hex(h, hex);
	strbuf_addf(sb, "\"%s\": \"%s\"", key, hex);
}

/* One fact as one line, keys sorted, like json.dumps(sort_keys=True). */
static void put_fact(struct strbuf *sb, const struct file_fact *f)
{
	int first = 1;

	strbuf_addch(sb, '{');
	/* "dcz" sorts before "encodings"; absent when empty, so an index of a
	 * tree without deltas is byte for byte what it was before them. */
	for (unsigned i = 0; i < f->ndcz; i++) {
		char hex[2 * TREE_SHA256_LEN + 1];

		hex_bytes(f->dcz[i].dict_sha, TREE_SHA256_LEN, hex);
		strbuf_addf(sb, "%s{\"dictionary\": \"%s\", ", i ? ", " : "\"dcz\": [", hex);
		put_hash(sb, "hash", f->dcz[i].hash);
		strbuf_addf(sb, ", \"size\": %llu}%s", (unsigned long long)f->dcz[i].size,
			    i + 1 == f->ndcz ? "], " : "");
	}
	strbuf_addstr(sb, "\"encodings\": {");
	/* Sorted keys: "br", "gzip", "zstd". */
	static const int order[ENC_COUNT] = { ENC_BR, ENC_GZIP, ENC_ZSTD };
	for (int i = 0; i < ENC_COUNT; i++) {
		const struct file_variant *v = &f->enc[order[i]];

		if (!v->present)
			continue;
		strbuf_addf(sb, "%s\"%s\": {", first ? "" : ", ",
			    tree_enc_token[order[i]]);
		put_hash(sb, "hash", v->hash);
		strbuf_addf(sb, ", \"size\": %llu}", (unsigned long long)v->size);
		first = 0;
	}
	strbuf_addstr(sb, "}, ");
	put_hash(sb, "hash", f->hash);
	strbuf_addf(sb, ", \"immutable\": %s, \"mtime\": %lld, \"path\": ",
		    f->flags & FACT_IMMUTABLE ? "true" : "false", (long long)f->mtime);
	json_put_string(sb, f->path);
	strbuf_addf(sb, ", \"size\": %llu, \"type\": ", (unsigned long long)f->size);
	json_put_string(sb, f->type ? f->type : "");
	strbuf_addch(sb, '}');
}

/*
 * Streamed, not built as a DOM: a 50,000-file tree would otherwise cost
 * hundreds of MB.  One fact per line, which tree_index_load() relies on.
 */
int tree_index_write(const struct tree_index *ti, const char *root)
{
	struct strbuf out = STRBUF_INIT, path = STRBUF_INIT;
	char hex[HASH_HEX_LEN + 1] = "";
	int r;

	strbuf_addstr(&out, TREE_INDEX_HEAD);
	for (size_t i = 0; i < ti->n; i++) {
		put_fact(&out, &ti->v[i]);
		strbuf_addstr(&out, i + 1 < ti->n ? ",\n" : "\n");
	}
	if (ti->manifest_hash)
		hash_hex(ti->manifest_hash, hex);
	strbuf_addf(&out, "], \"manifest\": \"%s\", \"version\": %d}\n", hex,
		    TREE_INDEX_VERSION);
	strbuf_addf(&path, "%s/%s", root, TREE_INDEX_NAME);
	r = atomic_write_file(path.buf, out.buf, out.len, 0644);
	strbuf_release(&out);
	strbuf_release(&path);
	return r;
}

int tree_index_matches(const char *root, uint64_t manifest_hash)
{
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	char head[sizeof(TREE_INDEX_HEAD) - 1], tail[128], hex[HASH_HEX_LEN + 1] = "";
	struct stat st;
	int fd, ok = 0;

	strbuf_addf(&path, "%s/%s", root, TREE_INDEX_NAME);
	if (manifest_hash)
		hash_hex(manifest_hash, hex);
	strbuf_addf(&want, "\"manifest\": \"%s\", \"version\": %d}\n", hex,
		    TREE_INDEX_VERSION);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 &&
	    (size_t)st.st_size >= sizeof(head) + want.len && want.len <= sizeof(tail) &&
	    pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    pread(fd, tail, want.len, st.st_size - (off_t)want.len) == (ssize_t)want.len)
		ok = !memcmp(head, TREE_INDEX_HEAD, sizeof(head)) &&
		     !memcmp(tail, want.buf, want.len);
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	strbuf_release(&want);
	return ok;
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

/* A type goes verbatim into every response: no control bytes, bounded. */
static int header_safe(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 0;
	return n > 0 && n < 256;
}

static int delta_cmp(const void *a, const void *b)
{
	return memcmp(((const struct file_delta *)a)->dict_sha,
		      ((const struct file_delta *)b)->dict_sha, TREE_SHA256_LEN);
}

void tree_fact_sort_deltas(struct file_fact *f)
{
	if (f->ndcz > 1)
		qsort(f->dcz, f->ndcz, sizeof(f->dcz[0]), delta_cmp);
}

/* "dcz": an array of at most TREE_DCZ_MAX deltas, each dictionary once,
 * none of them for a file that is not immutable (only a hashed name has
 * versions a browser can hold).  0, or -1. */
static int deltas_from_json(json_t *arr, struct file_fact *f)
{
	size_t n = json_array_size(arr);

	if (!arr)
		return 0;
	if (!json_is_array(arr) || n > TREE_DCZ_MAX || !(f->flags & FACT_IMMUTABLE))
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(arr, i);
		const char *sha = json_string_value(json_object_get(d, "dictionary"));
		struct file_delta *fd = &f->dcz[i];

		if (!sha || parse_hex_bytes(sha, fd->dict_sha, TREE_SHA256_LEN) ||
		    json_u64(d, "size", &fd->size) || json_hash(d, "hash", &fd->hash) ||
		    fd->size == 0)
			return -1;
	}
	f->ndcz = (unsigned)n;
	tree_fact_sort_deltas(f);
	for (unsigned i = 1; i < f->ndcz; i++)
		if (!delta_cmp(&f->dcz[i - 1], &f->dcz[i]))
			return -1;
	return 0;
}

static int fact_from_json(json_t *o, struct tree_index *ti)
{
	const char *path = json_string_value(json_object_get(o, "path"));
	const char *type = json_string_value(json_object_get(o, "type"));
	json_t *encs = json_object_get(o, "encodings"), *mt;
	struct file_fact *f;

	if (!path || !type || path_check_relative(path) || !header_safe(type))
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
	return deltas_from_json(json_object_get(o, "dcz"), f);
}

/* A damaged index is a warning, not an error: every caller falls back
 * (serve and --upload scan the tree, collect writes a new one), and collect
 * exits non-zero whenever it printed an error. */
#define index_unusable(...) (log_warn(__VA_ARGS__), -1)

/* The closing line: "], "manifest": "...", "version": N}". */
static int parse_trailer(const char *line, const char *file, struct tree_index *ti)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;
	json_t *doc;
	const char *mh;
	int r = 0;

	if (strncmp(line, "], ", 3))
		return index_unusable("%s: not a staticroot index (bad last line)", file);
	/* "{" + the rest is an object of the document's remaining members. */
	strbuf_addf(&sb, "{%s", line + 3);
	doc = json_loads(sb.buf, 0, &err);
	strbuf_release(&sb);
	if (!doc)
		return index_unusable("%s: not a staticroot index: %s", file, err.text);
	mh = json_string_value(json_object_get(doc, "manifest"));
	if (json_integer_value(json_object_get(doc, "version")) != TREE_INDEX_VERSION)
		r = index_unusable("%s: unsupported index version", file);
	else if (!mh || (*mh && hash_parse_hex(mh, &ti->manifest_hash)))
		r = index_unusable("%s: bad manifest hash", file);
	json_decref(doc);
	return r;
}

/* Parses the text tree_index_write() wrote, one small DOM per line. */
static int tree_index_parse(char *text, const char *file, struct tree_index *ti)
{
	char *line = text, *next;
	size_t n = 0;

	if (strncmp(text, TREE_INDEX_HEAD, strlen(TREE_INDEX_HEAD)))
		return index_unusable("%s: not a staticroot index", file);
	for (line += strlen(TREE_INDEX_HEAD); *line; line = next) {
		json_error_t err;
		json_t *v;
		size_t len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (*line == ']')
			return parse_trailer(line, file, ti);
		len = (size_t)(next - line);
		if (len >= 2 && line[len - 2] == ',')
			len -= 2;
		v = json_loadb(line, len, 0, &err);
		if (!v || fact_from_json(v, ti) < 0) {
			json_decref(v);
			return index_unusable("%s: invalid entry #%zu", file, n + 1);
		}
		json_decref(v);
		n++;
	}
	return index_unusable("%s: truncated index", file);
}

int tree_index_load(const char *root, struct tree_index *ti)
{
	return tree_index_load_at(AT_FDCWD, root, ti);
}

int tree_index_load_at(int dirfd, const char *root, struct tree_index *ti)
{
	struct strbuf path = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	int r;

	strbuf_addf(&path, "%s/%s", root, TREE_INDEX_NAME);
	/* AT_FDCWD: the path as given (root may be relative). */
	r = strbuf_read_file_at(&text, dirfd, dirfd == AT_FDCWD ? path.buf : TREE_INDEX_NAME);
	if (r == -ENOENT)
		r = 1;
	else if (r < 0)
		r = index_unusable("cannot read %s: %s", path.buf, strerror(-r));
	else if ((r = tree_index_parse(text.buf, path.buf, ti)) == 0)
		tree_index_sort(ti);
	if (r < 0)
		tree_index_release(ti);
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

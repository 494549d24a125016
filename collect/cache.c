/* cache.c: reads and writes the incremental cache (tab-separated lines, escaped names). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hash.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_MAGIC "staticroot-cache 1"
#define CACHE_MAX ((size_t)1 << 30)
#define MAX_FIELDS 64

/* Undoes escape(): "\\t" "\\n" "\\\\" in place.  -1 on a bad escape. */
static int unescape(char *s)
{
	char *w;

	if (!(s = strchr(s, '\\')))
		return 0;
	w = s;
	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == 't')
			*w++ = '\t';
		else if (*s == 'n')
			*w++ = '\n';
		else if (*s == '\\')
			*w++ = '\\';
		else
			return -1;
	}
	*w = '\0';
	return 0;
}

static void escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\t')
			strbuf_addstr(sb, "\\t");
		else if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else if (*s == '\\')
			strbuf_addstr(sb, "\\\\");
		else
			strbuf_addch(sb, *s);
	}
}

/* A decimal number, "-" allowed (mtimes before 1970 wrap like strtoull's).
 * Hand-rolled: tens of thousands per load, strtoull was a tenth of it. */
static int num(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int neg = *s == '-';

	s += neg;
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 0;
}

static int parse_src(char **f, size_t n, struct cache *c)
{
	struct cache_src s;
	uint64_t mt;

	if (n != 7 || unescape(f[1]) || num(f[2], &s.size) || num(f[3], &mt) ||
	    num(f[4], &s.ino) || num(f[5], &s.dev) || hash_parse_hex(f[6], &s.hash))
		return -1;
	s.path = f[1];
	s.mtime_ns = (int64_t)mt;
	c->src[c->nsrc++] = s;
	return 0;
}

/* "N name..." at f[0..n): a counted list of names.  -1 when malformed. */
static int parse_names(char **f, size_t n, const char ***out, size_t *count)
{
	uint64_t k;

	if (n < 1 || num(f[0], &k) || k > n - 1)
		return -1;
	*out = xcalloc(k + 1, sizeof(**out));
	*count = (size_t)k;
	for (size_t i = 0; i < k; i++) {
		if (unescape(f[1 + i]))
			return -1;
		(*out)[i] = f[1 + i];
	}
	return 0;
}

static int parse_rw(char **f, size_t n, struct cache *c)
{
	struct cache_rw *r = &c->rw[c->nrw];

	memset(r, 0, sizeof(*r));
	if (n < 7 || unescape(f[1]) || hash_parse_hex(f[2], &r->src_hash) ||
	    hash_parse_hex(f[3], &r->dep_sig) || hash_parse_hex(f[4], &r->final_hash))
		return -1;
	r->name = f[1];
	c->nrw++;  /* counted now so that clear_entries() frees its lists */
	if (parse_names(f + 5, n - 5, &r->deps, &r->ndeps) ||
	    parse_names(f + 6 + r->ndeps, n - 6 - r->ndeps, &r->missing, &r->nmissing) ||
	    6 + r->ndeps + 1 + r->nmissing != n)
		return -1;
	return 0;
}

/* "present size hash" of one encoding, as 3 fields. */
static int parse_enc(char **f, struct file_variant *v)
{
	uint64_t p;

	if (num(f[0], &p) || num(f[1], &v->size) || hash_parse_hex(f[2], &v->hash))
		return -1;
	v->present = p != 0;
	return 0;
}

static int parse_out(char **f, size_t n, struct cache *c)
{
	struct cache_out o = { 0 };
	uint64_t mt, flags;

	if (n != 8 + 3 * ENC_COUNT || unescape(f[1]) || num(f[2], &o.fact.size) ||
	    num(f[3], &mt) || num(f[4], &o.ino) || hash_parse_hex(f[5], &o.fact.hash) ||
	    unescape(f[6]) || num(f[7], &flags))
		return -1;
	for (int e = 0; e < ENC_COUNT; e++)
		if (parse_enc(f + 8 + 3 * e, &o.fact.enc[e]))
			return -1;
	o.fact.path = f[1];
	o.fact.type = f[6];
	o.fact.flags = (unsigned)flags;
	o.mtime_ns = (int64_t)mt;
	o.current = f[0][0] == 'F';
	c->ncurrent += o.current;
	o.fact.mtime = o.mtime_ns / 1000000000;
	c->out[c->nout++] = o;
	return 0;
}

static int cmp_src(const void *a, const void *b)
{
	return strcmp(((const struct cache_src *)a)->path, ((const struct cache_src *)b)->path);
}

static int cmp_rw(const void *a, const void *b)
{
	return strcmp(((const struct cache_rw *)a)->name, ((const struct cache_rw *)b)->name);
}

static int cmp_out(const void *a, const void *b)
{
	return strcmp(((const struct cache_out *)a)->fact.path,
		      ((const struct cache_out *)b)->fact.path);
}

/* The cache is written in order: checking is cheaper than sorting. */
static void sort_unless_sorted(void *v, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	const char *p = v;

	for (size_t i = 1; i < n; i++) {
		if (cmp(p + (i - 1) * size, p + i * size) > 0) {
			qsort(v, n, size, cmp);
			return;
		}
	}
}

/* Splits line at tabs into fields, in one pass: the first MAX_FIELDS in
 * small, and all of them in an allocated array when there are more. */
static int parse_line(char *line, struct cache *c, int valid)
{
	char *small[MAX_FIELDS], **f = small, *p = line;
	size_t n = 0, room = MAX_FIELDS;
	int rc = -1;

	f[n++] = line;
	while ((p = strchr(p, '\t'))) {
		*p++ = '\0';
		if (n == room) {
			size_t more = 1;

			for (const char *q = p; (q = strchr(q, '\t')); q++)
				more++;
			f = xmalloc((room + more) * sizeof(*f));
			memcpy(f, small, n * sizeof(*f));
			room += more;
		}
		f[n++] = p;
	}
	if (f[0][0] && !f[0][1]) {
		switch (f[0][0]) {
		case 'S': rc = parse_src(f, n, c); break;
		case 'R': rc = valid ? parse_rw(f, n, c) : 0; break;
		case 'F':
		case 'O': rc = valid ? parse_out(f, n, c) : 0; break;
		}
	}
	if (f != small)
		free(f);
	return rc;
}

static void clear_entries(struct cache *c)
{
	for (size_t i = 0; i < c->nrw; i++) {
		free(c->rw[i].deps);
		free(c->rw[i].missing);
	}
	c->nsrc = c->nrw = c->nout = c->ncurrent = 0;
	c->valid = 0;
}

/* Parses buf (NUL-terminated, owned by c).  -1 when malformed. */
static int parse(struct cache *c, size_t len, uint64_t settings)
{
	char *p = c->buf, *nl, magic[64];
	size_t count[3] = { 0 };  /* lines of each record type: S, R, F/O */

	for (const char *q = c->buf; q; q = memchr(q, '\n', len - (size_t)(q - c->buf))) {
		if (*q == '\n')
			q++;
		count[0] += *q == 'S';
		count[1] += *q == 'R';
		count[2] += *q == 'F' || *q == 'O';
		if (q >= c->buf + len)
			break;
	}
	c->src = xcalloc(count[0] + 1, sizeof(*c->src));
	c->rw = xcalloc(count[1] + 1, sizeof(*c->rw));
	c->out = xcalloc(count[2] + 1, sizeof(*c->out));
	nl = strchr(p, '\n');
	if (!nl)
		return -1;
	*nl = '\0';
	hash_hex(settings, magic + snprintf(magic, 32, "%s\t", CACHE_MAGIC));
	if (strncmp(p, CACHE_MAGIC "\t", sizeof(CACHE_MAGIC)))
		return -1;
	c->valid = !strcmp(p, magic);
	for (p = nl + 1; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			return -1;
		*nl = '\0';
		if (parse_line(p, c, c->valid))
			return -1;
	}
	return 0;
}

void cache_load(struct cache *c, const char *root, uint64_t settings)
{
	struct strbuf sb;
	char *path = xmalloc(strlen(root) + sizeof(CACHE_NAME) + 2);
	size_t len;

	memset(c, 0, sizeof(*c));
	strbuf_init(&sb, CACHE_MAX);
	sprintf(path, "%s/%s", root, CACHE_NAME);
	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		free(path);
		return;
	}
	free(path);
	c->raw_hash = hash_bytes(sb.buf, sb.len);
	c->buf = strbuf_detach(&sb, &len);
	if (parse(c, len, settings) < 0)
		clear_entries(c);
	sort_unless_sorted(c->src, c->nsrc, sizeof(*c->src), cmp_src);
	sort_unless_sorted(c->rw, c->nrw, sizeof(*c->rw), cmp_rw);
	sort_unless_sorted(c->out, c->nout, sizeof(*c->out), cmp_out);
}

void cache_release(struct cache *c)
{
	clear_entries(c);
	free(c->src);
	free(c->rw);
	free(c->out);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* Binary search over an array of elements whose first field is... not
 * shared, so each lookup passes its own key getter. */
#define BSEARCH(arr, n, keyexpr, key) do { \
	size_t lo_ = 0, hi_ = (n); \
	while (lo_ < hi_) { \
		size_t mid_ = lo_ + (hi_ - lo_) / 2; \
		int c_ = strcmp((arr)[mid_] keyexpr, (key)); \
		if (!c_) \
			return &(arr)[mid_]; \
		if (c_ < 0) \
			lo_ = mid_ + 1; \
		else \
			hi_ = mid_; \
	} \
	return NULL; \
} while (0)

const struct cache_src *cache_find_src(const struct cache *c, const char *path)
{
	BSEARCH(c->src, c->nsrc, .path, path);
}

const struct cache_rw *cache_find_rw(const struct cache *c, const char *name)
{
	BSEARCH(c->rw, c->nrw, .name, name);
}

const struct cache_out *cache_find_out(const struct cache *c, const char *path)
{
	BSEARCH(c->out, c->nout, .fact.path, path);
}

static void add_hex(struct strbuf *sb, uint64_t h)
{
	char hex[HASH_HEX_LEN + 1];

	hash_hex(h, hex);
	strbuf_addch(sb, '\t');
	strbuf_add(sb, hex, HASH_HEX_LEN);
}

void cache_begin(struct strbuf *sb, uint64_t settings)
{
	strbuf_addstr(sb, CACHE_MAGIC);
	add_hex(sb, settings);
	strbuf_addch(sb, '\n');
}

void cache_add_src(struct strbuf *sb, const struct cache_src *s)
{
	strbuf_addstr(sb, "S\t");
	escape(sb, s->path);
	strbuf_addf(sb, "\t%" PRIu64 "\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64,
		    s->size, s->mtime_ns, s->ino, s->dev);
	add_hex(sb, s->hash);
	strbuf_addch(sb, '\n');
}

void cache_add_rw(struct strbuf *sb, const char *name, uint64_t src_hash,
		  uint64_t dep_sig, uint64_t final_hash, const char *const *deps, size_t ndeps,
		  char *const *missing, size_t nmissing)
{
	strbuf_addstr(sb, "R\t");
	escape(sb, name);
	add_hex(sb, src_hash);
	add_hex(sb, dep_sig);
	add_hex(sb, final_hash);
	strbuf_addf(sb, "\t%zu", ndeps);
	for (size_t i = 0; i < ndeps; i++) {
		strbuf_addch(sb, '\t');
		escape(sb, deps[i]);
	}
	strbuf_addf(sb, "\t%zu", nmissing);
	for (size_t i = 0; i < nmissing; i++) {
		strbuf_addch(sb, '\t');
		escape(sb, missing[i]);
	}
	strbuf_addch(sb, '\n');
}

void cache_add_out(struct strbuf *sb, const struct cache_out *o)
{
	strbuf_addstr(sb, o->current ? "F\t" : "O\t");
	escape(sb, o->fact.path);
	strbuf_addf(sb, "\t%" PRIu64 "\t%" PRId64 "\t%" PRIu64, o->fact.size, o->mtime_ns, o->ino);
	add_hex(sb, o->fact.hash);
	strbuf_addch(sb, '\t');
	escape(sb, o->fact.type ? o->fact.type : "");
	strbuf_addf(sb, "\t%u", o->fact.flags);
	for (int e = 0; e < ENC_COUNT; e++) {
		strbuf_addf(sb, "\t%d\t%" PRIu64, o->fact.enc[e].present, o->fact.enc[e].size);
		add_hex(sb, o->fact.enc[e].hash);
	}
	strbuf_addch(sb, '\n');
}

/* tree_scan.c: builds the per-file facts of a tree that has no index of ours. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "mime.h"
#include "strbuf.h"
#include "tree_index.h"
#include "xalloc.h"

#define SCAN_MAX_DEPTH 64
#define SNIFF_BYTES 4096

struct scan {
	const char *root;
	char *real_root; /* realpath of root, for symlink containment */
	int follow_symlinks;
	void *magic;
	struct tree_index *ti;
	/* The directories being walked, to refuse a link back into one. */
	dev_t chain_dev[SCAN_MAX_DEPTH + 2];
	ino_t chain_ino[SCAN_MAX_DEPTH + 2];
};

/* Whether a symlinked path stays inside the root once resolved. */
static int link_stays_inside(const struct scan *sc, const char *full)
{
	char *real = realpath(full, NULL);
	size_t n = strlen(sc->real_root);
	int inside;

	if (!real)
		return 0;
	inside = !strncmp(real, sc->real_root, n) && (real[n] == '/' || !real[n]);
	free(real);
	return inside;
}

static int scan_file(struct scan *sc, const char *rel, const char *full)
{
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	struct file_fact *f;
	const char *type;
	char sniffed[MIME_TYPE_MAX], head[SNIFF_BYTES];
	struct stat st;
	ssize_t n;
	int r;

	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		/* one file its user may not read must not keep a server down */
		log_warn("skipping %s: %s", full, strerror(errno));
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = log_error("cannot read %s: %s", full, strerror(errno));
		goto out;
	}
	f = tree_index_add(sc->ti, rel);
	f->size = (uint64_t)st.st_size;
	f->mtime = st.st_mtime;
	type = mime_from_path(rel);
	if (!type) {
		n = pread(fd, head, sizeof(head), 0);
		mime_sniff(sc->magic, head, n > 0 ? (size_t)n : 0, sniffed);
		type = sniffed;
	}
	f->type = xstrdup(type);
	r = hash_fd(fd, &f->hash);
	if (r < 0)
		r = log_error("cannot read %s: %s", full, strerror(-r));
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int scan_dir(struct scan *sc, struct strbuf *rel, int depth,
		    const struct stat *st);

/* Whether directory st is already being walked (a symlink loop). */
static int in_chain(const struct scan *sc, int depth, const struct stat *st)
{
	for (int i = 0; i <= depth; i++)
		if (sc->chain_dev[i] == st->st_dev && sc->chain_ino[i] == st->st_ino)
			return 1;
	return 0;
}

/* One directory entry: recurse, record, or skip. */
static int scan_entry(struct scan *sc, struct strbuf *rel, const char *name,
		      int depth)
{
	size_t keep = rel->len;
	struct strbuf full = STRBUF_INIT;
	struct stat st;
	int r = 0;

	if (name[0] == '.')
		return 0; /* dotfiles and our own index are never served */
	/* Nor the manifest: the contract, not an asset.  collect's index never
	 * lists it, so a tree Django wrote gets the same 404. */
	if (!rel->len && !strcmp(name, MANIFEST_NAME))
		return 0;
	if (rel->len)
		strbuf_addch(rel, '/');
	strbuf_addstr(rel, name);
	strbuf_addf(&full, "%s/%s", sc->root, rel->buf);
	if (lstat(full.buf, &st) < 0)
		goto out;
	if (S_ISLNK(st.st_mode)) {
		if (!sc->follow_symlinks && !link_stays_inside(sc, full.buf))
			goto out;
		if (stat(full.buf, &st) < 0) /* dangling: nothing to serve */
			goto out;
	}
	if (S_ISDIR(st.st_mode) && !in_chain(sc, depth, &st))
		r = scan_dir(sc, rel, depth + 1, &st);
	else if (S_ISREG(st.st_mode))
		r = scan_file(sc, rel->buf, full.buf);
out:
	strbuf_release(&full);
	strbuf_setlen(rel, keep);
	return r;
}

static int scan_dir(struct scan *sc, struct strbuf *rel, int depth,
		    const struct stat *st)
{
	struct strbuf full = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > SCAN_MAX_DEPTH)
		return log_error("%s/%s: directories nested too deep", sc->root, rel->buf);
	sc->chain_dev[depth] = st->st_dev;
	sc->chain_ino[depth] = st->st_ino;
	strbuf_addf(&full, "%s/%s", sc->root, rel->buf);
	d = opendir(full.buf);
	if (!d) {
		if (depth > 0 && (errno == EACCES || errno == EPERM))
			log_warn("skipping %s: %s", full.buf, strerror(errno));
		else
			r = log_error("cannot open directory %s: %s", full.buf, strerror(errno));
		goto out;
	}
	while (!r && (de = readdir(d)))
		r = scan_entry(sc, rel, de->d_name, depth);
	closedir(d);
out:
	strbuf_release(&full);
	return r;
}

/* Whether fact v is PATH + an encoding suffix of a listed PATH; records it. */
static int fold_variant(struct tree_index *ti, const struct file_fact *v)
{
	size_t n;
	int e = tree_enc_of_name(v->path, &n);
	struct file_fact *base;
	char *stem;

	/* A delta of ours beside its file is not a file of its own; without
	 * the index naming it, it is not served at all. */
	if (e < 0 && tree_is_delta_name(v->path)) {
		n = strlen(v->path) - TREE_DCZ_NAME_HEX - 1 - strlen(TREE_DCZ_SUFFIX);
		stem = xstrndup(v->path, n);
		base = (struct file_fact *)tree_index_find(ti, stem);
		free(stem);
		return base != NULL;
	}
	if (e < 0)
		return 0;
	stem = xstrndup(v->path, n);
	base = (struct file_fact *)tree_index_find(ti, stem);
	free(stem);
	if (!base)
		return 0;
	base->enc[e] = (struct file_variant){ 1, v->size, v->hash };
	return 1;
}

/*
 * Turns PATH.br / PATH.zst / PATH.gz entries into variants of PATH (and
 * drops PATH.<hex>.dcz deltas: the scan cannot vouch for them).  Folded
 * entries are only marked during the pass: tree_index_find() still needs
 * every path while it runs.
 */
static void scan_fold_variants(struct tree_index *ti, const struct manifest *m)
{
	char *drop;
	size_t w = 0;

	tree_index_sort(ti);
	drop = xcalloc(ti->n ? ti->n : 1, 1);
	for (size_t i = 0; i < ti->n; i++) {
		drop[i] = (char)fold_variant(ti, &ti->v[i]);
		/* A manifest key is a source of its own (Django collects htmx's
		 * dist/htmx.min.js.gz beside htmx.min.js): its URL stays a file. */
		if (drop[i] && m && manifest_lookup(m, ti->v[i].path))
			drop[i] = 0;
	}
	for (size_t i = 0; i < ti->n; i++) {
		if (drop[i]) {
			free(ti->v[i].path);
			free(ti->v[i].type);
		} else {
			ti->v[w++] = ti->v[i];
		}
	}
	ti->n = w;
	free(drop);
}

int tree_index_scan(const char *root, const struct manifest *m,
		    int follow_symlinks, struct tree_index *ti)
{
	struct scan sc = { root, NULL, follow_symlinks, NULL, ti, { 0 }, { 0 } };
	struct strbuf rel = STRBUF_INIT;
	struct stat st;
	int r = -1;

	sc.real_root = realpath(root, NULL);
	if (!sc.real_root || stat(sc.real_root, &st) < 0) {
		free(sc.real_root);
		return log_error("cannot open %s: %s", root, strerror(errno));
	}
	sc.magic = mime_magic_open();
	if (!sc.magic)
		goto out;
	r = scan_dir(&sc, &rel, 0, &st);
	if (r < 0)
		goto out;
	scan_fold_variants(ti, m);
	tree_index_mark_immutable(ti, m);
out:
	mime_magic_close(sc.magic);
	free(sc.real_root);
	strbuf_release(&rel);
	if (r < 0)
		tree_index_release(ti);
	return r;
}

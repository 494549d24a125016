/* pipeline.c: runs the phases of a collect in order, under a lock on the output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "bundle.h"
#include "clear.h"
#include "commit.h"
#include "delta.h"
#include "django.h"
#include "durable.h"
#include "generation.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "manifest_history.h"
#include "mime.h"
#include "options.h"
#include "path.h"
#include "pipeline.h"
#include "prepare.h"
#include "progress.h"
#include "prompt.h"
#include "prune.h"
#include "rewrite.h"
#include "run.h"
#include "sources.h"
#include "strbuf.h"
#include "template_check.h"
#include "writer.h"
#include "tempfile.h"
#include "xalloc.h"

char *pipeline_abspath(const char *path)
{
	char cwd[4096];
	char *p;
	size_t n;
	ssize_t len;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	n = strlen(cwd) + strlen(path) + 2;
	p = xmalloc(n);
	snprintf(p, n, "%s/%s", cwd, path);
	len = path_normalize(p + 1, strlen(p + 1));
	if (len < 0) {
		snprintf(p, n, "%s/%s", cwd, path);
		return p;
	}
	return p;
}

/* Hash of every option that changes what is written, and of the version
 * of the reference scanners (cached scans are reused while it holds: bump
 * SCAN_VERSION when they find other references in the same bytes). */
#define SCAN_VERSION 2
static uint64_t settings_hash(const struct options *o)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h;

	strbuf_addf(&sb, "%d|%s|%d|%d|%u|%d|%d|%d|%d|%d", SCAN_VERSION, o->static_url, o->js_modules,
		    o->allow_missing, o->compress, o->brotli_quality, o->no_post_process,
		    o->link, o->compress_level, o->dictionary_versions);
	h = hash_bytes(sb.buf, sb.len);
	strbuf_release(&sb);
	return h;
}

/* Empties the mark directory (older versions staged files in it). */
static void empty_mark(const char *stage)
{
	DIR *d = opendir(stage);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Creates the output, takes the lock, removes what a killed run left beside
 * it.  Returns the lock's fd, or -1 after printing why. */
static int open_output(struct run *r)
{
	char *lock = xmalloc(strlen(r->root) + sizeof(LOCK_NAME) + 2);
	int rc, fd;

	if ((rc = mkdir_p(r->root, 0755)) < 0) {
		free(lock);
		return log_error("cannot create %s: %s", r->root, strerror(-rc));
	}
	sprintf(lock, "%s/%s", r->root, LOCK_NAME);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	if (fd < 0)
		return log_error("cannot write in %s: %s", r->root, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return log_error("%s is in use by another collect", r->root);
	}
	generation_tidy(r->root);
	/* An in-place update died here: the index must be matched to the
	 * disk.  The mark stays until a run has done so. */
	if (access(r->mark, F_OK) == 0)
		r->reconcile = 1;
	/* Nothing but the lock: no earlier output to check or protect. */
	r->fresh = dir_non_empty(r->root, LOCK_NAME) == 0;
	return fd;
}

/* --archive: this run's files (both names, variants, manifest), reproducibly. */
static int write_bundle(struct run *r)
{
	struct strlist paths = { 0 };
	int rc;

	for (size_t i = 0; i < r->fs.n; i++) {
		const struct cfile *f = &r->fs.v[i];
		const struct out_state *os[2] = { &f->orig, &f->hash };

		for (int k = 0; k < (r->o->no_post_process ? 1 : 2); k++) {
			strlist_add(&paths, os[k]->fact.path);
			for (int e = 0; e < ENC_COUNT; e++) {
				char *p;

				if (!os[k]->fact.enc[e].present)
					continue;
				p = xmalloc(strlen(os[k]->fact.path) + 8);
				sprintf(p, "%s%s", os[k]->fact.path, tree_enc_suffix[e]);
				strlist_add_nodup(&paths, p);
			}
		}
	}
	if (!r->o->no_post_process)
		strlist_add(&paths, MANIFEST_NAME);
	rc = bundle_write(r->root, paths.v, paths.n, r->o->archive);
	strlist_release(&paths);
	return rc;
}

static void summary(struct run *r)
{
	size_t copied = atomic_load(&r->copied), unmod = atomic_load(&r->unmodified);
	size_t post = atomic_load(&r->post_processed);
	char extra[96] = "";
	size_t n = 0;

	if (unmod)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, ", %zu unmodified", unmod);
	if (post)
		snprintf(extra + n, sizeof(extra) - n, ", %zu post-processed", post);
	log_info(1, "\n%zu static file%s %s to '%s'%s.", copied, copied == 1 ? "" : "s",
		 r->o->link ? "symlinked" : "copied", r->root_abs, extra);
}

/* --clear --dry-run: what a real run would delete, like Django says it. */
static void pretend_clear(struct run *r)
{
	struct strlist keep = { 0 };

	if (access(r->root, F_OK) != 0)
		return;
	for (size_t i = 0; i < r->fs.n; i++) {
		strlist_add(&keep, r->fs.v[i].name);
		if (r->fs.v[i].hashed && !r->o->no_post_process)
			strlist_add(&keep, r->fs.v[i].hashed);
	}
	clear_outputs(r->root, &keep, 1);
	if (r->o->no_post_process)
		clear_manifest(r->root, 1);
	strlist_release(&keep);
}

/* Prints how long the phase that just ended took, at -v 3. */
static void lap(const char *phase, struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	log_info(3, "%s: %.1f ms", phase, (double)(t.tv_sec - t0->tv_sec) * 1e3 +
		 (double)(t.tv_nsec - t0->tv_nsec) / 1e6);
	*t0 = t;
}

static void *load_cache(void *arg)
{
	struct run *r = arg;

	cache_load(&r->cache, r->root, r->settings);
	return NULL;
}

/* Writes the new generation and makes it the output.  0, or -1 after
 * printing why (then the output is the previous generation, whole). */
static int publish(struct run *r, struct timespec *t0)
{
	int sync = !r->o->no_fsync, rc = -1;
	struct generation g;

	if (generation_begin(&g, r->root) < 0)
		return -1;
	lap("generation", t0);
	r->out = generation_dir(&g);
	stage_init(&r->stage, g.mode == GEN_IN_PLACE && !r->fresh);
	if (g.mode == GEN_IN_PLACE && mkdir(r->mark, 0700) != 0 && errno != EEXIST) {
		log_error("cannot write in %s: %s", r->root, strerror(errno));
		goto out;
	}
	if (r->o->clear && !r->fresh)
		clear_in_the_way(r->out, &r->fs, !r->o->no_post_process);
	if (write_files(r) < 0)
		goto out;
	lap("write", t0);
	if (delta_files(r) < 0)
		goto out;
	lap("deltas", t0);
	/* The data first: a manifest must never reach the disk before the
	 * files it names. */
	if (sync && durable_sync(&r->durable, r->out, r->root, r->nthreads) < 0)
		goto out;
	if (g.mode == GEN_IN_PLACE && sync && durable_sync_dirs(r->out) < 0)
		goto out;
	lap("sync", t0);
	/* The manifest's copy for --prune belongs to the generation too:
	 * recorded in the live tree after the switch, a failure there would
	 * exit 1 with the new generation live. */
	if (commit_files(r) < 0 || delta_commit(r) < 0 || history_record(r->out) < 0)
		goto out;
	/* --prune edits the generation being published, not the live one. */
	if (r->o->prune && prune_local_in(r->o, r->out) < 0)
		goto out;
	/* The cache's eviction and report allocate: before the switch, so
	 * that a failure there exits with the previous generation live. */
	encoder_finish(&r->enc);
	if (generation_switch(&g, sync) < 0)
		goto out;
	lap("commit", t0);
	if (g.mode == GEN_IN_PLACE) {
		empty_mark(r->mark);
		rmdir(r->mark);
	}
	rc = 0;
out:
	stage_release(&r->stage, r->out);
	r->out = r->root;
	generation_end(&g);
	lap("cleanup", t0);
	return rc;
}

static int run_phases(struct run *r)
{
	struct timespec t0;

	pthread_t loader;
	int threaded, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Reading the cache and walking the sources overlap. */
	threaded = pthread_create(&loader, NULL, load_cache, r) == 0;
	if (!threaded)
		load_cache(r);
	rc = sources_gather(r->o, &r->fs);
	if (threaded)
		pthread_join(loader, NULL);
	lap("cache+gather", &t0);
	if (rc < 0)
		return -1;
	/* A {% static %} naming no collected file is a 500 in production:
	 * caught before anything is written. */
	if (r->o->django && template_check(&r->o->django->template_dirs,
					   &r->o->django->jinja2_dirs, &r->fs,
					   r->o->allow_missing) < 0)
		return -1;
	lap("templates", &t0);
	if (prepare_files(r) < 0)
		return -1;
	lap("hash+scan", &t0);
	if (!r->o->no_post_process && rewrite_files(r) < 0)
		return -1;
	lap("rewrite", &t0);
	if (check_files(r) < 0)
		return -1;
	lap("check", &t0);
	if (r->o->dry_run) {
		if (r->o->clear)
			pretend_clear(r);
		return 0;
	}
	if (commit_settled(r)) {
		/* A no-op: nothing built, nothing switched. */
		if (!r->stamps.valid)  /* an output from before the record existed */
			dirstamp_write(r->root, &r->fs, r->cache.raw_hash);
		history_adopt(r->root);
		/* Under the lock this run holds: a generation of its own when
		 * anything goes. */
		if (r->o->prune && prune_local_locked(r->o) < 0)
			return -1;
	} else if (publish(r, &t0) < 0) {
		return -1;
	}
	if (r->o->archive && write_bundle(r) < 0)
		return -1;
	return 0;
}

int pipeline_run(const struct options *o)
{
	struct run r = { .o = o, .root = o->output, .out = o->output };
	int lock = -1, rc;

	tempfile_durable = !o->no_fsync;
	r.root_abs = pipeline_abspath(o->output);
	r.mark = xstrcat3(o->output, "/", STAGE_NAME);
	r.nthreads = (unsigned)o->jobs;
	r.magic = xcalloc(r.nthreads, sizeof(*r.magic));
	r.dirs = xcalloc(r.nthreads, sizeof(*r.dirs));
	r.settings = settings_hash(o);
	r.pid = (long)getpid();
	tree_index_init(&r.old_index);
	durable_init(&r.durable);
	progress_init(o->verbosity);
	encoder_init(&r.enc, o);
	if (!o->dry_run && (lock = open_output(&r)) < 0) {
		rc = -1;
		goto out;
	}
	rc = run_phases(&r);
	encoder_finish(&r.enc);
	if (!rc)
		summary(&r);
out:
	if (lock >= 0)
		close(lock);
	for (unsigned t = 0; t < r.nthreads; t++)
		if (r.magic[t])
			mime_magic_close(r.magic[t]);
	free(r.magic);
	for (unsigned t = 0; t < r.nthreads; t++)
		dircache_release(&r.dirs[t]);
	free(r.dirs);
	dirstamp_release(&r.stamps);
	fileset_release(&r.fs);
	cache_release(&r.cache);
	encoder_release(&r.enc);
	tree_index_release(&r.old_index);
	dict_history_release(&r.history);
	strlist_release(&r.stale_deltas);
	strlist_release(&r.strings);
	free(r.leader);
	free(r.root_abs);
	free(r.mark);
	durable_release(&r.durable);
	return rc;
}

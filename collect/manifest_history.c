/* manifest_history.c: the published manifests a tree keeps for --prune (see manifest_history.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "atomicfile.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "manifest_history.h"
#include "strbuf.h"
#include "tempfile.h"
#include "xalloc.h"

#define STAMP_LEN 19 /* YYYYMMDDTHHMMSS.mmmZ without the Z: 15 + 4 */

void history_release(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].name);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

char *history_entry_name(uint64_t hash, long long t_ms)
{
	time_t t = (time_t)(t_ms / 1000);
	char stamp[32], hex[HASH_HEX_LEN + 1];
	struct tm tm;
	struct strbuf sb = STRBUF_INIT;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	hash_hex(hash, hex);
	strbuf_addf(&sb, "%s.%03lldZ-%s.json", stamp, t_ms % 1000, hex);
	return strbuf_detach(&sb, NULL);
}

/* Parses "<stamp>-<hash>.json"; 0 or -1. */
static int parse_name(const char *name, time_t *t, uint64_t *hash)
{
	struct tm tm = { 0 };
	const char *rest;

	if (strlen(name) != STAMP_LEN + 2 + HASH_HEX_LEN + 5)
		return -1;
	rest = strptime(name, "%Y%m%dT%H%M%S", &tm);
	if (!rest || strncmp(rest, ".", 1) || rest[4] != 'Z' || rest[5] != '-' ||
	    strcmp(rest + 6 + HASH_HEX_LEN, ".json"))
		return -1;
	{
		char hex[HASH_HEX_LEN + 1];

		memcpy(hex, rest + 6, HASH_HEX_LEN);
		hex[HASH_HEX_LEN] = '\0';
		if (hash_parse_hex(hex, hash))
			return -1;
	}
	*t = timegm(&tm);
	return 0;
}

void history_add_name(struct history *h, const char *name)
{
	struct history_entry *e;
	time_t t;
	uint64_t hash;

	if (parse_name(name, &t, &hash) < 0)
		return;
	XGROW(h->v, h->alloc, h->n + 1);
	e = &h->v[h->n++];
	e->name = xstrdup(name);
	e->time = t;
	e->hash = hash;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct history_entry *)a)->name,
		      ((const struct history_entry *)b)->name);
}

void history_sort(struct history *h)
{
	if (h->n)
		qsort(h->v, h->n, sizeof(h->v[0]), entry_cmp);
}

int history_load_local(const char *root, struct history *h)
{
	char *dir = xstrcat3(root, "/", HISTORY_DIR);
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(h, 0, sizeof(*h));
	if (!d) {
		int e = errno;

		free(dir);
		return e == ENOENT ? 0 : log_error("cannot read %s/%s: %s", root, HISTORY_DIR,
						   strerror(e));
	}
	while ((de = readdir(d)))
		history_add_name(h, de->d_name);
	closedir(d);
	free(dir);
	history_sort(h);
	return 0;
}

/* Writes bytes as root/HISTORY_DIR/name (a struct tempfile: whole or not
 * at all).  0, or -errno with the path that failed in path. */
static int write_entry(const char *root, const char *name, const struct strbuf *bytes,
		       struct strbuf *path)
{
	struct tempfile t;
	int rc;

	strbuf_reset(path);
	strbuf_addf(path, "%s/%s", root, HISTORY_DIR);
	if ((rc = mkdir_p(path->buf, 0755)) < 0)
		return rc;
	strbuf_addf(path, "/%s", name);
	if ((rc = tempfile_create(&t, path->buf, 0644)) < 0)
		return rc;
	if ((rc = tempfile_write(&t, bytes->buf, bytes->len)) < 0) {
		tempfile_discard(&t);
		return rc;
	}
	return tempfile_commit(&t, TEMPFILE_SYNC, NULL);
}

/* Keeps root's manifest unless the newest entry of h has its bytes.
 * 0, or -1 with why in err. */
static int record(const char *root, const struct history *h, struct strbuf *err)
{
	struct strbuf bytes = STRBUF_INIT, path = STRBUF_INIT;
	struct timespec ts;
	uint64_t hash;
	char *name;
	int rc;

	strbuf_addf(&path, "%s/%s", root, MANIFEST_NAME);
	rc = strbuf_read_file(&bytes, path.buf);
	if (rc < 0) {
		if (rc != -ENOENT)
			strbuf_addf(err, "cannot read %s: %s", path.buf, strerror(-rc));
		rc = rc == -ENOENT ? 0 : -1;
		goto out;
	}
	hash = hash_bytes(bytes.buf, bytes.len);
	rc = 0;
	if (h->n && h->v[h->n - 1].hash == hash)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	name = history_entry_name(hash, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if ((rc = write_entry(root, name, &bytes, &path)) < 0) {
		strbuf_addf(err, "cannot write %s: %s", path.buf, strerror(-rc));
		rc = -1;
	}
	free(name);
out:
	strbuf_release(&bytes);
	strbuf_release(&path);
	return rc;
}

int history_record(const char *root)
{
	struct strbuf err = STRBUF_INIT;
	struct history h;
	int rc = history_load_local(root, &h);

	if (rc == 0 && (rc = record(root, &h, &err)) < 0)
		log_error("%s", err.buf);
	history_release(&h);
	strbuf_release(&err);
	return rc;
}

void history_adopt(const char *root)
{
	struct strbuf err = STRBUF_INIT;
	struct history none = { 0 };
	char *dir = xstrcat3(root, "/", HISTORY_DIR);
	struct stat st;

	if (lstat(dir, &st) != 0 && errno == ENOENT && record(root, &none, &err) < 0)
		log_warn("%s (the next run that publishes records it)", err.buf);
	free(dir);
	strbuf_release(&err);
}

void history_select(const struct history *h, size_t keep, time_t now, long grace,
		    unsigned char *keep_flags)
{
	time_t since = now - grace;

	memset(keep_flags, 0, h->n);
	for (size_t i = 0; i < h->n; i++) {
		int newest = h->n - i <= keep;
		/* Live at some time after `since`: published after it, or the
		 * last one published by then (live when the window opened).
		 * With no grace that is the newest alone. */
		int live_in_grace = h->v[i].time > since ||
				    i + 1 == h->n || h->v[i + 1].time > since;

		keep_flags[i] = newest || live_in_grace;
	}
}

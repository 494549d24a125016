/* stage.c: an in-place update's originals, written under temporary names and renamed over
 * their names once the manifest is committed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "stage.h"
#include "tempfile.h"
#include "xalloc.h"

void stage_init(struct stage *s, int on)
{
	memset(s, 0, sizeof(*s));
	s->on = on;
	pthread_mutex_init(&s->lock, NULL);
}

void stage_release(struct stage *s, const char *root)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].tmp) {
			char *p = xstrcat3(root, "/", s->v[i].tmp);

			unlink(p);
			free(p);
		}
		free(s->v[i].tmp);
		free(s->v[i].name);
	}
	free(s->v);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

char *stage_name(struct stage *s, const char *name)
{
	char buf[PATH_MAX], *dir;
	const char *slash = strrchr(name, '/');

	if (!s->on)
		return xstrdup(name);
	dir = slash ? xstrndup(name, (size_t)(slash - name)) : xstrdup(".");
	if (tempfile_name(buf, sizeof(buf), dir, slash ? slash + 1 : name) < 0) {
		free(dir);
		return xstrdup(name);  /* cannot stage it: the write fails on the name */
	}
	free(dir);
	return xstrdup(slash ? buf : buf + 2);  /* no "./" in a top-level name */
}

static void add(struct stage *s, char *tmp, const char *name)
{
	pthread_mutex_lock(&s->lock);
	XGROW(s->v, s->alloc, s->n + 1);
	s->v[s->n].tmp = tmp;
	s->v[s->n].name = xstrdup(name);
	s->n++;
	pthread_mutex_unlock(&s->lock);
}

void stage_written(struct stage *s, char *w, const char *name)
{
	if (!strcmp(w, name))
		free(w);
	else
		add(s, w, name);
}

void stage_remove(struct stage *s, const char *root, const char *name)
{
	char *p;

	if (s->on) {
		add(s, NULL, name);
		return;
	}
	p = xstrcat3(root, "/", name);
	if (unlink(p) != 0 && errno != ENOENT)
		log_warn("cannot remove stale %s: %s", p, strerror(errno));
	free(p);
}

int stage_apply(struct stage *s, const char *root, const char *label)
{
	int rc = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct stage_op *op = &s->v[i];
		char *to = xstrcat3(root, "/", op->name);

		if (!op->tmp) {
			if (unlink(to) != 0 && errno != ENOENT)
				log_warn("cannot remove stale %s/%s: %s", label, op->name,
					 strerror(errno));
		} else {
			char *from = xstrcat3(root, "/", op->tmp);

			/* The manifest is committed: place every other one even
			 * after a failure, the fewer names left behind. */
			if (rename(from, to) == 0) {
				free(op->tmp);
				op->tmp = NULL;  /* in place: nothing to remove */
			} else if (!rc) {
				rc = log_error("cannot write %s/%s: %s", label, op->name,
					       strerror(errno));
			}
			free(from);
		}
		free(to);
	}
	return rc;
}

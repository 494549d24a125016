/* resolve.c: turns the references found in a CSS/JS file into links to collected files. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "resolve.h"
#include "run.h"
#include "strbuf.h"
#include "xalloc.h"

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Reports a reference whose target is not collected; remembers the target
 * so that the cache notices when it appears. */
static void missing(struct run *r, struct cfile *f, const struct ref *ref,
		    const struct strbuf *target)
{
	const char *url = f->data + ref->off;
	const char *why = "not found";
	/* the reference as written, escaped: a file's bytes may hold anything */
	char *raw = xstrndup(url, ref->len), shown[LOG_NAME_MAX];

	if (target->len) {
		f->missing = xrealloc(f->missing, (f->nmissing + 1) * sizeof(*f->missing));
		f->missing[f->nmissing++] = xstrdup(target->buf);
	} else {
		why = refs_unresolved_why(url, ref->len, r->o->static_url);
	}
	log_name(raw, shown);
	if (ref->kind == REF_SOURCEMAP) {
		cfile_warn(f, "%s:%u: source map '%s' %s, left unchanged",
			   cfile_label(f), ref->line, shown, why);
	} else if (r->o->allow_missing) {
		cfile_warn(f, "%s:%u: reference '%s' %s, left unchanged",
			   cfile_label(f), ref->line, shown, why);
	} else {
		cfile_fail(f, "%s:%u: reference '%s' %s", cfile_label(f),
			   ref->line, shown, why);
	}
	free(raw);
}

/* Sorts deps, drops duplicates, notes a self-reference. */
static void finish_deps(struct cfile *f, size_t self)
{
	size_t out = 0;

	qsort(f->deps, f->ndeps, sizeof(*f->deps), cmp_size);
	for (size_t i = 0; i < f->ndeps; i++) {
		if (out && f->deps[out - 1] == f->deps[i])
			continue;
		if (f->deps[i] == self)
			f->flags |= CF_SELFREF;
		f->deps[out++] = f->deps[i];
	}
	f->ndeps = out;
}

int resolve_refs(struct run *r, struct cfile *f)
{
	struct ref_list rl = { 0 };
	struct strbuf target = STRBUF_INIT;
	size_t self = (size_t)(f - r->fs.v);

	if (f->flags & CF_CSS)
		refs_scan_css(f->data, f->len, &rl);
	else
		refs_scan_js(f->data, f->len, r->o->js_modules, &rl);
	free(f->rrefs);
	free(f->deps);
	for (size_t i = 0; i < f->nmissing; i++)
		free(f->missing[i]);
	free(f->missing);
	f->missing = NULL;
	f->nmissing = 0;
	f->rrefs = xcalloc(rl.n + 1, sizeof(*f->rrefs));
	f->deps = xcalloc(rl.n + 1, sizeof(*f->deps));
	f->nrrefs = f->ndeps = 0;
	for (size_t i = 0; i < rl.n; i++) {
		const struct ref *ref = &rl.v[i];
		struct rref rr = { ref->off, ref->len, ref->len, (size_t)-1 };

		strbuf_reset(&target);
		if (refs_resolve(f->name, f->data + ref->off, ref->len, r->o->static_url,
				 &target, &rr.suffix_off) == REF_EXTERNAL)
			continue;
		rr.target = target.len ? fileset_find(&r->fs, target.buf) : (size_t)-1;
		if (rr.target == (size_t)-1) {
			missing(r, f, ref, &target);
			continue;
		}
		f->rrefs[f->nrrefs++] = rr;
		f->deps[f->ndeps++] = rr.target;
	}
	finish_deps(f, self);
	f->scanned = 1;
	f->cached_rw = NULL;
	strbuf_release(&target);
	ref_list_release(&rl);
	return (f->flags & CF_FAILED) ? -1 : 0;
}

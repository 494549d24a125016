/* fuzz-sources: collect/refs*.c */
/* fuzz-corpus: css */
/*
 * fuzz_css_refs.c: libFuzzer target for the reference scanners (CSS and JS,
 * modules on), and for refs_resolve() and refs_rewrite() on every reference
 * they find.  Checks: no over-read (ASan), references inside the buffer and
 * in file order, resolved targets never absolute and never climbing out,
 * and a rewritten URL resolving to exactly the hashed name it was built for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_target(const char *t)
{
	const char *s = t;

	if (*t == '/')
		abort();
	while (*s) { /* no ".." component */
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			abort();
		s += n + (s[n] == '/');
	}
}

/* The rewritten URL must resolve to the hashed target it was built for. */
static void check_round_trip(const char *from, const struct strbuf *url,
			     const char *hashed)
{
	struct strbuf again = STRBUF_INIT;
	size_t suffix;

	if (refs_resolve(from, url->buf, url->len, "/static/", &again, &suffix) !=
		    REF_LOCAL || strcmp(again.buf, hashed))
		abort();
	strbuf_release(&again);
}

static void check_ref(const char *buf, size_t size, const struct ref *r, const char *from)
{
	struct strbuf target = STRBUF_INIT, out = STRBUF_INIT;
	size_t suffix = 0;

	if (r->off > size || r->len > size - r->off || r->line == 0)
		abort();
	if (refs_resolve(from, buf + r->off, r->len, "/static/", &target, &suffix) ==
	    REF_LOCAL) {
		if (suffix > r->len)
			abort();
		check_target(target.buf);
		if (target.len) {
			strbuf_addstr(&target, ".0123456789ab");
			refs_rewrite(buf + r->off, r->len, suffix, target.buf, &out);
			check_round_trip(from, &out, target.buf);
		}
	}
	strbuf_release(&target);
	strbuf_release(&out);
}

static void check_list(const char *buf, size_t size, const struct ref_list *rl,
		       const char *from)
{
	for (size_t i = 0; i < rl->n; i++) {
		if (i && (rl->v[i].off < rl->v[i - 1].off || rl->v[i].line < rl->v[i - 1].line))
			abort();
		check_ref(buf, size, &rl->v[i], from);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so ASan sees the exact end of the input */
	char *buf = malloc(size ? size : 1);
	struct ref_list css = { 0 }, js = { 0 };

	memcpy(buf, data, size);
	refs_scan_css(buf, size, &css);
	check_list(buf, size, &css, "css/deep/site.css");
	refs_scan_js(buf, size, 1, &js);
	check_list(buf, size, &js, "app.js");
	ref_list_release(&css);
	ref_list_release(&js);
	free(buf);
	return 0;
}

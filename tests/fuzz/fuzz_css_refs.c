/* fuzz-sources: collect/refs*.c */
/* fuzz-corpus: css */
/*
 * fuzz_css_refs.c: libFuzzer target for the reference scanners (CSS and JS,
 * modules on), and for refs_resolve() and refs_rewrite() on every reference
 * they find.  Checks: no over-read (ASan), references inside the buffer and
 * in file order, resolved targets never absolute and never climbing out.
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
			if (out.len < r->len - suffix)
				abort();
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

/* refs_priv.h: what the CSS and JS scanners of refs_*.c share; not for other modules. */
#ifndef SR_COLLECT_REFS_PRIV_H
#define SR_COLLECT_REFS_PRIV_H
#include <stddef.h>

#include "refs.h"

/* Counts lines lazily: references are reported in increasing offsets. */
struct line_counter {
	const char *buf;
	size_t pos;
	unsigned line;
};

void line_counter_init(struct line_counter *lc, const char *buf);

/* Appends {off, len, kind} with the line of off (off >= previous offs). */
void refs_push(struct ref_list *out, struct line_counter *lc, size_t off,
	       size_t len, enum ref_kind kind);

/*
 * When a comment's text (after the opening "//" or "/" "*", before any closing
 * "*" "/") is "# sourceMappingURL=URL" or "@ sourceMappingURL=URL", returns
 * URL's length and sets *uoff to its offset in body; else 0.
 */
size_t refs_sourcemap_url(const char *body, size_t blen, size_t *uoff);

#endif

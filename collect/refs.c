/* refs.c: the reference list and line counting the CSS and JS scanners share. */
#include <stdlib.h>
#include <string.h>

#include "refs_priv.h"
#include "xalloc.h"

void ref_list_release(struct ref_list *rl)
{
	free(rl->v);
	rl->v = NULL;
	rl->n = rl->alloc = 0;
}

void line_counter_init(struct line_counter *lc, const char *buf)
{
	lc->buf = buf;
	lc->pos = 0;
	lc->line = 1;
}

static unsigned line_counter_at(struct line_counter *lc, size_t off)
{
	while (lc->pos < off) {
		const char *nl = memchr(lc->buf + lc->pos, '\n', off - lc->pos);

		if (!nl) {
			lc->pos = off;
			break;
		}
		lc->line++;
		lc->pos = (size_t)(nl - lc->buf) + 1;
	}
	return lc->line;
}

void refs_push(struct ref_list *out, struct line_counter *lc, size_t off,
	       size_t len, enum ref_kind kind)
{
	struct ref *r;

	XGROW(out->v, out->alloc, out->n + 1);
	r = &out->v[out->n++];
	r->off = off;
	r->len = len;
	r->line = line_counter_at(lc, off);
	r->kind = kind;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t refs_sourcemap_url(const char *body, size_t blen, size_t *uoff)
{
	static const char key[] = "sourceMappingURL=";
	size_t j = 1, start;

	if (blen < 2 || (body[0] != '#' && body[0] != '@') || !is_blank(body[1]))
		return 0;
	while (j < blen && is_blank(body[j]))
		j++;
	if (blen - j < sizeof(key) - 1 || memcmp(body + j, key, sizeof(key) - 1))
		return 0;
	j += sizeof(key) - 1;
	while (j < blen && is_blank(body[j]))
		j++;
	start = j;
	while (j < blen && !is_blank(body[j]) && body[j] != '\n' && body[j] != '\r'
	       && body[j] != '\f')
		j++;
	*uoff = start;
	return j - start;
}

/* http_encoding.c: content-coding choice from Accept-Encoding (RFC 9110 §12.5.3). */
#include <string.h>
#include <strings.h>
#include "tree_index.h"
#include "http.h"

/*
 * q-values are kept in thousandths (0..1000); -1 means "not mentioned".
 * An identity not mentioned (and not covered by "*") stays acceptable but
 * least preferred, q = 0.001: "gzip;q=0.5" still means "gzip please".
 */

#define Q_UNSET (-1)

struct prefs {
	int q[ENC_COUNT];
	int identity, star;
	const char *extra; /* one more coding to look for (NULL: none) */
	int extra_q;
};

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), or -1. */
static int parse_q(const char *p, size_t len)
{
	int q, scale = 100;
	size_t i;

	if (len == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	q = (p[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (p[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The q of the parameters after a coding (";q=0.5"); 1000 without. */
static int params_q(const char *p, const char *end)
{
	while (p < end) {
		const char *s, *e;

		while (p < end && (is_ows(*p) || *p == ';'))
			p++;
		s = p;
		while (p < end && *p != ';')
			p++;
		e = p;
		while (e > s && is_ows(e[-1]))
			e--;
		if (e - s >= 2 && (s[0] | 0x20) == 'q' && s[1] == '=')
			return parse_q(s + 2, (size_t)(e - s - 2));
	}
	return 1000;
}

static int coding_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

/* Records one list element; the first mention of a coding wins. */
static void take_element(struct prefs *pr, const char *p, const char *end)
{
	size_t n = 0;
	int q, *slot = NULL, i;

	while (p + n < end && p[n] != ';' && !is_ows(p[n]))
		n++;
	if ((q = params_q(p + n, end)) < 0)
		return; /* an invalid qvalue: drop the element */
	if (coding_is(p, n, "identity"))
		slot = &pr->identity;
	else if (coding_is(p, n, "*"))
		slot = &pr->star;
	else if (coding_is(p, n, "x-gzip"))
		slot = &pr->q[ENC_GZIP];
	else if (pr->extra && coding_is(p, n, pr->extra))
		slot = &pr->extra_q;
	for (i = 0; !slot && i < ENC_COUNT; i++)
		if (coding_is(p, n, tree_enc_token[i]))
			slot = &pr->q[i];
	if (slot && *slot == Q_UNSET)
		*slot = q;
}

/* One line of the list; elements of later lines add to earlier ones. */
static void parse_line(struct http_slice v, struct prefs *pr)
{
	const char *p = v.p, *end = v.p + v.len;

	while (p < end) {
		const char *s, *e;

		while (p < end && (is_ows(*p) || *p == ','))
			p++;
		s = p;
		while (p < end && *p != ',')
			p++;
		e = p;
		if (e > s)
			take_element(pr, s, e);
	}
}

static void parse_prefs(struct http_slice field, struct prefs *pr, const char *extra)
{
	struct http_slice line;
	size_t pos = 0;
	int i;

	for (i = 0; i < ENC_COUNT; i++)
		pr->q[i] = Q_UNSET;
	pr->identity = pr->star = pr->extra_q = Q_UNSET;
	pr->extra = extra;
	while (http_field_next(field, "accept-encoding", &pos, &line))
		parse_line(line, pr);
}

int http_encoding_choose(struct http_slice accept_encoding, unsigned avail)
{
	struct prefs pr;
	int i, best = HTTP_ENC_IDENTITY, best_q = 0, id_q;

	/* Absent: no preference; identity is the one every client takes. */
	if (!accept_encoding.p)
		return HTTP_ENC_IDENTITY;
	parse_prefs(accept_encoding, &pr, NULL);
	for (i = 0; i < ENC_COUNT; i++) {
		int q = pr.q[i] != Q_UNSET ? pr.q[i]
			: pr.star != Q_UNSET ? pr.star : 0;

		if ((avail & (1u << i)) && q > best_q) {
			best = i;
			best_q = q;
		}
	}
	/* "*" covers identity too (RFC 9110 §12.5.3). */
	id_q = pr.identity != Q_UNSET ? pr.identity
	       : pr.star != Q_UNSET ? pr.star : 1;
	if (best != HTTP_ENC_IDENTITY && best_q >= id_q)
		return best;
	if (id_q > 0)
		return HTTP_ENC_IDENTITY;
	return -HTTP_NOT_ACCEPTABLE;
}

int http_encoding_q(struct http_slice accept_encoding, const char *coding)
{
	struct prefs pr;

	if (!accept_encoding.p)
		return 0;
	parse_prefs(accept_encoding, &pr, coding);
	return pr.extra_q != Q_UNSET ? pr.extra_q : pr.star != Q_UNSET ? pr.star : 0;
}

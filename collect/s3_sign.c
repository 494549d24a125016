/* s3_sign.c: AWS Signature Version 4 (see s3_sign.h).
 *
 * Written here rather than left to CURLOPT_AWS_SIGV4 because libcurl 7.88
 * neither hashes the payload nor canonicalises the query, and the signer's
 * output must be checked against AWS's published examples in a unit test. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "s3_sign.h"
#include "strbuf.h"
#include "xalloc.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void s3_sha256_hex(const void *data, size_t len, char out[S3_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	hex(md, mdlen, out);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

void s3_uri_encode(struct strbuf *out, const char *s, int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || (c == '/' && keep_slash)) {
			strbuf_addch(out, c);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, digits[c >> 4]);
			strbuf_addch(out, digits[c & 15]);
		}
	}
}

void s3_query_add(struct strbuf *out, const char *name, const char *value)
{
	if (out->len)
		strbuf_addch(out, '&');
	s3_uri_encode(out, name, 0);
	strbuf_addch(out, '=');
	s3_uri_encode(out, value ? value : "", 0);
}

static int header_cmp(const void *a, const void *b)
{
	return strcmp(((const struct s3_header *)a)->name, ((const struct s3_header *)b)->name);
}

/* Appends value with leading/trailing blanks dropped and inner runs of
 * blanks folded to one space, as the canonical form wants. */
static void add_trimmed(struct strbuf *sb, const char *v)
{
	int space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space)
			strbuf_addch(sb, ' ');
		space = 0;
		strbuf_addch(sb, *v);
	}
}

/* The canonical request; its SignedHeaders list goes to signed_names. */
static void canonical_request(const struct s3_sign_req *r, struct strbuf *cr,
			      struct strbuf *signed_names)
{
	struct s3_header *h = xcalloc(r->nh ? r->nh : 1, sizeof(*h));

	memcpy(h, r->h, r->nh * sizeof(*h));
	qsort(h, r->nh, sizeof(*h), header_cmp);
	strbuf_addf(cr, "%s\n%s\n%s\n", r->method, r->uri, r->query ? r->query : "");
	for (size_t i = 0; i < r->nh; i++) {
		strbuf_addf(cr, "%s:", h[i].name);
		add_trimmed(cr, h[i].value);
		strbuf_addch(cr, '\n');
		strbuf_addf(signed_names, "%s%s", i ? ";" : "", h[i].name);
	}
	strbuf_addf(cr, "\n%s\n%s", signed_names->buf, r->payload_hash);
	free(h);
}

void s3_sign(const struct s3_sign_req *r, struct strbuf *out)
{
	struct strbuf cr = STRBUF_INIT, names = STRBUF_INIT, sts = STRBUF_INIT;
	struct strbuf k = STRBUF_INIT;
	char date[9], crhex[S3_SHA256_HEX_LEN + 1], sig[S3_SHA256_HEX_LEN + 1];
	unsigned char key[32], tmp[32];

	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	canonical_request(r, &cr, &names);
	s3_sha256_hex(cr.buf, cr.len, crhex);
	strbuf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s", r->amz_date,
		    date, r->region, crhex);
	strbuf_addf(&k, "AWS4%s", r->secret);
	hmac(k.buf, k.len, date, key);
	hmac(key, 32, r->region, tmp);
	hmac(tmp, 32, "s3", key);
	hmac(key, 32, "aws4_request", tmp);
	hmac(tmp, 32, sts.buf, key);
	hex(key, 32, sig);
	strbuf_addf(out, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/s3/aws4_request, "
		    "SignedHeaders=%s, Signature=%s", r->access_key, date, r->region,
		    names.buf, sig);
	/* The derived key is as good as the secret for a day: wipe it. */
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	OPENSSL_cleanse(k.buf, k.len);
	strbuf_release(&k);
	strbuf_release(&cr);
	strbuf_release(&names);
	strbuf_release(&sts);
}

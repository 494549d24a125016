/* s3_sign.h: AWS Signature Version 4 for S3 requests (libcrypto's SHA-256 and HMAC). */
#ifndef SR_COLLECT_S3_SIGN_H
#define SR_COLLECT_S3_SIGN_H
#include <stddef.h>

struct strbuf;

#define S3_SHA256_HEX_LEN 64
/* sha256 of the empty string, the payload hash of a body-less request. */
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct s3_header {
	const char *name;  /* lower case; borrowed */
	const char *value; /* borrowed */
};

struct s3_sign_req {
	const char *method;       /* "GET", "PUT", ... */
	const char *uri;          /* path, already URI-encoded (s3_uri_encode) */
	const char *query;        /* canonical query (s3_query_add), "" for none */
	const struct s3_header *h;/* every header to sign: host, x-amz-date,
				   * x-amz-content-sha256 and the rest */
	size_t nh;
	const char *payload_hash; /* hex sha256 of the body, or UNSIGNED-PAYLOAD */
	const char *amz_date;     /* "YYYYMMDDTHHMMSSZ", UTC */
	const char *region, *access_key, *secret;
};

/*
 * Appends the Authorization header value for r to out.  The headers are
 * sorted and trimmed here; r's arrays are not changed.  Thread-safe.
 */
void s3_sign(const struct s3_sign_req *r, struct strbuf *out);

/* Lower-case hex sha256 of data into out (65 bytes with the NUL). */
void s3_sha256_hex(const void *data, size_t len, char out[S3_SHA256_HEX_LEN + 1]);

/*
 * Appends s URI-encoded the way SigV4 wants it: every byte but A-Z a-z 0-9
 * - . _ ~ as %XX (upper-case hex); '/' kept when keep_slash (object keys),
 * encoded otherwise (query values).
 */
void s3_uri_encode(struct strbuf *out, const char *s, int keep_slash);

/*
 * Appends "name=value" (value encoded, '&' before it when out is not
 * empty).  Callers add parameters in sorted name order, which makes the
 * query canonical as written, so it can go into the URL unchanged.
 */
void s3_query_add(struct strbuf *out, const char *name, const char *value);

#endif

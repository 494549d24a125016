/* s3_client.h: S3 requests over one libcurl multi handle: parallel, kept alive, retried. */
#ifndef SR_COLLECT_S3_CLIENT_H
#define SR_COLLECT_S3_CLIENT_H
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

enum s3_method { S3_GET, S3_PUT, S3_HEAD, S3_DELETE, S3_POST };

/* Where requests go and who signs them.  Filled by s3_client_init(); all
 * strings owned, freed by s3_client_release(). */
struct s3_client {
	char *scheme;        /* "https" or "http" */
	char *host;          /* host[:port] of the endpoint, as in Host: */
	char *base;          /* the endpoint URL's own path ("" or "/x"), no trailing '/' */
	char *bucket;
	int virtual_host;    /* BUCKET.host/KEY instead of host/BUCKET/KEY */
	char *region, *access_key, *secret, *token;
	char *access_from, *secret_from; /* where each came from, for messages */
	char *ca_bundle;     /* $AWS_CA_BUNDLE, or NULL for the system CAs */
	int jobs;            /* requests in flight at most */
	int max_attempts;    /* tries per request, $AWS_MAX_ATTEMPTS or 5 */
	void *multi;         /* CURLM *, made on first use */
};

/* Addressing: auto is virtual-hosted for *.amazonaws.com, path-style elsewhere
 * (radosgw, MinIO and most self-hosted servers want path style). */
enum s3_addressing { S3_ADDR_AUTO, S3_ADDR_PATH, S3_ADDR_VIRTUAL };

/*
 * Fills c for bucket: endpoint from endpoint (may be NULL), else
 * $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS's regional endpoint;
 * region from $AWS_REGION / $AWS_DEFAULT_REGION (us-east-1); credentials
 * from $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY / $AWS_SESSION_TOKEN,
 * else the $AWS_PROFILE (or "default") section of
 * $AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials).  0, or -1 after one
 * line saying what is missing.
 */
int s3_client_init(struct s3_client *c, const char *bucket, const char *endpoint,
		   enum s3_addressing addressing, int jobs);
void s3_client_release(struct s3_client *c);

/* What a request may end with and still count as done. */
#define S3_OK_404 (1u << 0)  /* absent is an answer (a HEAD or GET of state) */
#define S3_OK_412 (1u << 1)  /* create-only PUT of a key that exists: done */

struct s3_req {
	enum s3_method method;
	char *key;               /* object key, unencoded; NULL for the bucket; owned */
	char *query;             /* canonical query (s3_query_add) or NULL; owned */
	const char *content_type, *cache_control, *content_encoding; /* borrowed */
	char *meta_hash;         /* x-amz-meta-staticroot-hash, or NULL; owned */
	int create_only;         /* sends If-None-Match: * */
	char *body_file;         /* body read from this file when sent; owned */
	uint64_t want_hash;      /* when not 0: body_file's bytes must hash to it
				  * (a tree changed under the upload fails) */
	uint64_t part_off, part_len; /* part_len > 0: the body is these bytes of
				  * body_file (a multipart part; want_hash unused) */
	void *part_hash;         /* XXH3_state_t * fed each part's bytes as it is
				  * read, in start order (each is read once); borrowed */
	struct strbuf body;      /* the body (owned; loaded from body_file) */
	unsigned ok;             /* S3_OK_* */
	size_t resp_max;         /* response body kept up to this (0: 64 KiB) */
	void *user;              /* the caller's; never touched */
	const char *what;        /* names the request in messages when it has
				  * no key ("listing s3://b/p/"); borrowed */

	/* Results, set by s3_client_run(). */
	long status;             /* final HTTP status, 0 when none */
	struct strbuf resp;      /* response body */
	char etag[80];           /* ETag response header without quotes */
	char code[64];           /* S3 error code from an error body */
	char err[256];           /* transport error (libcurl), when status is 0 */
	int curl_code;           /* its CURLcode */
	int attempts;
	int done;                /* answered and counted as done */

	/* Engine state. */
	size_t sent;             /* bytes of body handed to libcurl */
	long long next_at_ms;    /* earliest retry time */
	char amz_date[17];
};

/* A request with every field zeroed and the strbufs initialised; owned,
 * free with s3_req_free(). */
struct s3_req *s3_req_new(enum s3_method method, const char *key);
void s3_req_free(struct s3_req *r);

/*
 * Runs reqs, at most c->jobs at a time, reusing connections.  A request
 * that fails with a 5xx, SlowDown, a timeout or a reset is retried with
 * exponential backoff and jitter up to c->max_attempts.  After the first
 * request that fails for good, no new one starts; the ones in flight are
 * finished.  Returns 0 when every request is done, or -1 after printing one
 * line for the first failure (see s3_describe()).  progress, when not NULL,
 * is called after each request is done.
 */
int s3_client_run(struct s3_client *c, struct s3_req **reqs, size_t n,
		  void (*progress)(struct s3_req *r, void *ctx), void *ctx);

/* Appends one line saying why r failed, naming the setting to check. */
void s3_describe(const struct s3_client *c, const struct s3_req *r, struct strbuf *out);

/* "s3://bucket/key" of r, for messages. */
void s3_req_name(const struct s3_client *c, const struct s3_req *r, struct strbuf *out);

#endif

/* s3_list.h: every key under a prefix, by paged ListObjectsV2. */
#ifndef SR_COLLECT_S3_LIST_H
#define SR_COLLECT_S3_LIST_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct s3_client;
struct s3_req;

struct s3_object {
	char *key;      /* full key; owned */
	char *etag;     /* without quotes; owned */
	uint64_t size;
	time_t mtime;   /* LastModified */
};

struct s3_listing {
	struct s3_object *v; /* sorted by key (strcmp) */
	size_t n, alloc;
	size_t pages;        /* requests it took */
};

/*
 * Lists every key that starts with prefix ("" for the bucket), 1000 a page,
 * one request after the other (each page names the next).  0, or -1 after
 * one line (a missing bucket, wrong keys, an unreachable endpoint).
 */
int s3_list(struct s3_client *c, const char *prefix, struct s3_listing *out);
/*
 * The same listing, in parallel: bounds (nb keys, sorted by strcmp,
 * borrowed) split the key space into nb + 1 ranges, (-inf, b0], (b0, b1],
 * ..., (b[nb-1], +inf), each listed from its start (start-after) until a
 * key passes its end; a round asks every unfinished range for its next
 * page at once.  Bounds that match the bucket's keys (the keys about to be
 * uploaded, every ~900th) make one round of 1-page ranges of a listing
 * that would otherwise take one round trip per 1000 keys.  Any bounds
 * give the same listing as s3_list(); pages counts the requests.  extra
 * (nextra requests, still the caller's) run in the first round, beside
 * the pages: GETs that need no round trip of their own.
 */
int s3_list_split(struct s3_client *c, const char *prefix, const char *const *bounds,
		  size_t nb, struct s3_req **extra, size_t nextra, struct s3_listing *out);
/* How many of the caller's keys one range of s3_list_split() should span. */
size_t s3_list_range_keys(void);
/* Borrowed from l, or NULL. */
const struct s3_object *s3_listing_find(const struct s3_listing *l, const char *key);
void s3_listing_release(struct s3_listing *l);

#endif

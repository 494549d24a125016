/* s3_list.h: every key under a prefix, by paged ListObjectsV2. */
#ifndef SR_COLLECT_S3_LIST_H
#define SR_COLLECT_S3_LIST_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct s3_client;

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
/* Borrowed from l, or NULL. */
const struct s3_object *s3_listing_find(const struct s3_listing *l, const char *key);
void s3_listing_release(struct s3_listing *l);

#endif

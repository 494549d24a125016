/* upload_multipart.h: one large object into S3 in parallel parts (multipart upload). */
#ifndef SR_COLLECT_UPLOAD_MULTIPART_H
#define SR_COLLECT_UPLOAD_MULTIPART_H
#include <stddef.h>
#include <stdint.h>

struct s3_client;
struct s3_req;

/*
 * Objects of this size or more go up in parts: memory stays at a part per
 * request in flight instead of the whole file, and one large object uses
 * every connection.  S3 takes a single PUT up to 5 GiB and parts of 5 MiB
 * to 5 GiB, 10,000 at most; awscli's defaults are 8 MiB and 8 MiB.
 */
#define UPLOAD_MULTIPART_MIN ((uint64_t)64 << 20)
#define UPLOAD_PART_SIZE ((uint64_t)8 << 20)   /* doubled while 10,000 do not hold the file */

/*
 * Uploads path (size bytes, whose XXH3 must be hash) to key in parts, on
 * c's connections.  start is the request that begins the upload, carrying
 * the object's headers and its x-amz-meta-staticroot-hash (an S3_POST made
 * by the caller; stolen).  The parts are hashed as they are read, so a file
 * changed since it was collected fails instead of publishing other bytes.
 * On success the object's ETag (without quotes) is written to etag and
 * *puts grows by the parts PUT.  0, or -1 after one line; the upload is
 * then aborted so no parts are left stored.  Not create-only: the caller
 * listed the key as absent (S3 and radosgw 16 take If-None-Match on a
 * single PUT; on CompleteMultipartUpload it is recent and not relied on).
 */
int upload_multipart(struct s3_client *c, const char *key, const char *path, uint64_t size,
		     uint64_t hash, struct s3_req *start, char *etag, size_t etag_size,
		     size_t *puts);

#endif

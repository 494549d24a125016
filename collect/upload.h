/* upload.h: publishes a collected tree to an S3 bucket, staticfiles.json last. */
#ifndef SR_COLLECT_UPLOAD_H
#define SR_COLLECT_UPLOAD_H

struct options;
struct s3_client;

/* Cache-Control of hashed names (and their variants). */
#define UPLOAD_CC_IMMUTABLE "public, max-age=31536000, immutable"
/* Default Cache-Control of every other name and of the manifest. */
#define UPLOAD_CC_DEFAULT "no-cache"

/*
 * Splits "s3://BUCKET[/PREFIX]" into an owned bucket and an owned prefix
 * ("" or "a/b/", always ending in '/').  0, or -1 with a message.
 */
int upload_parse_target(const char *url, char **bucket, char **prefix);

/*
 * Fills c for o->upload (endpoint, region, keys) and splits it into an
 * owned bucket and prefix.  0, or -1 with a message; c is released by the
 * caller either way (s3_client_release()).
 */
int upload_client(const struct options *o, struct s3_client *c, char **bucket,
		  char **prefix);

/*
 * Checks o->upload before any collecting: the target, the endpoint and
 * that credentials exist (not that they are right).  0, or -1 with a message.
 */
int upload_check(const struct options *o);

/*
 * Publishes the tree in o->output to o->upload: one paged listing decides;
 * hashed names missing from the bucket are written create-only, other names
 * and variants only when their bytes or headers differ from what the
 * bucket's state object records; then the state object, then
 * staticfiles.json, only once all of the above are confirmed.  Never
 * deletes.  With o->dry_run, prints what it would upload.  The local tree
 * is only read.  0, or -1 after one line.
 */
int upload_run(const struct options *o);

#endif

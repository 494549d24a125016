/* upload_multipart.c: CreateMultipartUpload, parts in parallel, Complete (see upload_multipart.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "log.h"
#include "s3_client.h"
#include "s3_sign.h"
#include "s3_xml.h"
#include "strbuf.h"
#include "upload_multipart.h"
#include "xalloc.h"

#define PARTS_MAX 10000
#define UPLOAD_ID_MAX 1024

static uint64_t part_size(uint64_t size)
{
	uint64_t p = UPLOAD_PART_SIZE;

	while ((size + p - 1) / p > PARTS_MAX)
		p *= 2;
	return p;
}

/* "partNumber=N&uploadId=ID" (or only the id when n is 0), canonical. */
static char *part_query(size_t n, const char *id)
{
	struct strbuf q = STRBUF_INIT;
	char num[24];

	if (n) {
		snprintf(num, sizeof(num), "%zu", n);
		s3_query_add(&q, "partNumber", num);
	}
	s3_query_add(&q, "uploadId", id);
	return strbuf_detach(&q, NULL);
}

/* Copies an ETag from an XML body or a header, quotes dropped. */
static void set_etag(char *out, size_t size, const char *from)
{
	size_t o = 0;

	for (; *from && o + 1 < size; from++)
		if (*from != '"')
			out[o++] = *from;
	out[o] = '\0';
}

/* Best effort: a failed upload should leave no parts stored (and billed). */
static void abort_upload(struct s3_client *c, const char *key, const char *id)
{
	struct s3_req *r = s3_req_new(S3_DELETE, key);
	int jobs = c->jobs;

	r->query = part_query(0, id);
	r->ok = S3_OK_404;
	c->jobs = 1;
	if (s3_client_run(c, &r, 1, NULL, NULL) < 0)
		log_warn("s3://%s/%s: the multipart upload %s may still hold parts "
			 "(a bucket lifecycle rule for incomplete uploads removes them)",
			 c->bucket, key, id);
	c->jobs = jobs;
	s3_req_free(r);
}

static int put_parts(struct s3_client *c, const char *key, const char *path, uint64_t size,
		     uint64_t hash, const char *id, struct strbuf *complete, size_t *puts)
{
	uint64_t ps = part_size(size);
	size_t n = (size_t)((size + ps - 1) / ps);
	struct s3_req **reqs = xcalloc(n, sizeof(*reqs));
	XXH3_state_t *st = XXH3_createState();
	int rc;

	if (!st)
		die("out of memory");
	XXH3_64bits_reset(st);
	for (size_t i = 0; i < n; i++) {
		struct s3_req *r = s3_req_new(S3_PUT, key);

		r->query = part_query(i + 1, id);
		r->body_file = xstrdup(path);
		r->part_off = (uint64_t)i * ps;
		r->part_len = size - r->part_off < ps ? size - r->part_off : ps;
		r->part_hash = st;
		reqs[i] = r;
	}
	/* The engine starts them in order and reads each once: st sees the
	 * file's bytes in order, exactly as they were sent. */
	rc = s3_client_run(c, reqs, n, NULL, NULL);
	*puts += n;
	if (!rc && XXH3_64bits_digest(st) != hash)
		rc = log_error("cannot read %s: it changed since it was collected (run collect "
			       "again)", path);
	strbuf_addstr(complete, "<CompleteMultipartUpload "
		      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(complete, "<Part><PartNumber>%zu</PartNumber><ETag>\"%s\"</ETag></Part>",
			    i + 1, reqs[i]->etag);
		s3_req_free(reqs[i]);
	}
	strbuf_addstr(complete, "</CompleteMultipartUpload>");
	free(reqs);
	XXH3_freeState(st);
	return rc;
}

/* CompleteMultipartUpload; S3 may answer 200 with an <Error> body. */
static int complete_upload(struct s3_client *c, const char *key, const char *id,
			   const struct strbuf *body, char *etag, size_t etag_size)
{
	struct s3_req *r = s3_req_new(S3_POST, key);
	char code[64], tag[256];
	int rc;

	r->query = part_query(0, id);
	strbuf_add(&r->body, body->buf, body->len);
	r->content_type = "application/xml";
	rc = s3_client_run(c, &r, 1, NULL, NULL);
	if (!rc) {
		s3_xml_first(r->resp.buf, r->resp.len, "Code", code, sizeof(code));
		s3_xml_first(r->resp.buf, r->resp.len, "ETag", tag, sizeof(tag));
		if (code[0] || !memmem(r->resp.buf, r->resp.len, "CompleteMultipartUploadResult",
				      strlen("CompleteMultipartUploadResult")))
			rc = log_error("s3://%s/%s: the multipart upload did not complete: %s",
				       c->bucket, key, code[0] ? code : "no result in the answer");
		else
			set_etag(etag, etag_size, tag[0] ? tag : r->etag);
	}
	s3_req_free(r);
	return rc;
}

/* The object's ETag by HEAD: radosgw 16 answers Complete with an empty
 * <ETag> (the state object needs the one the listing will show). */
static int head_etag(struct s3_client *c, const char *key, char *etag, size_t etag_size)
{
	struct s3_req *r = s3_req_new(S3_HEAD, key);
	int rc = s3_client_run(c, &r, 1, NULL, NULL);

	if (!rc)
		set_etag(etag, etag_size, r->etag);
	s3_req_free(r);
	return rc;
}

int upload_multipart(struct s3_client *c, const char *key, const char *path, uint64_t size,
		     uint64_t hash, struct s3_req *start, char *etag, size_t etag_size,
		     size_t *puts)
{
	struct strbuf complete = STRBUF_INIT;
	char id[UPLOAD_ID_MAX];
	int rc;

	start->query = xstrdup("uploads=");
	rc = s3_client_run(c, &start, 1, NULL, NULL);
	id[0] = '\0';
	if (!rc)
		s3_xml_first(start->resp.buf, start->resp.len, "UploadId", id, sizeof(id));
	s3_req_free(start);
	if (rc)
		return -1;
	if (!id[0])
		return log_error("s3://%s/%s: the endpoint started no multipart upload "
				 "(no UploadId in its answer)", c->bucket, key);
	rc = put_parts(c, key, path, size, hash, id, &complete, puts);
	if (!rc)
		rc = complete_upload(c, key, id, &complete, etag, etag_size);
	if (rc)
		abort_upload(c, key, id);
	else if (!etag[0])
		rc = head_etag(c, key, etag, etag_size);
	strbuf_release(&complete);
	return rc;
}

/* s3_client.c: signed S3 requests run in parallel on one libcurl multi handle. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hash.h"
#include "log.h"
#include "s3_client.h"
#include "s3_sign.h"
#include "s3_xml.h"
#include "xalloc.h"

#define RESP_MAX_DEFAULT ((size_t)64 << 10)
#define BACKOFF_BASE_MS 100
#define BACKOFF_CAP_MS 5000

static const char *const method_name[] = { "GET", "PUT", "HEAD", "DELETE", "POST" };

struct s3_req *s3_req_new(enum s3_method method, const char *key)
{
	struct s3_req *r = xcalloc(1, sizeof(*r));

	r->method = method;
	r->key = key ? xstrdup(key) : NULL;
	strbuf_init(&r->body, 0);
	strbuf_init(&r->resp, 0);
	return r;
}

void s3_req_free(struct s3_req *r)
{
	if (!r)
		return;
	free(r->key);
	free(r->query);
	free(r->meta_hash);
	free(r->body_file);
	strbuf_release(&r->body);
	strbuf_release(&r->resp);
	free(r);
}

void s3_req_name(const struct s3_client *c, const struct s3_req *r, struct strbuf *out)
{
	if (r->what)
		strbuf_addstr(out, r->what);
	else
		strbuf_addf(out, "s3://%s/%s", c->bucket, r->key ? r->key : "");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One connection slot: an easy handle reused request after request, so
 * libcurl keeps its connection alive. */
struct slot {
	CURL *easy;
	struct s3_req *req;
	struct curl_slist *headers;
};

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct s3_req *r = ud;
	size_t len = size * n;
	size_t max = r->resp_max ? r->resp_max : RESP_MAX_DEFAULT;

	if (r->resp.len + len > max)
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	strbuf_add(&r->resp, data, len);
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct s3_req *r = ud;
	size_t len = size * n, i = 5;

	if (len > 5 && !strncasecmp(data, "etag:", 5)) {
		size_t o = 0;

		for (; i < len && o + 1 < sizeof(r->etag); i++)
			if (data[i] != '"' && data[i] != ' ' && data[i] != '\r' && data[i] != '\n')
				r->etag[o++] = data[i];
		r->etag[o] = '\0';
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct s3_req *r = ud;
	size_t left = r->body.len - r->sent, want = size * n;

	if (want > left)
		want = left;
	memcpy(buf, r->body.buf + r->sent, want);
	r->sent += want;
	return want;
}

static int on_seek(void *ud, curl_off_t off, int origin)
{
	struct s3_req *r = ud;

	if (origin != SEEK_SET || off < 0 || (size_t)off > r->body.len)
		return CURL_SEEKFUNC_CANTSEEK;
	r->sent = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

/* The URL path of r, URI-encoded: what goes on the request line and what
 * is signed (they must be the same bytes). */
static void req_path(const struct s3_client *c, const struct s3_req *r, struct strbuf *out)
{
	strbuf_addstr(out, c->base);
	if (!c->virtual_host) {
		strbuf_addch(out, '/');
		s3_uri_encode(out, c->bucket, 0);
	}
	strbuf_addch(out, '/');
	if (r->key)
		s3_uri_encode(out, r->key, 1);
}

/* Adds "name: value" to the request and to the signed set. */
static void add_header(struct slot *s, struct s3_header *h, size_t *nh,
		       const char *name, const char *value)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "%s: %s", name, value);
	s->headers = curl_slist_append(s->headers, line.buf);
	strbuf_release(&line);
	h[*nh].name = name;
	h[*nh].value = value;
	(*nh)++;
}

/* The bytes of one part: part_len bytes at part_off of body_file. */
static int load_part(struct s3_req *r)
{
	int fd = open(r->body_file, O_RDONLY | O_CLOEXEC);
	uint64_t got = 0;

	if (fd < 0)
		goto fail;
	if (strbuf_grow(&r->body, (size_t)r->part_len) < 0) {
		close(fd);
		errno = EFBIG;
		goto fail;
	}
	while (got < r->part_len) {
		ssize_t n = pread(fd, r->body.buf + got, (size_t)(r->part_len - got),
				  (off_t)(r->part_off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* shorter than when it was collected */
			close(fd);
			goto fail;
		}
		got += (uint64_t)n;
	}
	close(fd);
	strbuf_setlen(&r->body, (size_t)got);
	if (r->part_hash)
		XXH3_64bits_update(r->part_hash, r->body.buf, r->body.len);
	return 0;
fail:
	snprintf(r->err, sizeof(r->err), "cannot read %s: %s", r->body_file, strerror(errno));
	return -1;
}

static int load_body(struct s3_req *r)
{
	int rc;

	if (!r->body_file || r->body.len)
		return 0;
	if (r->part_len)
		return load_part(r);
	rc = strbuf_read_file(&r->body, r->body_file);
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err), "cannot read %s: %s", r->body_file,
			 strerror(-rc));
		return -1;
	}
	if (r->want_hash && hash_bytes(r->body.buf, r->body.len) != r->want_hash) {
		snprintf(r->err, sizeof(r->err), "cannot read %s: it changed since it was "
			 "collected (run collect again)", r->body_file);
		return -1;
	}
	return 0;
}

/* Prepares s->easy for one attempt of r: URL, headers, signature, body. */
static int slot_start(struct s3_client *c, struct slot *s, struct s3_req *r)
{
	struct s3_header h[16];
	size_t nh = 0;
	struct strbuf path = STRBUF_INIT, url = STRBUF_INIT, host = STRBUF_INIT;
	struct strbuf auth = STRBUF_INIT;
	char payload[S3_SHA256_HEX_LEN + 1];
	struct s3_sign_req sr;
	time_t t = time(NULL);
	struct tm tm;

	if (load_body(r) < 0)
		return -1;
	s->req = r;
	r->sent = 0;
	r->status = 0;
	r->etag[0] = r->code[0] = r->err[0] = '\0';
	strbuf_reset(&r->resp);
	gmtime_r(&t, &tm);
	strftime(r->amz_date, sizeof(r->amz_date), "%Y%m%dT%H%M%SZ", &tm);
	s3_sha256_hex(r->body.buf, r->body.len, payload);
	req_path(c, r, &path);
	if (c->virtual_host)
		strbuf_addf(&host, "%s.%s", c->bucket, c->host);
	else
		strbuf_addstr(&host, c->host);
	strbuf_addf(&url, "%s://%s%s%s%s", c->scheme, host.buf, path.buf,
		    r->query ? "?" : "", r->query ? r->query : "");

	curl_easy_reset(s->easy);
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	add_header(s, h, &nh, "host", host.buf);
	add_header(s, h, &nh, "x-amz-date", r->amz_date);
	add_header(s, h, &nh, "x-amz-content-sha256", payload);
	if (c->token)
		add_header(s, h, &nh, "x-amz-security-token", c->token);
	if (r->content_type)
		add_header(s, h, &nh, "content-type", r->content_type);
	if (r->cache_control)
		add_header(s, h, &nh, "cache-control", r->cache_control);
	if (r->content_encoding)
		add_header(s, h, &nh, "content-encoding", r->content_encoding);
	if (r->create_only)
		add_header(s, h, &nh, "if-none-match", "*");
	if (r->meta_hash)
		add_header(s, h, &nh, "x-amz-meta-staticroot-hash", r->meta_hash);
	sr = (struct s3_sign_req){
		.method = method_name[r->method], .uri = path.buf,
		.query = r->query ? r->query : "", .h = h, .nh = nh,
		.payload_hash = payload, .amz_date = r->amz_date, .region = c->region,
		.access_key = c->access_key, .secret = c->secret,
	};
	strbuf_addstr(&auth, "Authorization: ");
	s3_sign(&sr, &auth);
	s->headers = curl_slist_append(s->headers, auth.buf);
	/* No 100-continue round trip, and no type libcurl would invent. */
	s->headers = curl_slist_append(s->headers, "Expect:");
	if (!r->content_type)
		s->headers = curl_slist_append(s->headers, "Content-Type:");
	s->headers = curl_slist_append(s->headers, "Accept:");

	curl_easy_setopt(s->easy, CURLOPT_URL, url.buf);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "staticroot-collect");
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	/* A stalled transfer (no byte for 30 s) is a timeout to retry. */
	curl_easy_setopt(s->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(s->easy, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->ca_bundle)
		curl_easy_setopt(s->easy, CURLOPT_CAINFO, c->ca_bundle);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, r->err);
	if (r->method == S3_PUT || r->method == S3_POST) {
		/* The body from memory, rewound by libcurl on a redirect or retry. */
		curl_easy_setopt(s->easy, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(s->easy, CURLOPT_READDATA, r);
		curl_easy_setopt(s->easy, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(s->easy, CURLOPT_SEEKDATA, r);
	}
	switch (r->method) {
	case S3_PUT:
		curl_easy_setopt(s->easy, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(s->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body.len);
		break;
	case S3_HEAD:
		curl_easy_setopt(s->easy, CURLOPT_NOBODY, 1L);
		break;
	case S3_DELETE:
		curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	case S3_POST:
		curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
		break;
	case S3_GET:
		break;
	}
	if (log_verbosity >= 3)
		log_info(3, "s3: %s %s", method_name[r->method], url.buf);
	strbuf_release(&path);
	strbuf_release(&url);
	strbuf_release(&host);
	strbuf_release(&auth);
	r->attempts++;
	return 0;
}

/* Whether an HTTP answer is final, done, or worth another try. */
enum verdict { V_DONE, V_RETRY, V_FAIL };

static enum verdict judge(const struct s3_req *r, CURLcode cc)
{
	if (cc != CURLE_OK) {
		switch (cc) {
		case CURLE_COULDNT_CONNECT: case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE: case CURLE_COULDNT_RESOLVE_HOST:
			return V_RETRY;
		default:
			return V_FAIL;
		}
	}
	if (r->status >= 200 && r->status < 300)
		return V_DONE;
	if ((r->status == 404 && (r->ok & S3_OK_404)) ||
	    (r->status == 412 && (r->ok & S3_OK_412)))
		return V_DONE;
	if (r->status >= 500 || r->status == 429 || !strcmp(r->code, "SlowDown") ||
	    !strcmp(r->code, "RequestTimeout") || !strcmp(r->code, "InternalError"))
		return V_RETRY;
	return V_FAIL;
}

/* Full jitter over an exponential backoff (AWS's recommended shape). */
static long long backoff_ms(int attempt)
{
	long long d = BACKOFF_BASE_MS;

	for (int i = 1; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + (long long)(random() % (d / 2 + 1));
}

/* The queue of one run: requests not yet started, then those waiting to retry. */
struct engine {
	struct s3_client *c;
	struct s3_req **reqs;
	size_t n, next;          /* reqs[next..n) not started */
	struct s3_req **retry;   /* waiting for their next_at_ms */
	size_t nretry;
	struct s3_req *failed;   /* the first that failed for good */
	size_t in_flight;
};

static struct s3_req *next_ready(struct engine *e, long long now)
{
	for (size_t i = 0; i < e->nretry; i++) {
		struct s3_req *r = e->retry[i];

		if (r->next_at_ms <= now) {
			e->retry[i] = e->retry[--e->nretry];
			return r;
		}
	}
	return e->next < e->n ? e->reqs[e->next++] : NULL;
}

/* Handles one finished transfer. */
static void finish(struct engine *e, struct slot *s, CURLcode cc,
		   void (*progress)(struct s3_req *, void *), void *ctx)
{
	struct s3_req *r = s->req;
	enum verdict v;

	curl_multi_remove_handle(e->c->multi, s->easy);
	s->req = NULL;
	e->in_flight--;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &r->status);
	r->curl_code = (int)cc;
	if (cc != CURLE_OK)
		r->status = 0;
	if (cc != CURLE_OK && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(cc));
	if (r->status >= 300 && r->resp.len)
		s3_xml_first(r->resp.buf, r->resp.len, "Code", r->code, sizeof(r->code));
	v = judge(r, cc);
	if (v == V_RETRY && r->attempts < e->c->max_attempts && !e->failed) {
		r->next_at_ms = now_ms() + backoff_ms(r->attempts);
		e->retry[e->nretry++] = r;
		log_info(3, "s3: retrying %s (%s%s)", r->key ? r->key : "/",
			 r->status ? r->code : r->err, r->status && !r->code[0] ? "HTTP error" : "");
		return;
	}
	if (r->body_file)
		strbuf_release(&r->body); /* re-read when needed: bounds memory */
	if (v == V_DONE) {
		r->done = 1;
		if (progress)
			progress(r, ctx);
	} else if (!e->failed) {
		e->failed = r;
	}
}

static int ensure_multi(struct s3_client *c)
{
	static int global_done;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return log_error("cannot initialise libcurl");
		global_done = 1;
	}
	if (!c->multi) {
		c->multi = curl_multi_init();
		if (!c->multi)
			return log_error("cannot initialise libcurl");
		curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->jobs);
		curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->jobs);
	}
	return 0;
}

/* Starts requests into idle slots while there is room. */
static void fill_slots(struct engine *e, struct slot *slots, int nslots)
{
	long long now = now_ms();

	for (int i = 0; i < nslots && !e->failed; i++) {
		struct s3_req *r;

		if (slots[i].req)
			continue;
		r = next_ready(e, now);
		if (!r)
			return;
		if (slot_start(e->c, &slots[i], r) < 0) {
			e->failed = r;
			return;
		}
		curl_multi_add_handle(e->c->multi, slots[i].easy);
		e->in_flight++;
	}
}

static int poll_timeout(const struct engine *e)
{
	long long now = now_ms(), t = 1000;

	for (size_t i = 0; i < e->nretry; i++)
		if (e->retry[i]->next_at_ms - now < t)
			t = e->retry[i]->next_at_ms - now;
	return t < 0 ? 0 : (int)t;
}

int s3_client_run(struct s3_client *c, struct s3_req **reqs, size_t n,
		  void (*progress)(struct s3_req *r, void *ctx), void *ctx)
{
	struct engine e = { .c = c, .reqs = reqs, .n = n };
	int nslots = c->jobs < 1 ? 1 : c->jobs, rc = 0;
	struct slot *slots;

	if (!n)
		return 0;
	if (ensure_multi(c) < 0)
		return -1;
	if ((size_t)nslots > n)
		nslots = (int)n;
	slots = xcalloc((size_t)nslots, sizeof(*slots));
	e.retry = xcalloc(n, sizeof(*e.retry));
	for (int i = 0; i < nslots; i++) {
		slots[i].easy = curl_easy_init();
		if (!slots[i].easy)
			die("cannot initialise libcurl");
	}
	for (;;) {
		int running = 0, left;
		CURLMsg *m;

		if (!e.failed)
			fill_slots(&e, slots, nslots);
		if (!e.in_flight && (e.failed || (e.next >= e.n && !e.nretry)))
			break;
		curl_multi_perform(c->multi, &running);
		while ((m = curl_multi_info_read(c->multi, &left))) {
			struct slot *s = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			finish(&e, s, m->data.result, progress, ctx);
		}
		if (e.in_flight || e.nretry)
			curl_multi_poll(c->multi, NULL, 0, poll_timeout(&e), NULL);
	}
	if (e.failed) {
		struct strbuf msg = STRBUF_INIT;

		s3_describe(c, e.failed, &msg);
		rc = log_error("%s", msg.buf);
		strbuf_release(&msg);
	}
	for (int i = 0; i < nslots; i++) {
		curl_easy_cleanup(slots[i].easy);
		curl_slist_free_all(slots[i].headers);
	}
	free(slots);
	free(e.retry);
	return rc;
}

/* s3_config.c: where S3 requests go and whose keys sign them, the AWS CLI's way. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "s3_client.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The credentials file's path: $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
static char *credentials_path(void)
{
	const char *f = env("AWS_SHARED_CREDENTIALS_FILE"), *home = env("HOME");

	if (f)
		return xstrdup(f);
	return home ? xstrcat3(home, "/", ".aws/credentials") : NULL;
}

/* Reads the keys of [profile] from the INI file at path, if it exists. */
static int read_profile(struct s3_client *c, const char *path, const char *profile)
{
	struct strbuf text = STRBUF_INIT;
	char *line, *save = NULL;
	int in = 0, rc = strbuf_read_file(&text, path);

	if (rc == -ENOENT) {
		strbuf_release(&text);
		return 0;
	}
	if (rc < 0) {
		strbuf_release(&text);
		return log_error("cannot read %s: %s", path, strerror(-rc));
	}
	for (line = strtok_r(text.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = trim(line), *eq, *k, *v;

		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close)
				*close = '\0';
			in = !strcmp(trim(s + 1), profile);
			continue;
		}
		if (!in || !(eq = strchr(s, '=')) || *s == '#' || *s == ';')
			continue;
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (!strcasecmp(k, "aws_access_key_id") && !c->access_key)
			c->access_key = xstrdup(v);
		else if (!strcasecmp(k, "aws_secret_access_key") && !c->secret)
			c->secret = xstrdup(v);
		else if (!strcasecmp(k, "aws_session_token") && !c->token)
			c->token = xstrdup(v);
	}
	strbuf_release(&text);
	return 0;
}

static int load_credentials(struct s3_client *c)
{
	const char *profile = env("AWS_PROFILE");
	char *path;
	struct strbuf from = STRBUF_INIT;
	int rc;

	if (env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
		c->access_key = xstrdup(env("AWS_ACCESS_KEY_ID"));
		c->secret = xstrdup(env("AWS_SECRET_ACCESS_KEY"));
		c->token = env("AWS_SESSION_TOKEN") ? xstrdup(env("AWS_SESSION_TOKEN")) : NULL;
		c->access_from = xstrdup("AWS_ACCESS_KEY_ID");
		c->secret_from = xstrdup("AWS_SECRET_ACCESS_KEY");
		return 0;
	}
	if (!profile)
		profile = env("AWS_DEFAULT_PROFILE") ? env("AWS_DEFAULT_PROFILE") : "default";
	path = credentials_path();
	if (!path)
		return log_error("no S3 credentials: set AWS_ACCESS_KEY_ID and "
				 "AWS_SECRET_ACCESS_KEY (HOME is not set, so there is no "
				 "~/.aws/credentials)");
	rc = read_profile(c, path, profile);
	if (!rc && (!c->access_key || !c->secret))
		rc = log_error("no S3 credentials: set AWS_ACCESS_KEY_ID and "
			       "AWS_SECRET_ACCESS_KEY, or aws_access_key_id and "
			       "aws_secret_access_key in [%s] of %s", profile, path);
	strbuf_addf(&from, "aws_access_key_id in [%s] of %s", profile, path);
	c->access_from = strbuf_detach(&from, NULL);
	strbuf_addf(&from, "aws_secret_access_key in [%s] of %s", profile, path);
	c->secret_from = strbuf_detach(&from, NULL);
	free(path);
	return rc;
}

/* Splits "scheme://host[:port][/path]" into c's fields. */
static int parse_endpoint(struct s3_client *c, const char *url)
{
	const char *p = strstr(url, "://"), *host, *slash;
	size_t blen;

	if (!p || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return log_error("S3 endpoint '%s': expected http://HOST[:PORT] or "
				 "https://HOST[:PORT]", url);
	c->scheme = xstrndup(url, (size_t)(p - url));
	host = p + 3;
	slash = strchr(host, '/');
	c->host = slash ? xstrndup(host, (size_t)(slash - host)) : xstrdup(host);
	if (!*c->host || strpbrk(c->host, "@?# "))
		return log_error("S3 endpoint '%s': bad host", url);
	c->base = xstrdup(slash ? slash : "");
	blen = strlen(c->base);
	while (blen && c->base[blen - 1] == '/')
		c->base[--blen] = '\0';
	return 0;
}

/* Bucket names that can be a DNS label (virtual-hosted style needs that). */
static int dns_bucket(const char *b)
{
	for (const char *p = b; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return 0;
	return *b && b[0] != '-';
}

int s3_client_init(struct s3_client *c, const char *bucket, const char *endpoint,
		   enum s3_addressing addressing, int jobs)
{
	struct strbuf def = STRBUF_INIT;
	const char *attempts = env("AWS_MAX_ATTEMPTS");
	int rc;

	memset(c, 0, sizeof(*c));
	c->bucket = xstrdup(bucket);
	c->jobs = jobs > 0 ? jobs : 16;
	c->max_attempts = 5;
	if (attempts) {
		char *end;
		long v = strtol(attempts, &end, 10);

		if (*end || v < 1 || v > 100)
			return log_error("AWS_MAX_ATTEMPTS: expected a number from 1 to 100, "
					 "got '%s'", attempts);
		c->max_attempts = (int)v;
	}
	c->region = xstrdup(env("AWS_REGION") ? env("AWS_REGION") :
			    env("AWS_DEFAULT_REGION") ? env("AWS_DEFAULT_REGION") : "us-east-1");
	if (!endpoint)
		endpoint = env("AWS_ENDPOINT_URL_S3") ? env("AWS_ENDPOINT_URL_S3") :
			   env("AWS_ENDPOINT_URL");
	if (!endpoint) {
		strbuf_addf(&def, "https://s3.%s.amazonaws.com", c->region);
		endpoint = def.buf;
	}
	rc = parse_endpoint(c, endpoint);
	strbuf_release(&def);
	if (rc < 0)
		return -1;
	if (addressing == S3_ADDR_AUTO)
		c->virtual_host = strstr(c->host, ".amazonaws.com") && dns_bucket(bucket);
	else
		c->virtual_host = addressing == S3_ADDR_VIRTUAL;
	if (c->virtual_host && !dns_bucket(bucket))
		return log_error("bucket '%s' cannot be addressed virtual-hosted style "
				 "(not a DNS name): use --s3-addressing path", bucket);
	c->ca_bundle = env("AWS_CA_BUNDLE") ? xstrdup(env("AWS_CA_BUNDLE")) : NULL;
	return load_credentials(c);
}

void s3_client_release(struct s3_client *c)
{
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->scheme);
	free(c->host);
	free(c->base);
	free(c->bucket);
	free(c->region);
	free(c->access_key);
	if (c->secret)
		memset(c->secret, 0, strlen(c->secret));
	free(c->secret);
	free(c->token);
	free(c->access_from);
	free(c->secret_from);
	free(c->ca_bundle);
	memset(c, 0, sizeof(*c));
}

void s3_describe(const struct s3_client *c, const struct s3_req *r, struct strbuf *out)
{
	static const char *const mname[] = { "GET", "PUT", "HEAD", "DELETE" };
	struct strbuf name = STRBUF_INIT;

	s3_req_name(c, r, &name);
	if (!r->status && r->body_file && strstr(r->err, "cannot read"))
		strbuf_addf(out, "%s: %s", name.buf, r->err);
	else if (!r->status && (r->curl_code == CURLE_PEER_FAILED_VERIFICATION ||
				r->curl_code == CURLE_SSL_CACERT_BADFILE))
		strbuf_addf(out, "cannot reach %s://%s securely: %s (set AWS_CA_BUNDLE to "
			    "the CA file that signed its certificate)", c->scheme, c->host, r->err);
	else if (!r->status)
		strbuf_addf(out, "cannot reach the S3 endpoint %s://%s%s: %s (after %d "
			    "attempt%s; check --s3-endpoint or AWS_ENDPOINT_URL)", c->scheme,
			    c->host, c->base, r->err, r->attempts, r->attempts == 1 ? "" : "s");
	else if (!strcmp(r->code, "SignatureDoesNotMatch"))
		strbuf_addf(out, "%s: 403 SignatureDoesNotMatch: the secret key is wrong "
			    "for access key '%s': check %s", name.buf, c->access_key, c->secret_from);
	else if (!strcmp(r->code, "InvalidAccessKeyId"))
		strbuf_addf(out, "%s: 403 InvalidAccessKeyId: the endpoint knows no access "
			    "key '%s': check %s", name.buf, c->access_key, c->access_from);
	else if (!strcmp(r->code, "RequestTimeTooSkewed"))
		strbuf_addf(out, "%s: 403 RequestTimeTooSkewed: this machine's clock (%s UTC) "
			    "is too far from the endpoint's: fix the clock (NTP)", name.buf,
			    r->amz_date);
	else if (!strcmp(r->code, "NoSuchBucket"))
		strbuf_addf(out, "bucket '%s' does not exist at %s://%s%s (404 NoSuchBucket)",
			    c->bucket, c->scheme, c->host, c->base);
	else if (!strcmp(r->code, "AccessDenied"))
		strbuf_addf(out, "%s: 403 AccessDenied: access key '%s' (from %s) may not "
			    "%s here", name.buf, c->access_key, c->access_from, mname[r->method]);
	else
		strbuf_addf(out, "%s: %s answered %ld%s%s after %d attempt%s", name.buf,
			    mname[r->method], r->status, r->code[0] ? " " : "", r->code,
			    r->attempts, r->attempts == 1 ? "" : "s");
	strbuf_release(&name);
}

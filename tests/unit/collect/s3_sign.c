/* collect/s3_sign.c: SigV4 against the examples in AWS's S3 documentation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../../collect/s3_sign.h"
#include "strbuf.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define DATE "20130524T000000Z"

/* Signs and returns the Signature= part. */
static void sign(const char *method, const char *uri, const char *query,
		 const struct s3_header *h, size_t nh, const char *payload, char *sig)
{
	struct strbuf out = STRBUF_INIT;
	struct s3_sign_req r = {
		.method = method, .uri = uri, .query = query, .h = h, .nh = nh,
		.payload_hash = payload, .amz_date = DATE, .region = "us-east-1",
		.access_key = AK, .secret = SK,
	};
	const char *p;

	s3_sign(&r, &out);
	assert_non_null(strstr(out.buf, "Credential=" AK "/20130524/us-east-1/s3/aws4_request"));
	p = strstr(out.buf, "Signature=");
	assert_non_null(p);
	strcpy(sig, p + 10);
	strbuf_release(&out);
}

/* "Example: GET Object" (a Range header, empty payload). */
static void get_object(void **state)
{
	/* Deliberately unsorted: the signer sorts. */
	struct s3_header h[] = {
		{ "x-amz-date", DATE }, { "range", "bytes=0-9" },
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-content-sha256", S3_EMPTY_SHA256 },
	};
	char sig[80];

	sign("GET", "/test.txt", "", h, 4, S3_EMPTY_SHA256, sig);
	assert_string_equal(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

/* "Example: PUT Object": a key that needs encoding and a payload hash. */
static void put_object(void **state)
{
	const char body[] = "Welcome to Amazon S3.";
	char payload[S3_SHA256_HEX_LEN + 1], sig[80];
	struct strbuf uri = STRBUF_INIT;

	s3_sha256_hex(body, strlen(body), payload);
	assert_string_equal(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
	strbuf_addch(&uri, '/');
	s3_uri_encode(&uri, "test$file.text", 1);
	assert_string_equal(uri.buf, "/test%24file.text");
	struct s3_header h[] = {
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "x-amz-date", DATE }, { "x-amz-storage-class", "REDUCED_REDUNDANCY" },
		{ "x-amz-content-sha256", payload },
	};
	sign("PUT", uri.buf, "", h, 5, payload, sig);
	assert_string_equal(sig, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
	strbuf_release(&uri);
}

/* "Example: GET Bucket Lifecycle": a bare parameter is signed as "lifecycle=". */
static void get_lifecycle(void **state)
{
	struct s3_header h[] = {
		{ "host", "examplebucket.s3.amazonaws.com" }, { "x-amz-date", DATE },
		{ "x-amz-content-sha256", S3_EMPTY_SHA256 },
	};
	struct strbuf q = STRBUF_INIT;
	char sig[80];

	s3_query_add(&q, "lifecycle", NULL);
	assert_string_equal(q.buf, "lifecycle=");
	sign("GET", "/", q.buf, h, 3, S3_EMPTY_SHA256, sig);
	assert_string_equal(sig, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
	strbuf_release(&q);
}

/* "Example: Get Bucket (List Objects)": parameters in sorted order. */
static void list_objects(void **state)
{
	struct s3_header h[] = {
		{ "host", "examplebucket.s3.amazonaws.com" }, { "x-amz-date", DATE },
		{ "x-amz-content-sha256", S3_EMPTY_SHA256 },
	};
	struct strbuf q = STRBUF_INIT;
	char sig[80];

	s3_query_add(&q, "max-keys", "2");
	s3_query_add(&q, "prefix", "J");
	sign("GET", "/", q.buf, h, 3, S3_EMPTY_SHA256, sig);
	assert_string_equal(sig, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
	strbuf_release(&q);
}

/* Keys keep '/', query values do not; everything but unreserved is %XX. */
static void uri_encoding(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	s3_uri_encode(&sb, "img/caf\xc3\xa9 a+b~c_d-e.png", 1);
	assert_string_equal(sb.buf, "img/caf%C3%A9%20a%2Bb~c_d-e.png");
	strbuf_reset(&sb);
	s3_query_add(&sb, "prefix", "static/x y");
	s3_query_add(&sb, "continuation-token", "a=b&c");
	assert_string_equal(sb.buf, "prefix=static%2Fx%20y&continuation-token=a%3Db%26c");
	strbuf_release(&sb);
}

/* Blanks in a header value are trimmed and folded before signing. */
static void header_trimming(void **state)
{
	struct s3_header a[] = { { "host", "h" }, { "x-amz-meta-x", "  a   b " } };
	struct s3_header b[] = { { "host", "h" }, { "x-amz-meta-x", "a b" } };
	char s1[80], s2[80];

	sign("GET", "/", "", a, 2, S3_EMPTY_SHA256, s1);
	sign("GET", "/", "", b, 2, S3_EMPTY_SHA256, s2);
	assert_string_equal(s1, s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_object),
		cmocka_unit_test(put_object),
		cmocka_unit_test(get_lifecycle),
		cmocka_unit_test(list_objects),
		cmocka_unit_test(uri_encoding),
		cmocka_unit_test(header_trimming),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

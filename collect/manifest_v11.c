/* manifest_v11.c: Django 4.2+'s manifest version 1.1 and its manifest_hash. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "json_out.h"
#include "log.h"
#include "manifest.h"
#include "manifest_v11.h"
#include "strbuf.h"

void manifest_hash_v11(const struct manifest *m, char hex[13])
{
	struct strbuf items = STRBUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	/* json.dumps(sorted(hashed_files.items())): a list of pairs, Python's
	 * default separators, ASCII-escaped. */
	strbuf_addch(&items, '[');
	for (size_t i = 0; i < m->n; i++) {
		strbuf_addstr(&items, i ? ", [" : "[");
		json_put_string(&items, m->v[i].name);
		strbuf_addstr(&items, ", ");
		json_put_string(&items, m->v[i].hashed);
		strbuf_addch(&items, ']');
	}
	strbuf_addch(&items, ']');
	/* Django's file_hash(): md5, hexdigest()[:12] (not for security). */
	if (EVP_Digest(items.buf, items.len, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen < 6)
		die("cannot compute the manifest's md5 (libcrypto; a FIPS-only "
		    "OpenSSL configuration has no md5)");
	for (int i = 0; i < 6; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	strbuf_release(&items);
}

void manifest_serialize_v11(const struct manifest *m, struct strbuf *out)
{
	static const char tail10[] = "\"1.0\"}";
	size_t start = out->len;
	char hex[13];

	manifest_hash_v11(m, hex);
	manifest_serialize(m, out);
	/* Same paths object as 1.0; only the version and the hash differ. */
	if (out->len - start >= sizeof(tail10) - 1 &&
	    !memcmp(out->buf + out->len - (sizeof(tail10) - 1), tail10, sizeof(tail10) - 1))
		strbuf_setlen(out, out->len - (sizeof(tail10) - 1));
	strbuf_addf(out, "\"1.1\", \"hash\": \"%s\"}", hex);
}

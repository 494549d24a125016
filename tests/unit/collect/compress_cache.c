/* collect/compress_cache.c: entries round-trip, any damage or other key is a miss, eviction keeps the bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../collect/compress_cache.h"
#include "strbuf.h"
#include "../tmproot.h"

static const char input[] = "body { color: red; } /* some input */";
static const char encoded[] = "\x1f\x8b pretend-compressed bytes";

static enum compress_cache_result get(struct compress_cache *c, const char *spec,
				      const char *in, struct strbuf *out, uint64_t *len,
				      int *kept)
{
	struct compress_key k;

	compress_key_of(&k, in, strlen(in), spec);
	strbuf_reset(out);
	return compress_cache_get(c, &k, out, len, kept);
}

static void put_one(struct compress_cache *c, const char *spec, const char *in,
		    const char *enc, size_t enc_len, int kept)
{
	struct compress_key k;

	compress_key_of(&k, in, strlen(in), spec);
	compress_cache_put(c, &k, enc, enc_len, kept);
}

/* The one entry file under root (there is one in these tests). */
static void entry_file(char *path, size_t n)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "find '%s' -type f ! -name '.tmp-*' | head -1", root);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(path, (int)n, p));
	path[strcspn(path, "\n")] = '\0';
	pclose(p);
}

static void roundtrip_and_keys(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT;
	uint64_t len = 0;
	int kept = -1;

	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "br q6", input, &out, &len, &kept), CC_MISS);
	put_one(&c, "br q6", input, encoded, sizeof(encoded) - 1, 1);
	assert_int_equal(get(&c, "br q6", input, &out, &len, &kept), CC_HIT);
	assert_int_equal(kept, 1);
	assert_int_equal(len, sizeof(encoded) - 1);
	assert_memory_equal(out.buf, encoded, len);
	/* another setting, another input: misses */
	assert_int_equal(get(&c, "br q11", input, &out, &len, &kept), CC_MISS);
	assert_int_equal(get(&c, "br q6", "other", &out, &len, &kept), CC_MISS);
	/* a variant not worth keeping: its size only */
	put_one(&c, "gzip l6", input, encoded, 1000, 0);
	assert_int_equal(get(&c, "gzip l6", input, &out, &len, &kept), CC_HIT);
	assert_int_equal(kept, 0);
	assert_int_equal(len, 1000);
	assert_int_equal(out.len, 0);
	assert_int_equal(atomic_load(&c.hits), 2);
	assert_int_equal(atomic_load(&c.stored), 2);
	compress_cache_release(&c);
	compress_cache_init(&c, NULL, 0);
	assert_int_equal(get(&c, "br q6", input, &out, &len, &kept), CC_OFF);
	compress_cache_release(&c);
	strbuf_release(&out);
}

/* Every single-byte change and every truncation is a miss, never a hit. */
static void damage_is_a_miss(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT, good = STRBUF_INIT;
	char path[512];
	uint64_t len;
	int kept;

	compress_cache_init(&c, root, 0);
	put_one(&c, "zstd l9", input, encoded, sizeof(encoded) - 1, 1);
	entry_file(path, sizeof(path));
	assert_int_equal(strbuf_read_file(&good, path), 0);
	for (size_t i = 0; i < good.len; i++) {
		char *bad = malloc(good.len);

		memcpy(bad, good.buf, good.len);
		bad[i] ^= 0x01;
		assert_int_equal(atomic_write_file(path, bad, good.len, 0644), 0);
		assert_int_equal(get(&c, "zstd l9", input, &out, &len, &kept), CC_MISS);
		assert_int_equal(atomic_write_file(path, good.buf, i, 0644), 0);
		assert_int_equal(get(&c, "zstd l9", input, &out, &len, &kept), CC_MISS);
		free(bad);
	}
	assert_int_equal(atomic_load(&c.corrupt), 2 * good.len);
	/* a put over the damaged one repairs it */
	put_one(&c, "zstd l9", input, encoded, sizeof(encoded) - 1, 1);
	assert_int_equal(get(&c, "zstd l9", input, &out, &len, &kept), CC_HIT);
	compress_cache_release(&c);
	strbuf_release(&out);
	strbuf_release(&good);
}

static void eviction_keeps_the_bound(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT;
	char *blob = calloc(1, 300000), in[32];
	uint64_t len;
	int kept;

	compress_cache_init(&c, root, 1 << 20);
	for (int i = 0; i < 8; i++) {
		snprintf(in, sizeof(in), "input %d", i);
		put_one(&c, "br q11", in, blob, 300000, 1);
		if (i == 0)
			sleep(1);  /* entry 0 is the oldest by mtime... */
	}
	sleep(1);
	assert_int_equal(get(&c, "br q11", "input 0", &out, &len, &kept), CC_HIT); /* ...until used */
	compress_cache_finish(&c);
	assert_true(atomic_load(&c.size_after) <= 1 << 20);
	assert_true(atomic_load(&c.evicted) >= 5);
	assert_int_equal(get(&c, "br q11", "input 0", &out, &len, &kept), CC_HIT);
	assert_int_equal(get(&c, "br q11", "input 1", &out, &len, &kept), CC_MISS);
	compress_cache_release(&c);
	strbuf_release(&out);
	free(blob);
}

/* A cache under a regular file cannot be created: one warning, no store. */
static void unwritable(void **state)
{
	struct compress_cache c;
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/file", root);
	put("file", "not a directory");
	compress_cache_init(&c, dir, 0);
	put_one(&c, "br q6", input, encoded, 4, 1);
	put_one(&c, "br q6", "more", encoded, 4, 1);
	assert_int_equal(atomic_load(&c.read_only), 1);
	assert_int_equal(atomic_load(&c.stored), 0);
	compress_cache_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(roundtrip_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(damage_is_a_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(eviction_keeps_the_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

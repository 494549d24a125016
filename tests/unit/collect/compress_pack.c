/* collect/compress_pack.c: packed entries round-trip across runs, any damage is a miss (never other bytes), compaction keeps what was used, eviction takes whole packs. */
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

static const char encoded[] = "\x1f\x8b pretend-compressed bytes";

static struct compress_key key(const char *in, const char *spec)
{
	struct compress_key k;

	compress_key_of(&k, in, strlen(in), spec);
	k.packed = 1;
	return k;
}

static enum compress_cache_result get(struct compress_cache *c, const char *in,
				      struct strbuf *out, uint64_t *len, int *kept)
{
	struct compress_key k = key(in, "br q6");

	strbuf_reset(out);
	return compress_cache_get(c, &k, out, len, kept);
}

static void put_one(struct compress_cache *c, const char *in, const char *enc, size_t len,
		    int kept)
{
	struct compress_key k = key(in, "br q6");

	compress_cache_put(c, &k, enc, len, kept);
}

/* Number of pack files, and the path of the last one listed. */
static size_t packs(char *path, size_t n)
{
	char dir[256];
	size_t count = 0;
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/compress-v1/packs", root);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		count++;
		if (path)
			snprintf(path, n, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	return count;
}

/* One run: init, put inputs "<tag> i" for i < n, finish, release. */
static void run_putting(const char *tag, int n)
{
	struct compress_cache c;
	char in[64];

	compress_cache_init(&c, root, 0);
	for (int i = 0; i < n; i++) {
		snprintf(in, sizeof(in), "%s %d", tag, i);
		put_one(&c, in, encoded, sizeof(encoded) - 1, 1);
	}
	compress_cache_finish(&c);
	compress_cache_release(&c);
}

static void roundtrip_across_runs(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT;
	uint64_t len = 0;
	int kept = -1;

	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "a.css", &out, &len, &kept), CC_MISS);
	put_one(&c, "a.css", encoded, sizeof(encoded) - 1, 1);
	put_one(&c, "b.css", encoded, 1000, 0);  /* not worth keeping: its size only */
	assert_int_equal(packs(NULL, 0), 0);     /* nothing published before finish() */
	compress_cache_finish(&c);
	compress_cache_release(&c);
	assert_int_equal(packs(NULL, 0), 1);

	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "a.css", &out, &len, &kept), CC_HIT);
	assert_int_equal(kept, 1);
	assert_int_equal(len, sizeof(encoded) - 1);
	assert_memory_equal(out.buf, encoded, len);
	assert_int_equal(get(&c, "b.css", &out, &len, &kept), CC_HIT);
	assert_int_equal(kept, 0);
	assert_int_equal(len, 1000);
	assert_int_equal(out.len, 0);
	assert_int_equal(get(&c, "c.css", &out, &len, &kept), CC_MISS);
	/* the same input under another spec, or as an entry file: misses */
	{
		struct compress_key k = key("a.css", "br q5");

		assert_int_equal(compress_cache_get(&c, &k, &out, &len, &kept), CC_MISS);
		k = key("a.css", "br q6");
		k.packed = 0;
		assert_int_equal(compress_cache_get(&c, &k, &out, &len, &kept), CC_MISS);
	}
	compress_cache_finish(&c);  /* stored nothing: publishes nothing */
	compress_cache_release(&c);
	assert_int_equal(packs(NULL, 0), 1);
	strbuf_release(&out);
}

/* Every single-byte change and every truncation of a pack gives a miss or
 * the right bytes, never other bytes. */
static void damage_is_a_miss(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT, good = STRBUF_INIT;
	char path[512];
	uint64_t len;
	int kept, misses = 0;

	run_putting("in", 3);
	assert_int_equal(packs(path, sizeof(path)), 1);
	assert_int_equal(strbuf_read_file(&good, path), 0);
	for (size_t i = 0; i < 2 * good.len; i++) {
		char *bad = malloc(good.len);
		size_t n = i < good.len ? good.len : i - good.len;

		memcpy(bad, good.buf, good.len);
		if (i < good.len)
			bad[i] ^= 0x01;
		assert_int_equal(atomic_write_file(path, bad, n, 0644), 0);
		compress_cache_init(&c, root, 0);
		for (int j = 0; j < 3; j++) {
			char in[16];

			snprintf(in, sizeof(in), "in %d", j);
			if (get(&c, in, &out, &len, &kept) == CC_MISS) {
				misses++;
				continue;
			}
			assert_int_equal(kept, 1);
			assert_int_equal(len, sizeof(encoded) - 1);
			assert_memory_equal(out.buf, encoded, len);
		}
		compress_cache_release(&c);
		free(bad);
	}
	assert_true(misses >= (int)good.len);  /* each flip and cut spoils one at least */
	strbuf_release(&out);
	strbuf_release(&good);
}

/* Past a few packs, a run keeps what it used in its own pack and drops
 * the others. */
static void compaction_keeps_the_hits(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT;
	char tag[16];
	uint64_t len;
	int kept;

	for (int i = 0; i < 10; i++) {
		snprintf(tag, sizeof(tag), "run%d", i);
		run_putting(tag, 2);
	}
	assert_int_equal(packs(NULL, 0), 10);  /* runs that hit nothing compact nothing */
	/* a run using two packs leaves them */
	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "run0 0", &out, &len, &kept), CC_HIT);
	assert_int_equal(get(&c, "run1 0", &out, &len, &kept), CC_HIT);
	compress_cache_finish(&c);
	compress_cache_release(&c);
	assert_int_equal(packs(NULL, 0), 10);
	/* a run using nine of them keeps its hits in its own pack */
	compress_cache_init(&c, root, 0);
	for (int i = 0; i < 9; i++) {
		snprintf(tag, sizeof(tag), "run%d 1", i);
		assert_int_equal(get(&c, tag, &out, &len, &kept), CC_HIT);
	}
	put_one(&c, "new", encoded, 4, 1);
	compress_cache_finish(&c);
	compress_cache_release(&c);
	assert_int_equal(packs(NULL, 0), 2);  /* the new one, and run9's (not used) */
	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "run0 1", &out, &len, &kept), CC_HIT);
	assert_memory_equal(out.buf, encoded, len);
	assert_int_equal(get(&c, "run8 1", &out, &len, &kept), CC_HIT);
	assert_int_equal(get(&c, "run9 0", &out, &len, &kept), CC_HIT);
	assert_int_equal(get(&c, "new", &out, &len, &kept), CC_HIT);
	assert_int_equal(get(&c, "run5 0", &out, &len, &kept), CC_MISS);
	compress_cache_release(&c);
	strbuf_release(&out);
}

static void eviction_takes_whole_packs(void **state)
{
	struct compress_cache c;
	struct strbuf out = STRBUF_INIT;
	char *blob = calloc(1, 300000);
	uint64_t len;
	int kept;

	for (int i = 0; i < 4; i++) {
		char in[16];

		compress_cache_init(&c, root, 0);
		snprintf(in, sizeof(in), "big %d", i);
		put_one(&c, in, blob, 300000, 1);
		compress_cache_finish(&c);
		compress_cache_release(&c);
		if (i == 0)
			sleep(1);  /* pack 0 is the oldest by mtime */
	}
	compress_cache_init(&c, root, 700000);
	put_one(&c, "one more", encoded, 4, 1);
	compress_cache_finish(&c);
	assert_true(atomic_load(&c.size_after) <= 700000);
	compress_cache_release(&c);
	compress_cache_init(&c, root, 0);
	assert_int_equal(get(&c, "big 0", &out, &len, &kept), CC_MISS);
	assert_int_equal(get(&c, "one more", &out, &len, &kept), CC_HIT);
	compress_cache_release(&c);
	strbuf_release(&out);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(roundtrip_across_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(damage_is_a_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(compaction_keeps_the_hits, setup, teardown),
		cmocka_unit_test_setup_teardown(eviction_takes_whole_packs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

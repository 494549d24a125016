/* collect/cache.c: the incremental cache: round trip, escaping, settings, malformed files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../collect/cache.h"
#include "strbuf.h"

static char dir[] = "/tmp/sr-test-cache.XXXXXX";

static void save(const struct strbuf *sb)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_NAME);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(sb->buf, 1, sb->len, f), sb->len);
	fclose(f);
}

static void build(struct strbuf *sb, uint64_t settings)
{
	struct cache_src s = { "src/a\tb\\c\nd.css", 12, 34, 56, 0xfeedULL, -7 };
	const char *deps[] = { "img/x.png", "img/y\ty.png" };
	char *missing[] = { "img/gone.png" };
	struct cache_out o = { 0 };

	cache_begin(sb, settings);
	cache_add_src(sb, &s);
	cache_add_rw(sb, "css/a.css", 1, 2, 3, deps, 2, missing, 1);
	cache_add_rw(sb, "css/none.css", 4, 5, 6, NULL, 0, NULL, 0);
	o.fact.path = "css/a.0123456789ab.css";
	o.fact.type = "text/css; charset=utf-8";
	o.fact.size = 99;
	o.fact.hash = 0x1234;
	o.fact.flags = 1;
	o.fact.enc[ENC_GZIP].present = 1;
	o.fact.enc[ENC_GZIP].size = 40;
	o.fact.enc[ENC_GZIP].hash = 0xabc;
	o.mtime_ns = 1700000000123456789LL;
	o.ino = 77;
	o.current = 1;
	cache_add_out(sb, &o);
	o.fact.path = "old.css";
	o.current = 0;
	cache_add_out(sb, &o);
}

static void round_trip(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cache c;
	const struct cache_src *s;
	const struct cache_rw *rw;
	const struct cache_out *o;

	build(&sb, 42);
	save(&sb);
	cache_load(&c, dir, 42);
	assert_true(c.valid);
	assert_int_equal(c.nsrc, 1);
	s = cache_find_src(&c, "src/a\tb\\c\nd.css");
	assert_non_null(s);
	assert_int_equal(s->size, 12);
	assert_int_equal(s->hash, 0xfeed);
	assert_int_equal(s->mtime_ns, -7);
	rw = cache_find_rw(&c, "css/a.css");
	assert_non_null(rw);
	assert_int_equal(rw->ndeps, 2);
	assert_string_equal(rw->deps[1], "img/y\ty.png");
	assert_int_equal(rw->nmissing, 1);
	assert_string_equal(rw->missing[0], "img/gone.png");
	assert_int_equal(rw->final_hash, 3);
	rw = cache_find_rw(&c, "css/none.css");
	assert_non_null(rw);
	assert_int_equal(rw->ndeps, 0);
	o = cache_find_out(&c, "css/a.0123456789ab.css");
	assert_non_null(o);
	assert_string_equal(o->fact.type, "text/css; charset=utf-8");
	assert_int_equal(o->fact.enc[ENC_GZIP].size, 40);
	assert_false(o->fact.enc[ENC_BR].present);
	assert_int_equal(o->mtime_ns, 1700000000123456789LL);
	assert_int_equal(o->fact.mtime, 1700000000);
	assert_true(o->current);
	assert_int_equal(c.ncurrent, 1);
	assert_false(cache_find_out(&c, "old.css")->current);
	assert_null(cache_find_out(&c, "nope"));
	cache_release(&c);
	strbuf_release(&sb);
}

/* Other settings: content hashes of sources stay, the rest goes. */
static void settings_change(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct cache c;

	build(&sb, 42);
	save(&sb);
	cache_load(&c, dir, 43);
	assert_false(c.valid);
	assert_int_equal(c.nsrc, 1);
	assert_int_equal(c.nrw, 0);
	assert_int_equal(c.nout, 0);
	cache_release(&c);
	strbuf_release(&sb);
}

static void malformed_is_empty(void **state)
{
	static const char *bad[] = {
		"",
		"not a cache\n",
		"staticroot-cache 1\t000000000000002a\nS\tx\t1\n",
		"staticroot-cache 1\t000000000000002a\nR\tx\t1\t2\t3\t5\ta\n",
		"staticroot-cache 1\t000000000000002a\nZ\tx\n",
		"staticroot-cache 1\t000000000000002a\nS\tx\\q\t1\t2\t3\t4\t0000000000000001\n",
		"staticroot-cache 1\t000000000000002a\nS\tx\t1\t2\t3\t4\t0000000000000001",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct cache c;

		strbuf_addstr(&sb, bad[i]);
		save(&sb);
		cache_load(&c, dir, 42);
		assert_false(c.valid);
		assert_int_equal(c.nsrc + c.nrw + c.nout, 0);
		cache_release(&c);
		strbuf_release(&sb);
	}
}

static void missing_file(void **state)
{
	struct cache c;

	cache_load(&c, "/nonexistent-dir-for-test", 1);
	assert_false(c.valid);
	assert_null(cache_find_src(&c, "x"));
	cache_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(settings_change),
		cmocka_unit_test(malformed_is_empty),
		cmocka_unit_test(missing_file),
	};
	char path[256];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_NAME);
	unlink(path);
	rmdir(dir);
	return rc;
}

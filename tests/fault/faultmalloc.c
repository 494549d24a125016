/* faultmalloc.c: an LD_PRELOAD library that makes one malloc/calloc/realloc return NULL.
 *
 * The allocation to fail is named in one of two ways:
 *   SR_FAULT_N=N            the Nth (1-based, counted from the first call
 *                           after start-up, in every thread)
 *   SR_FAULT_SITE=KEY       the first one made from call site KEY, with
 *   SR_FAULT_CALLER=C       C the site's innermost caller ("OBJECT+0xOFFSET"),
 *                           both as SR_FAULT_SITES prints them
 * and the sites of a run are learnt with
 *   SR_FAULT_SITES=FILE     at exit, "site KEY N C" for every distinct call
 *                           site, in the order they first allocated (N: the
 *                           ordinal of that first allocation)
 *   SR_FAULT_TRACE=1        the stack of the failed allocation in the log too
 *   SR_FAULT_LOG=FILE       "injected malloc N ENOMEM OBJECT site KEY" the moment it
 *                           fires (OBJECT: the file name of the library or program that
 *                           asked, so a test can tell a library's own crash from
 *                           collect's), "malloc COUNT" at exit
 *
 * A call site is the chain of the SITE_DEPTH return addresses above malloc,
 * each as (object, offset in it), so a key is the same in every run
 * whatever the address-space layout and however threads interleave:
 * xmalloc's callers are told apart, and so are a library's.  Failing the
 * first allocation of every site reaches every error path a program has
 * for an allocation, without failing the tens of thousands that repeat one.
 * Recording unwinds the stack at every allocation; failing a site unwinds
 * it only where the innermost caller is the site's.
 * Not for sanitizer builds (ASan owns malloc there).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

#define SITE_DEPTH 6       /* return addresses in a site's key */
#define SITE_SLOTS 65536   /* distinct sites recorded (a power of two) */

static atomic_long count;
static long target;
static atomic_int fired;
static int ready;
static int recording;          /* SR_FAULT_SITES given */
static uint64_t target_site;   /* SR_FAULT_SITE, 0: none */
static uint64_t target_caller_obj;
static uintptr_t target_caller_off;
/* Set while this thread is inside this library: backtrace() may allocate,
 * and those allocations are not the program's. */
static __thread int busy __attribute__((tls_model("initial-exec")));

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t hash_str(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		h = mix(h, (unsigned char)s[i]);
	return h;
}

/* --- where a return address lies ---------------------------------------- */

/* The code segments of the program and its libraries, so that a return
 * address maps to (object, offset) at the cost of a few compares.  Read
 * again from dl_iterate_phdr() when an address falls in none (a library
 * loaded since); only the thread holding map_lock writes it. */
struct segment {
	uintptr_t start, end, base;
	const char *name;  /* the object's file name, without directories */
	uint64_t name_hash;
	int self;          /* this library: its frames are left out of keys */
};
static struct segment segs[128];
static _Atomic int nsegs;
static atomic_flag map_lock = ATOMIC_FLAG_INIT;
static uintptr_t self_base;

static int add_object(struct dl_phdr_info *info, size_t size, void *ctx)
{
	const char *name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "program";
	const char *slash = strrchr(name, '/');
	int *n = ctx;

	(void)size;
	name = slash ? slash + 1 : name;
	for (int i = 0; i < info->dlpi_phnum && *n < (int)(sizeof(segs) / sizeof(segs[0])); i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		segs[(*n)++] = (struct segment){
			.start = info->dlpi_addr + ph->p_vaddr,
			.end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz,
			.base = info->dlpi_addr,
			.name = name,
			.name_hash = hash_str(0, name, strlen(name)),
			.self = info->dlpi_addr == self_base,
		};
	}
	return 0;
}

static const struct segment *segment_of(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (int pass = 0; pass < 2; pass++) {
		int n = atomic_load(&nsegs);

		for (int i = 0; i < n; i++)
			if (a >= segs[i].start && a < segs[i].end)
				return &segs[i];
		if (pass || atomic_flag_test_and_set(&map_lock))
			break;
		n = 0;
		atomic_store(&nsegs, 0);
		dl_iterate_phdr(add_object, &n);
		atomic_store(&nsegs, n);
		atomic_flag_clear(&map_lock);
	}
	return NULL;
}

/* The key of the call site allocating now, and its innermost caller.
 * Frames inside this library (inlined or not) are left out. */
static __attribute__((noinline)) uint64_t site_key(const void **caller)
{
	void *bt[SITE_DEPTH + 4];
	int n = backtrace(bt, SITE_DEPTH + 4), used = 0;
	uint64_t h = 0x5349544531ull;

	*caller = NULL;
	for (int i = 0; i < n && used < SITE_DEPTH; i++) {
		const struct segment *s = segment_of(bt[i]);

		if (s && s->self)
			continue;
		h = s ? mix(mix(h, s->name_hash), (uintptr_t)bt[i] - s->base)
		      : mix(h, (uintptr_t)bt[i]);
		if (!used++)
			*caller = bt[i];
	}
	return h ? h : 1;
}

/* "OBJECT+0xOFFSET" of addr into buf. */
static const char *describe(const void *addr, char *buf, size_t size)
{
	const struct segment *s = segment_of(addr);

	if (s)
		snprintf(buf, size, "%s+0x%lx", s->name, (unsigned long)((uintptr_t)addr - s->base));
	else
		snprintf(buf, size, "?+0x%lx", (unsigned long)(uintptr_t)addr);
	return buf;
}

/* Whether addr is SR_FAULT_CALLER's return address. */
static int is_target_caller(const void *addr)
{
	const struct segment *s = segment_of(addr);

	return s && s->name_hash == target_caller_obj &&
	       (uintptr_t)addr - s->base == target_caller_off;
}

/* --- the sites a run allocated from ----------------------------------- */

struct site {
	_Atomic uint64_t key;  /* 0: a free slot */
	long first;            /* ordinal of its first allocation */
	const void *caller;
};
static struct site sites[SITE_SLOTS];
static atomic_long nsites;
static long order[SITE_SLOTS];  /* slots, in the order their sites came */

static void site_record(uint64_t key, long k, const void *caller)
{
	for (size_t i = key & (SITE_SLOTS - 1), probes = 0; probes < SITE_SLOTS;
	     i = (i + 1) & (SITE_SLOTS - 1), probes++) {
		uint64_t expect = 0;

		if (atomic_compare_exchange_strong(&sites[i].key, &expect, key)) {
			sites[i].first = k;
			sites[i].caller = caller;
			order[atomic_fetch_add(&nsites, 1)] = (long)i;
			return;
		}
		if (expect == key)
			return;
	}
	/* Table full: the site goes unrecorded. */
}

static int by_first(const void *a, const void *b)
{
	long x = sites[*(const long *)a].first, y = sites[*(const long *)b].first;

	return (x > y) - (x < y);
}

/* --- set-up, reporting ------------------------------------------------- */

static void append_line(const char *path, const char *line, int n)
{
	int fd;

	if (!path || n <= 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0)
		n = 0;
	close(fd);
}

/* SR_FAULT_CALLER "OBJECT+0xOFFSET" into target_caller_obj/off. */
static void parse_caller(const char *c)
{
	const char *plus = c ? strrchr(c, '+') : NULL;

	if (!plus)
		return;
	target_caller_obj = hash_str(0, c, (size_t)(plus - c));
	target_caller_off = (uintptr_t)strtoull(plus + 1, NULL, 16);
}

__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("SR_FAULT_N"), *site = getenv("SR_FAULT_SITE");
	Dl_info self;
	void *warm[2];

	if (dladdr((void *)init, &self))
		self_base = (uintptr_t)self.dli_fbase;
	target = n ? atol(n) : 0;
	target_site = site ? strtoull(site, NULL, 16) : 0;
	parse_caller(getenv("SR_FAULT_CALLER"));
	recording = getenv("SR_FAULT_SITES") != NULL;
	/* backtrace() loads libgcc_s on its first call: now, not inside an
	 * allocation. */
	backtrace(warm, 2);
	ready = 1;
}

__attribute__((destructor)) static void fini(void)
{
	const char *sites_file = getenv("SR_FAULT_SITES");
	char line[512], where[256];
	long n = atomic_load(&nsites);

	ready = 0;
	busy = 1;
	append_line(getenv("SR_FAULT_LOG"), line,
		    snprintf(line, sizeof(line), "malloc %ld\n", atomic_load(&count)));
	if (!sites_file)
		return;
	qsort(order, (size_t)n, sizeof(order[0]), by_first);
	for (long i = 0; i < n; i++) {
		const struct site *e = &sites[order[i]];

		append_line(sites_file, line,
			    snprintf(line, sizeof(line), "site %016llx %ld %s\n",
				     (unsigned long long)e->key, e->first,
				     describe(e->caller, where, sizeof(where))));
	}
}

/* SR_FAULT_TRACE: the stack as "frame OBJECT+0xOFFSET" lines, for addr2line. */
static void log_trace(void)
{
	void *bt[32];
	char line[300], where[256];
	int n = backtrace(bt, 32);

	for (int i = 0; i < n; i++)
		append_line(getenv("SR_FAULT_LOG"), line,
			    snprintf(line, sizeof(line), "frame %s\n", describe(bt[i], where, sizeof(where))));
}

/* Written at once, with no allocation: a library that does not survive the
 * failure may abort before the destructor runs. */
static void log_fired(long k, const void *caller, uint64_t key)
{
	const struct segment *s = segment_of(caller);
	char line[512];

	append_line(getenv("SR_FAULT_LOG"), line,
		    snprintf(line, sizeof(line), "injected malloc %ld ENOMEM %s site %016llx\n",
			     k, s ? s->name : "?", (unsigned long long)key));
	if (getenv("SR_FAULT_TRACE"))
		log_trace();
}

/* Whether allocation k, made from caller, is the one to fail; its site's
 * key in *key. */
static int is_target(long k, const void *caller, uint64_t *key)
{
	const void *innermost;

	if (recording) {
		*key = site_key(&innermost);
		site_record(*key, k, innermost);
		return 0;
	}
	if (target_site)
		return is_target_caller(caller) && (*key = site_key(&innermost)) == target_site;
	if (k != target)
		return 0;
	*key = site_key(&innermost);
	return 1;
}

static int fail_now(const void *caller)
{
	uint64_t key = 0;
	long k;
	int hit;

	if (!ready || busy)
		return 0;
	k = atomic_fetch_add(&count, 1) + 1;
	busy = 1;
	hit = is_target(k, caller, &key) && !atomic_exchange(&fired, 1);
	if (hit)
		log_fired(k, caller, key);
	busy = 0;
	if (hit)
		errno = ENOMEM;
	return hit;
}

void *malloc(size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}

/* progress.c: draws "collect: phase N/M" on stderr, at most ten times a second. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define DELAY_NS 1000000000LL  /* show nothing for runs under a second */
#define EVERY_NS 100000000LL

static int enabled;
static int64_t started;
static const char *label;
static size_t total;
static atomic_size_t done;
static atomic_ullong work;  /* bytes compressed, over the whole run */
static atomic_llong next_draw;
static atomic_int drawn;
static pthread_mutex_t draw_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_init(int verbosity)
{
	enabled = verbosity >= 1 && isatty(STDERR_FILENO);
	started = now_ns();
	atomic_store(&next_draw, started + DELAY_NS);
}

void progress_phase(const char *l, size_t n)
{
	label = l;
	total = n;
	atomic_store(&done, 0);
}

void progress_tick(void)
{
	size_t d = atomic_fetch_add(&done, 1) + 1;
	long long next, t;

	if (!enabled)
		return;
	next = atomic_load(&next_draw);
	t = now_ns();
	if (t < next || !atomic_compare_exchange_strong(&next_draw, &next, t + EVERY_NS))
		return;
	pthread_mutex_lock(&draw_lock);
	if (atomic_load(&work))
		fprintf(stderr, "\r\033[Kcollect: %s %zu/%zu, compressed %.1f MB", label, d, total,
			(double)atomic_load(&work) / 1e6);
	else
		fprintf(stderr, "\r\033[Kcollect: %s %zu/%zu", label, d, total);
	fflush(stderr);
	atomic_store(&drawn, 1);
	pthread_mutex_unlock(&draw_lock);
}

void progress_work(size_t bytes)
{
	atomic_fetch_add(&work, bytes);
}

void progress_done(void)
{
	if (!atomic_exchange(&drawn, 0))
		return;
	pthread_mutex_lock(&draw_lock);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	pthread_mutex_unlock(&draw_lock);
}

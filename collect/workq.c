/* workq.c: a tiny pthread work queue: threads pull item numbers from an atomic counter. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "workq.h"
#include "xalloc.h"

struct workq {
	atomic_size_t next;
	size_t n;
	workq_fn *fn;
	void *ctx;
};

struct worker {
	struct workq *q;
	unsigned tid;
	pthread_t th;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->q->next, 1)) < w->q->n)
		w->q->fn(i, w->tid, w->q->ctx);
	return NULL;
}

void workq_run(size_t n, unsigned nthreads, workq_fn *fn, void *ctx)
{
	struct workq q = { .n = n, .fn = fn, .ctx = ctx };
	struct worker *w;
	unsigned started = 1;

	atomic_init(&q.next, 0);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > n)
		nthreads = n ? (unsigned)n : 1;
	w = xcalloc(nthreads, sizeof(*w));
	for (unsigned t = 0; t < nthreads; t++) {
		w[t].q = &q;
		w[t].tid = t;
	}
	for (unsigned t = 1; t < nthreads; t++) {
		if (pthread_create(&w[t].th, NULL, worker_main, &w[t]) != 0)
			break;
		started++;
	}
	worker_main(&w[0]);
	for (unsigned t = 1; t < started; t++)
		pthread_join(w[t].th, NULL);
	free(w);
}

/* workq.h: running one function over many items on a few threads. */
#ifndef SR_COLLECT_WORKQ_H
#define SR_COLLECT_WORKQ_H
#include <stddef.h>

/* Called once per item i on worker tid (0 .. nthreads-1). */
typedef void workq_fn(size_t i, unsigned tid, void *ctx);

/*
 * Calls fn(i) for every i in [0, n) on up to nthreads threads (the caller's
 * included) taking items from a shared counter, so that big and small items
 * balance out; returns when all are done.  fn must only touch item i's
 * state or synchronise itself.  A failure to start a thread just means
 * fewer threads.
 */
void workq_run(size_t n, unsigned nthreads, workq_fn *fn, void *ctx);

#endif

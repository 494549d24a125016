/* collect/refs_graph.c: ordering the reference graph: cycles share a component, dependencies come first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../../collect/refs.h"

/* Checks that every edge goes to the same or an earlier component. */
static void check_order(size_t n, size_t **edges, const size_t *nedges, const size_t *comp,
			const size_t *order, size_t ncomp)
{
	unsigned char *seen = calloc(n, 1);

	for (size_t i = 0; i < n; i++) {
		assert_true(comp[i] < ncomp);
		for (size_t e = 0; e < nedges[i]; e++)
			if (edges[i][e] < n)
				assert_true(comp[edges[i][e]] <= comp[i]);
		assert_false(seen[order[i]]);
		seen[order[i]] = 1;
		if (i)
			assert_true(comp[order[i - 1]] <= comp[order[i]]);
	}
	free(seen);
}

static size_t order_of(size_t n, size_t **edges, const size_t *nedges, size_t *comp,
		       size_t *order)
{
	size_t nc = refs_graph_order(n, (const size_t *const *)edges, nedges, comp, order);

	check_order(n, edges, nedges, comp, order, nc);
	return nc;
}

static void graph_small(void **state)
{
	size_t e0[] = { 1 }, e1[] = { 2 }, e2[] = { 0, 3 }, e4[] = { 4, 99 }, e5[] = { 0 };
	size_t *edges[] = { e0, e1, e2, NULL, e4, e5 };
	size_t nedges[] = { 1, 1, 2, 0, 2, 1 };
	size_t comp[6], order[6];
	size_t nc = order_of(6, edges, nedges, comp, order);

	/* {3} first, then the cycle {0,1,2}, then {4} (self-loop), then {5} */
	assert_int_equal(nc, 4);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 0);
	assert_int_equal(order[2], 1);
	assert_int_equal(order[3], 2);
	assert_int_equal(order[4], 4);
	assert_int_equal(order[5], 5);
	assert_int_equal(comp[0], comp[1]);
	assert_int_equal(comp[1], comp[2]);
	assert_true(comp[5] > comp[0]);
	assert_int_equal(refs_graph_order(0, NULL, NULL, NULL, NULL), 0);
}

/* A 100k-node chain and a 100k-node ring: no recursion, right order. */
static void graph_deep(void **state)
{
	size_t n = 100000;
	size_t *next = malloc(n * sizeof(*next)), **edges = malloc(n * sizeof(*edges));
	size_t *nedges = malloc(n * sizeof(*nedges));
	size_t *comp = malloc(n * sizeof(*comp)), *order = malloc(n * sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		next[i] = i + 1;
		edges[i] = &next[i];
		nedges[i] = i + 1 < n;
	}
	assert_int_equal(order_of(n, edges, nedges, comp, order), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(order[i], n - 1 - i);
	next[n - 1] = 0;
	nedges[n - 1] = 1;
	assert_int_equal(order_of(n, edges, nedges, comp, order), 1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(order[i], i);
	free(next), free(edges), free(nedges), free(comp), free(order);
}

/* Random graphs: the order property holds and the result is repeatable. */
static void graph_random(void **state)
{
	enum { N = 300, E = 3 };
	static size_t store[N][E], nedges[N], comp[N], order[N], comp2[N], order2[N];
	size_t *edges[N];
	unsigned seed = 42;

	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < N; i++) {
			nedges[i] = (seed = seed * 1103515245 + 12345) >> 16 & 3;
			for (size_t e = 0; e < nedges[i]; e++)
				store[i][e] = ((seed = seed * 1103515245 + 12345) >> 16) % N;
			edges[i] = store[i];
		}
		size_t nc = order_of(N, edges, nedges, comp, order);
		assert_int_equal(order_of(N, edges, nedges, comp2, order2), nc);
		assert_memory_equal(order, order2, sizeof(order));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(graph_small),
		cmocka_unit_test(graph_deep),
		cmocka_unit_test(graph_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

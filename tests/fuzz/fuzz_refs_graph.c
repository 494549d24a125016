/* fuzz-sources: collect/refs_graph.c */
/* fuzz-corpus: refs_graph */
/*
 * fuzz_refs_graph.c: libFuzzer target for refs_graph_order(): the input
 * byte pairs are edges of a graph of up to 256 nodes (some out of range);
 * every edge must point to the same or an earlier component, every node
 * appear once in order[], components be contiguous and strongly connected,
 * and a second run agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 256

struct graph {
	size_t n, nedges[MAXN], *edges[MAXN];
	size_t store[MAXN][MAXN];
};

static void build(struct graph *g, const uint8_t *data, size_t size)
{
	memset(g->nedges, 0, sizeof(g->nedges));
	g->n = size ? (size_t)data[0] + 1 : 0;
	for (size_t i = 1; i + 1 < size; i += 2) {
		size_t from = data[i] % g->n;

		if (g->nedges[from] < MAXN)
			g->store[from][g->nedges[from]++] = data[i + 1]; /* may be >= n */
	}
	for (size_t i = 0; i < MAXN; i++)
		g->edges[i] = g->store[i];
}

static void check(const struct graph *g, const size_t *comp, const size_t *order, size_t nc)
{
	unsigned char seen[MAXN] = { 0 };

	for (size_t i = 0; i < g->n; i++) {
		if (comp[i] >= nc || order[i] >= g->n || seen[order[i]]++)
			abort();
		if (i && comp[order[i - 1]] > comp[order[i]])
			abort();
		for (size_t e = 0; e < g->nedges[i]; e++)
			if (g->edges[i][e] < g->n && comp[g->edges[i][e]] > comp[i])
				abort();
	}
}

/* Small graphs: members of one component must reach each other (BFS). */
static void check_strong(const struct graph *g, const size_t *comp)
{
	static unsigned char reach[64][64];
	size_t queue[64];

	if (g->n > 64)
		return;
	memset(reach, 0, sizeof(reach));
	for (size_t s = 0; s < g->n; s++) {
		size_t head = 0, tail = 0;

		queue[tail++] = s;
		reach[s][s] = 1;
		while (head < tail) {
			size_t v = queue[head++];

			for (size_t e = 0; e < g->nedges[v]; e++) {
				size_t w = g->edges[v][e];

				if (w < g->n && !reach[s][w]) {
					reach[s][w] = 1;
					queue[tail++] = w;
				}
			}
		}
	}
	for (size_t u = 0; u < g->n; u++)
		for (size_t v = 0; v < g->n; v++)
			if (comp[u] == comp[v] && !(reach[u][v] && reach[v][u]))
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct graph g;
	size_t comp[MAXN], order[MAXN], comp2[MAXN], order2[MAXN], nc;

	build(&g, data, size);
	nc = refs_graph_order(g.n, (const size_t *const *)g.edges, g.nedges, comp, order);
	check(&g, comp, order, nc);
	check_strong(&g, comp);
	if (refs_graph_order(g.n, (const size_t *const *)g.edges, g.nedges, comp2, order2) != nc ||
	    memcmp(order, order2, g.n * sizeof(*order)) || memcmp(comp, comp2, g.n * sizeof(*comp)))
		abort();
	return 0;
}

/* refs_graph.c: dependency order of the reference graph (iterative Tarjan SCC). */
#include <stdint.h>
#include <stdlib.h>

#include "refs.h"
#include "xalloc.h"

#define UNVISITED SIZE_MAX

struct tarjan {
	size_t n;
	const size_t *const *edges;
	const size_t *nedges;
	size_t *index, *low;
	size_t *stack, sp;            /* Tarjan's stack of open nodes */
	size_t *call, *call_edge, cp; /* the explicit DFS call stack */
	unsigned char *on_stack;
	size_t next_index, ncomp, olen;
	size_t *comp, *order;
};

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static void tarjan_enter(struct tarjan *t, size_t v)
{
	t->index[v] = t->low[v] = t->next_index++;
	t->stack[t->sp++] = v;
	t->on_stack[v] = 1;
	t->call[t->cp] = v;
	t->call_edge[t->cp++] = 0;
}

/* v is a root: its component is on top of the stack; members in ascending order. */
static void tarjan_emit(struct tarjan *t, size_t v)
{
	size_t start = t->olen, w;

	do {
		w = t->stack[--t->sp];
		t->on_stack[w] = 0;
		t->comp[w] = t->ncomp;
		t->order[t->olen++] = w;
	} while (w != v);
	qsort(t->order + start, t->olen - start, sizeof(*t->order), cmp_size);
	t->ncomp++;
}

static void tarjan_from(struct tarjan *t, size_t root)
{
	tarjan_enter(t, root);
	while (t->cp) {
		size_t v = t->call[t->cp - 1], e = t->call_edge[t->cp - 1], w;

		if (e < t->nedges[v]) {
			t->call_edge[t->cp - 1]++;
			w = t->edges[v][e];
			if (w >= t->n)
				continue;
			if (t->index[w] == UNVISITED)
				tarjan_enter(t, w);
			else if (t->on_stack[w] && t->index[w] < t->low[v])
				t->low[v] = t->index[w];
			continue;
		}
		t->cp--;
		if (t->low[v] == t->index[v])
			tarjan_emit(t, v);
		if (t->cp) {
			size_t u = t->call[t->cp - 1];

			if (t->low[v] < t->low[u])
				t->low[u] = t->low[v];
		}
	}
}

size_t refs_graph_order(size_t n, const size_t *const *edges, const size_t *nedges,
			size_t *comp, size_t *order)
{
	struct tarjan t = { .n = n, .edges = edges, .nedges = nedges,
			    .comp = comp, .order = order };

	if (n == 0)
		return 0;
	t.index = xmalloc(n * sizeof(*t.index));
	t.low = xmalloc(n * sizeof(*t.low));
	t.stack = xmalloc(n * sizeof(*t.stack));
	t.call = xmalloc(n * sizeof(*t.call));
	t.call_edge = xmalloc(n * sizeof(*t.call_edge));
	t.on_stack = xcalloc(n, 1);
	for (size_t i = 0; i < n; i++)
		t.index[i] = UNVISITED;
	for (size_t i = 0; i < n; i++)
		if (t.index[i] == UNVISITED)
			tarjan_from(&t, i);
	free(t.index);
	free(t.low);
	free(t.stack);
	free(t.call);
	free(t.call_edge);
	free(t.on_stack);
	return t.ncomp;
}

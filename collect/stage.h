/* stage.h: an in-place update's originals, written under temporary names and renamed over
 * their names once the manifest is committed. */
#ifndef SR_COLLECT_STAGE_H
#define SR_COLLECT_STAGE_H
#include <pthread.h>
#include <stddef.h>

/*
 * Only for an output that cannot switch (generation.h): there, hashed names
 * are new names and go straight in, but an original name is in use, so its
 * new bytes (and variants) wait under a temporary name beside it until
 * staticfiles.json is committed; a run that fails before that leaves the
 * previous manifest and every file it names as they were.  After it, the
 * renames follow one by one (a kill there leaves the mark directory, and
 * the next run reconciles).  When not on, every call passes names through.
 */
struct stage_op {
	char *tmp;   /* renamed to name; NULL: name is removed; owned */
	char *name;  /* relative to the output; owned */
};

struct stage {
	int on;
	pthread_mutex_t lock;
	struct stage_op *v;
	size_t n, alloc;
};

void stage_init(struct stage *s, int on);
/* Removes the temporaries of operations not applied, and releases s. */
void stage_release(struct stage *s, const char *root);

/* The name to write name's new bytes under: name itself when s is off, else
 * a fresh temporary beside it.  Owned. */
char *stage_name(struct stage *s, const char *name);

/* After a successful write under stage_name()'s result w (stolen): its
 * rename to name is recorded (nothing when w is name itself). */
void stage_written(struct stage *s, char *w, const char *name);

/* Removes root/name now when s is off, else after the commit. */
void stage_remove(struct stage *s, const char *root, const char *name);

/* Applies the recorded operations under root, in order.  Messages name
 * label/name.  0, or -1 after printing the first failure. */
int stage_apply(struct stage *s, const char *root, const char *label);

#endif

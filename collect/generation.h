/* generation.h: the output switches whole: a new generation built beside it, then one exchange. */
#ifndef SR_COLLECT_GENERATION_H
#define SR_COLLECT_GENERATION_H

/*
 * The rule: what a reader sees at the output path is one complete
 * generation.  A run that changes anything builds the next generation in a
 * sibling directory, PARENT/.NAME.staticroot-next (same filesystem), made
 * of hard links to every file of the current one (old hashed names stay
 * reachable, unchanged files cost a link), then writes what changed there,
 * syncs it, and swaps the two directories with one
 * renameat2(RENAME_EXCHANGE): the output stays a plain directory at the
 * user's path, and the old generation, now the sibling, is removed.  A
 * sibling found at start (a killed run's, before or after its exchange) is
 * garbage: the output itself is always whole.
 *
 * After the exchange the new generation is live, so nothing that follows
 * may end the run in a way that says otherwise ("the output was left as
 * it was"): what the switch needs (paths, allocations) is made before it,
 * and what comes after (removing the old generation, an upload) reports
 * its own failure as such.  The fault loop's per-site pass found two
 * breaches, both fixed: a path built after the exchange, and the
 * compression cache's eviction and report run after it (now before).
 *
 * An output that cannot be exchanged (a mount point, a parent the user may
 * not write in, a filesystem without RENAME_EXCHANGE) is updated in place:
 * each file replaced atomically, the manifest last, a warning saying why.
 */
#define GEN_SUFFIX ".staticroot-next"

enum gen_mode {
	GEN_SWITCH,    /* the run writes into the sibling, then exchanges */
	GEN_IN_PLACE,  /* the run writes into the output itself */
};

struct generation {
	enum gen_mode mode;
	char *root;    /* the output's real path (symlinks resolved); owned */
	char *next;    /* the sibling's path; owned, NULL when not made */
	int switched;  /* the exchange happened: next holds the old generation */
};

/*
 * Removes a sibling a killed run left beside root (call holding the lock;
 * cheap when there is none).  Never fails the run: a sibling that cannot
 * be removed is reported and removed by the next one.
 */
void generation_tidy(const char *root);

/*
 * Decides how this run publishes and, to switch, builds the sibling: a
 * directory with root's mode and owner holding hard links to every file
 * and symlink of root (copies where the kernel refuses a link), minus
 * collect's temporaries.  Prints a warning when the output is updated in
 * place.  0, or -1 after printing why (nothing left behind).
 */
int generation_begin(struct generation *g, const char *root);

/* The directory this run writes into: borrowed from g. */
const char *generation_dir(const struct generation *g);

/*
 * Makes the new generation the output: fsyncs every directory of it (when
 * sync), exchanges it with root, fsyncs their parent.  A no-op in place.
 * 0, or -1 after printing why (then root is still the old generation).
 */
int generation_switch(struct generation *g, int sync);

/* Removes the sibling (the old generation after a switch, the unfinished
 * new one otherwise) and releases g. */
void generation_end(struct generation *g);

#endif

/* progress.h: a one-line progress display on a terminal, for runs over a second. */
#ifndef SR_COLLECT_PROGRESS_H
#define SR_COLLECT_PROGRESS_H
#include <stddef.h>

/* Enables the display when stderr is a terminal and verbosity >= 1.
 * Call once at start-up: the one-second delay counts from here. */
void progress_init(int verbosity);
/* Starts a phase of total items, named label (a static string). */
void progress_phase(const char *label, size_t total);
/* Counts one item done; thread-safe and cheap. */
void progress_tick(void);
/* Counts bytes handed to a compressor (the line then shows how much, so a
 * long compression is visibly working); thread-safe and cheap. */
void progress_work(size_t bytes);
/* Erases the line if one was drawn. */
void progress_done(void);

#endif

/* prompt.h: Django's "Are you sure?" before touching a non-empty output directory. */
#ifndef SR_COLLECT_PROMPT_H
#define SR_COLLECT_PROMPT_H

struct options;

/*
 * Asks for confirmation like `manage.py collectstatic` unless --noinput.
 * dest is the absolute output directory.  Returns 0 to go on, or -1 after
 * printing why not (cancelled; or stdin is not a terminal: the message
 * names --noinput).
 */
int prompt_confirm(const struct options *o, const char *dest);

/* 1 when dir holds an entry other than except (NULL: any entry), 0 when
 * it holds none, -1 when it cannot be read.  Thread-safe. */
int dir_non_empty(const char *dir, const char *except);

#endif

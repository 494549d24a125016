/* config.h: the staticroot.conf file both programs read. */
#ifndef SR_CONFIG_H
#define SR_CONFIG_H

#define CONFIG_DEFAULT "staticroot.conf"

/*
 * The format is INI-like:
 *
 *   # comment
 *   static-root = build/static      <- before any section: both programs
 *   static-url = /static/
 *   [collect]
 *   source = vendor=node_modules/bootstrap/dist
 *   apps = .
 *   [serve]
 *   listen = unix:/run/staticroot/serve.sock
 *
 * Keys are the programs' long option names; a repeatable option repeats its
 * key; a flag takes "true"/"false"/"yes"/"no"/"1"/"0".  Relative paths in
 * values are relative to the directory holding the file (the caller resolves
 * them with config_path()).
 *
 * config_read() calls fn(key, value, ctx) for each key of the top part and
 * of [section], in file order.  fn returns 0, or -1 after printing why with
 * log_error() (which then names FILE:LINE itself: one line).  A section
 * other than [collect] and [serve] is an error (a misspelt [serv] would
 * leave every setting in it unread).  Returns 0, or -1.
 */
typedef int config_fn(const char *key, const char *value, void *ctx);
int config_read(const char *path, const char *section, config_fn *fn, void *ctx);

/* The section of the line config_read() is at: "" before any section
 * header (and outside config_read()).  Borrowed until the next line. */
const char *config_section(void);

/* Parses a boolean value: 1, 0, or -1 when it is neither. */
int config_bool(const char *value);

/*
 * value resolved against the directory of the config file being read (the
 * current one during config_read(); "" outside it, which leaves value as is).
 * Returns owned memory, free with free().
 */
char *config_path(const char *value);

#endif

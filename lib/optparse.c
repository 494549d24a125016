/* optparse.c: the table-driven option parser both programs use (argv, environment, staticroot.conf). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_keys.h"
#include "log.h"
#include "optparse.h"
#include "strlist.h"
#include "xalloc.h"

/* One parse: the table, the struct it fills, which source last set a list. */
struct parse {
	const struct opt_program *p;
	void *opts;
	size_t n;                 /* entries in the table */
	enum opt_layer *list_layer; /* per entry: the source of its list's values */
};

/* An option found on the command line, applied after the file and environment. */
struct pending {
	const struct opt *o;
	const char *value;
	char name[64];
};

#define FIELD(ps, o, type) ((type *)((char *)(ps)->opts + (o)->off))

static size_t table_len(const struct opt *t)
{
	size_t n = 0;

	while (t[n].kind != OPT_END)
		n++;
	return n;
}

static const char *key_of(const struct opt *o)
{
	return o->key ? o->key : o->long_name;
}

static int takes_value(const struct opt *o)
{
	switch (o->kind) {
	case OPT_FLAG: case OPT_HELP: case OPT_VERSION: case OPT_HELP_MAN:
		return 0;
	case OPT_CALLBACK:
		return !(o->flags & OPT_NOARG);
	default:
		return 1;
	}
}

/* Damerau-Levenshtein (optimal string alignment) distance, capped at 9. */
static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	unsigned d[40][40];

	if (la >= 40 || lb >= 40)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *opt_suggest(const char *s, size_t len, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (!names[i])
			continue;
		/* An abbreviation is refused, but what it abbreviates is said. */
		d = len && !strncmp(names[i], s, len) ? 1 : edit_distance(s, len, names[i]);
		/* One edit per three letters: "-x" is no typo of "-y". */
		if (d < best_d && d * 3 <= len + 1) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

/* Long names and aliases, or config keys, of the table, for opt_suggest(). */
static size_t collect_names(const struct opt *t, int keys, const char **out, size_t max)
{
	size_t k = 0;

	for (; t->kind != OPT_END && k + 2 < max; t++) {
		const char *name = keys ? key_of(t) : t->long_name;

		if (keys && t->key && !*t->key)
			continue;
		if (name && !(t->flags & OPT_HIDDEN))
			out[k++] = name;
		if (t->alias && !(t->flags & OPT_HIDDEN))
			out[k++] = t->alias;
	}
	return k;
}

static int unknown_option(const struct opt_program *p, const char *arg)
{
	const char *names[128], *hint;
	size_t len = strcspn(arg + 2, "=");

	if (arg[1] != '-')
		return log_error("unknown option '%s' (see --help)", arg);
	hint = opt_suggest(arg + 2, len, names, collect_names(p->opts, 0, names, 128));
	if (hint)
		return log_error("unknown option '--%.*s' (did you mean '--%s'?)",
				 (int)len, arg + 2, hint);
	return log_error("unknown option '--%.*s' (see --help)", (int)len, arg + 2);
}

static int parse_int(const char *name, const char *s, const struct opt *o, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < o->min || v > o->max)
		return log_error("%s: expected a number from %d to %d, got '%s'",
				 name, o->min, o->max, s);
	*out = (int)v;
	return 0;
}

static int set_flag(const char *name, const char *v, int *dst)
{
	int b = v ? config_bool(v) : 1;

	if (b < 0)
		return log_error("%s: expected true or false, got '%s'", name, v);
	*dst = b;
	return 0;
}

/* A later source replaces an earlier one's list (and its group's lists). */
static void replace_lower_lists(struct parse *ps, const struct opt *o, enum opt_layer from)
{
	size_t i = (size_t)(o - ps->p->opts);

	if (o->flags & OPT_APPEND || ps->list_layer[i] >= from)
		return;
	for (size_t j = 0; j < ps->n; j++) {
		const struct opt *x = &ps->p->opts[j];

		if (j != i && (!o->group || x->group != o->group))
			continue;
		if (ps->list_layer[j] && ps->list_layer[j] < from && !(x->flags & OPT_GROUP_RESET))
			strlist_clear(FIELD(ps, x, struct strlist));
		ps->list_layer[j] = from;
	}
}

/* Stores one value.  name is how the user spelt it, for messages. */
static int apply(struct parse *ps, const struct opt *o, const char *name,
		 const char *v, enum opt_layer from)
{
	if (o->kind == OPT_LIST || o->group)
		replace_lower_lists(ps, o, from);
	switch (o->kind) {
	case OPT_FLAG:
		return set_flag(name, v, FIELD(ps, o, int));
	case OPT_STRING:
	case OPT_PATH:
		free(*FIELD(ps, o, char *));
		*FIELD(ps, o, char *) = o->kind == OPT_PATH && from == OPT_FROM_FILE ?
			config_path(v) : xstrdup(v);
		return 0;
	case OPT_LIST:
		strlist_add(FIELD(ps, o, struct strlist), v);
		return 0;
	case OPT_INT:
		if (!v) {
			*FIELD(ps, o, int) = o->def;
			return 0;
		}
		return parse_int(name, v, o, FIELD(ps, o, int));
	case OPT_CALLBACK:
		return o->cb(ps->opts, o, name, v, from);
	default:
		return log_error("%s: not a setting", name);
	}
}

/* Finds the entry of a long name or alias; NULL if none. */
static const struct opt *find_long(const struct opt *t, const char *s, size_t len)
{
	for (; t->kind != OPT_END; t++)
		if ((t->long_name && strlen(t->long_name) == len && !strncmp(t->long_name, s, len)) ||
		    (t->alias && strlen(t->alias) == len && !strncmp(t->alias, s, len)))
			return t;
	return NULL;
}

static const struct opt *find_short(const struct opt *t, char c)
{
	for (; t->kind != OPT_END; t++)
		if (t->short_name == c)
			return t;
	return NULL;
}

static const struct opt *find_operands(const struct opt *t)
{
	for (; t->kind != OPT_END; t++)
		if (t->flags & OPT_OPERANDS)
			return t;
	return NULL;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * The value of option o found at argv[*i]: attached ("--jobs=4", "-j4"), the
 * next argument, or none.  Returns 0, or -1 after saying what is missing.
 */
static int take_value(const struct opt *o, const char *attached, int argc, char **argv,
		      int *i, const char *spelt, const char **value)
{
	*value = NULL;
	if (!takes_value(o)) {
		if (attached)
			return log_error("option '%s' takes no value (see --help)", spelt);
		return 0;
	}
	if (attached) {
		*value = attached;
		return 0;
	}
	if (o->flags & OPT_OPTARG) {
		/* -v 2 as Django spells it; -v alone is verbosity 2. */
		if (o->kind == OPT_INT && *i + 1 < argc && all_digits(argv[*i + 1]))
			*value = argv[++*i];
		return 0;
	}
	if (*i + 1 >= argc)
		return log_error("option '%s' needs a value (see --help)", spelt);
	*value = argv[++*i];
	return 0;
}

/* What an option found on argv does right away: help, version; else 0. */
static enum opt_status immediate(const struct opt_program *p, const struct opt *o)
{
	switch (o->kind) {
	case OPT_HELP:
		opt_usage(p, stdout);
		return OPT_EXIT;
	case OPT_VERSION:
		printf("%s (staticroot) %s\n", p->name, p->version);
		return OPT_EXIT;
	case OPT_HELP_MAN:
		opt_usage_man(p, stdout);
		return OPT_EXIT;
	default:
		return OPT_RUN;
	}
}

static void add_pending(struct pending *pd, size_t *np, const struct opt *o,
			const char *value, const char *spelt)
{
	struct pending *e = &pd[(*np)++];

	e->o = o;
	e->value = value;
	if (o->long_name)
		snprintf(e->name, sizeof(e->name), "--%s", o->long_name);
	else
		snprintf(e->name, sizeof(e->name), "%s", spelt);
}

/* One "--name[=value]" argument. */
static enum opt_status scan_long(const struct opt_program *p, int argc, char **argv, int *i,
				 struct pending *pd, size_t *np)
{
	const char *arg = argv[*i], *eq = strchr(arg, '='), *value;
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	const struct opt *o = find_long(p->opts, arg + 2, len);
	char spelt[64];

	if (!o || (o->flags & OPT_OPERANDS))
	{
		unknown_option(p, arg);
		return OPT_BAD;
	}
	snprintf(spelt, sizeof(spelt), "--%.*s", (int)len, arg + 2);
	if (take_value(o, eq ? eq + 1 : NULL, argc, argv, i, spelt, &value))
		return OPT_BAD;
	if (immediate(p, o) != OPT_RUN)
		return OPT_EXIT;
	add_pending(pd, np, o, value, spelt);
	return OPT_RUN;
}

/* One "-abc" argument: flags, the last may take a value ("-j4", "-j 4"). */
static enum opt_status scan_short(const struct opt_program *p, int argc, char **argv, int *i,
				  struct pending *pd, size_t *np)
{
	const char *arg = argv[*i];

	for (const char *c = arg + 1; *c; c++) {
		const struct opt *o = find_short(p->opts, *c);
		char spelt[3] = { '-', *c, 0 };
		const char *value;

		if (!o) {
			log_error("unknown option '%s' (see --help)", spelt);
			return OPT_BAD;
		}
		if (take_value(o, takes_value(o) && c[1] ? c + 1 : NULL, argc, argv, i,
			       spelt, &value))
			return OPT_BAD;
		if (immediate(p, o) != OPT_RUN)
			return OPT_EXIT;
		add_pending(pd, np, o, value, spelt);
		if (takes_value(o) && c[1])
			break;
	}
	return OPT_RUN;
}

/* Reads argv into pd (options anywhere, operands after them, "--" ends
 * options); finds --config; handles --help and --version. */
static enum opt_status scan_argv(const struct opt_program *p, int argc, char **argv,
				 struct pending *pd, size_t *np)
{
	const struct opt *operands = find_operands(p->opts);
	int dashdash = 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		enum opt_status st = OPT_RUN;

		if (!dashdash && !strcmp(arg, "--")) {
			dashdash = 1;
			continue;
		}
		if (dashdash || arg[0] != '-' || !arg[1]) {
			if (!operands) {
				log_error("unexpected argument '%s' (see --help)", arg);
				return OPT_BAD;
			}
			add_pending(pd, np, operands, arg, arg);
			continue;
		}
		if (arg[1] == '-')
			st = scan_long(p, argc, argv, &i, pd, np);
		else
			st = scan_short(p, argc, argv, &i, pd, np);
		if (st != OPT_RUN)
			return st;
	}
	return OPT_RUN;
}

static int unknown_key(const struct opt_program *p, const char *key)
{
	const char *names[128], *hint, *home = config_key_section(key);
	const char *here = config_section();

	if (home && *home && strcmp(home, here))
		return log_error("'%s' belongs in [%s], not %s%s%s", key, home,
				 *here ? "[" : "the top of the file", here, *here ? "]" : "");
	/* "root = DIR" for --root: the file spells the option's key. */
	for (const struct opt *o = p->opts; o->kind != OPT_END; o++)
		if (o->long_name && o->key && *o->key && !strcmp(o->long_name, key))
			return log_error("unknown setting '%s' (the setting for --%s is '%s')",
					 key, key, o->key);
	hint = opt_suggest(key, strlen(key), names, collect_names(p->opts, 1, names, 128));
	if (hint)
		return log_error("unknown setting '%s' (did you mean '%s'?)", key, hint);
	return log_error("unknown setting '%s'", key);
}

static int file_key(const char *key, const char *value, void *ctx)
{
	struct parse *ps = ctx;
	const char *here = config_section();

	for (const struct opt *o = ps->p->opts; o->kind != OPT_END; o++) {
		const char *k = key_of(o);

		if (!k || !*k || o->kind >= OPT_CONFIG)
			continue;
		if (strcmp(k, key) && (!o->alias || strcmp(o->alias, key)))
			continue;
		/* A key of the top part is good anywhere; a section's only there. */
		if (!o->section && strcmp(here, ps->p->name))
			return log_error("'%s' belongs in [%s], not %s", key, ps->p->name,
					 *here ? "this section" : "the top of the file");
		return apply(ps, o, key, value, OPT_FROM_FILE);
	}
	return unknown_key(ps->p, key);
}

/* --config FILE, else ./staticroot.conf when there is one. */
static int read_file(struct parse *ps, const struct pending *pd, size_t np)
{
	const char *path = NULL;
	struct stat st;

	for (size_t i = 0; i < np; i++)
		if (pd[i].o->kind == OPT_CONFIG)
			path = pd[i].value;
	if (!path) {
		if (stat(CONFIG_DEFAULT, &st) != 0)
			return 0;
		path = CONFIG_DEFAULT;
	} else if (access(path, R_OK) != 0) {
		return log_error("cannot read %s: %s", path, strerror(errno));
	}
	return config_read(path, ps->p->name, file_key, ps);
}

static int read_env(struct parse *ps)
{
	for (const struct opt *o = ps->p->opts; o->kind != OPT_END; o++) {
		const char *v = o->env ? getenv(o->env) : NULL;
		char name[64];

		if (!v || !*v)
			continue;
		snprintf(name, sizeof(name), "$%s", o->env);
		if (apply(ps, o, name, v, OPT_FROM_ENV))
			return -1;
	}
	return 0;
}

enum opt_status opt_parse(const struct opt_program *p, void *opts, int argc, char **argv)
{
	struct parse ps = { p, opts, table_len(p->opts), NULL };
	struct pending *pd = xcalloc((size_t)argc + 1, sizeof(*pd));
	enum opt_status st;
	size_t np = 0;

	ps.list_layer = xcalloc(ps.n + 1, sizeof(*ps.list_layer));
	if (p->defaults)
		p->defaults(opts);
	st = scan_argv(p, argc, argv, pd, &np);
	if (st != OPT_RUN)
		goto out;
	st = OPT_BAD;
	if (read_file(&ps, pd, np) || read_env(&ps))
		goto out;
	for (size_t i = 0; i < np; i++)
		if (pd[i].o->kind != OPT_CONFIG &&
		    apply(&ps, pd[i].o, pd[i].name, pd[i].value, OPT_FROM_ARGV))
			goto out;
	st = p->check && p->check(opts) ? OPT_BAD : OPT_RUN;
out:
	free(ps.list_layer);
	free(pd);
	return st;
}

void opt_release(const struct opt_program *p, void *opts)
{
	struct parse ps = { p, opts, 0, NULL };

	for (const struct opt *o = p->opts; o->kind != OPT_END; o++) {
		/* Entries sharing storage: the second free finds NULL. */
		if (o->kind >= OPT_CONFIG)
			continue;
		if (o->kind == OPT_LIST || (o->group && !(o->flags & OPT_GROUP_RESET))) {
			strlist_release(FIELD(&ps, o, struct strlist));
		} else if (o->kind == OPT_STRING || o->kind == OPT_PATH) {
			free(*FIELD(&ps, o, char *));
			*FIELD(&ps, o, char *) = NULL;
		}
	}
	if (p->release)
		p->release(opts);
	memset(opts, 0, p->size);
}

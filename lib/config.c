/* config.c: reads staticroot.conf, the INI-like file both programs share. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "path.h"
#include "strbuf.h"
#include "xalloc.h"

/* Directory of the file config_read() is reading, for config_path(). */
static char *config_dir;
/* The section of the line being read ("" before the first), for config_section(). */
static char current_section[64];

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/*
 * Handles one line; *in_scope says whether keys here are ours.  Returns NULL,
 * or why the line is wrong (the empty string when fn said so itself).
 */
static const char *config_line(char *line, const char *section, int *in_scope,
			       config_fn *fn, void *ctx)
{
	char *s = trim(line), *eq, *key, *value;

	if (!*s || *s == '#' || *s == ';')
		return NULL;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close || close[1])
			return "malformed section header";
		*close = '\0';
		s = trim(s + 1);
		if (strcmp(s, "collect") && strcmp(s, "serve"))
			return "unknown section (the sections are [collect] and [serve])";
		*in_scope = !strcmp(s, section);
		snprintf(current_section, sizeof(current_section), "%s", s);
		return NULL;
	}
	eq = strchr(s, '=');
	if (!eq)
		return "expected 'key = value'";
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key)
		return "empty key";
	if (*in_scope && fn(key, value, ctx) < 0)
		return "";
	return NULL;
}

int config_read(const char *path, const char *section, config_fn *fn, void *ctx)
{
	FILE *f = fopen(path, "re");
	char line[4096], where[PATH_MAX + 16];
	unsigned lineno = 0;
	int in_scope = 1, r = 0;
	const char *why;

	if (!f)
		return log_error("cannot open config %s: %s", path, strerror(errno));
	config_dir = xstrndup(path, path_dirlen(path));
	current_section[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			r = log_error("%s:%u: line too long", path, lineno);
			break;
		}
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		log_where = where;
		why = config_line(line, section, &in_scope, fn, ctx);
		log_where = NULL;
		if (why) {
			r = *why ? log_error("%s:%u: %s", path, lineno, why) : -1;
			break;
		}
	}
	if (!r && ferror(f))
		r = log_error("cannot read config %s: %s", path, strerror(errno));
	fclose(f);
	free(config_dir);
	config_dir = NULL;
	current_section[0] = '\0';
	return r;
}

int config_bool(const char *value)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(value, yes[i]))
			return 1;
		if (!strcasecmp(value, no[i]))
			return 0;
	}
	return -1;
}

char *config_path(const char *value)
{
	struct strbuf sb = STRBUF_INIT;

	if (!config_dir || !*config_dir || value[0] == '/')
		return xstrdup(value);
	strbuf_addf(&sb, "%s/%s", config_dir, value);
	return strbuf_detach(&sb, NULL);
}

const char *config_section(void)
{
	return current_section;
}

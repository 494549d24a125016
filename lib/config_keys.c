/* config_keys.c: the keys of staticroot.conf and their sections, for both programs. */
#include <string.h>

#include "config_keys.h"

static const struct {
	const char *key, *section;
} keys[] = {
	{ "static-root", "" },
	{ "static-url", "" },

	{ "source", "collect" },
	{ "app", "collect" },
	{ "apps", "collect" },
	{ "ignore", "collect" },
	{ "no-default-ignore", "collect" },
	{ "noinput", "collect" },
	{ "no-input", "collect" },
	{ "clear", "collect" },
	{ "link", "collect" },
	{ "dry-run", "collect" },
	{ "no-post-process", "collect" },
	{ "verbosity", "collect" },
	{ "verbose", "collect" },
	{ "allow-missing", "collect" },
	{ "js-modules", "collect" },
	{ "compress", "collect" },
	{ "no-compress", "collect" },
	{ "brotli-quality", "collect" },
	{ "compress-level", "collect" },
	{ "dictionary-versions", "collect" },
	{ "cache-dir", "collect" },
	{ "no-cache-dir", "collect" },
	{ "cache-max-size", "collect" },
	{ "jobs", "collect" },
	{ "archive", "collect" },
	{ "max-expand", "collect" },
	{ "no-fsync", "collect" },
	{ "upload", "collect" },
	{ "upload-only", "collect" },
	{ "s3-endpoint", "collect" },
	{ "s3-addressing", "collect" },
	{ "upload-jobs", "collect" },
	{ "upload-cache-control", "collect" },
	{ "prune", "collect" },
	{ "keep", "collect" },
	{ "prune-grace", "collect" },
	{ "django", "collect" },
	{ "django-settings", "collect" },
	{ "python", "collect" },
	{ "django-json", "collect" },

	{ "alias", "serve" },
	{ "listen", "serve" },
	{ "socket-mode", "serve" },
	{ "workers", "serve" },
	{ "access-log", "serve" },
	{ "allowed-host", "serve" },
	{ "cors", "serve" },
	{ "cache-control", "serve" },
	{ "follow-symlinks", "serve" },
	{ "max-connections", "serve" },
	{ "header-timeout", "serve" },
	{ "keepalive-timeout", "serve" },
	{ "send-timeout", "serve" },
	{ "shutdown-timeout", "serve" },
	{ "user", "serve" },
	{ "verbosity", "serve" },
	{ "verbose", "serve" },
};

const char *config_key_section(const char *key)
{
	const char *found = NULL;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].key, key))
			continue;
		/* A key both sections have (verbosity) belongs to neither alone. */
		if (found)
			return "";
		found = keys[i].section;
	}
	return found;
}

const char *config_key_nth(const char *section, unsigned n)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].section, section) && n-- == 0)
			return keys[i].key;
	return NULL;
}

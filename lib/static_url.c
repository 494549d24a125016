/* static_url.c: Django's STATIC_URL rules, in one place for collect and serve. */
#include <string.h>

#include "static_url.h"
#include "strbuf.h"

char *static_url_normalize(const char *url)
{
	struct strbuf sb = STRBUF_INIT;

	if (url[0] != '/' && !strstr(url, "://"))
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, url);
	if (sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	return strbuf_detach(&sb, NULL);
}

const char *static_url_path(const char *url)
{
	const char *scheme = strstr(url, "://"), *p;

	if (!scheme && strncmp(url, "//", 2))
		return url;
	p = strchr(scheme ? scheme + 3 : url + 2, '/');
	return p ? p : "/";
}

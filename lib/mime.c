/* mime.c: Content-Type by extension (a sorted table), libmagic as the fallback. */
#include <magic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mime.h"

#define UTF8 "; charset=utf-8"

struct mime_ext {
	const char *ext;
	const char *type;
};

/*
 * Sorted by extension (lower case) for bsearch.  Current registrations win
 * over historic ones: text/javascript for scripts (RFC 9239), font types for
 * fonts (RFC 8081), application/json for source maps.
 */
static const struct mime_ext mime_table[] = {
	{ "7z", "application/x-7z-compressed" },
	{ "aac", "audio/aac" },
	{ "apng", "image/apng" },
	{ "atom", "application/atom+xml" UTF8 },
	{ "avif", "image/avif" },
	{ "bmp", "image/bmp" },
	{ "br", "application/x-brotli" },
	{ "bz2", "application/x-bzip2" },
	{ "cjs", "text/javascript" UTF8 },
	{ "css", "text/css" UTF8 },
	{ "csv", "text/csv" UTF8 },
	{ "eot", "application/vnd.ms-fontobject" },
	{ "epub", "application/epub+zip" },
	{ "flac", "audio/flac" },
	{ "geojson", "application/geo+json" UTF8 },
	{ "gif", "image/gif" },
	{ "gz", "application/gzip" },
	{ "heic", "image/heic" },
	{ "htm", "text/html" UTF8 },
	{ "html", "text/html" UTF8 },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "ics", "text/calendar" UTF8 },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "js", "text/javascript" UTF8 },
	{ "json", "application/json" UTF8 },
	{ "jsonld", "application/ld+json" UTF8 },
	{ "jsx", "text/javascript" UTF8 },
	{ "jxl", "image/jxl" },
	{ "less", "text/less" UTF8 },
	{ "m4a", "audio/mp4" },
	{ "map", "application/json" UTF8 },
	{ "md", "text/markdown" UTF8 },
	{ "mjs", "text/javascript" UTF8 },
	{ "mp3", "audio/mpeg" },
	{ "mp4", "video/mp4" },
	{ "oga", "audio/ogg" },
	{ "ogg", "audio/ogg" },
	{ "ogv", "video/ogg" },
	{ "otf", "font/otf" },
	{ "pdf", "application/pdf" },
	{ "png", "image/png" },
	{ "rss", "application/rss+xml" UTF8 },
	{ "sass", "text/x-sass" UTF8 },
	{ "scss", "text/x-scss" UTF8 },
	{ "svg", "image/svg+xml" UTF8 },
	{ "svgz", "image/svg+xml" },
	{ "tar", "application/x-tar" },
	{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },
	{ "ts", "video/mp2t" },
	{ "ttf", "font/ttf" },
	{ "txt", "text/plain" UTF8 },
	{ "wasm", "application/wasm" },
	{ "wav", "audio/wav" },
	{ "weba", "audio/webm" },
	{ "webm", "video/webm" },
	{ "webmanifest", "application/manifest+json" UTF8 },
	{ "webp", "image/webp" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "xhtml", "application/xhtml+xml" UTF8 },
	{ "xml", "application/xml" UTF8 },
	{ "xsl", "application/xslt+xml" UTF8 },
	{ "yaml", "application/yaml" UTF8 },
	{ "yml", "application/yaml" UTF8 },
	{ "zip", "application/zip" },
	{ "zst", "application/zstd" },
};

static int ext_cmp(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct mime_ext *)elem)->ext);
}

const char *mime_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	const struct mime_ext *m;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base || !dot[1] || strlen(dot + 1) > 16)
		return NULL;
	m = bsearch(dot + 1, mime_table, sizeof(mime_table) / sizeof(mime_table[0]),
		    sizeof(mime_table[0]), ext_cmp);
	return m ? m->type : NULL;
}

void *mime_magic_open(void)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);

	if (!m) {
		log_error("cannot start libmagic");
		return NULL;
	}
	if (magic_load(m, NULL) != 0) {
		log_error("cannot load the libmagic database: %s", magic_error(m));
		magic_close(m);
		return NULL;
	}
	return m;
}

void mime_magic_close(void *magic)
{
	if (magic)
		magic_close(magic);
}

void mime_sniff(void *magic, const void *buf, size_t len, char out[MIME_TYPE_MAX])
{
	const char *t = magic && len ? magic_buffer(magic, buf, len) : NULL;

	/* Empty files and libmagic's non-answers are plain bytes. */
	if (!t || !strchr(t, '/') || !strncmp(t, "inode/", 6) ||
	    !strcmp(t, "application/x-empty"))
		t = MIME_DEFAULT;
	/*
	 * libmagic's text subtypes are guesses from content (prose with commas
	 * is "text/csv", CSS is "text/x-c"), and text/html from a file without
	 * an extension would be an XSS hazard: text is served as plain text.
	 */
	if (!strncmp(t, "text/", 5))
		t = "text/plain" UTF8;
	if (strlen(t) + 1 > MIME_TYPE_MAX)
		t = MIME_DEFAULT;
	strcpy(out, t);
}

static int has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

int mime_is_compressible(const char *type)
{
	static const char *const exact[] = {
		"application/javascript", "application/json", "application/xml",
		"application/wasm", "application/vnd.ms-fontobject",
		"application/x-font-ttf", "font/ttf", "font/otf", "font/collection",
		"image/vnd.microsoft.icon", "image/x-icon", "image/bmp",
		"application/manifest+json", "application/yaml",
		"application/geo+json", "application/xhtml+xml",
	};
	size_t len = strcspn(type, ";");

	while (len && type[len - 1] == ' ')
		len--;
	if (!strncasecmp(type, "text/", 5))
		return 1;
	if (has_suffix(type, len, "+json") || has_suffix(type, len, "+xml"))
		return 1;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == len && !strncasecmp(type, exact[i], len))
			return 1;
	return 0;
}

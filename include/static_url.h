/* static_url.h: Django's STATIC_URL as both programs read it (static-url, $STATIC_URL). */
#ifndef SR_STATIC_URL_H
#define SR_STATIC_URL_H

/*
 * The URL as Django uses it: a value that is neither a path nor a URL gets
 * the script prefix '/' before it (Django >= 3.1: "static/" is
 * "/static/"), and a trailing '/' is added when missing.  Owned, free with
 * free().
 */
char *static_url_normalize(const char *url);

/*
 * The path part of a normalized URL, which is what reaches serve through a
 * CDN or a proxy: "https://cdn.example.com/static/" and
 * "//cdn.example.com/static/" give "/static/", a host alone gives "/".
 * Borrowed from url.
 */
const char *static_url_path(const char *url);

#endif

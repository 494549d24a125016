/* log.c: one-line diagnostics on stderr and verbosity-gated progress on stdout. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "path.h"

int log_verbosity = 1;
const char *log_prog = "staticroot";
const char *log_where;
static atomic_uint errors_printed;

static void vreport(const char *kind, const char *fmt, va_list ap)
{
	/* One fprintf per line so that concurrent threads do not interleave. */
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_where)
		fprintf(stderr, "%s: %s%s: %s\n", log_prog, kind, log_where, line);
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, kind, line);
}

int log_error(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&errors_printed, 1);
	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

unsigned log_error_count(void)
{
	return atomic_load(&errors_printed);
}

/* Length of the valid UTF-8 sequence of two or more bytes at s, or 0. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	for (size_t i = 1; i < n; i++)
		if (!s[i])
			return 0;
	return n && path_is_utf8((const char *)s, n) ? n : 0;
}

const char *log_name(const char *name, char buf[LOG_NAME_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)name;
	size_t w = 0;

	/* room for the longest escape (4) or sequence (4), then "...\0" */
	while (*s && w + 8 < LOG_NAME_MAX) {
		size_t n = *s >= 0x80 ? utf8_seq(s) : 1;
		const char *esc = *s == '\n' ? "\\n" : *s == '\t' ? "\\t" : *s == '\r' ? "\\r" :
				  *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : NULL;

		if (esc) {
			memcpy(buf + w, esc, 2);
			w += 2;
		} else if (*s < 0x20 || *s == 0x7f || !n) {
			buf[w++] = '\\';
			buf[w++] = 'x';
			buf[w++] = hex[*s >> 4];
			buf[w++] = hex[*s & 15];
		} else {
			memcpy(buf + w, s, n);
			w += n;
			s += n;
			continue;
		}
		s++;
	}
	if (*s) {
		memcpy(buf + w, "...", 3);
		w += 3;
	}
	buf[w] = '\0';
	return buf;
}

void log_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_verbosity)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The fatal line, counted as an error. */
static void vfatal(const char *fmt, va_list ap)
{
	atomic_fetch_add(&errors_printed, 1);
	vreport("fatal: ", fmt, ap);
}

void die(const char *fmt, ...)
{
	static atomic_flag dying = ATOMIC_FLAG_INIT;
	va_list ap;

	/* exit() is not safe to call from two threads at once (each would run
	 * the atexit handlers and library destructors): the first thread to die
	 * ends the process, a second one waits for it. */
	if (atomic_flag_test_and_set(&dying))
		for (;;)
			pause();
	va_start(ap, fmt);
	vfatal(fmt, ap);
	va_end(ap);
	exit(1);
}

void die_at_once(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(fmt, ap);
	va_end(ap);
	_exit(1);
}

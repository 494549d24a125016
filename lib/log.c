/* log.c: one-line diagnostics on stderr and verbosity-gated progress on stdout. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int log_verbosity = 1;
const char *log_prog = "staticroot";
const char *log_where;

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

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

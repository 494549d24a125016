/* fuzz-sources: */
/* fuzz-corpus: archive_names */
/*
 * fuzz_archive_names.c: libFuzzer target for untrusted archive entry names:
 * the input is read as tar, tar.gz or zip with libarchive (as collect reads
 * SOURCE archives), and every name path_check_relative() accepts must be
 * safe to join under the output root: relative, no "..", no backslash, no
 * control byte, and normalisable without climbing out.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "path.h"

#define MAX_ENTRIES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* as collect's main() does */
	return 0;
}

static void check_accepted(const char *name)
{
	size_t len = strlen(name);
	char *copy = malloc(len + 1);
	const char *s = name;

	if (name[0] == '/' || strchr(name, '\\'))
		abort();
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			abort();
		s += n + (s[n] == '/');
	}
	memcpy(copy, name, len + 1);
	if (path_normalize(copy, len) < 0)
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int n = 0;

	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK) {
		while (n++ < MAX_ENTRIES && archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *name = archive_entry_pathname_utf8(e);

			if (!name)
				name = archive_entry_pathname(e);
			if (name && !path_check_relative(name))
				check_accepted(name);
			if (archive_read_data_skip(a) != ARCHIVE_OK)
				break;
		}
	}
	archive_read_free(a);
	return 0;
}

/* prompt.c: the confirmation question collectstatic asks, with Django's wording. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "prompt.h"

int dir_non_empty(const char *dir, const char *except)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return -1;
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			(!except || strcmp(de->d_name, except));
	closedir(d);
	return found;
}

int prompt_confirm(const struct options *o, const char *dest)
{
	char answer[64];

	if (o->noinput)
		return 0;
	if (!isatty(STDIN_FILENO))
		return log_error("stdin is not a terminal, so collect cannot ask for "
				 "confirmation: pass --noinput (or --no-input) to collect "
				 "into %s without asking", dest);
	printf("\n");
	if (o->dry_run)
		printf("You have activated the --dry-run option so no files will be modified.\n\n");
	printf("You have requested to collect static files at the destination\n"
	       "location as specified in your settings:\n\n    %s\n\n", dest);
	/* Django asks only about a non-empty directory; we always ask, so
	 * that running without --noinput behaves the same everywhere. */
	if (dir_non_empty(dest, NULL) > 0)
		printf(o->clear ? "This will DELETE ALL FILES in this location!\n"
				: "This will overwrite existing files!\n");
	printf("Are you sure you want to do this?\n\n"
	       "Type 'yes' to continue, or 'no' to cancel: ");
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin))
		answer[0] = '\0';
	answer[strcspn(answer, "\r\n")] = '\0';
	if (strcmp(answer, "yes"))
		return log_error("Collecting static files cancelled.");
	return 0;
}

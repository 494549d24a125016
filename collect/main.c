/* main.c: collect's entry point: options, confirmation, the run, the exit status. */
#include <locale.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "django.h"
#include "log.h"
#include "options.h"
#include "pipeline.h"
#include "prompt.h"
#include "prune.h"
#include "sources.h"
#include "upload.h"
#include "xalloc.h"

/* --prune: the output, then with --upload the bucket.  A collect (not a
 * dry run) has pruned its output already, inside the generation it
 * published (pipeline.c). */
static int prune_all(const struct options *o, int collected)
{
	if (!o->prune)
		return 0;
	if ((!collected || o->dry_run) && prune_local(o) < 0)
		return -1;
	return o->upload ? prune_bucket(o) : 0;
}

static atomic_int main_returned;  /* read by the exit handlers */

/* libbrotlienc 1.0.9 is built to call exit(1) itself when an allocation
 * fails (BROTLI_ENCODER_EXIT_ON_OOM): without this line such a run would
 * end with status 1 and no word.  Nothing was switched by then. */
static void report_early_exit(void)
{
	if (!main_returned && !log_error_count())
		fprintf(stderr, "collect: error: a library ended the run before it finished "
			"(out of memory?); the output was left as it was\n");
}

/* libcrypto's allocations end the run with one line.  Left to itself,
 * OpenSSL 3.0's lazy set-up goes on after one of its own allocations
 * failed (a NULL lock) and the next digest faults.  Not die(): exit()
 * would run OpenSSL's own exit handler, which waits for the set-up that
 * is failing, for ever. */
static void *crypto_checked(void *p, size_t n)
{
	/* after main: OpenSSL's exit handler, which copes with NULL */
	if (!p && !atomic_load(&main_returned))
		die_at_once("out of memory allocating %zu bytes (in libcrypto)", n);
	return p;
}

static void *crypto_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return n ? crypto_checked(malloc(n), n) : NULL;  /* as CRYPTO_malloc(0) */
}

static void *crypto_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	if (!n) {  /* as CRYPTO_realloc(p, 0): frees p */
		free(p);
		return NULL;
	}
	return crypto_checked(realloc(p, n), n);
}

static void crypto_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static int collect_main(int argc, char **argv)
{
	struct options opts;
	char *dest;
	int rc;

	/* libarchive needs an UTF-8 LC_CTYPE for non-ASCII entry names. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	log_prog = "collect";
	/* A closed stdout (collect | head) must not kill a run half-way. */
	signal(SIGPIPE, SIG_IGN);
	rc = collect_options_parse(&opts, argc, argv);
	if (rc != OPT_RUN) {
		collect_options_release(&opts);
		return rc == OPT_EXIT ? 0 : 2;
	}
	log_verbosity = opts.verbosity;
	/* The project's Python: its failure is the run's (exit 1), not usage. */
	if (opts.django_mode && django_load(&opts) < 0) {
		collect_options_release(&opts);
		return 1;
	}
	/* A wrong --upload is known before anything is collected. */
	if (opts.upload && upload_check(&opts) < 0) {
		collect_options_release(&opts);
		return 2;
	}
	if (opts.upload_only || (opts.prune && !opts.sources.n && !opts.app_dirs.n)) {
		rc = opts.upload_only ? upload_run(&opts) : 0;
		rc = rc == 0 ? prune_all(&opts, 0) : rc;
		collect_options_release(&opts);
		return rc < 0 || log_error_count() ? 1 : 0;
	}
	/* A missing source is the answer, before any question about it. */
	if (!opts.django_mode && sources_check(&opts) < 0) {
		collect_options_release(&opts);
		return 1;
	}
	dest = pipeline_abspath(opts.output);
	rc = prompt_confirm(&opts, dest);
	free(dest);
	if (rc < 0) {
		collect_options_release(&opts);
		return 2;
	}
	/* The manifest history is kept inside the generation the run
	 * publishes (pipeline.c), never written into the live tree after. */
	rc = pipeline_run(&opts);
	if (rc == 0 && opts.upload)
		rc = upload_run(&opts);
	if (rc == 0)
		rc = prune_all(&opts, 1);
	collect_options_release(&opts);
	/* An error line means the run did not do all it was asked, whatever
	 * path printed it: never an error with exit status 0. */
	return rc < 0 || log_error_count() ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc;

	atexit(report_early_exit);
	/* jansson cannot tell its own allocation failure from a syntax error
	 * ("string or '}' expected"): a file of ours would be taken for
	 * damaged and dropped.  Its allocations die as collect's do. */
	json_set_alloc_funcs(xmalloc, free);
	/* Refused only once libcrypto has allocated, which nothing did yet. */
	if (!CRYPTO_set_mem_functions(crypto_malloc, crypto_realloc, crypto_free))
		die("libcrypto refused its allocation functions");
	rc = collect_main(argc, argv);
	atomic_store(&main_returned, 1);
	return rc;
}

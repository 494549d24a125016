/* django.c: runs the project's Python once to learn its finders, storage and templates. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "django.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

extern char **environ;

#define HELPER_NAME "django_sources.py"
/* A document past this is not a description of static sources. */
#define HELPER_MAX_OUTPUT ((size_t)1 << 30)
#define HELPER_REFUSAL 3 /* the helper's "one line for the user" status */

#ifndef SR_DATADIR
#define SR_DATADIR "/usr/local/share/staticroot"
#endif

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The helper beside this collect: an installed one under ../share/staticroot,
 * a checkout's under python/staticroot (bin/, or build/san/bin/ for the
 * sanitizer build), $SR_TOP's, then the configured data directory.  Owned.
 */
static char *helper_path(void)
{
	static const char *const rel[] = {
		"/../share/staticroot/", "/../python/staticroot/",
		"/../../../python/staticroot/",
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *top = getenv("SR_TOP");
	char *p;

	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			p = xstrcat3(exe, rel[i], HELPER_NAME);
			if (is_file(p))
				return p;
			free(p);
		}
	}
	if (top && *top) {
		p = xstrcat3(top, "/python/staticroot/", HELPER_NAME);
		if (is_file(p))
			return p;
		free(p);
	}
	p = xstrcat3(SR_DATADIR, "/", HELPER_NAME);
	if (is_file(p))
		return p;
	free(p);
	return NULL;
}

/* The last non-empty line of text (Python's exception line), in place. */
static const char *last_line(char *text)
{
	char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	start = strrchr(text, '\n');
	return start ? start + 1 : text;
}

struct helper_run {
	struct strbuf out, err;
	int status;            /* exit status, or 128 + signal */
};

/* Runs argv with stdout into a pipe and stderr into a temporary file.
 * 0, or -1 after printing why it could not start. */
static int helper_spawn(char *const *argv, struct helper_run *h)
{
	posix_spawn_file_actions_t fa;
	FILE *errf = tmpfile();
	int pipefd[2], rc, ws;
	pid_t pid;

	if (!errf)
		return log_error("--django: cannot make a temporary file: %s", strerror(errno));
	if (pipe(pipefd) != 0) {
		fclose(errf);
		return log_error("--django: pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fileno(errf), STDERR_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		fclose(errf);
		return log_error("--django: cannot run the Python '%s': %s (give the "
				 "project's interpreter with --python PATH)", argv[0], strerror(rc));
	}
	rc = strbuf_read_fd(&h->out, pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	h->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	rewind(errf);
	strbuf_read_fd(&h->err, fileno(errf));
	fclose(errf);
	if (rc < 0)
		return log_error("--django: reading what %s printed: %s", argv[0],
				 rc == -EFBIG ? "more than 1 GiB" : strerror(-rc));
	return 0;
}

/* The settings module: the option's, else $DJANGO_SETTINGS_MODULE. */
static const char *settings_module(const struct options *o)
{
	const char *env = getenv("DJANGO_SETTINGS_MODULE");

	if (o->django_settings && *o->django_settings)
		return o->django_settings;
	return env && *env ? env : NULL;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Runs the helper; on success h->out holds its document.  0 or -1. */
static int helper_run(const struct options *o, const char *module, struct helper_run *h)
{
	struct strlist argv = { 0 };
	char *helper = helper_path(), cwd[PATH_MAX];
	const char *project = o->django_project;
	int rc = -1;

	if (!helper)
		return log_error("--django: %s not found beside collect (reinstall "
				 "staticroot: make install)", HELPER_NAME);
	if (!project)
		project = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	strlist_add(&argv, o->python ? o->python : "python3");
	strlist_add_nodup(&argv, helper);
	strlist_add(&argv, "--settings");
	strlist_add(&argv, module);
	strlist_add(&argv, "--project");
	strlist_add(&argv, project);
	for (size_t i = 0; i < o->ignore.n; i++) {
		strlist_add(&argv, "--ignore");
		strlist_add(&argv, o->ignore.v[i]);
	}
	if (o->no_default_ignore)
		strlist_add(&argv, "--no-default-ignore");
	strlist_add_nodup(&argv, NULL);
	if (helper_spawn(argv.v, h) < 0)
		goto out;
	if (h->status == 0) {
		rc = 0;
		goto out;
	}
	/* manage.py collectstatic --traceback, or -v 3: the whole story. */
	if ((o->verbosity >= 3 || getenv("STATICROOT_TRACEBACK")) && h->err.len)
		fputs(h->err.buf, stderr);
	if (h->status == HELPER_REFUSAL && !strncmp(last_line(h->err.buf), "staticroot: ", 12))
		log_error("--django %s: %s", module, last_line(h->err.buf) + 12);
	else if (h->err.len)
		log_error("--django %s: %s failed (exit %d): %s", module, argv.v[0],
			  h->status, last_line(h->err.buf));
	else
		log_error("--django %s: %s failed (exit %d) and said nothing", module,
			  argv.v[0], h->status);
out:
	argv.n--; /* the NULL terminator is not a string */
	strlist_release(&argv);
	return rc;
}

/* A string member of obj, or NULL (and an error) when it is not one. */
static const char *doc_str(json_t *obj, const char *key, int optional, int *bad)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (optional && (!v || json_is_null(v)))
		return NULL;
	if (!*bad)
		log_error("--django: the helper's description has no string \"%s\"", key);
	*bad = 1;
	return NULL;
}

static int doc_strlist(json_t *obj, const char *key, struct strlist *out)
{
	json_t *arr = json_object_get(obj, key), *v;
	size_t i;

	if (!json_is_array(arr))
		return log_error("--django: the helper's description has no list \"%s\"", key);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return log_error("--django: \"%s\"[%zu] is not a string", key, i);
		strlist_add(out, json_string_value(v));
	}
	return 0;
}

static int parse_files(json_t *fin, struct django_root *r)
{
	json_t *arr = json_object_get(fin, "files"), *v;
	int bad = 0;
	size_t i;

	if (!json_is_array(arr))
		return log_error("--django: finder %s lists no \"files\"", r->finder);
	r->files = xcalloc(json_array_size(arr) + 1, sizeof(*r->files));
	json_array_foreach(arr, i, v) {
		r->files[i].name = doc_str(v, "name", 0, &bad);
		r->files[i].path = doc_str(v, "path", 0, &bad);
		if (bad)
			return -1;
		r->nfiles++;
	}
	return 0;
}

static void add_root(struct django_project *d, size_t *alloc, struct django_root r)
{
	XGROW(d->roots, *alloc, d->nroots + 1);
	d->roots[d->nroots++] = r;
}

/* The finders, in order, into d->roots. */
static int parse_finders(json_t *doc, struct django_project *d)
{
	json_t *arr = json_object_get(doc, "finders"), *fin, *loc;
	size_t alloc = 0, i, j;
	int bad = 0;

	if (!json_is_array(arr))
		return log_error("--django: the helper's description has no \"finders\"");
	json_array_foreach(arr, i, fin) {
		const char *name = doc_str(fin, "finder", 0, &bad);
		const char *kind = doc_str(fin, "kind", 0, &bad);
		struct django_root r = { .finder = name, .prefix = "" };

		if (bad)
			return -1;
		if (!strcmp(kind, "files")) {
			r.kind = DJANGO_FILES;
			if (parse_files(fin, &r) < 0) {
				free(r.files);
				return -1;
			}
			add_root(d, &alloc, r);
			continue;
		}
		if (!json_is_array(json_object_get(fin, "locations")))
			return log_error("--django: finder %s has no \"locations\"", name);
		json_array_foreach(json_object_get(fin, "locations"), j, loc) {
			r.prefix = doc_str(loc, "prefix", 0, &bad);
			r.path = doc_str(loc, "path", 0, &bad);
			r.app = doc_str(loc, "app", 1, &bad);
			r.kind = r.app ? DJANGO_APP : DJANGO_DIRS;
			if (bad)
				return -1;
			add_root(d, &alloc, r);
		}
	}
	return 0;
}

/* Validates the helper's document into d.  0 or -1. */
static int parse_doc(struct helper_run *h, const char *python, struct django_project *d)
{
	json_error_t err;
	json_t *doc = json_loadb(h->out.buf, h->out.len, 0, &err);
	int bad = 0;

	if (!doc || !json_is_object(doc) ||
	    json_integer_value(json_object_get(doc, "staticroot_helper")) != 1) {
		const char *l = last_line(h->out.buf);

		json_decref(doc);
		return log_error("--django: %s %s no description of the project "
				 "(%s%.60s)", python, strncmp(python, "--", 2) ? "printed" : "holds",
				 *l ? "last line: " : "nothing", l);
	}
	d->doc = doc;
	d->version = doc_str(doc, "django_version", 0, &bad);
	d->settings = doc_str(doc, "settings_module", 0, &bad);
	d->manifest_version = doc_str(doc, "manifest_version", 0, &bad);
	if (bad || parse_finders(doc, d) < 0 ||
	    doc_strlist(doc, "ignore_patterns", &d->ignore) < 0 ||
	    doc_strlist(doc, "template_dirs", &d->template_dirs) < 0 ||
	    (json_object_get(doc, "jinja2_dirs") &&
	     doc_strlist(doc, "jinja2_dirs", &d->jinja2_dirs) < 0))
		return -1;
	if (strcmp(d->manifest_version, "1.0") && strcmp(d->manifest_version, "1.1"))
		return log_error("--django: Django %s wants manifest version %s; collect "
				 "writes 1.0 and 1.1", d->version, d->manifest_version);
	return 0;
}

/* Says what collect writes when the project's storage is another kind. */
static void warn_storage(json_t *doc)
{
	const char *name = json_string_value(json_object_get(doc, "storage"));
	const char *mname = json_string_value(json_object_get(doc, "manifest_name"));

	if (!name || !*name)
		name = "the default storage";
	if (!json_is_true(json_object_get(doc, "local")))
		log_warn("the staticfiles storage %s is not on the local disk: collect "
			 "writes STATIC_ROOT locally (publish it with collect's own "
			 "upload)", name);
	else if (!json_is_true(json_object_get(doc, "manifest")))
		log_warn("the staticfiles storage %s is not manifest-based: collect "
			 "writes what ManifestStaticFilesStorage would (original names, "
			 "hashed copies, staticfiles.json); {%% static %%} keeps "
			 "rendering the original names", name);
	else if (mname && strcmp(mname, "staticfiles.json"))
		log_warn("%s reads its manifest from %s; collect writes staticfiles.json",
			 name, mname);
}

static void take_string(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* STATIC_ROOT and STATIC_URL from the settings, unless given on the
 * command line.  0, or -1 when there is no output at all. */
static int take_locations(struct options *o, json_t *doc, const char *module)
{
	const char *root = json_string_value(json_object_get(doc, "static_root"));
	const char *url = json_string_value(json_object_get(doc, "static_url"));

	if (!o->output_cli) {
		if (!root)
			return log_error("--django %s: STATIC_ROOT is not set: collectstatic "
					 "needs it (or give -o DIR)", module);
		if (o->output && strcmp(o->output, root))
			log_info(2, "output: Django's STATIC_ROOT %s (not %s)", root, o->output);
		take_string(&o->output, root);
	}
	if (!o->static_url_cli && url && *url) {
		take_string(&o->static_url, url);
		options_normalize_url(o);
	}
	return 0;
}

/* --django-json FILE: the document another process made.  0 or -1. */
static int read_description(const char *file, struct helper_run *h)
{
	int rc = strcmp(file, "-") ? strbuf_read_file(&h->out, file)
				   : strbuf_read_fd(&h->out, STDIN_FILENO);

	if (rc < 0)
		return log_error("--django-json %s: cannot read it: %s", file,
				 rc == -EFBIG ? "more than 1 GiB" : strerror(-rc));
	return 0;
}

int django_load(struct options *o)
{
	struct helper_run h = { STRBUF_INIT, STRBUF_INIT, 0 };
	const char *module = settings_module(o);
	const char *python = o->python ? o->python : "python3";
	char *from = o->django_json ? xstrcat3("--django-json ", o->django_json, "") : NULL;
	struct django_project *d;
	struct timespec t0;
	int rc = -1;

	if (!module && !from)
		return log_error("--django: no settings module: give --django MODULE, "
				 "django-settings = MODULE in %s, or set "
				 "DJANGO_SETTINGS_MODULE", "staticroot.conf");
	h.out.max = HELPER_MAX_OUTPUT;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (from ? read_description(o->django_json, &h) < 0 : helper_run(o, module, &h) < 0)
		goto out;
	d = xcalloc(1, sizeof(*d));
	if (parse_doc(&h, from ? from : python, d) < 0 ||
	    take_locations(o, d->doc, module ? module : d->settings) < 0) {
		django_free(d);
		goto out;
	}
	/* What the project printed while it started is the user's to see. */
	if (h.err.len)
		fputs(h.err.buf, stderr);
	warn_storage(d->doc);
	if (from)
		log_info(2, "Django %s (%s): description read from %s in %.1f ms", d->version,
			 d->settings, o->django_json, ms_since(&t0));
	else
		log_info(2, "Django %s (%s): %s + django.setup() took %.1f ms", d->version,
			 d->settings, python, ms_since(&t0));
	django_free(o->django);
	o->django = d;
	rc = 0;
out:
	free(from);
	strbuf_release(&h.out);
	strbuf_release(&h.err);
	return rc;
}

void django_free(struct django_project *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nroots; i++)
		free(d->roots[i].files);
	free(d->roots);
	strlist_release(&d->ignore);
	strlist_release(&d->template_dirs);
	strlist_release(&d->jinja2_dirs);
	json_decref(d->doc);
	free(d);
}

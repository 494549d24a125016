/* refs.h: finding and resolving the references inside CSS and JS files. */
#ifndef SR_COLLECT_REFS_H
#define SR_COLLECT_REFS_H
#include <stddef.h>

struct strbuf;

enum ref_kind {
	REF_URL,       /* CSS url(...) */
	REF_IMPORT,    /* CSS @import "..." (or @import url(...), reported as REF_URL) */
	REF_SOURCEMAP, /* sourceMappingURL comment, CSS or JS */
	REF_MODULE,    /* JS import/export ... from "..." (with modules on) */
};

/* One reference: the URL text as it stands in the file (no quotes). */
struct ref {
	size_t off, len;   /* byte range of the URL text in the buffer */
	unsigned line;     /* 1-based line of the reference */
	enum ref_kind kind;
};

struct ref_list {
	struct ref *v;
	size_t n, alloc;
};

void ref_list_release(struct ref_list *rl);

/*
 * Scans CSS with a real tokenizer: references inside comments and inside
 * strings that are not url()/@import arguments are left alone, and so is
 * everything after an unterminated comment/string (malformed CSS is never an
 * error here: it just yields no more references).  Appends to out in file
 * order.  Never reads past buf[len).
 *
 * The URL text is reported as written: CSS escapes ("url(a\)b.png)") are
 * not decoded, blanks around a quoted URL are left out of the range (as a
 * URL parser strips them), and an empty url() is not reported.  A bad url (an unquoted
 * one with a quote, '(' or inner space) is skipped.  A comment whose text
 * is "# sourceMappingURL=x" (or "@ ...") gives REF_SOURCEMAP wherever it
 * stands.  Appends are the only allocation (dies on OOM); thread-safe.
 */
void refs_scan_css(const char *buf, size_t len, struct ref_list *out);

/*
 * Scans JS for "//# sourceMappingURL=" (and "//@") and, when modules is set,
 * static `import ... from "x"`, `import "x"`, `export ... from "x"` and
 * dynamic import("x") with a string literal, skipping comments, strings,
 * template literals and regex literals well enough not to misfire.
 *
 * The source map comment may be "//# sourceMappingURL=x", "//@ ...", or a
 * block comment of the same shape.  REF_MODULE is reported only for
 * specifiers starting with "./", "../" or "/": bare names ("lodash") are
 * packages, not files of the tree.  A wrong regex/division guess usually
 * costs no more than the rest of its line.  Never reads past buf[len);
 * thread-safe.
 */
void refs_scan_js(const char *buf, size_t len, int modules, struct ref_list *out);

enum ref_target {
	REF_EXTERNAL, /* leave alone: data:, http:, //host, #frag, outside static_url, empty */
	REF_LOCAL,    /* a file of the output tree: see target */
};

/*
 * Resolves url (len bytes, as in the file) written in the file at from_path
 * (relative to the output root, e.g. "css/site.css").  For REF_LOCAL, target
 * receives the normalised, percent-decoded path relative to the root
 * ("img/a b.png") and *suffix_off the offset in url where "?query#frag"
 * starts (len when none), which the rewrite keeps.  Absolute URLs resolve
 * against static_url ("/static/"); others against from_path's directory.  A
 * reference that climbs above the root is REF_LOCAL with an empty target,
 * which the caller reports as missing; so is a percent-escape decoding to
 * a control byte or to '/', and a URL naming a directory (last component
 * empty, "." or "..").  A '%' not followed by two hex digits stands for
 * itself ("100%.png"), as Python's unquote() and browsers read it.  static_url NULL means "/static/"; one that
 * is not a path ("https://cdn/") makes every absolute URL external.
 * target is reset first; *suffix_off is set for both results.  Thread-safe.
 */
enum ref_target refs_resolve(const char *from_path, const char *url, size_t len,
			     const char *static_url, struct strbuf *target,
			     size_t *suffix_off);

/*
 * Why refs_resolve() gave REF_LOCAL with an empty target for the same
 * arguments: "has a bad percent-escape", "names a directory" or "climbs
 * above the output root".  Static string.  Thread-safe.
 */
const char *refs_unresolved_why(const char *url, size_t len, const char *static_url);

/*
 * Builds the text to put in place of url once target is hashed as
 * hashed_target: keeps url's own shape (relative stays relative with the
 * same directory prefix, absolute stays absolute), replaces only the last
 * path component, percent-encodes what the original encoded, and keeps the
 * suffix from suffix_off.  Appends to out.
 *
 * Bytes the original's last component wrote as %XX are written so again
 * (same hex case); whitespace, control bytes, '%', '?', '#', quotes,
 * parentheses and backslash always are, so the result is safe inside both
 * quoted and unquoted url().  Other bytes (UTF-8 included) stay raw.
 * All or nothing: when out's max has no room for the result, nothing is
 * appended (the caller sees out->len unchanged; the result is never empty).
 */
void refs_rewrite(const char *url, size_t len, size_t suffix_off,
		  const char *hashed_target, struct strbuf *out);

/*
 * Strongly connected components of a reference graph, in dependency order:
 * every component comes after the components it references.  edges[i] lists
 * the nodes node i references (nedges[i] of them).  Writes into comp[i] the
 * component number of node i and into order[] the nodes sorted so that
 * dependencies come first and members of one component are adjacent.
 * Returns the number of components.  Iterative (no recursion depth limit).
 *
 * Edges to nodes >= n are ignored; a self-loop is a one-node component.
 * Members of a component are listed in ascending node order and the result
 * depends only on the input, so equal graphs give equal orders.  Uses O(n)
 * temporary memory (dies on OOM).  Thread-safe.
 */
size_t refs_graph_order(size_t n, const size_t *const *edges, const size_t *nedges,
			size_t *comp, size_t *order);

#endif

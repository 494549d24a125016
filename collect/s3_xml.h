/* s3_xml.h: the few elements of S3's flat XML answers (listings, errors). */
#ifndef SR_COLLECT_S3_XML_H
#define SR_COLLECT_S3_XML_H
#include <stddef.h>

struct strbuf;

/*
 * Finds the next <tag>text</tag> in xml[*pos..end) and appends text, with
 * the five XML entities and numeric references decoded, to out.  *pos moves
 * past the closing tag.  Returns 1 when found, 0 when not (or malformed).
 * S3 answers are machine-written and flat, so no general parser is needed.
 */
int s3_xml_next(const char *xml, size_t end, size_t *pos, const char *tag,
		struct strbuf *out);

/* Like s3_xml_next() but gives the raw bytes between the tags: the element
 * starts at *start and is *len long, for reading its children. */
int s3_xml_range(const char *xml, size_t end, size_t *pos, const char *tag,
		 size_t *start, size_t *len);

/* The text of the first <tag> in xml into out (truncated to size), or "". */
void s3_xml_first(const char *xml, size_t len, const char *tag, char *out, size_t size);

#endif

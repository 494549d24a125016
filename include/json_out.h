/* json_out.h: streaming JSON output, byte-compatible with Python's json.dumps. */
#ifndef SR_JSON_OUT_H
#define SR_JSON_OUT_H

struct strbuf;

/*
 * Appends s as a JSON string literal the way Python's json.dumps (with
 * ensure_ascii) writes it: \" \\ \n \r \t \b \f, other control bytes and
 * every non-ASCII character as lower-case \uXXXX (surrogate pairs above the
 * BMP), DEL included.  Bytes that are not UTF-8 become \ufffd.  Streaming instead of a
 * jansson DOM keeps collect's memory flat on 50,000-file trees.
 */
void json_put_string(struct strbuf *sb, const char *s);

#endif

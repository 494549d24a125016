/* sdnotify.h: systemd readiness notification over $NOTIFY_SOCKET. */
#ifndef SERVE_SDNOTIFY_H
#define SERVE_SDNOTIFY_H

/*
 * Sends state (e.g. "READY=1", "RELOADING=1", "STOPPING=1") as one datagram
 * to $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace).  A no-op
 * returning 0 when the variable is unset; -errno on failure (not fatal:
 * callers may ignore it).  Thread-safe.
 */
int sdnotify(const char *state);

#endif

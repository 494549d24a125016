/* serve/accesslog.c: unit tests for serve/accesslog.c and serve/sdnotify.c: log lines, escaping, reopen; notify datagrams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"
#include "../../../serve/accesslog.h"
#include "../../../serve/http.h"
#include "../../../serve/sdnotify.h"

static char dir[64], path[128];
static struct accesslog_buf buf;

static int setup(void **state)
{
	strcpy(dir, "/tmp/sr-log.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access.log", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void read_log(const char *p, struct strbuf *sb)
{
	strbuf_reset(sb);
	assert_int_equal(strbuf_read_file(sb, p), 0);
}

static void test_lines(void **state)
{
	const char *raw = "GET /static/a%22b HTTP/1.1\r\nHost: x\r\nUser-Agent: e\\v\xe9l\"\r\n"
			  "Referer: http://r/\r\n\r\n";
	struct http_request req;
	struct strbuf sb = STRBUF_INIT;

	assert_true(http_parse_request(raw, strlen(raw), &req) > 0);
	assert_int_equal(accesslog_open(path), 0);
	assert_true(accesslog_enabled());
	accesslog_add(&buf, 0, "127.0.0.1", &req, 200, 1234);
	accesslog_add(&buf, 0, "unix:", NULL, 400, 16);
	accesslog_flush(&buf);
	read_log(path, &sb);
	assert_string_equal(sb.buf,
		"127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"GET /static/a%22b HTTP/1.1\" "
		"200 1234 \"http://r/\" \"e\\x5cv\\xe9l\\x22\"\n"
		"unix: - - [01/Jan/1970:00:00:00 +0000] \"-\" 400 16 \"-\" \"-\"\n");
	strbuf_release(&sb);
}

/* Behind a local proxy on a unix socket, the client is the last element of
 * X-Forwarded-For when it is an address; anything else logs "unix:". */
static void test_forwarded_for(void **state)
{
	static const struct {
		const char *xff, *peer, *want;
	} cases[] = {
		{ "203.0.113.9", "unix:", "203.0.113.9 " },
		{ "1.2.3.4, 2001:db8::7", "unix:", "2001:db8::7 " },
		{ "1.2.3.4 ,  10.0.0.7 ", "unix:", "10.0.0.7 " },
		{ "10.0.0.7, <script>", "unix:", "unix: " },
		{ "", "unix:", "unix: " },
		{ "203.0.113.9", "127.0.0.1", "127.0.0.1 " }, /* TCP: the socket's own */
	};
	struct strbuf sb = STRBUF_INIT;
	char raw[256];

	assert_true(accesslog_enabled()); /* opened by test_lines (O_APPEND) */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_request req;

		snprintf(raw, sizeof(raw), "GET / HTTP/1.1\r\nHost: x\r\n"
			 "X-Forwarded-For: %s\r\n\r\n", cases[i].xff);
		assert_true(http_parse_request(raw, strlen(raw), &req) > 0);
		assert_int_equal(truncate(path, 0), 0);
		accesslog_add(&buf, 0, cases[i].peer, &req, 200, 1);
		accesslog_flush(&buf);
		read_log(path, &sb);
		assert_memory_equal(sb.buf, cases[i].want, strlen(cases[i].want));
	}
	strbuf_release(&sb);
}

static void test_reopen(void **state)
{
	char moved[160];
	struct strbuf sb = STRBUF_INIT;

	snprintf(moved, sizeof(moved), "%s.1", path);
	accesslog_add(&buf, 0, "a", NULL, 200, 1);
	accesslog_flush(&buf);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(accesslog_reopen(), 0);
	accesslog_add(&buf, 0, "b", NULL, 200, 1);
	accesslog_flush(&buf);
	read_log(path, &sb);
	assert_true(sb.buf[0] == 'b');
	read_log(moved, &sb);
	assert_true(strstr(sb.buf, "\na - - ") != NULL);
	accesslog_close();
	assert_false(accesslog_enabled());
	strbuf_release(&sb);
}

static void test_sdnotify(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char got[64], name[64];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify("READY=1"), 0); /* not under systemd: no-op */
	snprintf(name, sizeof(name), "@sr-test-%d", (int)getpid());
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name))), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify("READY=1"), 0);
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 7);
	got[n] = '\0';
	assert_string_equal(got, "READY=1");
	setenv("NOTIFY_SOCKET", "relative", 1);
	assert_true(sdnotify("READY=1") < 0);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_forwarded_for),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_sdnotify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

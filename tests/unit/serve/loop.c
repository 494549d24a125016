/* serve/loop.c: unit tests for serve/conn.c and serve/loop.c over socketpairs: pipelining, partial heads, slow readers, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Included to reach conn_open() and check_timeouts(). */
#include "../../../serve/loop.c"

#define BIG_SIZE (300 * 1000)

static char dir[64];
static struct options opt;
static struct server srv;
static struct worker w;
static int client;

static void put_file(const char *rel, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int group_setup(void **state)
{
	struct index_config cfg;
	static char big[BIG_SIZE];

	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-conn.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file("a.txt", "hello\n", 6);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	put_file("big.bin", big, sizeof(big));
	cfg = (struct index_config){ dir, "no-cache", NULL, 0, NULL, NULL };
	index_publish(index_build(&cfg));
	opt.alias = "/static/";
	opt.max_connections = 8;
	opt.header_timeout = 1000;
	opt.keepalive_timeout = 2000;
	opt.send_timeout = 3000;
	opt.shutdown_timeout = 1000;
	srv.opt = &opt;
	srv.tick_ms = 100;
	srv.stop.kind = EV_STOP;
	srv.stop.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	response_init();
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	close(srv.stop.fd);
	index_publish_clear();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A fresh worker with one connection: the test holds the client end. */
static int setup(void **state)
{
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };
	int sv[2];

	assert_int_equal(worker_init(&w, &srv, 0), 0);
	clock_update(&w);
	w.gen = index_acquire();
	w.seq = index_seq();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	client = sv[0];
	conn_open(&w, sv[1], &ss, 1);
	assert_int_equal(w.nactive, 1);
	return 0;
}

static int teardown(void **state)
{
	while (w.nactive)
		worker_close_conn(&w, w.active.next);
	close(client);
	worker_release(&w);
	return 0;
}

static struct conn *the_conn(void)
{
	return w.nactive ? w.active.next : NULL;
}

static void send_str(const char *s)
{
	assert_int_equal(write(client, s, strlen(s)), (ssize_t)strlen(s));
	if (the_conn())
		conn_on_event(&w, the_conn(), EPOLLIN);
}

/* Everything the server sent so far (NUL-terminated, at most max). */
static size_t recv_all(char *buf, size_t max, int *eof)
{
	size_t n = 0;
	ssize_t r = -1;

	*eof = 0;
	while (n < max - 1 && (r = read(client, buf + n, max - 1 - n)) > 0)
		n += (size_t)r;
	if (r == 0)
		*eof = 1;
	buf[n] = '\0';
	return n;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_pipelining(void **state)
{
	char buf[8192];
	int eof;

	send_str("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		 "HEAD /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /static/nope HTTP/1.1\r\nHost: x\r\n\r\n"
		 "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	recv_all(buf, sizeof(buf), &eof);
	assert_false(eof);
	assert_int_equal(count(buf, "HTTP/1.1 200 OK"), 3);
	assert_int_equal(count(buf, "HTTP/1.1 404 Not Found"), 1);
	assert_int_equal(count(buf, "hello\n"), 2); /* HEAD has no body */
	assert_true(strstr(buf, "404") > strstr(buf, "hello\n"));
	assert_int_equal(the_conn()->state, CONN_READ);
}

static void test_partial_head(void **state)
{
	char buf[4096];
	int eof;

	send_str("GET /static/a.txt HTT");
	assert_int_equal(recv_all(buf, sizeof(buf), &eof), 0);
	send_str("P/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	recv_all(buf, sizeof(buf), &eof);
	assert_non_null(strstr(buf, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(buf, "Connection: close\r\n"));
	assert_true(eof);
	assert_int_equal(w.nactive, 0);
}

static void test_bad_request_closes(void **state)
{
	char buf[4096];
	int eof;

	send_str("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
		 "Transfer-Encoding: chunked\r\n\r\nGET /static/a.txt HTTP/1.1\r\n\r\n");
	recv_all(buf, sizeof(buf), &eof);
	assert_true(!strncmp(buf, "HTTP/1.1 400 ", 13));
	assert_int_equal(count(buf, "HTTP/1.1"), 1); /* the smuggled one is not served */
	assert_true(eof);
}

/* A reader slower than the file: the response waits for EPOLLOUT and
 * holds its index generation even when a reload replaces it. */
static void test_slow_reader(void **state)
{
	static char buf[BIG_SIZE + 4096];
	struct index_config cfg = { dir, "no-cache", NULL, 0, NULL, NULL };
	struct index_gen *old = w.gen;
	size_t got = 0;
	int eof, sndbuf = 4096, rounds = 0;

	setsockopt(the_conn()->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	send_str("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(the_conn()->state, CONN_SEND);
	assert_ptr_equal(the_conn()->gen, old);
	index_publish(index_build(&cfg)); /* SIGHUP meanwhile */
	gen_update(&w);
	assert_ptr_not_equal(w.gen, old);
	while (the_conn()->state == CONN_SEND && rounds++ < 100000) {
		got += recv_all(buf + got, sizeof(buf) - got, &eof);
		conn_on_event(&w, the_conn(), EPOLLOUT);
	}
	got += recv_all(buf + got, sizeof(buf) - got, &eof);
	assert_non_null(strstr(buf, "Content-Length: 300000\r\n"));
	assert_int_equal(got - (size_t)(strstr(buf, "\r\n\r\n") + 4 - buf), BIG_SIZE);
	assert_int_equal(the_conn()->state, CONN_READ);
	assert_null(the_conn()->gen);
}

static void test_timeouts(void **state)
{
	char buf[4096];
	int eof;

	send_str("GET /static/a.txt HTTP/1.1\r\n");
	w.now_ms += opt.header_timeout + 1;
	check_timeouts(&w);
	recv_all(buf, sizeof(buf), &eof);
	assert_true(!strncmp(buf, "HTTP/1.1 408 ", 13));
	assert_true(eof);
	assert_int_equal(w.nactive, 0);
}

static void test_idle_keepalive(void **state)
{
	char buf[4096];
	int eof;

	send_str("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	recv_all(buf, sizeof(buf), &eof);
	w.now_ms += opt.keepalive_timeout - 10;
	check_timeouts(&w);
	assert_int_equal(w.nactive, 1);
	w.now_ms += 20;
	check_timeouts(&w);
	assert_int_equal(w.nactive, 0);
	assert_int_equal(recv_all(buf, sizeof(buf), &eof), 0); /* closed silently */
	assert_true(eof);
}

static void test_stop(void **state)
{
	char buf[4096];
	int eof;

	begin_stop(&w); /* an idle connection goes at once */
	assert_int_equal(w.nactive, 0);
	recv_all(buf, sizeof(buf), &eof);
	assert_true(eof);
	w.stop_deadline = 0;
}

static void test_cap(void **state)
{
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };
	char buf[256];
	int sv[2], eof;

	atomic_store(&srv.nconns, opt.max_connections);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	conn_open(&w, sv[1], &ss, 1);
	assert_int_equal(w.nactive, 1); /* refused: not taken */
	atomic_store(&srv.nconns, 1);
	{
		int saved = client;

		client = sv[0];
		recv_all(buf, sizeof(buf), &eof);
		client = saved;
	}
	assert_true(!strncmp(buf, "HTTP/1.1 503 ", 13));
	assert_non_null(strstr(buf, "Retry-After: 1\r\n"));
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pipelining, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_request_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

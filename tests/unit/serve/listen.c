/* serve/listen.c: unit tests for serve/listen.c: addresses, unix sockets, stale files, LISTEN_FDS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "../../../serve/listen.h"

static char dir[64], sock[128], addr[140];

static int setup(void **state)
{
	log_verbosity = 0;
	strcpy(dir, "/tmp/sr-lst.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_tcp(void **state)
{
	struct listener l;

	assert_int_equal(listen_open("127.0.0.1:0", 0666, &l), 0);
	assert_int_equal(listen_start(&l), 0);
	assert_false(l.is_unix);
	listen_close(&l);
	if (listen_open("[::1]:0", 0666, &l) == 0) /* no IPv6 in some sandboxes */
		listen_close(&l);
	assert_int_equal(listen_open("127.0.0.1", 0666, &l), -1);
	assert_int_equal(listen_open("[::1]0", 0666, &l), -1);
	assert_int_equal(listen_open("127.0.0.1:", 0666, &l), -1);
}

static void test_unix(void **state)
{
	struct listener l;
	struct stat st;

	assert_int_equal(listen_open(addr, 0660, &l), 0);
	assert_int_equal(listen_start(&l), 0);
	assert_true(l.is_unix);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	listen_close(&l);
	assert_int_equal(stat(sock, &st), -1); /* ours: removed */
}

static void test_stale_and_live(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct listener l, l2;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	/* A socket file nobody listens on is stale: replaced. */
	strcpy(sun.sun_path, sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(listen_open(addr, 0666, &l), 0);
	assert_int_equal(listen_start(&l), 0);
	/* A live one is not. */
	assert_int_equal(listen_open(addr, 0666, &l2), -1);
	listen_close(&l);
	/* Nor is a regular file. */
	fclose(fopen(sock, "w"));
	assert_int_equal(listen_open(addr, 0666, &l2), -1);
	assert_int_equal(access(sock, F_OK), 0);
}

static void test_listen_fds(void **state)
{
	struct listener *v;
	char pid[32];
	int fd = socket(AF_INET, SOCK_STREAM, 0), saved = dup(3);

	assert_int_equal(listen_from_env(&v), 0); /* not activated */
	assert_int_equal(dup2(fd, 3), 3);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(listen_from_env(&v), 1);
	assert_int_equal(v[0].fd, 3);
	assert_true(v[0].passed);
	assert_null(getenv("LISTEN_FDS")); /* not inherited further */
	free(v[0].name);
	free(v);
	setenv("LISTEN_PID", "1", 1); /* someone else's */
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(listen_from_env(&v), 0);
	close(fd);
	if (saved >= 0)
		dup2(saved, 3), close(saved);
	else
		close(3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_fds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

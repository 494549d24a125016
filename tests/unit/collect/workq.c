/* collect/workq.c: the work queue runs each item exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../collect/workq.h"

static atomic_int counts[1000];

static void count_one(size_t i, unsigned tid, void *ctx)
{
	assert_true(tid < 4);
	atomic_fetch_add(&counts[i], 1);
}

static void workq_each_once(void **state)
{
	workq_run(1000, 4, count_one, NULL);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(atomic_load(&counts[i]), 1);
	workq_run(0, 4, count_one, NULL);
	workq_run(3, 0, count_one, NULL);
	assert_int_equal(atomic_load(&counts[2]), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workq_each_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

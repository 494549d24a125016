/* collect/template_check.c: {% static %} names found the way Django's lexer and url() see them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../collect/template_check.h"
#include "template_fixture.h"

static struct template_scan scan(const char *text)
{
	struct template_scan s = { 0 };

	template_scan_text("t.html", text, strlen(text), &fs, 1, &s);
	return s;
}

static void literal_names(void **state)
{
	struct template_scan s = scan("{% load static %}\n<link href=\"{% static 'css/site.css' %}\">\n"
				      "{% static \"js/a.js\" as x %}{% static 'js/missing.js' %}");

	assert_int_equal(s.literal, 3);
	assert_int_equal(s.missing, 1);
	assert_int_equal(s.nonliteral, 0);
}

static void needs_load(void **state)
{
	/* Without {% load static %} the tag is not Django's static (a syntax
	 * error at render, not a missing file). */
	assert_int_equal(scan("{% static 'nope.css' %}").literal, 0);
	assert_int_equal(scan("{% load i18n static %}{% static 'nope.css' %}").missing, 1);
	assert_int_equal(scan("{% load static from static %}{% static 'nope.css' %}").missing, 1);
	assert_int_equal(scan("{% load trans from i18n %}{% static 'nope.css' %}").literal, 0);
}

static void non_literal(void **state)
{
	struct template_scan s = scan("{% load static %}{% static name %}{% static 'x'|add:'y' %}"
				      "{% static _('css/site.css') %}{% static \"a\"|lower %}");

	assert_int_equal(s.nonliteral, 4);
	assert_int_equal(s.literal, 0);
}

static void skipped_text(void **state)
{
	struct template_scan s = scan("{% load static %}{# {% static 'c1.css' %} #}\n"
				      "{% comment %}{% static 'c2.css' %}{% endcomment %}\n"
				      "{% verbatim v %}{% static 'c3.css' %}{% endverbatim %}"
				      "{% static 'c4.css' %}{% endverbatim v %}\n"
				      "{% static 'c5.css'\n%}{% static 'js/a.js' %}");

	assert_int_equal(s.literal, 1);
	assert_int_equal(s.missing, 0);
}

static void url_forms(void **state)
{
	/* url(): fragment and query dropped, %-escapes decoded, a directory
	 * (trailing '/') not looked up; quotes unescaped. */
	struct template_scan s = scan("{% load static %}{% static 'css/site.css?v=2#top' %}"
				      "{% static 'img/logo%20small.png' %}{% static 'img/' %}"
				      "{% static 'it\\'s.css' %}{% static ' js/a.js ' %}");

	assert_int_equal(s.literal, 5);
	assert_int_equal(s.missing, 0);
	assert_int_equal(scan("{% load static %}{% static 'https://cdn.example/js/a.js' %}").missing,
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_names),
		cmocka_unit_test(needs_load),
		cmocka_unit_test(non_literal),
		cmocka_unit_test(skipped_text),
		cmocka_unit_test(url_forms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

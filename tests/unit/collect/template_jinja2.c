/* collect/template_jinja2.c: static("x") calls found the way Jinja2's lexer and Django's url() see them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../collect/template_check.h"
#include "template_fixture.h"

static struct template_scan scan(const char *text)
{
	struct template_scan s = { 0 };

	template_scan_jinja2_text("t.jinja", text, strlen(text), &fs, 1, &s);
	return s;
}

static void literal_calls(void **state)
{
	struct template_scan s = scan("<link href=\"{{ static('css/site.css') }}\">\n"
				      "{{ static( \"js/a.js\" ) }}{{ static('js/missing.js') }}\n"
				      "{% set logo = static('img/logo%20small.png?v=2#x') %}"
				      "{{- static('css/site.css') -}}");

	assert_int_equal(s.literal, 5);
	assert_int_equal(s.missing, 1);
	assert_int_equal(s.nonliteral, 0);
}

static void non_literal_and_other_calls(void **state)
{
	struct template_scan s = scan("{{ static(name) }}{{ static('a' ~ b) }}"
				      "{{ static('css/site.css', x) }}{{ static('it\\'s.css') }}"
				      "{{ obj.static('nope.css') }}{{ mystatic('nope.css') }}"
				      "{{ 'static(\"nope.css\")' }}{{ static }}");

	assert_int_equal(s.nonliteral, 4);
	assert_int_equal(s.literal, 0);
}

static void skipped_text(void **state)
{
	struct template_scan s = scan("{# {{ static('c1.css') }} #}\n"
				      "{% raw %}{{ static('c2.css') }}{% endraw %}\n"
				      "{%- raw -%}{{ static('c3.css') }}{%- endraw %}"
				      "static('c4.css') {{ static('js/a.js') }}");

	assert_int_equal(s.literal, 1);
	assert_int_equal(s.missing, 0);
}

/* The line of each missing name, over tags that span lines (Jinja2 allows them). */
static void lines(void **state)
{
	const char *text = "a\n{{ x }}\n{{\n  static(\n 'no1.css')\n}}\n{# \n #}{{ static('no2.css') }}";
	struct template_scan s = { 0 };
	char buf[4096] = "";
	FILE *f = tmpfile();
	int saved = dup(2);

	assert_non_null(f);
	log_verbosity = 1;
	dup2(fileno(f), 2);
	template_scan_jinja2_text("t.jinja", text, strlen(text), &fs, 0, &s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_verbosity = 0;
	rewind(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	assert_int_equal(s.missing, 2);
	assert_non_null(strstr(buf, "t.jinja:5: static(\"no1.css\") names a file that is not "
				    "collected"));
	assert_non_null(strstr(buf, "t.jinja:8: static(\"no2.css\")"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_calls),
		cmocka_unit_test(non_literal_and_other_calls),
		cmocka_unit_test(skipped_text),
		cmocka_unit_test(lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

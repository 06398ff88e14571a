/* The Anthropic-style XML dialect. */
#include "tests/unit/dialect_testutil.h"

Test(dialect_xml, function_calls_with_several_invokes_and_typed_values)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "xml",
	    "Reading two files.\n<function_calls>\n<invoke name=\"read_file\">\n"
	    "<parameter name=\"path\">src/a.c</parameter>\n<parameter "
	    "name=\"limit\">5</parameter>\n"
	    "</invoke>\n<invoke name='list_dir'><parameter name=\"path\">.</parameter></invoke>\n"
	    "</function_calls>\nThanks.");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 2);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "src/a.c");
	cr_assert(cJSON_IsNumber(call_arg(&p, 0, "limit")), "integer parameter typed");
	cr_assert_eq(call_line(&p, 0), 3);
	cr_assert_str_eq(call_name(&p, 1), "list_dir");
	cr_assert_str_eq(message(&p), "Reading two files.\n\nThanks.");
	parsed_free(&p);
}

Test(dialect_xml, values_are_verbatim_including_markup_like_text)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "xml",
	    "<invoke name=\"create_file_from_block\"><parameter name=\"file_name\">a.h</parameter>"
	    "<parameter name=\"content\">#include <stdio.h>\nif (a < b && c > d) "
	    "{}\n</parameter></invoke>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "content"),
	                 "#include <stdio.h>\nif (a < b && c > d) {}\n");
	parsed_free(&p);
}

Test(dialect_xml, simple_form_for_known_tools_and_namespace_prefix)
{
	struct parsed p;

	parse_with(
	    &p, REG_OC, "xml",
	    "<read>\n<filePath>a.c</filePath>\n</read>\n<lsp-diagnostics/>\n"
	    "<x:invoke name=\"glob\"><x:parameter name=\"pattern\">*.c</x:parameter></x:invoke>\n"
	    "<p>not a tool</p>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "filePath"), "a.c");
	cr_assert_str_eq(call_name(&p, 1), "lsp-diagnostics");
	cr_assert_str_eq(call_sarg(&p, 2, "pattern"), "*.c");
	cr_assert_str_eq(message(&p), "<p>not a tool</p>");
	parsed_free(&p);
}

Test(dialect_xml, bash_command_element_is_xml_when_both_are_enabled)
{
	struct parsed p;

	parse_with(&p, REG_OC, NULL, "<bash><command>make</command></bash>");
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 0), "dialect")),
	                 "xml");
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "make");
	parsed_free(&p);
}

Test(dialect_xml, error_unclosed_parameter_and_missing_name)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "xml",
	           "<invoke name=\"read_file\"><parameter name=\"path\">a.c</invoke>\n"
	           "<invoke><parameter name=\"path\">a</parameter></invoke>");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 2);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "XML call at line 1: <parameter> for 'path' is not closed");
	cr_assert_str_eq(err_msg(&p, 1),
	                 "XML call at line 2: <invoke> needs a name=\"TOOL\" attribute");
	parsed_free(&p);
}

Test(dialect_xml, error_unclosed_wrapper_and_stray_text)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "xml",
	           "<function_calls><invoke name=\"read_file\">path=a</invoke>");
	cr_assert_eq(ncalls(&p), 0);
	assert_contains(err_msg(&p, 0), "<function_calls> is not closed with </function_calls>");
	parsed_free(&p);
}

Test(dialect_xml, html_in_prose_is_not_a_call)
{
	struct parsed p;

	parse_with(&p, REG_OC, "xml", "Steps:\n<list><li>one</li></list>\n<read>\n</read>");
	cr_assert_eq(ncalls(&p), 1, "only the empty <read></read> is a call");
	cr_assert_str_eq(call_name(&p, 0), "read");
	assert_contains(message(&p), "<list><li>one</li></list>");
	parsed_free(&p);
}

Test(dialect_xml, error_shapes_inside_invoke_and_wrapper)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "xml",
	           "<invoke name=\"read_file\">path</invoke>\n"
	           "<function_calls>\nnothing here\n</function_calls>\n"
	           "<invoke name=\"read_file\"><parameter>a</parameter></invoke>\n"
	           "<invoke name=\"read_file\"><path>a</path></invoke>");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 4);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "XML call at line 1: expected <parameter name=\"...\">value</parameter>");
	cr_assert_str_eq(err_msg(&p, 1), "XML call at line 2: <function_calls> holds no <invoke "
	                                 "name=\"...\"> element");
	cr_assert_str_eq(err_msg(&p, 2),
	                 "XML call at line 5: <parameter> needs a name=\"...\" attribute");
	cr_assert_str_eq(err_msg(&p, 3),
	                 "XML call at line 6: expected <parameter name=\"...\"> inside <invoke>");
	parsed_free(&p);
}

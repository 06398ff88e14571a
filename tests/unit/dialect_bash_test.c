/* The <BASH> block dialect: maps to the registry's shell tool and refuses
 * what must never reach a shell half-written. */
#include "tests/unit/dialect_testutil.h"

Test(dialect_bash, block_becomes_run_shell_command)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "bash_block", "Build it:\n<BASH>\nmake -j2 && ./test\n</BASH>\n");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "run_shell");
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "make -j2 && ./test");
	cr_assert_eq(call_line(&p, 0), 2);
	cr_assert_str_eq(message(&p), "Build it:");
	parsed_free(&p);
}

Test(dialect_bash, opencode_registry_maps_to_bash_tool)
{
	struct parsed p;

	parse_with(&p, REG_OC, "bash_block", "<bash>ls -la</bash>");
	cr_assert_str_eq(call_name(&p, 0), "bash");
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "ls -la");
	parsed_free(&p);
}

Test(dialect_bash, fence_and_command_wrapper_are_unwrapped)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "bash_block",
	    "<BASH>\n```bash\ncd src\nmake\n```\n</BASH>\n<BASH><command>echo hi</command></BASH>");
	cr_assert_eq(ncalls(&p), 2);
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "cd src\nmake");
	cr_assert_str_eq(call_sarg(&p, 1, "command"), "echo hi");
	parsed_free(&p);
}

Test(dialect_bash, heredoc_and_quotes_are_kept_verbatim)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "bash_block",
	           "<BASH>\ncat > a.txt <<'EOF'\n<tag> \"x\" 'y' $HOME\nEOF\n</BASH>");
	cr_assert_str_eq(call_sarg(&p, 0, "command"),
	                 "cat > a.txt <<'EOF'\n<tag> \"x\" 'y' $HOME\nEOF");
	parsed_free(&p);
}

Test(dialect_bash, unclosed_block_is_refused_and_the_rest_still_read)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "bash_block", "<BASH>\nrm -rf build\n\n<BASH>make</BASH>");
	cr_assert_eq(nerrors(&p), 1);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "BASH at line 1: missing </BASH>; the command was not run. "
	                 "Close every <BASH> block with </BASH>");
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "make");
	parsed_free(&p);
}

Test(dialect_bash, empty_block_is_an_error)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "bash_block", "x\n<BASH>\n  \n</BASH>");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0), "BASH at line 2: empty command");
	parsed_free(&p);
}

Test(dialect_bash, registry_without_shell_tool_still_names_run_shell)
{
	struct parsed p;

	parse_with(&p, "{\"tools\":[]}", "bash_block", "<BASH>ls</BASH>");
	cr_assert_str_eq(call_name(&p, 0), "run_shell", "the validator reports it as unknown");
	parsed_free(&p);
}

Test(dialect_bash, apply_patch_heredoc_goes_to_the_patch_tool)
{
	struct parsed p;

	parse_with(&p, REG_OC, "bash_block",
	           "<BASH>\napply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: old.txt\n*** "
	           "End Patch\nEOF\n"
	           "</BASH>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"),
	                 "*** Begin Patch\n*** Delete File: old.txt\n*** End Patch\n");
	parsed_free(&p);
}

/*
 * The install tree serves someone else's project: `cmake --install` this
 * build into a fresh prefix, then configure and build tests/install (a
 * separate project that knows only find_package(nicsim)) against it, and a
 * C program with nothing but pkg-config's flags. What they build runs a
 * shipped capture and must report what this build's nicsim run reports
 * (nicsim check): core_demo on the C API, and the installed example
 * platform (nicsim_systemc.cpp, SystemC builds only) at quantum 0.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[512];

static void sh(const char *what, const char *cmd)
{
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("%s: exit %d: %s\n%s", what, rc, cmd, o);
	free(o);
}

/* prog's report on bulk-ipv6 (core_demo prints it; the others write --json)
 * against nicsim run's. */
static void same_as_nicsim_run(const char *what, const char *cmd_to_json, const char *native)
{
	char cmd[16000];
	snprintf(cmd, sizeof cmd, "%s && '%s' check '%s/out.json' '%s'", cmd_to_json, tu_nicsim_bin(), dir, native);
	sh(what, cmd);
}

static void test_install_tree_builds_and_runs_a_separate_project(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/nicsim-install-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	const char *trace = tu_path(tu_src_dir(), "traces/bulk-ipv6.pcap");
	char cmd[12000], native[600];
	snprintf(native, sizeof native, "%s/native.json", dir);
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --json '%s' '%s' 2>&1", tu_nicsim_bin(), native, trace);
	sh("nicsim run", cmd);

	snprintf(cmd, sizeof cmd, "'%s' --install '%s' --prefix '%s/prefix' 2>&1", NICSIM_CMAKE, NICSIM_BUILD_DIR, dir);
	sh("cmake --install", cmd);
	snprintf(cmd, sizeof cmd,
		 "'%s' -S '%s/tests/install' -B '%s/build' -DCMAKE_PREFIX_PATH='%s/prefix' -DCMAKE_BUILD_TYPE=Release "
		 "-DCMAKE_C_COMPILER='%s' -DCMAKE_CXX_COMPILER='%s' 2>&1 && '%s' --build '%s/build' 2>&1",
		 NICSIM_CMAKE, tu_src_dir(), dir, dir, NICSIM_CC, NICSIM_CXX, NICSIM_CMAKE, dir);
	sh("configure and build tests/install against the install tree", cmd);

	snprintf(cmd, sizeof cmd, "'%s/build/core_demo' '%s' > '%s/out.json'", dir, trace, dir);
	same_as_nicsim_run("core_demo (find_package(nicsim), nicsim::core)", cmd, native);

	/* pkg-config alone: the flags the installed nicsim.pc gives. */
	snprintf(cmd, sizeof cmd,
		 "export PKG_CONFIG_PATH='%s/prefix/lib/pkgconfig'; '%s' -o '%s/core_pc' '%s/tests/install/core_demo.c' "
		 "$(pkg-config --cflags --libs nicsim) 2>&1 && '%s/core_pc' '%s' > '%s/out.json'",
		 dir, NICSIM_CC, dir, tu_src_dir(), dir, trace, dir);
	same_as_nicsim_run("core_demo built with pkg-config --cflags --libs nicsim", cmd, native);

#ifdef NICSIM_HAVE_SYSTEMC
	snprintf(cmd, sizeof cmd, "'%s/build/platform' --quantum 0 --quiet --json '%s/out.json' '%s'", dir, dir, trace);
	same_as_nicsim_run("the installed example platform (nicsim::systemc)", cmd, native);
#else
	print_message("no SystemC in this build: the example platform is not installed nor checked\n");
#endif
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	sh("clean up", cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_tree_builds_and_runs_a_separate_project),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

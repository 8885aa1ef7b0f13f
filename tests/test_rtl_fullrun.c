/*
 * A full `nicsim run --backend rtl:rss,csum` — Toeplitz hashes, checksum sums
 * and both engines' cycle counts from the Verilated twins — must give the
 * same report as the C backend, which the golden files hold, for every
 * shipped capture (only /run/backend may differ; `nicsim check` ignores it).
 * Exit status 4 would mean the twins disagreed on some sum.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_rtl_fullrun_report_equals_the_c_backend_on_every_shipped_capture(void **state)
{
	(void)state;
	static const char *t[] = { "many-flows-ipv4.pcap.gz", "bulk-ipv6.pcap", "vlan-flows.pcapng",
				   "udp-and-reverse.pcap", "pcpp-sll.pcap" };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char name[128], cmd[8192];
		snprintf(name, sizeof name, "%s", t[i]);
		*strchr(name, '.') = 0;
		const char *out = tu_tmpfile(".json");
		snprintf(cmd, sizeof cmd, "'%s' run --quiet --backend rtl:rss,csum --json '%s' '%s/traces/%s' 2>&1",
			 tu_nicsim_bin(), out, tu_src_dir(), t[i]);
		char *o;
		int rc = tu_run(cmd, &o);
		if (rc)
			fail_msg("%s: exit %d: %s", cmd, rc, o);
		free(o);
		snprintf(cmd, sizeof cmd, "'%s' check '%s' '%s/tests/golden/%s.json'", tu_nicsim_bin(), out,
			 tu_src_dir(), name);
		rc = tu_run(cmd, &o);
		if (rc)
			fail_msg("%s: the RTL backend's report differs from the C backend's:\n%s", t[i], o);
		free(o);
		json_t *j = tu_load_json(out);
		assert_string_equal(json_string_value(json_object_get(json_object_get(j, "run"), "backend")),
				    "rtl:rss,csum");
		json_decref(j);
		unlink(out);
	}
}

static void test_rtl_fullrun_vcd_is_written(void **state)
{
	(void)state;
	const char *vcd = tu_tmpfile(".vcd");
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' run --quiet --backend rtl:rss --vcd '%s' '%s/traces/pcpp-sll.pcap' 2>&1",
		 tu_nicsim_bin(), vcd, tu_src_dir());
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc)
		fail_msg("%s: exit %d: %s", cmd, rc, o);
	free(o);
	FILE *f = fopen(vcd, "r");
	assert_non_null(f);
	char line[256] = "";
	assert_non_null(fgets(line, sizeof line, f)); /* VCD header: "$version" / "$date" ... */
	assert_int_equal(line[0], '$');
	fclose(f);
	unlink(vcd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtl_fullrun_report_equals_the_c_backend_on_every_shipped_capture),
		cmocka_unit_test(test_rtl_fullrun_vcd_is_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * core_demo: the smallest program on nicsim's C API (an installed
 * nicsim::core): run one capture with the default settings and print the
 * JSON report, as `nicsim run --json -` does.
 */
#include <stdio.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: core_demo TRACE\n");
		return 2;
	}
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	struct run *r;
	char err[4300];
	if (run_trace(&cfg, argv[1], NULL, &r, err, sizeof err)) {
		fprintf(stderr, "core_demo: %s\n", err);
		return 3;
	}
	json_t *j = report_json(r);
	json_dumpf(j, stdout, JSON_INDENT(1));
	fputc('\n', stdout);
	json_decref(j);
	run_free(r);
	return 0;
}

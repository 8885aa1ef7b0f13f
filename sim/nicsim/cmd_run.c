/*
 * sim/nicsim/cmd_run.c — `nicsim run`: options, the run, its reports.
 *
 * The library nicsim_cli, which each program offering the command links
 * (nicsim, and nicsim-systemc with its SystemC kernel). A compute backend
 * other than the C twins is the program's to register (cli_set_backend:
 * nicsim's RTL twins).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/nicsim/cli.h"
#include "sim/nicsim/config.h"
#include "sim/nicsim/plot_run.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/timeline.h"
#include "traces/flows.h"

const char cli_usage_run[] =
	"usage: nicsim run [options] TRACE\n"
	"\n"
	"Replays TRACE ('-': standard input): frames addressed to the host go through the NIC\n"
	"(MAC, parser, checksum, RSS, DMA, interrupt moderation) into the host's driver and CPUs;\n"
	"frames the host sent go from its stack (coalesced into large sends, tx.lso) through the\n"
	"driver, the NIC's transmit path (descriptor fetch, data reads, checksum insertion and\n"
	"segmentation, the TX buffer) onto the wire. Prints a summary; --json writes the full report. On a\n"
	"terminal, progress is shown on stderr a few times a second.\n"
	"\n"
	"options:\n"
	"  --config FILE     settings in INI form ([section] then key = value); see docs/config.md\n"
	"  --set KEY=VALUE   override one setting, e.g. --set rss.queues=16 (repeatable; after --config)\n"
	"  --json FILE       write the JSON report (schema docs/report.md); '-' for stdout, alone\n"
	"                    (no summary beside it)\n"
	"  --flows FILE      write per-flow CSV: proto,src,sport,dst,dport,packets,bytes,rss_hash,queue\n"
	"  --tx-pcap FILE    write every frame the NIC transmitted as pcap, stamped with its simulated\n"
	"                    time on the wire (first bit), in the capture's link type\n"
	"  --wire-pcap FILE  write both directions in time order as pcapng, each packet with its\n"
	"                    direction (inbound: to the host; outbound: sent by the NIC)\n"
	"  --plot DIR        write SVG plots into DIR (made if missing): latency-cdf.svg (end-to-end\n"
	"                    latency CDF per queue), stages.svg (p50/p99 per latency stage),\n"
	"                    cpu-util.svg (per-CPU utilisation by category); see docs/plots.md\n"
	"  --backend B       compute engines: c (default) or rtl:BLOCKS, BLOCKS a subset of\n"
	"                    rss,reta,csum (the Verilated twins, if built; e.g. rtl:rss,reta,csum)\n"
	"  --vcd FILE        with an rtl backend: dump waves of the RTL blocks (GTKWave)\n"
	"  --baseline        run the plain software path the savings compare with, over --config and\n"
	"                    --set: every offload off, an interrupt and a DPC run per frame, rings deep\n"
	"                    enough to drop nothing (the settings: docs/cost-model.md, section 5); its\n"
	"                    host_cycles is what an offloaded run reports as baseline_cycles\n"
	"  --loops N         shorthand for --set replay.loops=N (replay the capture N times; a\n"
	"                    pipe cannot be replayed twice)\n"
	"  --quiet           no summary on stdout, no progress on stderr\n"
	"  --timeline FILE   write the run's events (frame stages per queue, ISR/DPC runs per CPU,\n"
	"                    interrupts, table moves) as trace-event JSON for ui.perfetto.dev or\n"
	"                    chrome://tracing (docs/timeline.md), for a window of simulated time:\n"
	"  --timeline-from-us N  from N us (default 0)\n"
	"  --timeline-us N   for N us (default 1000; 0 = the whole run)\n"
	"\n"
	"examples:\n"
	"  nicsim run traces/many-flows-ipv4.pcap.gz\n"
	"  nicsim run --set host.mode=legacy --json legacy.json traces/many-flows-ipv4.pcap.gz\n"
	"  nicsim run --set rss.queues=4 --set host.cpus=4 --set irq.mode=adaptive TRACE\n";

/* The backend --backend may name besides "c" (cli_set_backend), or NULL. */
static const struct cli_backend *cli_backend_ops;

void cli_set_backend(const struct cli_backend *b) { cli_backend_ops = b; }

static void backend_close(void *bh)
{
	if (bh)
		cli_backend_ops->close(bh);
}

static void run_progress(void *ctx, const struct replay_progress *p)
{
	cli_progress_show(ctx, p->has_share, p->share_ppm, p->records, true, p->sim_now_ps);
}

int cli_run(int argc, char **argv, const struct run_kernel *kernel)
{
	const char *who = kernel && kernel->cli_name ? kernel->cli_name : "nicsim run";
	cli_set_who(kernel ? kernel->cli_name : NULL);   /* the shared messages name the same program */
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	const char *json_path = NULL, *flows_path = NULL, *trace = NULL, *backend = "c", *vcd = NULL, *plot_dir = NULL;
	bool quiet = false, is_baseline = false;
	const char *tl_path = NULL;
	const char *tx_pcap = NULL, *wire_pcap = NULL;
	uint64_t tl_from_us = 0, tl_us = TIMELINE_DEFAULT_US;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (cli_is_help(a)) {
			fputs(cli_usage_run, stdout);
			return 0;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = cli_apply_cfg_opt(&cfg, a, v, "run");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--loops")) {
			char s[64];
			snprintf(s, sizeof s, "replay.loops=%s", v ? v : "");
			int rc = cli_apply_cfg_opt(&cfg, "--set", v ? s : NULL, "run");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--json") || !strcmp(a, "--flows") || !strcmp(a, "--backend") || !strcmp(a, "--vcd") ||
			   !strcmp(a, "--plot")) {
			if (!v)
				return cli_usage_err("%s needs a value", a, "run");
			if (!strcmp(a, "--plot"))
				plot_dir = v;
			else if (!strcmp(a, "--json"))
				json_path = v;
			else if (!strcmp(a, "--flows"))
				flows_path = v;
			else if (!strcmp(a, "--backend"))
				backend = v;
			else
				vcd = v;
			i++;
		} else if (!strcmp(a, "--tx-pcap") || !strcmp(a, "--wire-pcap")) {
			if (!v)
				return cli_usage_err("%s needs a file", a, "run");
			*(!strcmp(a, "--tx-pcap") ? &tx_pcap : &wire_pcap) = v;
			i++;
		} else if (!strcmp(a, "--timeline")) {
			if (!v)
				return cli_usage_err("%s needs a file", a, "run");
			tl_path = v;
			i++;
		} else if (!strcmp(a, "--timeline-from-us") || !strcmp(a, "--timeline-us")) {
			char *end = NULL;
			uint64_t n = v && *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
			if (!end || *end || n > TIMELINE_US_MAX)
				return cli_usage_err("%s needs a whole number of microseconds", a, "run");
			*(!strcmp(a, "--timeline-us") ? &tl_us : &tl_from_us) = n;
			i++;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--baseline")) {
			is_baseline = true;
		} else if (cli_take_trace(a, &trace, "run")) {
			return CLI_EXIT_USAGE;
		}
	}
	if (!trace)
		return cli_usage_err("%sno trace given", "", "run");
	if (is_baseline)
		config_baseline(&cfg);

	{
		char cerr[600];
		if (config_validate(&cfg, cerr, sizeof cerr)) {
			fprintf(stderr, "%s: %s\n", who, cerr);
			return CLI_EXIT_USAGE;
		}
		cli_print_cfg_warnings(&cfg, "run");
		if (plot_dir && plot_dir_prepare(plot_dir, cerr, sizeof cerr)) {
			fprintf(stderr, "%s: %s\n", who, cerr);
			return CLI_EXIT_USAGE;
		}
	}
	bool is_json_stdout = json_path && !strcmp(json_path, "-");
	struct cli_progress pg;
	cli_progress_init(&pg, "run", trace, quiet);
	struct run_opts opts = { .kernel = kernel, .want_flows = flows_path != NULL, .tx_pcap = tx_pcap,
				 .wire_pcap = wire_pcap };
	if (pg.is_on) {
		opts.on_progress = run_progress;
		opts.progress_ctx = &pg;
	}
	void *bh = NULL;   /* the backend's handle, when not "c" */
	if (strcmp(backend, "c") != 0) {
		if (!cli_backend_ops) {
			fprintf(stderr, "%s: --backend %s: this nicsim was built without the RTL twins "
					"(configure with -DNICSIM_RTL=ON and Verilator installed)\n", who, backend);
			return CLI_EXIT_USAGE;
		}
		char berr[300];
		if (cli_backend_ops->open(&bh, backend, &cfg, vcd, berr, sizeof berr)) {
			fprintf(stderr, "%s: --backend %s: %s\n", who, backend, berr);
			return CLI_EXIT_USAGE;
		}
		opts.engines = cli_backend_ops->engines(bh);
		opts.backend_name = backend;
	} else if (vcd) {
		fprintf(stderr, "%s: --vcd needs an rtl backend (e.g. --backend rtl:rss,reta,csum)\n", who);
		return CLI_EXIT_USAGE;
	}

	struct run *r;
	char err[TRACE_ERR_MAX + 128];
	char tl_err[4200];
	if (tl_path && timeline_open(&opts.timeline, tl_path, tl_from_us * SIM_PS_PER_US, tl_us * SIM_PS_PER_US, tl_err,
				     sizeof tl_err)) {
		fprintf(stderr, "%s: %s\n", who, tl_err);
		cli_progress_end(&pg);
		backend_close(bh);
		return CLI_EXIT_USAGE;
	}
	int rc = run_trace(&cfg, trace, &opts, &r, err, sizeof err);
	cli_progress_end(&pg);
	/* Closing ends the JSON: the file is valid even when the run failed. */
	int tl_rc = timeline_close(opts.timeline, tl_err, sizeof tl_err);
	if (tl_rc)
		fprintf(stderr, "%s: %s\n", who, tl_err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", who, err);
		backend_close(bh);
		/* The config was valid on its own: either it cannot replay this
		 * trace (named keys), or the trace (or memory) failed. */
		return rc == REPLAY_E_SETTINGS ? CLI_EXIT_USAGE : CLI_EXIT_TRACE;
	}
	int status = tl_rc ? CLI_EXIT_USAGE : 0;
	/* The JSON on stdout stands alone; warnings the summary would carry go
	 * to stderr instead. */
	if (!quiet && !is_json_stdout) {
		report_text(r, stdout);
	} else {
		const struct replay_stats *rs = replay_stats(r->rep);
		if (rs->skip_note[0])
			fprintf(stderr, "%s: warning: %s (%" PRIu64 " such records)\n", who, rs->skip_note,
				rs->trace.skipped_len_absurd);
		if (rs->truncated_tail)
			fprintf(stderr, "%s: warning: %s; the run used the records before it\n", who, rs->truncated_msg);
	}
	if (json_path) {
		json_t *j = report_json(r);
		int jr = is_json_stdout ? json_dumpf(j, stdout, JSON_INDENT(1)) : json_dump_file(j, json_path, JSON_INDENT(1));
		if (is_json_stdout)
			fputc('\n', stdout);
		json_decref(j);
		if (jr) {
			fprintf(stderr, "%s: %s: could not write the JSON report: %s\n", who, json_path, strerror(errno));
			status = CLI_EXIT_USAGE;
		}
	}
	if (flows_path) {
		FILE *f = fopen(flows_path, "w");
		if (!f || flows_write_csv(r->flows, f, true) || fclose(f)) {
			fprintf(stderr, "%s: %s: could not write flows: %s\n", who, flows_path, strerror(errno));
			status = CLI_EXIT_USAGE;
		}
	}
	if (plot_dir) {
		char perr[4400];
		if (plot_run(r, plot_dir, perr, sizeof perr)) {
			fprintf(stderr, "%s: %s\n", who, perr);
			status = CLI_EXIT_USAGE;
		}
	}
	run_free(r);
	if (bh && cli_backend_ops->mismatches(bh)) {
		/* The RTL and C twins disagreed: a bug in one of them. */
		fprintf(stderr, "%s: warning: %llu sums differed between the RTL and C twins (the RTL's were used)\n", who,
			(unsigned long long)cli_backend_ops->mismatches(bh));
		status = CLI_EXIT_RTL_MISMATCH;
	}
	backend_close(bh);
	return status;
}

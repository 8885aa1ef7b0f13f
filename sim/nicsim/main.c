/*
 * nicsim — command-line front end.
 *
 *   nicsim run   [options] TRACE     simulate a capture through the NIC and host
 *   nicsim info  [options] TRACE     what is in a capture
 *   nicsim check REPORT GOLDEN       compare two JSON reports
 *   nicsim config [options]          effective configuration, or --docs
 *
 * Exit status: 0 ok; 1 reports differ (check); 2 usage or configuration
 * error, settings that cannot replay the trace included; 3 the trace could
 * not be read (or its time span does not fit); 4 the RTL and C twins
 * disagreed (--backend rtl).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/jsondiff.h"
#include "sim/nicsim/run.h"
#include "traces/flows.h"
#include "traces/reader.h"

#ifdef NICSIM_HAVE_RTL
#include "rtl/backend_rtl.h"
#endif

enum { EXIT_DIFF = 1, EXIT_USAGE = 2, EXIT_TRACE = 3, EXIT_RTL_MISMATCH = 4 };

static const char *usage_main =
	"nicsim " NICSIM_VERSION " — cycle-approximate simulator of a server NIC (RSS, offloads) and its host\n"
	"\n"
	"usage: nicsim COMMAND [options] ...\n"
	"\n"
	"commands:\n"
	"  run TRACE            replay a capture through the NIC and the host's CPUs; print a report\n"
	"  info TRACE           count what a capture holds (protocols, VLANs, flows)\n"
	"  check REPORT GOLDEN  compare two JSON reports; exit 1 and list the differences if they differ\n"
	"  config               print the effective configuration (or --docs: the reference of every key)\n"
	"  schema               print the JSON report's reference (docs/report.md)\n"
	"  help COMMAND         options of one command\n"
	"\n"
	"Captures: pcap or pcapng, plain or gzip-compressed (detected by content); link types\n"
	"Ethernet, Linux cooked (SLL, SLL2) and raw IPv4/IPv6. TRACE '-' is standard input\n"
	"(tcpdump -w - | nicsim run -); named pipes and <(...) work too.\n"
	"Exit status: 0 ok, 1 reports differ, 2 usage or configuration error (or settings that cannot\n"
	"replay the trace), 3 unreadable trace (or one whose time span does not fit),\n"
	"4 the RTL and C twins disagreed (run --backend rtl:...).\n"
	"Docs: README.md, docs/config.md (every key, its unit, default and the default's source).\n";

static const char *usage_run =
	"usage: nicsim run [options] TRACE\n"
	"\n"
	"Replays TRACE ('-': standard input): frames addressed to the host go through the NIC\n"
	"(MAC, parser, checksum, RSS, DMA, interrupt moderation) into the host's driver and CPUs;\n"
	"frames the host sent are counted. Prints a summary; --json writes the full report. On a\n"
	"terminal, progress is shown on stderr a few times a second.\n"
	"\n"
	"options:\n"
	"  --config FILE     settings in INI form ([section] then key = value); see docs/config.md\n"
	"  --set KEY=VALUE   override one setting, e.g. --set rss.queues=16 (repeatable; after --config)\n"
	"  --json FILE       write the JSON report (schema docs/report.md); '-' for stdout, alone\n"
	"                    (no summary beside it)\n"
	"  --flows FILE      write per-flow CSV: proto,src,sport,dst,dport,packets,bytes,rss_hash,queue\n"
	"  --backend B       compute engines: c (default) or rtl:BLOCKS, BLOCKS a subset of\n"
	"                    rss,reta,csum (the Verilated twins, if built; e.g. rtl:rss,reta,csum)\n"
	"  --vcd FILE        with an rtl backend: dump waves of the RTL blocks (GTKWave)\n"
	"  --loops N         shorthand for --set replay.loops=N (replay the capture N times; a\n"
	"                    pipe cannot be replayed twice)\n"
	"  --quiet           no summary on stdout, no progress on stderr\n"
	"\n"
	"examples:\n"
	"  nicsim run traces/many-flows-ipv4.pcap.gz\n"
	"  nicsim run --set host.mode=legacy --json legacy.json traces/many-flows-ipv4.pcap.gz\n"
	"  nicsim run --set rss.queues=4 --set host.cpus=4 --set irq.mode=adaptive TRACE\n";

static const char *usage_info =
	"usage: nicsim info [--flows FILE] [--top N] [--quiet] TRACE\n"
	"\n"
	"Counts records, bytes, duration, link type, IPv4/IPv6/TCP/UDP/other, VLAN-tagged frames and\n"
	"flows (one per direction of each TCP/UDP 5-tuple), and lists the top N flows by bytes (10).\n"
	"--flows FILE writes every flow as CSV (proto,src,sport,dst,dport,packets,bytes), rows sorted as\n"
	"text: the same definition as tshark's conversation counts (traces/README.md). TRACE '-' is\n"
	"standard input. On a terminal, progress is shown on stderr (not with --quiet).\n";

static const char *usage_check =
	"usage: nicsim check [--ignore PATH]... REPORT.json GOLDEN.json\n"
	"\n"
	"Compares a report with a golden one, value by value; prints each difference as\n"
	"'PATH: golden X, now Y' and exits 1 if there is any. /run/backend and /run/peak_rss_bytes\n"
	"(which differ from run to run) are ignored by default.\n"
	"--ignore takes a JSON pointer, or a prefix ending in '*'.\n";

static const char *usage_config =
	"usage: nicsim config [--docs] [--changed] [--config FILE] [--set KEY=VALUE]...\n"
	"\n"
	"Prints the effective configuration in INI form (the format --config reads). --changed prints\n"
	"only keys that differ from the defaults; --docs prints the Markdown reference of every key.\n";

/* ---- progress on a terminal ---- */

/* Shown on stderr when it is a terminal, at most every PROGRESS_EVERY_NS
 * and not before PROGRESS_FIRST_NS (a short run shows nothing). The callers
 * look at the clock only every REPLAY_PROGRESS_RECORDS records. */
#define PROGRESS_EVERY_NS 250000000ull
#define PROGRESS_FIRST_NS 500000000ull

struct progress {
	bool is_on;
	const char *cmd, *name;
	uint64_t t0_ns, shown_ns;
	bool has_shown;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void progress_init(struct progress *pg, const char *cmd, const char *trace, bool is_quiet)
{
	memset(pg, 0, sizeof *pg);
	pg->is_on = !is_quiet && isatty(STDERR_FILENO);
	pg->cmd = cmd;
	const char *slash = strrchr(trace, '/');
	pg->name = !strcmp(trace, "-") ? TRACE_STDIN_NAME : slash ? slash + 1 : trace;
	pg->t0_ns = mono_ns();
}

/* One line, redrawn in place: share read (if known), frames, simulated
 * time (has_sim), frames/s, time left (if the share is known). */
static void progress_show(struct progress *pg, bool has_share, uint32_t share_ppm, uint64_t frames, bool has_sim,
			  uint64_t sim_ps)
{
	if (!pg->is_on)
		return;
	uint64_t now = mono_ns(), wall = now - pg->t0_ns;
	if (wall < PROGRESS_FIRST_NS || (pg->has_shown && now - pg->shown_ns < PROGRESS_EVERY_NS))
		return;
	pg->shown_ns = now;
	pg->has_shown = true;
	double secs = (double)wall / 1e9;
	char line[256];
	int n = snprintf(line, sizeof line, "nicsim %s: ", pg->cmd);
	if (has_share)
		n += snprintf(line + n, sizeof line - (size_t)n, "%.1f%% of %s read, ", share_ppm / 1e4, pg->name);
	n += snprintf(line + n, sizeof line - (size_t)n, "%.2f M frames", (double)frames / 1e6);
	if (has_sim)
		n += snprintf(line + n, sizeof line - (size_t)n, ", %.3f s simulated", (double)sim_ps / 1e12);
	n += snprintf(line + n, sizeof line - (size_t)n, ", %.2f M frames/s", (double)frames / 1e6 / secs);
	if (has_share && share_ppm > 0)
		snprintf(line + n, sizeof line - (size_t)n, ", %.0f s left", secs * (1e6 - share_ppm) / share_ppm);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

/* Clear the line before anything else is written. */
static void progress_end(struct progress *pg)
{
	if (pg->has_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		pg->has_shown = false;
	}
}

static void run_progress(void *ctx, const struct replay_progress *p)
{
	progress_show(ctx, p->has_share, p->share_ppm, p->records, true, p->sim_now_ps);
}

static int usage_err(const char *fmt, const char *arg, const char *cmd)
{
	fprintf(stderr, "nicsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see: nicsim help %s)\n", cmd ? cmd : "");
	return EXIT_USAGE;
}

static bool is_help(const char *a) { return !strcmp(a, "-h") || !strcmp(a, "--help"); }

/* A command-line word that is not one of cmd's options: the trace (one),
 * or an unknown option. 0, or EXIT_USAGE after the message. */
static int take_trace(const char *a, const char **trace, const char *cmd)
{
	if (a[0] == '-' && a[1])
		return usage_err("unknown option %s", a, cmd);
	if (*trace)
		return usage_err("one trace at a time (got also %s)", a, cmd);
	*trace = a;
	return 0;
}

/* Options shared by run and config: --config and --set, applied in order. */
static int apply_cfg_opt(struct nicsim_cfg *cfg, const char *opt, const char *val, const char *cmd)
{
	char err[600];
	if (!val)
		return usage_err("%s needs a value", opt, cmd);
	int rc = !strcmp(opt, "--config") ? config_load(cfg, val, err, sizeof err) : config_set(cfg, val, err, sizeof err);
	if (rc) {
		fprintf(stderr, "nicsim %s: %s\n", cmd, err);
		return EXIT_USAGE;
	}
	return 0;
}

/* The configuration's warnings (config_warnings), on stderr. */
static void print_cfg_warnings(const struct nicsim_cfg *cfg, const char *cmd)
{
	char w[16][CONFIG_WARNING_CHARS];
	size_t n = config_warnings(cfg, w, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		fprintf(stderr, "nicsim %s: warning: %s\n", cmd, w[i]);
	if (n > 16)
		fprintf(stderr, "nicsim %s: warning: %zu more\n", cmd, n - 16);
}

static int cmd_run(int argc, char **argv)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	const char *json_path = NULL, *flows_path = NULL, *trace = NULL, *backend = "c", *vcd = NULL;
	bool quiet = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (is_help(a)) {
			fputs(usage_run, stdout);
			return 0;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = apply_cfg_opt(&cfg, a, v, "run");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--loops")) {
			char s[64];
			snprintf(s, sizeof s, "replay.loops=%s", v ? v : "");
			int rc = apply_cfg_opt(&cfg, "--set", v ? s : NULL, "run");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--json") || !strcmp(a, "--flows") || !strcmp(a, "--backend") || !strcmp(a, "--vcd")) {
			if (!v)
				return usage_err("%s needs a value", a, "run");
			if (!strcmp(a, "--json"))
				json_path = v;
			else if (!strcmp(a, "--flows"))
				flows_path = v;
			else if (!strcmp(a, "--backend"))
				backend = v;
			else
				vcd = v;
			i++;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (take_trace(a, &trace, "run")) {
			return EXIT_USAGE;
		}
	}
	if (!trace)
		return usage_err("%sno trace given", "", "run");

	{
		char cerr[600];
		if (config_validate(&cfg, cerr, sizeof cerr)) {
			fprintf(stderr, "nicsim run: %s\n", cerr);
			return EXIT_USAGE;
		}
		print_cfg_warnings(&cfg, "run");
	}
	bool is_json_stdout = json_path && !strcmp(json_path, "-");
	struct progress pg;
	progress_init(&pg, "run", trace, quiet);
	struct run_opts opts = { .want_flows = flows_path != NULL, .backend_name = "c" };
	if (pg.is_on) {
		opts.on_progress = run_progress;
		opts.progress_ctx = &pg;
	}
#ifdef NICSIM_HAVE_RTL
	struct backend_rtl *brtl = NULL;
#endif
	if (strcmp(backend, "c") != 0) {
#ifdef NICSIM_HAVE_RTL
		char berr[300];
		if (backend_rtl_open(&brtl, backend, &cfg.nic, &cfg.rss, vcd, berr, sizeof berr)) {
			fprintf(stderr, "nicsim run: --backend %s: %s\n", backend, berr);
			return EXIT_USAGE;
		}
		opts.engines = backend_rtl_engines(brtl);
		opts.backend_name = backend;
#else
		fprintf(stderr, "nicsim run: --backend %s: this nicsim was built without the RTL twins "
				"(configure with -DNICSIM_RTL=ON and Verilator installed)\n", backend);
		return EXIT_USAGE;
#endif
	} else if (vcd) {
		fprintf(stderr, "nicsim run: --vcd needs an rtl backend (e.g. --backend rtl:rss,reta,csum)\n");
		return EXIT_USAGE;
	}

	struct run *r;
	char err[TRACE_ERR_MAX + 128];
	int rc = run_trace(&cfg, trace, &opts, &r, err, sizeof err);
	progress_end(&pg);
	if (rc) {
		fprintf(stderr, "nicsim run: %s\n", err);
#ifdef NICSIM_HAVE_RTL
		backend_rtl_close(brtl);
#endif
		/* The config was valid on its own: either it cannot replay this
		 * trace (named keys), or the trace (or memory) failed. */
		return rc == REPLAY_E_SETTINGS ? EXIT_USAGE : EXIT_TRACE;
	}
	int status = 0;
	/* The JSON on stdout stands alone; warnings the summary would carry go
	 * to stderr instead. */
	if (!quiet && !is_json_stdout) {
		report_text(r, stdout);
	} else {
		const struct replay_stats *rs = replay_stats(r->rep);
		if (rs->skip_note[0])
			fprintf(stderr, "nicsim run: warning: %s (%" PRIu64 " such records)\n", rs->skip_note,
				rs->trace.skipped_len_absurd);
		if (rs->truncated_tail)
			fprintf(stderr, "nicsim run: warning: %s; the run used the records before it\n", rs->truncated_msg);
	}
	if (json_path) {
		json_t *j = report_json(r);
		int jr = !strcmp(json_path, "-") ? json_dumpf(j, stdout, JSON_INDENT(1)) :
						  json_dump_file(j, json_path, JSON_INDENT(1));
		if (!strcmp(json_path, "-"))
			fputc('\n', stdout);
		json_decref(j);
		if (jr) {
			fprintf(stderr, "nicsim run: %s: could not write the JSON report: %s\n", json_path, strerror(errno));
			status = EXIT_USAGE;
		}
	}
	if (flows_path) {
		FILE *f = fopen(flows_path, "w");
		if (!f || flows_write_csv(r->flows, f, true) || fclose(f)) {
			fprintf(stderr, "nicsim run: %s: could not write flows: %s\n", flows_path, strerror(errno));
			status = EXIT_USAGE;
		}
	}
	run_free(r);
#ifdef NICSIM_HAVE_RTL
	if (brtl && backend_rtl_mismatches(brtl)) {
		/* The RTL and C twins disagreed: a bug in one of them. */
		fprintf(stderr, "nicsim run: warning: %llu sums differed between the RTL and C twins (the RTL's were used)\n",
			(unsigned long long)backend_rtl_mismatches(brtl));
		status = EXIT_RTL_MISMATCH;
	}
	backend_rtl_close(brtl);
#endif
	return status;
}

/* What `nicsim info` counts besides the flows. */
struct info_counts {
	struct parse_stats ps;
	uint64_t packets, bytes;
	const struct trace_reader *tr;
	struct progress pg;
	uint32_t progress_countdown;
};

static void info_count(void *ctx, const struct trace_record *rec, const struct parse_result *pr)
{
	struct info_counts *ic = ctx;
	ic->packets++;
	ic->bytes += rec->wire_len;
	parse_stats_add(&ic->ps, pr);
	if (!--ic->progress_countdown) {
		ic->progress_countdown = REPLAY_PROGRESS_RECORDS;
		uint64_t done, total;
		bool has_share = trace_progress(ic->tr, &done, &total) && total;
		progress_show(&ic->pg, has_share, has_share ? (uint32_t)(done * 1000000u / total) : 0, ic->packets,
			      false, 0);
	}
}

static int cmd_info(int argc, char **argv)
{
	const char *trace = NULL, *flows_path = NULL;
	long top = 10;
	bool quiet = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (is_help(a)) {
			fputs(usage_info, stdout);
			return 0;
		} else if (!strcmp(a, "--flows")) {
			if (!v)
				return usage_err("%s needs a file", a, "info");
			flows_path = v;
			i++;
		} else if (!strcmp(a, "--top")) {
			char *end;
			top = v ? strtol(v, &end, 10) : -1;
			if (!v || *end || top < 0)
				return usage_err("--top needs a number >= 0 (got %s)", v ? v : "nothing", "info");
			i++;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (take_trace(a, &trace, "info")) {
			return EXIT_USAGE;
		}
	}
	if (!trace)
		return usage_err("%sno trace given", "", "info");
	char err[TRACE_ERR_MAX];
	struct trace_reader *tr;
	int rc = trace_open(&tr, trace, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "nicsim info: %s\n", err);
		return EXIT_TRACE;
	}
	const struct trace_info *ti = trace_get_info(tr);
	const char *name = !strcmp(trace, "-") ? TRACE_STDIN_NAME : trace;
	struct flow_table *ft = flows_new();
	struct info_counts ic = { .tr = tr, .progress_countdown = REPLAY_PROGRESS_RECORDS };
	progress_init(&ic.pg, "info", trace, quiet);
	rc = flows_count_reader(tr, name, ft, info_count, &ic, err, sizeof err);
	progress_end(&ic.pg);
	bool is_truncated = rc == TRACE_E_TRUNCATED;
	if (is_truncated) {
		/* Cut inside the last record: report what came before (as tshark does). */
		fprintf(stderr, "nicsim info: warning: %s; counts cover the records before it\n", err);
	} else if (rc < 0) {
		fprintf(stderr, "nicsim info: %s\n", err);
		flows_free(ft);
		trace_close(tr);
		return EXIT_TRACE;
	}
	const struct trace_stats *ts = trace_get_stats(tr);
	if (ts->skipped_len_absurd)
		fprintf(stderr, "nicsim info: warning: %s (%" PRIu64 " such records)\n", trace_skip_note(tr),
			ts->skipped_len_absurd);
	struct trace_span span;
	trace_time_span(tr, &span);
	uint64_t unparsed = 0;
	for (int s = 1; s < PARSE_STATUS_COUNT; s++)
		unparsed += ic.ps.by_status[s];
	printf("file        %s\n", name);
	printf("format      %s%s, %s timestamps, link type %s (%u), snaplen %u\n", ti->format,
	       ti->is_gzip ? " (gzip)" : "", ti->is_nanosecond ? "ns" : "us", ti->linktype_name, ti->linktype,
	       ti->snaplen);
	printf("packets     %" PRIu64 "\n", ic.packets);
	printf("bytes       %" PRIu64 " (on the wire)\n", ic.bytes);
	/* Earliest to latest, whatever their order and however far apart (the
	 * reader keeps the true times), so a capture spanning years or going
	 * backwards prints what it spans. */
	printf("duration    %.6f s", (double)span.s + (double)span.frac_ps / 1e12);
	if (span.s >= 86400u)
		printf(" (%.1f days)", (double)span.s / 86400.0);
	printf("\n");
	if (span.s >= REPLAY_TIME_MAX_PS / SIM_PS_PER_S)
		printf("note        longer than a run can simulate (%" PRIu64 " days): nicsim run needs replay.max_gap_us "
		       "or replay.timing=linerate for it\n",
		       (uint64_t)(REPLAY_TIME_MAX_PS / SIM_PS_PER_S / 86400u));
	printf("ipv4        %" PRIu64 "\nipv6        %" PRIu64 "\n", ic.ps.ipv4, ic.ps.ipv6);
	printf("tcp         %" PRIu64 "\nudp         %" PRIu64 "\nother       %" PRIu64 " (other IP %" PRIu64
	       ", non-IP %" PRIu64 ")\n",
	       ic.ps.tcp, ic.ps.udp, ic.ps.other_l4 + ic.ps.non_ip, ic.ps.other_l4, ic.ps.non_ip);
	printf("vlan        %" PRIu64 " tagged\n", ic.ps.vlan_tagged);
	printf("fragments   %" PRIu64 "\n", ic.ps.fragments);
	if (is_truncated)
		printf("truncated   the file ends inside record %" PRIu64 "\n", trace_error_record(tr));
	printf("not parsed  %" PRIu64, unparsed);
	for (int s = 1; s < PARSE_STATUS_COUNT; s++)
		if (ic.ps.by_status[s])
			printf(" %s=%" PRIu64, parse_status_name((enum parse_status)s), ic.ps.by_status[s]);
	printf("\n");
	if (ts->skipped_zero_len || ts->skipped_caplen_gt_len || ts->skipped_len_absurd || ts->ts_backwards)
		printf("oddities    %" PRIu64 " zero-length, %" PRIu64 " caplen>len and %" PRIu64
		       " absurd-length (> %u) records skipped, %" PRIu64 " timestamps going backwards\n",
		       ts->skipped_zero_len, ts->skipped_caplen_gt_len, ts->skipped_len_absurd, TRACE_WIRE_LEN_MAX,
		       ts->ts_backwards);
	uint64_t nflows = flows_count(ft);
	printf("flows       %" PRIu64 " (TCP/UDP, one per direction)\n", nflows);
	if (top && nflows) {
		uint32_t n = (uint64_t)top < nflows ? (uint32_t)top : (uint32_t)nflows;
		struct flow_entry **byb = malloc(n * sizeof *byb);
		if (byb) {
			n = flows_top_by_bytes(ft, byb, n);
			printf("top flows by bytes:\n");
			for (uint32_t i = 0; i < n; i++) {
				char k[160];
				flows_format_key(&byb[i]->key, k, sizeof k);
				printf("  %-60s %10" PRIu64 " pkts %14" PRIu64 " bytes\n", k, byb[i]->packets, byb[i]->bytes);
			}
			free(byb);
		}
	}
	int status = 0;
	if (flows_path) {
		FILE *f = !strcmp(flows_path, "-") ? stdout : fopen(flows_path, "w");
		if (!f || flows_write_csv(ft, f, false) || (f != stdout && fclose(f))) {
			fprintf(stderr, "nicsim info: %s: could not write flows: %s\n", flows_path, strerror(errno));
			status = EXIT_USAGE;
		}
	}
	flows_free(ft);
	trace_close(tr);
	return status;
}

static int cmd_check(int argc, char **argv)
{
	const char *files[2] = { 0 };
	int nf = 0;
	const char *ignore[2 + 32 + 1] = { "/run/backend", "/run/peak_rss_bytes", NULL };
	int ni = 2;
	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_check, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--ignore")) {
			if (i + 1 >= argc || ni >= 2 + 32)
				return usage_err("%s needs a JSON pointer (at most 32)", argv[i], "check");
			ignore[ni++] = argv[++i];
			ignore[ni] = NULL;
		} else if (nf < 2) {
			files[nf++] = argv[i];
		} else {
			return usage_err("takes two files (got also %s)", argv[i], "check");
		}
	}
	if (nf != 2)
		return usage_err("%sneeds REPORT.json and GOLDEN.json", "", "check");
	json_t *j[2];
	for (int i = 0; i < 2; i++) {
		json_error_t e;
		j[i] = json_load_file(files[i], 0, &e);
		if (!j[i]) {
			fprintf(stderr, "nicsim check: %s:%d: %s\n", files[i], e.line, e.text);
			if (i)
				json_decref(j[0]);
			return EXIT_USAGE;
		}
	}
	struct jsondiff_opts o = { .ignore = ignore, .max_lines = 50 };
	int n = jsondiff(j[0], j[1], &o, stdout);
	json_decref(j[0]);
	json_decref(j[1]);
	if (n < 0) {
		fprintf(stderr, "nicsim check: out of memory\n");
		return EXIT_USAGE;
	}
	if (n) {
		printf("%d difference%s between %s and %s\n", n, n == 1 ? "" : "s", files[0], files[1]);
		return EXIT_DIFF;
	}
	printf("same: %s matches %s\n", files[0], files[1]);
	return 0;
}

static int cmd_config(int argc, char **argv)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	bool docs = false, changed = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (is_help(a)) {
			fputs(usage_config, stdout);
			return 0;
		} else if (!strcmp(a, "--docs")) {
			docs = true;
		} else if (!strcmp(a, "--changed")) {
			changed = true;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = apply_cfg_opt(&cfg, a, v, "config");
			if (rc)
				return rc;
			i++;
		} else {
			return usage_err("unknown option %s", a, "config");
		}
	}
	if (docs) {
		config_write_docs(stdout);
		return 0;
	}
	char err[600];
	if (config_validate(&cfg, err, sizeof err)) {
		fprintf(stderr, "nicsim config: %s\n", err);
		return EXIT_USAGE;
	}
	print_cfg_warnings(&cfg, "config");
	config_write_ini(&cfg, stdout, changed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (is_help(cmd) || !strcmp(cmd, "help")) {
		const char *what = argc > 2 ? argv[2] : NULL;
		fputs(!what ? usage_main : !strcmp(what, "run") ? usage_run : !strcmp(what, "info") ? usage_info :
			      !strcmp(what, "check") ? usage_check : !strcmp(what, "config") ? usage_config : usage_main,
		      stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		puts("nicsim " NICSIM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc - 2, argv + 2);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(cmd, "schema")) {
		report_write_docs(stdout);
		return 0;
	}
	if (!strcmp(cmd, "config"))
		return cmd_config(argc - 2, argv + 2);
	fprintf(stderr, "nicsim: unknown command '%s'\n\n%s", cmd, usage_main);
	return EXIT_USAGE;
}

/*
 * nicsim — command-line front end.
 *
 *   nicsim run   [options] TRACE     simulate a capture through the NIC and host
 *   nicsim info  [options] TRACE     what is in a capture
 *   nicsim check REPORT GOLDEN       compare two JSON reports
 *   nicsim config [options]          effective configuration, or --docs
 *   nicsim pcie  [options]           what one transfer costs on the PCIe link
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

#include "sim/nicsim/cli.h"
#include "sim/nicsim/config.h"
#include "sim/nicsim/gen.h"
#include "sim/nicsim/jsondiff.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/sweep.h"
#include "traces/flows.h"
#include "traces/reader.h"

#ifdef NICSIM_HAVE_RTL
#include "rtl/backend_rtl.h"
#endif

enum { EXIT_DIFF = CLI_EXIT_DIFF, EXIT_USAGE = CLI_EXIT_USAGE, EXIT_TRACE = CLI_EXIT_TRACE };

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
	"  pcie                 what a DMA write or read of a size costs on the PCIe link (TLPs, bytes,\n"
	"                       bandwidth back to back, latency of one)\n"
	"  gen -o FILE          write a synthetic capture (flows, sizes, arrivals, loss) from a short spec\n"
	"  sweep TRACE...       run many configurations (--vary KEY=VALUES) in parallel or as a Slurm\n"
	"                       job array, and collect one table (nicsim help sweep)\n"
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
	"'PATH: golden X, now Y' and exits 1 if there is any. /run/backend, /run/kernel (what\n"
	"computed and stepped the run: the same model) and /run/peak_rss_bytes (which differs from\n"
	"run to run) are ignored by default.\n"
	"--ignore takes a JSON pointer, or a prefix ending in '*'.\n";

static const char *usage_config =
	"usage: nicsim config [--docs] [--changed] [--config FILE] [--set KEY=VALUE]...\n"
	"\n"
	"Prints the effective configuration in INI form (the format --config reads). --changed prints\n"
	"only keys that differ from the defaults; --docs prints the Markdown reference of every key.\n";

static const char *usage_pcie_head =
	"usage: nicsim pcie [options]\n"
	"\n"
	"What a DMA transfer by the NIC costs on its PCIe link, from the model a run uses\n"
	"(models/pcie, docs/pcie.md): the TLPs and bytes it puts on the link, the data bandwidth of\n"
	"such transfers back to back, and the latency of one alone on an idle link. A write goes up\n"
	"(NIC to host) as MWr TLPs; a read sends MRd requests up and its data comes down as CplD\n"
	"completions after pcie.read_latency_ns. The link options default to the pcie.* keys of the\n"
	"configuration (--config, --set), and those to the defaults below; options apply in order.\n"
	"\n"
	"options:\n"
	"  --size N          bytes of the transfer, 1..1G (default 64; suffixes k, M, G)\n"
	"  --dir D           write, read or both (default both)\n"
	"  --addr A          host address the transfer starts at (default 0, aligned); an unaligned\n"
	"                    start can cost a TLP more\n"
	"  --json            print the result as JSON instead of text\n"
	"  --config FILE     settings in INI form; its pcie.* keys set the link\n"
	"  --set KEY=VALUE   one setting, e.g. --set pcie.dllp_permille=0\n";

/* The options of `nicsim pcie` that set a pcie.* key: the help text takes
 * each one's description, unit, range and default from the key's table. */
static const struct {
	const char *opt, *key;
} pcie_opts[] = {
	{ "--gen", "pcie.gen" },
	{ "--lanes", "pcie.lanes" },
	{ "--mps", "pcie.mps" },
	{ "--mrrs", "pcie.mrrs" },
	{ "--rcb", "pcie.rcb" },
	{ "--tags", "pcie.read_tags" },
	{ "--read-latency-ns", "pcie.read_latency_ns" },
	{ "--dllp-permille", "pcie.dllp_permille" },
	{ "--addr64", "pcie.addr64" },
};
#define PCIE_OPTS (sizeof pcie_opts / sizeof pcie_opts[0])

static void usage_pcie(FILE *f)
{
	fputs(usage_pcie_head, f);
	for (size_t i = 0; i < PCIE_OPTS; i++) {
		const struct param_def *d = param_find(pcie_params, strchr(pcie_opts[i].key, '.') + 1);
		char range[64];
		if (d->type == PARAM_BOOL)
			snprintf(range, sizeof range, "true or false");
		else
			snprintf(range, sizeof range, "%llu..%llu%s%s%s", (unsigned long long)d->min,
				 (unsigned long long)d->max, d->flags & PARAM_F_POW2 ? ", a power of 2" : "",
				 *d->unit ? " " : "", d->unit);
		char opt[32];
		snprintf(opt, sizeof opt, "%s %s", pcie_opts[i].opt, d->type == PARAM_BOOL ? "B" : "N");
		fprintf(f, "  %-17s sets %s, default %s, range %s\n", opt, pcie_opts[i].key, d->defval, range);
		fprintf(f, "                    %s\n", d->desc);
	}
	fputs("\nexamples:\n"
	      "  nicsim pcie --size 1500 --dir write\n"
	      "  nicsim pcie --gen 1 --lanes 1 --size 64 --dir read\n"
	      "  nicsim pcie --config my.ini --size 4096 --json\n",
	      f);
}

/* What `nicsim info` counts besides the flows. */
struct info_counts {
	struct parse_stats ps;
	uint64_t packets, bytes;
	const struct trace_reader *tr;
	struct cli_progress pg;
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
		cli_progress_show(&ic->pg, has_share, has_share ? (uint32_t)(done * 1000000u / total) : 0, ic->packets,
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
		if (cli_is_help(a)) {
			fputs(usage_info, stdout);
			return 0;
		} else if (!strcmp(a, "--flows")) {
			if (!v)
				return cli_usage_err("%s needs a file", a, "info");
			flows_path = v;
			i++;
		} else if (!strcmp(a, "--top")) {
			char *end;
			top = v ? strtol(v, &end, 10) : -1;
			if (!v || *end || top < 0)
				return cli_usage_err("--top needs a number >= 0 (got %s)", v ? v : "nothing", "info");
			i++;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (cli_take_trace(a, &trace, "info")) {
			return EXIT_USAGE;
		}
	}
	if (!trace)
		return cli_usage_err("%sno trace given", "", "info");
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
	cli_progress_init(&ic.pg, "info", trace, quiet);
	rc = flows_count_reader(tr, name, ft, info_count, &ic, err, sizeof err);
	cli_progress_end(&ic.pg);
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
	const char *ignore[3 + 32 + 1] = { "/run/backend", "/run/kernel*", "/run/peak_rss_bytes", NULL };
	int ni = 3;
	for (int i = 0; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(usage_check, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--ignore")) {
			if (i + 1 >= argc || ni >= 3 + 32)
				return cli_usage_err("%s needs a JSON pointer (at most 32)", argv[i], "check");
			ignore[ni++] = argv[++i];
			ignore[ni] = NULL;
		} else if (nf < 2) {
			files[nf++] = argv[i];
		} else {
			return cli_usage_err("takes two files (got also %s)", argv[i], "check");
		}
	}
	if (nf != 2)
		return cli_usage_err("%sneeds REPORT.json and GOLDEN.json", "", "check");
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
		if (cli_is_help(a)) {
			fputs(usage_config, stdout);
			return 0;
		} else if (!strcmp(a, "--docs")) {
			docs = true;
		} else if (!strcmp(a, "--changed")) {
			changed = true;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = cli_apply_cfg_opt(&cfg, a, v, "config");
			if (rc)
				return rc;
			i++;
		} else {
			return cli_usage_err("unknown option %s", a, "config");
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
	cli_print_cfg_warnings(&cfg, "config");
	config_write_ini(&cfg, stdout, changed);
	return 0;
}

/* A whole number in min..max (base 0, suffixes k, M, G); 0 or -1. */
static int parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!text || !*text || *text == '-' || *text == '+' || *text == ' ')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || end == text)
		return -1;
	unsigned shift = *end == 'k' || *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
		end++;
	}
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static double kbps_to_gbps(uint64_t kbps) { return (double)kbps / 1e6; }
static double ps_to_ns(uint64_t ps) { return (double)ps / 1e3; }

static const char *pcie_limit_text(enum pcie_limit lim, bool is_write)
{
	switch (lim) {
	case PCIE_LIMIT_UP: return is_write ? "the up direction (MWr TLPs)" : "the up direction (MRd requests)";
	case PCIE_LIMIT_DOWN: return "the down direction (CplD completions)";
	case PCIE_LIMIT_TAGS: return "the read tags (pcie.read_tags reads in flight, one round trip each)";
	}
	return "?";
}

static void pcie_print_text(const struct pcie_cfg *c, uint64_t addr, uint32_t size, bool is_write)
{
	struct pcie_query q = pcie_query_at(c, addr, size, is_write);
	printf("\n%s of %u B at 0x%llx:\n", is_write ? "write" : "read", size, (unsigned long long)addr);
	if (is_write) {
		printf("  up:   %llu MWr TLP%s, %llu B on the link (%u B data + %llu B headers and framing), %.3f ns\n",
		       (unsigned long long)q.up.tlps, q.up.tlps == 1 ? "" : "s", (unsigned long long)q.up.bytes, size,
		       (unsigned long long)(q.up.bytes - size), ps_to_ns(pcie_wire_ps(c, q.up.bytes)));
	} else {
		printf("  up:   %llu MRd request%s, %llu B on the link, %.3f ns\n", (unsigned long long)q.up.tlps,
		       q.up.tlps == 1 ? "" : "s", (unsigned long long)q.up.bytes, ps_to_ns(pcie_wire_ps(c, q.up.bytes)));
		printf("  down: %llu CplD completion%s, %llu B on the link (%u B data + %llu B headers and framing), "
		       "%.3f ns\n",
		       (unsigned long long)q.down.tlps, q.down.tlps == 1 ? "" : "s", (unsigned long long)q.down.bytes,
		       size, (unsigned long long)(q.down.bytes - size), ps_to_ns(pcie_wire_ps(c, q.down.bytes)));
	}
	printf("  back to back: %.3f Gb/s of data (%.1f%% of the encoded rate), set by %s\n",
	       kbps_to_gbps(q.data_kbps), 100.0 * (double)q.data_kbps / (double)pcie_link_kbps(c),
	       pcie_limit_text(q.limit, is_write));
	if (is_write)
		printf("  one alone on an idle link: %.3f ns until its last byte has crossed\n", ps_to_ns(q.latency_ps));
	else
		printf("  one alone on an idle link: %.3f ns until its data has landed (requests + %u ns + completions)\n",
		       ps_to_ns(q.latency_ps), c->read_latency_ns);
}

static void pcie_print_json(const struct pcie_cfg *c, uint64_t addr, uint32_t size, bool is_write, bool is_last)
{
	struct pcie_query q = pcie_query_at(c, addr, size, is_write);
	static const char *const limits[] = { "up", "down", "tags" };
	printf("  {\"dir\": \"%s\", \"size_bytes\": %u, \"addr\": %llu, \"tlps\": %llu, \"link_bytes\": %llu,\n"
	       "   \"up\": {\"tlps\": %llu, \"bytes\": %llu, \"wire_ps\": %llu},\n"
	       "   \"down\": {\"tlps\": %llu, \"bytes\": %llu, \"wire_ps\": %llu},\n"
	       "   \"data_kbps\": %llu, \"limit\": \"%s\", \"latency_ps\": %llu}%s\n",
	       is_write ? "write" : "read", size, (unsigned long long)addr, (unsigned long long)q.tlps,
	       (unsigned long long)q.link_bytes, (unsigned long long)q.up.tlps, (unsigned long long)q.up.bytes,
	       (unsigned long long)pcie_wire_ps(c, q.up.bytes), (unsigned long long)q.down.tlps,
	       (unsigned long long)q.down.bytes, (unsigned long long)pcie_wire_ps(c, q.down.bytes),
	       (unsigned long long)q.data_kbps, limits[q.limit], (unsigned long long)q.latency_ps, is_last ? "" : ",");
}

static int cmd_pcie(int argc, char **argv)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	uint64_t size = 64, addr = 0;
	bool do_write = true, do_read = true, is_json = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		size_t o = 0;
		while (o < PCIE_OPTS && strcmp(a, pcie_opts[o].opt))
			o++;
		if (cli_is_help(a)) {
			usage_pcie(stdout);
			return 0;
		} else if (o < PCIE_OPTS) {
			if (!v)
				return cli_usage_err("%s needs a value", a, "pcie");
			char err[600];
			if (config_set_kv(&cfg, pcie_opts[o].key, v, err, sizeof err)) {
				fprintf(stderr, "nicsim pcie: %s %s: %s\n(see: nicsim help pcie)\n", a, v, err);
				return EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = cli_apply_cfg_opt(&cfg, a, v, "pcie");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--size")) {
			if (parse_count(v, 1, 1u << 30, &size))
				return cli_usage_err("--size needs a whole number of bytes from 1 to 1G (got %s)",
						 v ? v : "nothing", "pcie");
			i++;
		} else if (!strcmp(a, "--addr")) {
			if (parse_count(v, 0, 1ull << 62, &addr))
				return cli_usage_err("--addr needs an address from 0 to 2^62, e.g. 0x1040 (got %s)",
						 v ? v : "nothing", "pcie");
			i++;
		} else if (!strcmp(a, "--dir")) {
			if (!v || (strcmp(v, "write") && strcmp(v, "read") && strcmp(v, "both")))
				return cli_usage_err("--dir needs write, read or both (got %s)", v ? v : "nothing", "pcie");
			do_write = strcmp(v, "read") != 0;
			do_read = strcmp(v, "write") != 0;
			i++;
		} else if (!strcmp(a, "--json")) {
			is_json = true;
		} else {
			return cli_usage_err("unknown option %s", a, "pcie");
		}
	}
	const struct pcie_cfg *c = &cfg.pcie;
	char err[600];
	if (pcie_cfg_validate(c, err, sizeof err)) {
		fprintf(stderr, "nicsim pcie: %s\n", err);
		return EXIT_USAGE;
	}
	if (is_json) {
		printf("{\"link\": {\"gen\": %u, \"lanes\": %u, \"encoding\": \"%s\", \"raw_kbps\": %llu, "
		       "\"encoded_kbps\": %llu,\n"
		       "  \"mps\": %u, \"mrrs\": %u, \"rcb\": %u, \"addr64\": %s, \"dllp_permille\": %u, "
		       "\"read_tags\": %u, \"read_latency_ns\": %u},\n"
		       " \"transfers\": [\n",
		       c->gen, c->lanes, pcie_encoding_name(c), (unsigned long long)pcie_raw_kbps(c),
		       (unsigned long long)pcie_link_kbps(c), c->mps, c->mrrs, c->rcb, c->is_addr64 ? "true" : "false",
		       c->dllp_permille, c->read_tags, c->read_latency_ns);
		if (do_write)
			pcie_print_json(c, addr, (uint32_t)size, true, !do_read);
		if (do_read)
			pcie_print_json(c, addr, (uint32_t)size, false, true);
		printf(" ]}\n");
		return 0;
	}
	printf("PCIe Gen%u x%u: %.1f GT/s a lane, %s: %.3f Gb/s a direction (%.3f Gb/s before encoding)\n", c->gen,
	       c->lanes, (double)pcie_raw_kbps(c) / c->lanes / 1e6, pcie_encoding_name(c),
	       kbps_to_gbps(pcie_link_kbps(c)), kbps_to_gbps(pcie_raw_kbps(c)));
	printf("  MPS %u B, MRRS %u B, RCB %u B, %s-bit addresses; DLLPs and SKIPs add %u.%u%% link time;\n"
	       "  %u read tags; the host answers a read %u ns after its last request\n",
	       c->mps, c->mrrs, c->rcb, c->is_addr64 ? "64" : "32", c->dllp_permille / 10, c->dllp_permille % 10,
	       c->read_tags, c->read_latency_ns);
	if (do_write)
		pcie_print_text(c, addr, (uint32_t)size, true);
	if (do_read)
		pcie_print_text(c, addr, (uint32_t)size, false);
	return 0;
}

#ifdef NICSIM_HAVE_RTL
/* --backend rtl:...: the Verilated twins (rtl/backend_rtl.h) for `run`. */
static int rtl_open(void **h, const char *spec, const struct nicsim_cfg *cfg, const char *vcd, char *err,
		    size_t err_len)
{
	struct backend_rtl *b = NULL;
	int rc = backend_rtl_open(&b, spec, &cfg->nic, &cfg->rss, vcd, err, err_len);
	*h = b;
	return rc;
}
static const struct nic_engines *rtl_engines(void *h) { return backend_rtl_engines(h); }
static uint64_t rtl_mismatches(void *h) { return backend_rtl_mismatches(h); }
static void rtl_close(void *h) { backend_rtl_close(h); }
static const struct cli_backend rtl_backend = { rtl_open, rtl_engines, rtl_mismatches, rtl_close };
#endif

int main(int argc, char **argv)
{
#ifdef NICSIM_HAVE_RTL
	cli_set_backend(&rtl_backend);
#endif
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (cli_is_help(cmd) || !strcmp(cmd, "help")) {
		const char *what = argc > 2 ? argv[2] : NULL;
		if (what && !strcmp(what, "gen"))
			return gen_usage(stdout), 0;
		if (what && !strcmp(what, "pcie")) {
			usage_pcie(stdout);
			return 0;
		}
		if (what && !strcmp(what, "sweep")) {
			fputs(sweep_usage, stdout);
			return 0;
		}
		fputs(!what ? usage_main : !strcmp(what, "run") ? cli_usage_run : !strcmp(what, "info") ? usage_info :
			      !strcmp(what, "check") ? usage_check : !strcmp(what, "config") ? usage_config : usage_main,
		      stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		puts("nicsim " NICSIM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cli_run(argc - 2, argv + 2, NULL);
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
	if (!strcmp(cmd, "pcie"))
		return cmd_pcie(argc - 2, argv + 2);
	if (!strcmp(cmd, "gen"))
		return cmd_gen(argc - 2, argv + 2);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc - 2, argv + 2);
	fprintf(stderr, "nicsim: unknown command '%s'\n\n%s", cmd, usage_main);
	return EXIT_USAGE;
}

/*
 * tests/fuzz/fuzz_parse.c — the packet parser (models/pkt/parse.h) and the
 * two blocks that read frames through its offsets: the receive checksum
 * check (models/pkt/csum.h) and the RSS hash input (models/rss.h).
 *
 * Input: byte 0 picks the link type (enum parse_link, modulo its count),
 * byte 1 the original length (caplen + 64 * byte 1; 255 = 0xffffffff, the
 * absurd length a crafted capture can claim), the rest is the frame. The
 * frame (at most TRACE_CAPLEN_MAX bytes, what the reader delivers) is copied
 * into a buffer of exactly its length, so a read past caplen is a heap
 * overflow AddressSanitizer reports.
 *
 * Checked, from parse.h: the status is a known one and is what was returned;
 * every offset the result marks valid (ports, home address, type-2 routing
 * address, final destination) lies inside the capture; a PARSE_OK TCP or UDP
 * result has its whole header captured. The checksum plan sums only captured
 * bytes, and the one-call check agrees with plan + sum + verdict.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "models/pkt/csum.h"
#include "models/pkt/parse.h"
#include "models/rss.h"
#include "sim/param.h"
#include "traces/reader.h"

static struct rss *rss_all_types(void)
{
	static struct rss *r;
	if (!r) {
		struct rss_cfg cfg;
		char err[256];
		param_defaults(rss_params, &cfg);
		cfg.hash_types = 0x1ffu;   /* all nine, the _EX types too */
		FUZZ_CHECK(rss_init(&r, &cfg, err, sizeof err) == 0, "rss_init: %s", err);
	}
	return r;
}

static void check_inside(uint32_t off, uint32_t len, uint32_t caplen, const char *what)
{
	FUZZ_CHECK((uint64_t)off + len <= caplen, "%s at %u+%u beyond caplen %u", what, off, len, caplen);
}

static void check_range(const struct csum_range *rg, uint32_t caplen, const char *what)
{
	if (rg->is_summed)
		check_inside(rg->off, rg->len, caplen, what);
}

int fuzz_parse_one(const uint8_t *data, size_t size)
{
	if (size < 2 || size - 2 > TRACE_CAPLEN_MAX)
		return 0;
	enum parse_link link = (enum parse_link)(data[0] % (PARSE_LINK_IPV6 + 1));
	uint32_t caplen = (uint32_t)(size - 2);
	uint32_t wire_len = data[1] == 0xff ? UINT32_MAX : caplen + 64u * data[1];
	uint8_t *frame = malloc(caplen ? caplen : 1);
	FUZZ_CHECK(frame != NULL, "out of memory");
	memcpy(frame, data + 2, caplen);

	struct parse_result pr;
	enum parse_status st = parse_frame(frame, caplen, wire_len, link, &pr);
	FUZZ_CHECK(st < PARSE_STATUS_COUNT && pr.status == st, "status %d, result says %u", st, pr.status);
	FUZZ_CHECK(strcmp(parse_status_name(st), "unknown") != 0, "status %d has no name", st);
	if (pr.flags & PARSE_F_HAS_PORTS)
		check_inside(pr.l4_off, 4, caplen, "ports");
	if (pr.flags & PARSE_F_IPV6_HOME)
		check_inside(pr.home_addr_off, 16, caplen, "home address");
	if (pr.flags & PARSE_F_IPV6_RT2)
		check_inside(pr.rt2_addr_off, 16, caplen, "type-2 routing address");
	if (pr.final_dst_off != 0 && pr.final_dst_off != PARSE_FINAL_DST_UNKNOWN)
		check_inside(pr.final_dst_off, 16, caplen, "final destination");
	if (st == PARSE_OK && pr.l4 == PARSE_L4_TCP)
		check_inside(pr.l4_off, TCP_HDR_MIN_BYTES, caplen, "TCP header");
	if (st == PARSE_OK && pr.l4 == PARSE_L4_UDP)
		check_inside(pr.l4_off, UDP_HDR_BYTES, caplen, "UDP header");
	struct parse_stats ps;
	memset(&ps, 0, sizeof ps);
	parse_stats_add(&ps, &pr);

	struct csum_rx_plan plan = csum_rx_plan(frame, caplen, &pr);
	check_range(&plan.ip, caplen, "IPv4 header sum");
	check_range(&plan.l4, caplen, "L4 sum");
	struct csum_rx_result a = csum_rx_check(frame, caplen, &pr);
	struct csum_rx_result b = csum_rx_sum_plan(frame, &plan);
	FUZZ_CHECK(a.ip == b.ip && a.l4 == b.l4, "csum_rx_check (%u, %u) != plan + sum (%u, %u)", a.ip, a.l4, b.ip,
		   b.l4);
	(void)csum_rx_cycles(&plan, 8);

	uint8_t in[RSS_INPUT_BYTES_MAX];
	uint32_t ndis_type = 0, hash;
	uint32_t n = rss_input(rss_all_types(), frame, &pr, in, &ndis_type);
	FUZZ_CHECK(n == 0 || n == 8 || n == 12 || n == 32 || n == 36, "RSS input of %u bytes", n);
	if (rss_hash(rss_all_types(), frame, &pr, &hash, &ndis_type))
		(void)rss_queue_of(rss_all_types(), true, hash);
	free(frame);
	return 0;
}

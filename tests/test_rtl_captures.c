/*
 * tests/test_rtl_captures.c — the RTL twins against the C models on every
 * packet of the shipped captures (every .pcap, .pcapng, .pcap.gz in traces/).
 *
 * Per packet (parsed by models/pkt/parse.c from traces/reader.c's records):
 *   - RSS: the Toeplitz input models/rss.c builds (all hash types on) is
 *     hashed by the RTL; it must equal rss_hash(), in rss_toeplitz_cycles();
 *     the RETA twin must map the hash to rss_queue_of()'s queue;
 *   - IPv4 header checksum: the RTL sums the header range of the frame
 *     (start offset = where the header lies in the MAC's words); equal to
 *     the C sum, and 0xffff exactly when csum_rx_check() says GOOD;
 *   - TCP/UDP checksum: the RTL sums the segment with the pseudo-header as
 *     its initial sum; equal to the C sum, and for TCP consistent with
 *     csum_rx_check()'s verdict.
 * Where the capture is too short or the packet not of the kind, it is
 * skipped for that check (counted); the test requires that each check ran
 * on a few thousand packets. Ends with every twin idle.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "models/pkt/csum.h"
#include "models/pkt/parse.h"
#include "models/rss.h"
#include "models/pkt/rss_toeplitz.h"
#include "rtl/rtl_twins.h"
#include "traces/reader.h"

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct counts {
	uint64_t packets, hashed, ip_checked, l4_checked, l4_verdicts;
};

struct twins {
	struct rtl_toeplitz *toe;
	struct rtl_csum *csum;
	struct rtl_rss_indir *reta;
	struct rss *rss;
	uint32_t width;
};

static uint16_t c_sum(const uint8_t *d, size_t len, uint32_t init) { return csum_fold(csum_partial(d, len, init)); }

struct walk {
	struct twins *t;
	struct counts n;
};
static void check_packet(struct twins *t, const struct trace_record *rec, enum parse_link link, struct counts *n,
			 const char *file)
{
	const uint8_t *f = rec->data;
	struct parse_result pr;
	parse_frame(f, rec->cap_len, rec->wire_len, link, &pr);
	n->packets++;

	/* RSS hash and queue. */
	uint8_t in[RSS_INPUT_BYTES_MAX];
	uint32_t type, c_hash, cycles;
	uint32_t len = rss_input(t->rss, f, &pr, in, &type);
	bool has_hash = rss_hash(t->rss, f, &pr, &c_hash, &type);
	assert_int_equal(has_hash, len > 0);
	if (len) {
		uint32_t h = rtl_toeplitz_hash(t->toe, in, len, &cycles);
		if (h != c_hash)
			fail_msg("%s: record %llu: RTL hash 0x%08x, C 0x%08x", file, (unsigned long long)rec->index, h,
				 c_hash);
		assert_int_equal(cycles, rss_toeplitz_cycles(len, t->width));
		assert_int_equal(rtl_rss_indir_lookup(t->reta, h, NULL), rss_queue_of(t->rss, true, c_hash));
		n->hashed++;
	}

	struct csum_rx_result v = csum_rx_check(f, rec->cap_len, &pr);

	/* IPv4 header. */
	if (pr.l3 == PARSE_L3_IPV4 && (uint32_t)pr.l3_off + 20 <= rec->cap_len) {
		uint32_t hdr = (f[pr.l3_off] & 0x0fu) * 4u;
		if (hdr >= 20 && pr.l3_off + hdr <= rec->cap_len) {
			uint16_t s = rtl_csum_range(t->csum, f, pr.l3_off, pr.l3_off + hdr, 0, &cycles);
			assert_int_equal(s, c_sum(f + pr.l3_off, hdr, 0));
			uint32_t end = pr.l3_off + hdr, w = t->width;
			assert_int_equal(cycles, (end + w - 1) / w - pr.l3_off / w + RTL_CSUM_LATENCY_CYCLES);
			if (v.ip != CSUM_NOT_CHECKED)
				assert_int_equal(s == 0xffff, v.ip == CSUM_GOOD);
			n->ip_checked++;
		}
	}

	/* TCP/UDP segment with its pseudo-header. Plain layouts only (no
	 * fragments, tunnels, IPv6 extension headers); csum.c handles the rest. */
	bool is_tcp = pr.l4 == PARSE_L4_TCP, is_udp = pr.l4 == PARSE_L4_UDP;
	if (pr.status != PARSE_OK || !(is_tcp || is_udp) || !(pr.flags & PARSE_F_HAS_PORTS) ||
	    (pr.flags & (PARSE_F_FRAG | PARSE_F_FRAG_FIRST | PARSE_F_IP_TUNNEL | PARSE_F_IPV6_EXT)))
		return;
	uint32_t hdrs = (uint32_t)(pr.l4_off - pr.l3_off);
	if (pr.l3_len < hdrs)
		return;
	uint32_t l4_len = pr.l3_len - hdrs;
	if (l4_len < (is_tcp ? 20u : 8u) || (uint64_t)pr.l4_off + l4_len > rec->cap_len)
		return;
	const uint8_t *l4 = f + pr.l4_off;
	if (is_udp) {
		uint32_t ulen = (uint32_t)(l4[4] << 8 | l4[5]);
		if (ulen < 8 || ulen > l4_len || (l4[6] == 0 && l4[7] == 0))
			return;
		l4_len = ulen;
	}
	bool is_v6 = pr.l3 == PARSE_L3_IPV6;
	uint8_t ph[40] = {0};
	size_t alen = is_v6 ? 16 : 4;
	memcpy(ph, pr.src, alen);
	memcpy(ph + alen, pr.dst, alen);
	uint8_t *w = ph + 2 * alen;
	w[0] = (uint8_t)(l4_len >> 24);
	w[1] = (uint8_t)(l4_len >> 16);
	w[2] = (uint8_t)(l4_len >> 8);
	w[3] = (uint8_t)l4_len;
	w[7] = is_tcp ? 6 : 17;
	uint32_t init = csum_partial(ph, 2 * alen + 8, 0);   /* the parser's sideband, as the NIC would feed it */
	uint16_t s = rtl_csum_range(t->csum, f, pr.l4_off, pr.l4_off + l4_len, init, &cycles);
	if (s != c_sum(l4, l4_len, init))
		fail_msg("%s: record %llu: RTL L4 sum 0x%04x, C 0x%04x", file, (unsigned long long)rec->index, s,
			 c_sum(l4, l4_len, init));
	n->l4_checked++;
	if (is_tcp && v.l4 != CSUM_NOT_CHECKED) {
		assert_int_equal(s == 0xffff, v.l4 == CSUM_GOOD);
		n->l4_verdicts++;
	}
}

/* Every record of one capture through check_packet (tu_walk_files callback). */
static void check_file(const char *path, void *ctx)
{
	struct walk *w = ctx;
	char err[TRACE_ERR_MAX];
	struct trace_reader *r;
	if (trace_open(&r, path, err, sizeof err) < 0)
		fail_msg("%s", err);
	enum parse_link link = trace_get_info(r)->link;
	struct trace_record rec;
	int rc;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	while ((rc = trace_next(r, &rec, err, sizeof err)) == TRACE_OK)
		check_packet(w->t, &rec, link, &w->n, name);
	if (rc != TRACE_EOF)
		fail_msg("%s", err);
	trace_close(r);
}

static void run_captures(uint32_t width)
{
	char err[TRACE_ERR_MAX] = "";
	struct twins t = {.width = width};
	struct rtl_toeplitz_params tp = {.width_bytes = width};
	struct rtl_csum_params cp = {.width_bytes = width};
	struct rtl_rss_indir_params rp = {.table_size = 128};
	assert_int_equal(rtl_toeplitz_open(&t.toe, &tp, NULL, err, sizeof err), 0);
	assert_int_equal(rtl_csum_open(&t.csum, &cp, NULL, err, sizeof err), 0);
	assert_int_equal(rtl_rss_indir_open(&t.reta, &rp, NULL, err, sizeof err), 0);

	struct rss_cfg cfg = {.queues = 8, .table_size = 128, .key_len = 40, .hash_types = 0x1ffu};
	memcpy(cfg.key, ms_key, sizeof ms_key);
	if (rss_init(&t.rss, &cfg, err, sizeof err))
		fail_msg("rss_init: %s", err);
	assert_int_equal(rtl_toeplitz_set_key(t.toe, ms_key, sizeof ms_key), 0);
	for (uint32_t i = 0; i < 128; i++)
		assert_int_equal(rtl_rss_indir_table_set(t.reta, i, rss_table_get(t.rss, i)), 0);

	struct walk w = { .t = &t };
	int files = (int)tu_walk_dir(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, check_file, &w);
	struct counts n = w.n;
	printf("width %u: %d captures, %llu packets: %llu hashed, %llu IPv4 headers, %llu L4 sums (%llu TCP verdicts)\n",
	       width, files, (unsigned long long)n.packets, (unsigned long long)n.hashed,
	       (unsigned long long)n.ip_checked, (unsigned long long)n.l4_checked, (unsigned long long)n.l4_verdicts);
	if (files == 0)
		skip();
	assert_true(n.hashed >= 1000);
	assert_true(n.ip_checked >= 1000);
	assert_true(n.l4_checked >= 1000);

	assert_false(rtl_toeplitz_is_busy(t.toe));
	assert_false(rtl_csum_is_busy(t.csum));
	assert_false(rtl_rss_indir_is_busy(t.reta));
	rtl_toeplitz_close(t.toe);
	rtl_csum_close(t.csum);
	rtl_rss_indir_close(t.reta);
	rss_free(t.rss);
}

static void test_rtl_twins_agree_with_c_on_every_shipped_packet_width8(void **state)
{
	(void)state;
	run_captures(8);
}

static void test_rtl_twins_agree_with_c_on_every_shipped_packet_width4(void **state)
{
	(void)state;
	run_captures(4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtl_twins_agree_with_c_on_every_shipped_packet_width8),
		cmocka_unit_test(test_rtl_twins_agree_with_c_on_every_shipped_packet_width4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

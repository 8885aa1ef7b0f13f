#include "rtl/backend_rtl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/pkt/csum.h"
#include "models/pkt/rss_toeplitz.h"
#include "rtl/rtl_twins.h"

struct backend_rtl {
	struct nic_engines eng;
	struct rtl_toeplitz *tz;
	struct rtl_csum *cs;
	struct rtl_rss_indir *ri;
	uint16_t *table;        /* the table as written, to check the twin's lookups */
	uint32_t table_mask;
	uint32_t queues;        /* rss.queues: the twin's answer must name one of them */
	struct rss_toeplitz c_tz;   /* the C hash, to check the hash twin's answers */
	uint32_t rss_width, csum_width;
	uint64_t mismatches;
};

static uint32_t b_hash(void *ctx, const uint8_t *in, uint32_t len, uint32_t *cycles)
{
	struct backend_rtl *b = ctx;
	uint32_t c_hash = rss_toeplitz_hash(&b->c_tz, in, len);
	uint32_t cyc = 0, h = rtl_toeplitz_hash(b->tz, in, len, &cyc);
	if (cyc != UINT32_MAX) {
		*cycles = cyc;
		if (h != c_hash)
			b->mismatches++;   /* counted; the RTL's value is used */
		return h;
	}
	b->mismatches++;   /* the RTL stopped answering: C's answer and timing */
	*cycles = rss_toeplitz_cycles(len, b->rss_width);
	return c_hash;
}

static void b_set_key(void *ctx, const uint8_t *key, uint32_t len)
{
	struct backend_rtl *b = ctx;
	rss_toeplitz_setkey(&b->c_tz, key, len);
	rtl_toeplitz_set_key(b->tz, key, len > RTL_TOEPLITZ_KEY_BYTES_MAX ? RTL_TOEPLITZ_KEY_BYTES_MAX : len);
}

/* The twin's lookup latency counts from the cycle the hash is on its input,
 * which is the cycle the hash engine hands it over: that cycle is the hash's.
 * The check is against the table as the NIC wrote it through set_entry (the
 * same writes the twin gets); that the NIC mirrors every write is checked
 * end to end by test_rtl_fullrun (RTL run = C run with mid-run rewrites). */
static uint16_t b_lookup(void *ctx, uint32_t hash, uint32_t *cycles)
{
	struct backend_rtl *b = ctx;
	uint32_t cyc = 0;
	uint16_t want = b->table[hash & b->table_mask];
	uint16_t q = rtl_rss_indir_lookup(b->ri, hash, &cyc);
	if (cyc == UINT32_MAX || cyc == 0) {
		b->mismatches++;   /* the RTL stopped answering: C's answer and timing */
		*cycles = RTL_RSS_INDIR_LATENCY_CYCLES;
		return want;
	}
	*cycles = cyc - 1;
	if (q != want) {
		b->mismatches++;
		if (q >= b->queues)
			return want;   /* a queue that does not exist: the RTL's answer cannot be used */
	}
	return q;
}

static void b_set_entry(void *ctx, uint32_t index, uint16_t queue)
{
	struct backend_rtl *b = ctx;
	if (index > b->table_mask)
		return;   /* the NIC validates; the table size is fixed for the run */
	b->table[index] = queue;
	if (rtl_rss_indir_table_set(b->ri, index, queue) != 0)
		b->mismatches++;   /* the twin refused a write the C table took */
}

/* The check's ranges (IPv4 header; L4 segment seeded with the
 * pseudo-header sum) go through the RTL back to back, as the NIC streams
 * them: the sums and each range's cycles come from the twin; the C plan only
 * says which bytes and which seed (header fields). The C sum of each range
 * is taken too: a disagreement is counted (the RTL's value is used). */
static struct csum_rx_result b_csum(void *ctx, const uint8_t *frame, uint32_t cap_len,
				    const struct parse_result *pr, uint32_t *cycles)
{
	struct backend_rtl *b = ctx;
	struct csum_rx_plan pl = csum_rx_plan(frame, cap_len, pr);
	const struct csum_range *rg[2];
	struct rtl_csum_seg seg[2];
	size_t n = 0;
	if (pl.ip.is_summed)
		rg[n++] = &pl.ip;
	if (pl.l4.is_summed)
		rg[n++] = &pl.l4;
	uint16_t sum[2] = { 0, 0 };
	uint32_t cyc[2] = { 0, 0 };
	*cycles = 0;
	if (n) {
		for (size_t i = 0; i < n; i++)
			seg[i] = (struct rtl_csum_seg){ .data = frame + rg[i]->off, .len = rg[i]->len,
							.init = rg[i]->init };
		if (rtl_csum_sums(b->cs, seg, n, sum, cyc) != 0) {
			/* The RTL stopped answering (a bug in it): counted, and this
			 * frame gets the C engine's answer and timing. */
			b->mismatches++;
			*cycles = csum_rx_cycles(&pl, b->csum_width);
			return csum_rx_sum_plan(frame, &pl);
		}
		for (size_t i = 0; i < n; i++) {
			*cycles += cyc[i];
			if (sum[i] != csum_range_sum(frame, rg[i]))
				b->mismatches++;
		}
	}
	uint16_t ip = pl.ip.is_summed ? sum[0] : 0;
	uint16_t l4 = pl.l4.is_summed ? sum[n - 1] : 0;
	return csum_rx_verdict(&pl, ip, l4);
}

int backend_rtl_open(struct backend_rtl **out, const char *spec, const struct nic_cfg *nic,
		     const struct rss_cfg *rss, const char *vcd, char *err, size_t err_len)
{
	*out = NULL;
	if (strncmp(spec, "rtl:", 4) != 0 || !spec[4]) {
		snprintf(err, err_len, "expected rtl:BLOCKS with BLOCKS from rss,reta,csum (e.g. rtl:rss,reta,csum)");
		return -1;
	}
	struct backend_rtl *b = calloc(1, sizeof *b);
	if (!b) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	b->rss_width = nic->rss_width_bytes;
	b->csum_width = nic->csum_width_bytes;
	char list[64];
	snprintf(list, sizeof list, "%s", spec + 4);
	bool want_rss = false, want_csum = false, want_reta = false;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "rss"))
			want_rss = true;
		else if (!strcmp(t, "csum"))
			want_csum = true;
		else if (!strcmp(t, "reta"))
			want_reta = true;
		else {
			snprintf(err, err_len, "no RTL twin named '%s' (have: rss, reta, csum)", t);
			free(b);
			return -1;
		}
	}
	/* One VCD per block: the first block opened (in the order rss, reta,
	 * csum) writes FILE, each other one FILE.BLOCK.vcd. */
	char vcd_reta[4096], vcd_csum[4096];
	if (vcd) {
		snprintf(vcd_reta, sizeof vcd_reta, "%s.reta.vcd", vcd);
		snprintf(vcd_csum, sizeof vcd_csum, "%s.csum.vcd", vcd);
	}
	if (want_rss) {
		struct rtl_toeplitz_params p = { .width_bytes = nic->rss_width_bytes };
		if (rtl_toeplitz_open(&b->tz, &p, vcd, err, err_len)) {
			free(b);
			return -1;
		}
	}
	if (want_reta && nic->indir_latency_cycles != RTL_RSS_INDIR_LATENCY_CYCLES) {
		snprintf(err, err_len,
			 "nic.indir_latency_cycles = %u, but the reta twin (rtl/rss_indir.sv) takes %u cycle(s): "
			 "set nic.indir_latency_cycles=%u or leave reta out of the backend",
			 nic->indir_latency_cycles, RTL_RSS_INDIR_LATENCY_CYCLES, RTL_RSS_INDIR_LATENCY_CYCLES);
		backend_rtl_close(b);
		return -1;
	}
	if (want_reta) {
		struct rtl_rss_indir_params p = { .table_size = rss->table_size };
		b->table = calloc(rss->table_size, sizeof *b->table);
		b->table_mask = rss->table_size - 1;
		b->queues = rss->queues;
		if (!b->table) {
			snprintf(err, err_len, "out of memory");
			backend_rtl_close(b);
			return -1;
		}
		if (rtl_rss_indir_open(&b->ri, &p, vcd ? (want_rss ? vcd_reta : vcd) : NULL, err, err_len)) {
			backend_rtl_close(b);
			return -1;
		}
	}
	if (want_csum) {
		struct rtl_csum_params p = { .width_bytes = nic->csum_width_bytes };
		if (rtl_csum_open(&b->cs, &p, vcd ? (want_rss || want_reta ? vcd_csum : vcd) : NULL, err, err_len)) {
			backend_rtl_close(b);
			return -1;
		}
	}
	/* Blocks not swapped stay NULL: the NIC's own C engines. */
	b->eng = (struct nic_engines){ .ctx = b, .hash = b->tz ? b_hash : NULL, .set_key = b->tz ? b_set_key : NULL,
				       .csum = b->cs ? b_csum : NULL, .lookup = b->ri ? b_lookup : NULL,
				       .set_entry = b->ri ? b_set_entry : NULL };
	*out = b;
	return 0;
}

const struct nic_engines *backend_rtl_engines(const struct backend_rtl *b) { return &b->eng; }
uint64_t backend_rtl_mismatches(const struct backend_rtl *b) { return b->mismatches; }

void backend_rtl_close(struct backend_rtl *b)
{
	if (!b)
		return;
	if (b->tz)
		rtl_toeplitz_close(b->tz);
	if (b->cs)
		rtl_csum_close(b->cs);
	if (b->ri)
		rtl_rss_indir_close(b->ri);
	free(b->table);
	free(b);
}

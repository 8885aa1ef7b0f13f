/*
 * models/nic_rx.c — the NIC's receive path, from the wire to the DMA engine:
 *
 *   MAC (serialise, arrival) -> packet buffer admission -> parse, receive
 *   checksum, RSS hash and indirection (cut-through) -> DMA queue
 *   (models/nic_dma.c)
 *
 * Values and time are separate steps: the frame's values (parse, verdicts,
 * hash, queue) are computed when it is offered; the time the engines take
 * is charged to the pipeline, which works on the frame as it streams in:
 * it starts with the frame's first bit (or when it is free), takes
 * max(checksum cycles, hash cycles) of the NIC clock, cannot finish before
 * the last bit is in, and the frame leaves parse_depth_cycles later. The
 * checksum and Toeplitz cycle counts are their twins' timing contracts
 * (models/pkt/csum.h, models/pkt/rss_toeplitz.h) or, with an RTL backend,
 * the RTL's own.
 *
 * The packet buffer (mac.rx_fifo_bytes) takes a frame when it is offered
 * and gives its room back when its DMA is done (or it is dropped); a frame
 * that does not fit is dropped at once, counted as buffer_full with what
 * held the buffer. A frame queued behind the wire (offered faster than the
 * line rate; the replay paces a capture to it, so only a caller that offers
 * frames back to back does this) takes its room when offered: each of N
 * such frames takes it up to N wire times early.
 */
#include <stdlib.h>
#include <string.h>

#include "models/nic_priv.h"
#include "models/pkt/csum.h"
#include "models/pkt/rss_toeplitz.h"
#include "sim/check.h"

void nic_rx_drop(struct nic *n, struct nic_rx_frame *f)
{
	n->in_flight--;
	n->q[f->queue].inflight--;  /* only frames already steered to a queue are dropped here */
	nic_rx_frame_put(n, f);
}

/* ---- C engines (the default backend) ---- */

static uint32_t c_hash(struct nic *n, const uint8_t *in, uint32_t len, uint32_t *cycles)
{
	*cycles = rss_toeplitz_cycles(len, n->cfg.rss_width_bytes);
	return rss_toeplitz_of(n->rss, in, len);   /* the RSS block's tables, kept by the RSSRK writes */
}

static struct csum_rx_result c_csum(struct nic *n, const uint8_t *frame, uint32_t cap_len,
				    const struct parse_result *pr, uint32_t *cycles)
{
	struct csum_rx_plan pl = csum_rx_plan(frame, cap_len, pr);
	*cycles = csum_rx_cycles(&pl, n->cfg.csum_width_bytes);
	return csum_rx_sum_plan(frame, &pl);
}

/* ---- values: parse, checksum, hash, queue ---- */

/* The packet type the write-back reports. */
static uint16_t ptype_of(const struct parse_result *pr)
{
	return (pr->l3 == PARSE_L3_IPV4 ? NIC_PTYPE_IPV4 : 0) | (pr->l3 == PARSE_L3_IPV6 ? NIC_PTYPE_IPV6 : 0) |
	       (pr->l4 == PARSE_L4_TCP ? NIC_PTYPE_TCP : 0) | (pr->l4 == PARSE_L4_UDP ? NIC_PTYPE_UDP : 0);
}

/* Parse, verify, hash and steer a frame; returns the engine cycles the
 * pipeline is busy for it. */
static uint32_t rx_classify(struct nic *n, struct nic_rx_frame *f)
{
	const struct pkt *p = f->pkt;
	struct parse_result pr;
	parse_frame(p->data, p->cap_len, p->wire_len, n->link, &pr);
	parse_stats_add(&n->st.parse, &pr);
	f->pkt_type = ptype_of(&pr);
	f->is_parsed = pr.status == PARSE_OK && pr.l4;
	/* Longer than the port takes: more IP bytes than mac.mtu (for a frame
	 * without IP, more than the MTU after an Ethernet header). The 82599
	 * drops frames over its maximum size unless jumbo frames are on
	 * (MAXFRS, HLREG0.JUMBOEN) [recalled]; here mac.mtu is that size. */
	uint32_t l2 = pr.l3 ? pr.l3_off : 14u;
	f->is_too_long = p->wire_len > l2 && p->wire_len - l2 > n->mac.cfg.mtu;
	f->csum_ip = f->csum_l4 = CSUM_NOT_CHECKED;
	uint32_t csum_cyc = 0, hash_cyc = 0;
	if (n->cfg.is_rx_csum && pr.l3) {
		struct csum_rx_result cr = n->eng.csum ? n->eng.csum(n->eng.ctx, p->data, p->cap_len, &pr, &csum_cyc)
						       : c_csum(n, p->data, p->cap_len, &pr, &csum_cyc);
		n->st.csum_ip_good += cr.ip == CSUM_GOOD;
		n->st.csum_ip_bad += cr.ip == CSUM_BAD;
		n->st.csum_l4_good += cr.l4 == CSUM_GOOD;
		n->st.csum_l4_bad += cr.l4 == CSUM_BAD;
		n->st.csum_not_checked += cr.l4 == CSUM_NOT_CHECKED;
		f->csum_ip = cr.ip;
		f->csum_l4 = cr.l4;
	}
	f->is_toe = n->toe && f->is_parsed && pr.l4 == PARSE_L4_TCP && nic_toe_lookup(n, &pr) >= 0;
	if (f->is_toe)
		f->toe_pr = pr;   /* the engine works from this parse, not a second one */
	f->has_hash = 0;
	if (n->mrqc & NIC_MRQC_RSS_EN) {
		uint8_t in[RSS_INPUT_BYTES_MAX];
		uint32_t type;
		uint32_t len = rss_input(n->rss, p->data, &pr, in, &type);
		if (len) {
			f->rss_hash = n->eng.hash ? n->eng.hash(n->eng.ctx, in, len, &hash_cyc) : c_hash(n, in, len, &hash_cyc);
			f->has_hash = 1;
		}
		if (f->has_hash && n->eng.lookup) {
			uint32_t cyc = 0;
			f->queue = n->eng.lookup(n->eng.ctx, f->rss_hash, &cyc);
			hash_cyc += cyc;
		} else {
			if (f->has_hash)
				hash_cyc += n->cfg.indir_latency_cycles;
			f->queue = rss_queue_of(n->rss, f->has_hash, f->rss_hash);
		}
	} else {
		f->queue = 0; /* RSS off (NDIS 5.1 legacy): one queue */
	}
	sim_check(f->queue < n->nq, "RSS steered to a queue that does not exist (rss validates its table)");
	return csum_cyc > hash_cyc ? csum_cyc : hash_cyc;
}

/* ---- time: the packet buffer and the pipeline ---- */

/* What holds the packet buffer when a frame finds it full: nothing (the
 * frame is larger than the whole buffer); the first frame waiting for the
 * DMA engine waits for a descriptor (DROP_EN clear); or whichever holds more
 * of it, the frames the pipeline has not finished or those waiting for (or
 * crossing) the link. */
static void count_buffer_full(struct nic *n, struct nic_rx_frame *f)
{
	n->q[f->queue].st.drop_buffer_full++;
	if (f->pkt->wire_len > n->mac.cfg.rx_fifo_bytes)
		n->st.buffer_full_by_oversize++;
	else if (n->is_dma_desc_wait)
		n->st.buffer_full_by_descriptors++;
	else if (n->pipe_bytes >= n->mac.fifo_bytes - n->pipe_bytes)
		n->st.buffer_full_by_pipeline++;
	else
		n->st.buffer_full_by_bus++;
}

static void rx_pipe_done(struct sim_kernel *k, struct sim_event *ev, void *arg);

void nic_rx_frame_in(void *opaque, uint64_t t_ps, struct pkt *p)
{
	struct nic *n = opaque;
	sim_check(t_ps == sim_now_ps(n->k), "a frame arrived at another time than the NIC's now");
	/* Latency is measured from when the frame starts on the wire: time a
	 * frame offered faster than the line rate waits for the wire is the
	 * sender's, not the NIC's. */
	uint64_t t_mac = mac_rx_arrive(&n->mac, t_ps, p->wire_len, &p->t_ps[PKT_T_WIRE]);
	p->t_ps[PKT_T_MAC] = t_mac;
	if (!(n->rctl & NIC_RCTL_EN)) {
		n->st.rx_disabled_drops++;
		return;
	}
	struct nic_rx_frame *f = sim_pool_take(&n->frames);
	sim_check(f, "out of memory for a receive frame record");
	f->pkt = p;
	uint64_t busy = rx_classify(n, f);
	struct nic_rxq *q = &n->q[f->queue];
	if (f->is_too_long) {
		n->st.rx_too_long++;
		sim_pool_give(&n->frames, f);
		return;
	}
	if (f->has_hash)
		q->st.hashed++;
	/* The frame takes room in the packet buffer as it arrives (it is
	 * offered now; its first bit is in at PKT_T_WIRE) and keeps it until
	 * its DMA is done. */
	if (!mac_fifo_admit(&n->mac, p->wire_len)) {
		count_buffer_full(n, f);
		sim_pool_give(&n->frames, f);
		return;
	}
	pkt_ref(p);
	n->in_flight++;
	q->inflight++;
	n->pipe_bytes += p->wire_len;

	/* Cut-through: the engines work on the frame as it streams in, as
	 * Corundum's rx_checksum and rx_hash do on the AXI stream, so they
	 * start with its first bit when the pipeline is free and are done when
	 * the last bit is in or when their cycles are spent, whichever is
	 * later; the parser's depth follows. A pipeline slower than the wire
	 * falls behind, and the frames behind wait in the packet buffer. */
	uint64_t first = p->t_ps[PKT_T_WIRE];
	uint64_t start = first > n->pipe_free_ps ? first : n->pipe_free_ps;
	uint64_t done = start + sim_clock_cycles_to_ps(&n->clk, busy);
	if (done < t_mac)
		done = t_mac;
	n->pipe_free_ps = done;
	n->st.pipeline_cycles += busy + n->cfg.parse_depth_cycles;
	uint64_t out = done + sim_clock_cycles_to_ps(&n->clk, n->cfg.parse_depth_cycles);
	p->t_ps[PKT_T_PIPE] = out;
	/* Fast path, same result: a frame that meets an idle NIC (nothing ahead
	 * of it in the pipeline or the buffer; a descriptor landed; the link
	 * free by then) and a simulation in which no event comes before it
	 * leaves the pipeline (so nothing else can reach the link first: the
	 * host's doorbells, an interrupt, a fetch's landing all come from
	 * events) will start its DMA at `out`, so its DMA is set up now and the
	 * pipeline-out event is skipped.
	 * test_run_nic_fast_path_changes_no_report_but_the_event_count holds it
	 * to the slow path's reports on every shipped capture. */
	/* Its buffers all cached (a frame needing more than the cache holds never is). */
	uint32_t need = nic_rxq_descs_for(q, p->wire_len);
	if (n->is_fast_path && !f->is_toe && n->in_flight == 1 && nic_rxq_cached(q) >= need && n->pcie.free_ps[PCIE_UP] <= out &&
	    sim_next_time_ps(n->k) > out) {
		n->pipe_bytes -= p->wire_len;
		nic_dma_start(n, f, out);
		return;
	}
	sim_event_init(&f->ev, "nic.rx.pipe", SIM_PRIO_HW, rx_pipe_done, n);
	sim_schedule_at(n->k, &f->ev, out);
}

static void rx_pipe_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	struct nic_rx_frame *f = nic_rx_frame_of_ev(ev);
	n->pipe_bytes -= f->pkt->wire_len;
	if (f->is_toe && nic_toe_rx(n, f)) {
		/* The engine took it: its room in the packet buffer comes free. */
		mac_fifo_release(&n->mac, f->pkt->wire_len);
		nic_rx_drop(n, f);
		return;
	}
	nic_dma_enqueue(n, f);
}

#include "models/nic.h"

#include <assert.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "models/pkt/csum.h"
#include "models/nic_regs.h"
#include "sim/mem.h"
#include "models/pkt/rss_toeplitz.h"

const struct param_def nic_params[] = {
	{ "nic.clock_mhz", PARAM_U32, offsetof(struct nic_cfg, clock_mhz), "MHz", "250", 1, 5000, 0, NULL, 0,
	  "NIC core clock (receive pipeline, checksum and hash engines).",
	  "Corundum NIC (Forencich et al., FCCM 2020): 250 MHz core clock" },
	{ "nic.parse_depth_cycles", PARAM_U32, offsetof(struct nic_cfg, parse_depth_cycles), "cycles", "8", 0,
	  10000, 0, NULL, 0, "Pipeline depth of the header parser, added after the engines.",
	  "assumption [A]: a few cycles per header layer (Ethernet, VLAN, IP, L4) plus registering" },
	{ "nic.csum_width_bytes", PARAM_U32, offsetof(struct nic_cfg, csum_width_bytes), "bytes", "8", 1, 256, 0,
	  NULL, 0, "Checksum engine datapath width (bytes summed per cycle).",
	  "rtl/csum.sv default DATA_W; Corundum rx_checksum sums one AXI-stream word per cycle" },
	{ "nic.rss_width_bytes", PARAM_U32, offsetof(struct nic_cfg, rss_width_bytes), "bytes", "4", 1, 64, 0,
	  NULL, 0, "Toeplitz engine input width (bytes hashed per cycle).",
	  "the RTL twin built with DATA_W=4 (rtl/CMakeLists.txt; the module default is 8); Corundum rx_hash hashes a 32-bit word per cycle (recalled, not checked against its source)" },
	{ "nic.indir_latency_cycles", PARAM_U32, offsetof(struct nic_cfg, indir_latency_cycles), "cycles", "1",
	  0, 64, 0, NULL, 0, "Indirection-table lookup latency.", "rtl/rss_indir.sv: one registered read" },
	{ "nic.rx_csum", PARAM_BOOL, offsetof(struct nic_cfg, is_rx_csum), "", "true", 0, 0, 0, NULL, 0,
	  "Verify IPv4 header and TCP/UDP checksums on receive (stateless offload).",
	  "every RSS-capable NIC has receive checksum offload (docs/design.md)" },
	{ "nic.dma_latency_ns", PARAM_U32, offsetof(struct nic_cfg, dma_latency_ns), "ns", "560", 0, 1000000, 0,
	  NULL, 0, "Fixed latency of one receive DMA, from start to descriptor write-back in host memory.",
	  "pcie-bench (Neugebauer et al., SIGCOMM 2018): median 64 B DMA read 547-560 ns on Xeon E5, Gen3 x8 (pcie-bench/data lat_dma_sizes.csv)" },
	{ "nic.dma_rate_mbps", PARAM_U32, offsetof(struct nic_cfg, dma_rate_mbps), "Mb/s", "57600", 100,
	  10000000, 0, NULL, 0, "DMA bandwidth toward host memory (frames transfer one after another).",
	  "PCIe Gen3 x8 = 63.0 Gb/s after 128b/130b, times the payload share of a 64-bit-address MWr at 256 B MPS, "
	  "256/(256+24) (TLP overheads of pcie-bench/pcie-model model/pcie.py); ACK and flow-control DLLPs left out" },
	{ NULL },
};

/* The NIC's descriptor cache: the buffer addresses of the next descriptors
 * of a queue, read from the ring ahead of use. When it holds NIC_DCACHE_LOW or
 * fewer and the ring has more, the NIC fills it with one read (at least four
 * 16-byte descriptors when the ring has them, a cache line's worth). A fetch takes no
 * simulated time, so the cache's size changes no result, only which bus reads
 * the model issues and how much memory the simulator touches: a bounded
 * cache keeps a queue's NIC state to three cache lines however long its ring
 * (a ring-sized copy of the addresses put 8 B a slot more in the working set
 * of every active queue; docs/performance.md). */
#define NIC_DCACHE_ENTRIES 8u
#define NIC_RING_ENTRIES_MAX (1u << 24)   /* nicsim's limit (fetch tags); host.ring_entries stops at 65536 */
#define NIC_DCACHE_LOW (NIC_DCACHE_ENTRIES / 2)

/* Laid out so that what a frame touches is two aligned cache lines, its
 * fields and its cached descriptors: with many queues each frame meets a
 * queue whose state has gone cold since its last frame, and every line more
 * is a cache miss more. */
struct nic_rxq {
	uint64_t ring_base;
	uint32_t entries;              /* ring_bytes / 16 */
	uint32_t head, tail;           /* RDH, RDT */
	uint32_t fetched;              /* descriptors cached up to (exclusive): the cache holds [head, fetched) */
	uint32_t buf_bytes;
	uint32_t inflight;             /* frames steered here, not yet written back or dropped */
	uint16_t dc_first;             /* dcache index of descriptor head */
	uint16_t gen;                  /* ring generation: counts RDLEN writes and resets */
	struct nic_queue_stats st;
	uint32_t ring_bytes;
	uint64_t dcache[NIC_DCACHE_ENTRIES] __attribute__((aligned(64)));   /* buffer addresses */
} __attribute__((aligned(64)));
_Static_assert(offsetof(struct nic_rxq, st.drop_no_desc) == 64, "nic_rxq: a frame's fields must be one cache line");
_Static_assert(offsetof(struct nic_rxq, dcache) == 128 && sizeof(((struct nic_rxq *)0)->dcache) == 64,
	       "nic_rxq: the descriptor cache must be one cache line");

static inline uint32_t rxq_cached(const struct nic_rxq *q)
{
	return (q->fetched + q->entries - q->head) % q->entries;
}

/* A descriptor is the NIC's when it lies in [head, tail); the cache holds it
 * once fetched, and desc_fetch keeps the cache from running dry while the
 * ring has more, so this is head != tail. */
static inline bool rxq_has_desc(const struct nic_rxq *q)
{
	return q->entries && q->head != q->tail && q->head != q->fetched;
}

struct nic {
	struct sim_kernel *k;
	struct bus *bus;
	struct pkt_pool *pool;
	struct nic_cfg cfg;
	struct sim_clock clk;
	enum parse_link link;
	struct mac mac;
	struct rss *rss;
	struct irq *irq;
	uint32_t nq;
	struct nic_rxq *q;
	uint32_t ctrl, rctl, mrqc;
	uint8_t key[RSS_KEY_BYTES_MAX];
	uint64_t pipe_free_ps;
	/* DMA engine: frames wait in FIFO order; one transfers at a time. */
	struct pkt_list dma_q;
	uint64_t dma_free_ps;          /* the engine is transferring until then */
	struct sim_event dma_ev;       /* scheduled only while a frame waits for the engine */
	uint64_t dma_ps_per_kbyte;
	uint64_t in_flight;
	struct nic_engines eng;
	uint8_t desc_buf[NIC_RX_DESC_BYTES * NIC_DCACHE_ENTRIES];   /* a descriptor fetch's read */
	struct nic_stats st;
};

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

/* ---- receive path ---- */

static void dma_kick(struct nic *n);
static void dma_start(struct nic *n, struct pkt *p, uint64_t start_ps);
static void desc_fetch(struct nic *n, uint32_t qi);

static void drop(struct nic *n, struct pkt *p)
{
	n->in_flight--;
	n->q[p->queue].inflight--;  /* only frames already steered to a queue are dropped here */
	pkt_release(n->pool, p);
}

/* A frame admitted to the FIFO that finds no descriptor (or loses it). */
static void drop_no_desc(struct nic *n, struct pkt *p)
{
	n->q[p->queue].st.drop_no_desc++;
	mac_fifo_release(&n->mac, p->wire_len);
	drop(n, p);
}

static void rx_pipe_done(struct sim_kernel *k, struct sim_event *ev, void *arg);
static void rx_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg);

static void nic_frame_in(void *opaque, uint64_t t_ps, struct pkt *p)
{
	struct nic *n = opaque;
	assert(t_ps == sim_now_ps(n->k));
	n->in_flight++;
	/* Latency is measured from when the frame starts on the wire: a capture
	 * that is faster than the line rate queues at the sender, not here. */
	uint64_t t_mac = mac_rx_arrive(&n->mac, t_ps, p->wire_len, &p->t_ps[PKT_T_WIRE]);
	p->t_ps[PKT_T_MAC] = t_mac;
	if (!(n->rctl & NIC_RCTL_EN)) {
		n->st.rx_disabled_drops++;
		n->in_flight--;
		pkt_release(n->pool, p);
		return;
	}

	/* Parse, check, hash: the values are computed now, the time they take
	 * is charged below. */
	parse_frame(p->data, p->cap_len, p->wire_len, n->link, &p->pr);
	parse_stats_add(&n->st.parse, &p->pr);
	uint32_t csum_cyc = 0, hash_cyc = 0;
	if (n->cfg.is_rx_csum && p->pr.l3) {
		struct csum_rx_result cr = n->eng.csum ? n->eng.csum(n->eng.ctx, p->data, p->cap_len, &p->pr, &csum_cyc)
						       : c_csum(n, p->data, p->cap_len, &p->pr, &csum_cyc);
		n->st.csum_ip_good += cr.ip == CSUM_GOOD;
		n->st.csum_ip_bad += cr.ip == CSUM_BAD;
		n->st.csum_l4_good += cr.l4 == CSUM_GOOD;
		n->st.csum_l4_bad += cr.l4 == CSUM_BAD;
		n->st.csum_not_checked += cr.l4 == CSUM_NOT_CHECKED;
		p->csum_ip = cr.ip;
		p->csum_l4 = cr.l4;
	}
	p->has_hash = 0;
	if (n->mrqc & NIC_MRQC_RSS_EN) {
		uint8_t in[RSS_INPUT_BYTES_MAX];
		uint32_t type;
		uint32_t len = rss_input(n->rss, p->data, &p->pr, in, &type);
		if (len) {
			p->rss_hash = n->eng.hash ? n->eng.hash(n->eng.ctx, in, len, &hash_cyc) : c_hash(n, in, len, &hash_cyc);
			p->has_hash = 1;
		}
		if (p->has_hash && n->eng.lookup) {
			uint32_t cyc = 0;
			p->queue = n->eng.lookup(n->eng.ctx, p->rss_hash, &cyc);
			hash_cyc += cyc;
		} else {
			if (p->has_hash)
				hash_cyc += n->cfg.indir_latency_cycles;
			p->queue = rss_queue_of(n->rss, p->has_hash, p->rss_hash);
		}
	} else {
		p->queue = 0; /* RSS off (NDIS 5.1 legacy): one queue */
	}
	assert(p->queue < n->nq && "RSS steered to a queue that does not exist (rss validates its table)");
	struct nic_rxq *q = &n->q[p->queue];
	if (p->has_hash)
		q->st.hashed++;
	q->inflight++;

	uint64_t busy = csum_cyc > hash_cyc ? csum_cyc : hash_cyc;
	uint64_t start = t_mac > n->pipe_free_ps ? t_mac : n->pipe_free_ps;
	n->pipe_free_ps = start + sim_clock_cycles_to_ps(&n->clk, busy);
	n->st.pipeline_cycles += busy + n->cfg.parse_depth_cycles;
	uint64_t out = n->pipe_free_ps + sim_clock_cycles_to_ps(&n->clk, n->cfg.parse_depth_cycles);
	/* Fast path, same result: a frame that meets an idle NIC (nothing ahead
	 * of it in the pipeline, FIFO or DMA; a descriptor already fetched; room
	 * in the FIFO) will leave the pipeline at `out` and start its DMA there,
	 * whatever happens meanwhile (the host only adds descriptors), so its DMA
	 * is set up now and the pipeline-out event is skipped. The golden
	 * reports hold this to the slow path's numbers. */
	if (n->in_flight == 1 && !n->dma_q.head && rxq_has_desc(q) && mac_fifo_has_room(&n->mac, p->wire_len) &&
	    n->dma_free_ps <= out) {
		bool is_admitted = mac_fifo_admit(&n->mac, p->wire_len);
		assert(is_admitted);
		(void)is_admitted;
		dma_start(n, p, out);
		return;
	}
	/* The packet's own event; the handler finds the packet from the event. */
	sim_event_init(&p->ev, "nic.rx.pipe", SIM_PRIO_HW, rx_pipe_done, n);
	sim_schedule_at(n->k, &p->ev, out);
}

static void rx_pipe_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	struct pkt *p = pkt_of_ev(ev);
	if (!mac_fifo_admit(&n->mac, p->wire_len)) {
		n->q[p->queue].st.drop_fifo_full++;
		drop(n, p);
		return;
	}
	pkt_list_push(&n->dma_q, p);
	dma_kick(n);
}

static void dma_engine_free(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	struct nic *n = arg;
	dma_kick(n);
}

static void dma_kick(struct nic *n)
{
	while (n->dma_q.head) {
		uint64_t now = sim_now_ps(n->k);
		if (now < n->dma_free_ps) {
			if (!sim_event_is_pending(&n->dma_ev))
				sim_schedule_at(n->k, &n->dma_ev, n->dma_free_ps);
			return;
		}
		struct pkt *p = pkt_list_pop(&n->dma_q);
		struct nic_rxq *q = &n->q[p->queue];
		if (!rxq_has_desc(q)) {
			drop_no_desc(n, p);
			continue;
		}
		dma_start(n, p, now);
	}
}

/* Take the queue's next descriptor and transfer the frame from start_ps on;
 * it is written back dma_latency_ns after the transfer. */
static void dma_start(struct nic *n, struct pkt *p, uint64_t start_ps)
{
	struct nic_rxq *q = &n->q[p->queue];
	p->slot = q->head;
	p->ring_gen = q->gen;
	p->buf_addr = q->dcache[q->dc_first];
	q->dc_first = (uint16_t)((q->dc_first + 1) % NIC_DCACHE_ENTRIES);
	q->head = (q->head + 1) % q->entries;
	if (rxq_cached(q) <= NIC_DCACHE_LOW)
		desc_fetch(n, p->queue);
	uint64_t xfer = ((uint64_t)p->wire_len * n->dma_ps_per_kbyte + 999) / 1000;
	n->dma_free_ps = start_ps + xfer;
	sim_event_init(&p->ev, "nic.rx.dma", SIM_PRIO_HW, rx_dma_done, n);
	sim_schedule_at(n->k, &p->ev, start_ps + xfer + (uint64_t)n->cfg.dma_latency_ns * SIM_PS_PER_NS);
}

static void rx_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct nic *n = arg;
	struct pkt *p = pkt_of_ev(ev);
	struct nic_rxq *q = &n->q[p->queue];
	if (p->ring_gen != q->gen) {
		/* The host reset or reprogrammed the ring while the frame was in
		 * its DMA: the descriptor it was taking is gone. Dropped, counted
		 * as without a descriptor; nothing is written to host memory. */
		drop_no_desc(n, p);
		return;
	}
	uint64_t now = sim_now_ps(k);
	uint32_t len = p->wire_len < q->buf_bytes ? p->wire_len : q->buf_bytes;
	uint32_t bytes = p->wire_len;
	uint16_t queue = p->queue;

	struct nic_rx_desc_wb wb = { 0 };
	wb.rss_hash = p->has_hash ? p->rss_hash : 0;
	wb.length = (uint16_t)(len > 0xffff ? 0xffff : len);
	wb.frame_len = p->wire_len;
	wb.status = NIC_RXD_STAT_DD | NIC_RXD_STAT_EOP | (p->has_hash ? NIC_RXD_STAT_RSS : 0) |
		    (p->pr.status == PARSE_OK && p->pr.l4 ? NIC_RXD_STAT_PARSED : 0) |
		    (p->csum_ip != CSUM_NOT_CHECKED ? NIC_RXD_STAT_IPCS : 0) |
		    (p->csum_l4 != CSUM_NOT_CHECKED ? NIC_RXD_STAT_L4CS : 0);
	wb.errors = (p->csum_ip == CSUM_BAD ? NIC_RXD_ERR_IPE : 0) | (p->csum_l4 == CSUM_BAD ? NIC_RXD_ERR_L4E : 0);
	wb.pkt_type = (p->pr.l3 == PARSE_L3_IPV4 ? NIC_PTYPE_IPV4 : 0) |
		      (p->pr.l3 == PARSE_L3_IPV6 ? NIC_PTYPE_IPV6 : 0) |
		      (p->pr.l4 == PARSE_L4_TCP ? NIC_PTYPE_TCP : 0) | (p->pr.l4 == PARSE_L4_UDP ? NIC_PTYPE_UDP : 0);
	p->t_ps[PKT_T_DMA_DONE] = now;
	q->st.rx_packets++;
	q->st.rx_bytes += bytes;
	mac_fifo_release(&n->mac, bytes);
	n->in_flight--;
	q->inflight--;

	/* Data first, then the write-back: the driver may see DD only once
	 * the data is there (PCIe posted writes stay in order). */
	struct bus_dma data = { .addr = p->buf_addr, .len = len, .is_write = true, .data = p->data,
				.pkt = p, .tag = 0 };
	uint64_t desc_addr = q->ring_base + (uint64_t)p->slot * NIC_RX_DESC_BYTES;
	bus_dma(n->bus, now, &data);
	/* p now belongs to the host side. */
	struct bus_dma wbop = { .addr = desc_addr, .len = NIC_RX_DESC_BYTES, .is_write = true,
				.data = (uint8_t *)&wb, .tag = 0 };
	bus_dma(n->bus, now, &wbop);
	irq_complete(n->irq, queue);
}

/* ---- descriptor fetch ---- */

/* A descriptor fetch's tag: kind in bits 63:48, queue in 47:24, first
 * descriptor in 23:0 (so NIC_RING_ENTRIES_MAX is 2^24). */
#define TAG_DESC_FETCH 1ull
#define TAG_KIND_SHIFT 48
#define TAG_QUEUE_SHIFT 24
#define TAG_FIELD_MASK 0xffffffull

/* Fill the queue's descriptor cache from the ring, [fetched, tail), as far as
 * it has room. */
static void desc_fetch(struct nic *n, uint32_t qi)
{
	struct nic_rxq *q = &n->q[qi];
	uint64_t now = sim_now_ps(n->k);
	while (q->entries && q->fetched != q->tail) {
		uint32_t room = NIC_DCACHE_ENTRIES - rxq_cached(q);
		uint32_t end = q->tail > q->fetched ? q->tail : q->entries;
		uint32_t cnt = end - q->fetched;
		if (cnt > room)
			cnt = room;
		if (!cnt)
			return;
		struct bus_dma op = { .addr = q->ring_base + (uint64_t)q->fetched * NIC_RX_DESC_BYTES,
				      .len = cnt * NIC_RX_DESC_BYTES, .is_write = false, .data = n->desc_buf,
				      .tag = (TAG_DESC_FETCH << TAG_KIND_SHIFT) | ((uint64_t)qi << TAG_QUEUE_SHIFT) |
					     q->fetched };
		bus_dma(n->bus, now, &op);
		q->fetched = (q->fetched + cnt) % q->entries;
	}
}

static void nic_dma_complete(void *opaque, uint64_t t_ps, struct bus_dma *op)
{
	struct nic *n = opaque;
	(void)t_ps;
	if ((op->tag >> TAG_KIND_SHIFT) != TAG_DESC_FETCH)
		return;
	struct nic_rxq *q = &n->q[(uint32_t)((op->tag >> TAG_QUEUE_SHIFT) & TAG_FIELD_MASK)];
	/* The read of descriptors first.. lands at first's place behind head
	 * (with the native binding that is right behind those already cached;
	 * the tag keeps it right should a binding complete reads later). */
	uint32_t first = (uint32_t)(op->tag & TAG_FIELD_MASK);
	uint32_t at = q->dc_first + (first + q->entries - q->head) % q->entries;
	for (uint32_t i = 0; i < op->len / NIC_RX_DESC_BYTES; i++) {
		struct nic_rx_desc_read d;
		memcpy(&d, op->data + i * NIC_RX_DESC_BYTES, sizeof d);
		q->dcache[(at + i) % NIC_DCACHE_ENTRIES] = d.buf_addr;
	}
}

/* ---- registers: a dispatch table indexed by range, as igb's ---- */

/* An access to no register, or a write the register refuses: counted, the
 * address kept for the trace (unknown registers are traced, not ignored). */
static void reg_unknown(struct nic *n, uint64_t addr, bool is_write)
{
	if (is_write)
		n->st.unknown_reg_writes++;
	else
		n->st.unknown_reg_reads++;
	n->st.last_unknown_reg = addr;
}

struct nic_reg {
	uint32_t base, count, stride;
	bool is_per_queue;  /* one element per configured queue/vector */
	const char *name;
	uint32_t (*read)(struct nic *n, uint32_t idx, uint32_t off);
	void (*write)(struct nic *n, uint32_t idx, uint32_t off, uint32_t val);
};

static void rxq_set_ring(struct nic *n, uint32_t qi)
{
	struct nic_rxq *q = &n->q[qi];
	q->entries = q->ring_bytes / NIC_RX_DESC_BYTES;
	q->head = q->tail = q->fetched = q->dc_first = 0;
	q->gen++;  /* frames already in their DMA lose their descriptor (rx_dma_done) */
}

static uint32_t r_ctrl(struct nic *n, uint32_t i, uint32_t o) { (void)i; (void)o; return n->ctrl; }
static void w_ctrl(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)i;
	(void)o;
	n->ctrl = v & ~NIC_CTRL_RST;
	if (v & NIC_CTRL_RST) {
		for (uint32_t q = 0; q < n->nq; q++) {
			n->q[q].ring_bytes = 0;
			rxq_set_ring(n, q);
		}
		irq_reset(n->irq);
		n->rctl = 0;
	}
}
static uint32_t r_status(struct nic *n, uint32_t i, uint32_t o) { (void)n; (void)i; (void)o; return 1u; }
static uint32_t r_rctl(struct nic *n, uint32_t i, uint32_t o) { (void)i; (void)o; return n->rctl; }
static void w_rctl(struct nic *n, uint32_t i, uint32_t o, uint32_t v) { (void)i; (void)o; n->rctl = v; }
static uint32_t r_mrqc(struct nic *n, uint32_t i, uint32_t o) { (void)i; (void)o; return n->mrqc; }
static void w_mrqc(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)i;
	(void)o;
	/* Bits 0..8: hash-type enables (rss.hash_types choices); bit 31: RSS on. */
	n->mrqc = v & (NIC_MRQC_RSS_EN | NIC_MRQC_TYPES_MASK);
	rss_set_hash_types(n->rss, n->mrqc & NIC_MRQC_TYPES_MASK);
}
static uint32_t r_rssrk(struct nic *n, uint32_t i, uint32_t o)
{
	(void)o;
	uint32_t v;
	memcpy(&v, n->key + 4 * i, 4);
	return v;
}
static void w_rssrk(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	memcpy(n->key + 4 * i, &v, 4);
	if (n->eng.set_key)
		n->eng.set_key(n->eng.ctx, n->key, RSS_KEY_BYTES_MAX);
	rss_set_key(n->rss, n->key, RSS_KEY_BYTES_MAX);
}
static void table_set(struct nic *n, uint32_t index, uint16_t queue)
{
	rss_table_set(n->rss, index, queue);
	if (n->eng.set_entry)
		n->eng.set_entry(n->eng.ctx, index, queue);
}
static uint32_t r_reta(struct nic *n, uint32_t i, uint32_t o)
{
	(void)o;
	uint32_t size = rss_table_size(n->rss), lo = 2 * i, hi = 2 * i + 1;
	return (lo < size ? rss_table_get(n->rss, lo) : 0) | (uint32_t)(hi < size ? rss_table_get(n->rss, hi) : 0) << 16;
}
static void w_reta(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	uint32_t size = rss_table_size(n->rss);
	uint16_t lo = (uint16_t)(v & 0xffff), hi = (uint16_t)(v >> 16);
	/* An entry naming a queue that does not exist is a driver bug: the
	 * write is ignored and counted, as hardware would do with a reserved value. */
	if (lo >= n->nq || hi >= n->nq) {
		reg_unknown(n, NIC_REG_RETA + 4 * i, true);
		return;
	}
	if (2 * i < size)
		table_set(n, 2 * i, lo);
	if (2 * i + 1 < size)
		table_set(n, 2 * i + 1, hi);
}
static uint32_t r_rxq(struct nic *n, uint32_t qi, uint32_t off)
{
	struct nic_rxq *q = &n->q[qi];
	switch (off) {
	case NIC_RXQ_RDBAL: return (uint32_t)q->ring_base;
	case NIC_RXQ_RDBAH: return (uint32_t)(q->ring_base >> 32);
	case NIC_RXQ_RDLEN: return q->ring_bytes;
	case NIC_RXQ_RDH: return q->head;
	case NIC_RXQ_RDT: return q->tail;
	case NIC_RXQ_BUFLEN: return q->buf_bytes;
	case NIC_RXQ_STAT_DROP: return (uint32_t)q->st.drop_no_desc;
	case NIC_RXQ_INFLIGHT: return q->inflight;
	}
	reg_unknown(n, NIC_REG_RXQ(qi) + off, false);
	return 0;
}
static void w_rxq(struct nic *n, uint32_t qi, uint32_t off, uint32_t v)
{
	struct nic_rxq *q = &n->q[qi];
	switch (off) {
	case NIC_RXQ_RDBAL: q->ring_base = (q->ring_base & ~0xffffffffull) | v; return;
	case NIC_RXQ_RDBAH: q->ring_base = (q->ring_base & 0xffffffffull) | ((uint64_t)v << 32); return;
	case NIC_RXQ_RDLEN:
		/* A descriptor index travels in 24 bits of a fetch's tag. */
		if (v / NIC_RX_DESC_BYTES > NIC_RING_ENTRIES_MAX) {
			reg_unknown(n, NIC_REG_RXQ(qi) + off, true);
			return;
		}
		q->ring_bytes = v;
		rxq_set_ring(n, qi);
		return;
	case NIC_RXQ_BUFLEN: q->buf_bytes = v; return;
	case NIC_RXQ_RDT:
		if (q->entries && v < q->entries) {
			q->tail = v;
			if (rxq_cached(q) <= NIC_DCACHE_LOW)
				desc_fetch(n, qi);
		} else {
			reg_unknown(n, NIC_REG_RXQ(qi) + off, true); /* tail beyond the ring: ignored */
		}
		return;
	}
	reg_unknown(n, NIC_REG_RXQ(qi) + off, true);
}
static uint32_t r_eitr(struct nic *n, uint32_t i, uint32_t o) { (void)o; return irq_eitr_read(n->irq, i); }
static void w_eitr(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	irq_set_itr(n->irq, i, NIC_EITR_USECS(v), NIC_EITR_FRAMES(v));
}
static uint32_t r_zero(struct nic *n, uint32_t i, uint32_t o) { (void)n; (void)i; (void)o; return 0; }
static void w_eims(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	if (v & NIC_EIM_VECTOR)
		irq_unmask(n->irq, i);
}
static void w_eimc(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	if (v & NIC_EIM_VECTOR)
		irq_mask(n->irq, i);
}
static uint32_t r_msix(struct nic *n, uint32_t i, uint32_t o) { return irq_msix_read(n->irq, i, o); }
static void w_msix(struct nic *n, uint32_t i, uint32_t o, uint32_t v) { irq_msix_write(n->irq, i, o, v); }

static const struct nic_reg nic_regs[] = {
	/* Hot first: every DPC run writes RDT (RXQ) and EIMS. */
	{ NIC_REG_RXQ(0), NIC_RXQ_COUNT_MAX, 0x40, true, "RXQ", r_rxq, w_rxq },
	{ NIC_REG_EIMS(0), NIC_RXQ_COUNT_MAX, 4, true, "EIMS", r_zero, w_eims },
	{ NIC_REG_CTRL, 1, 4, false, "CTRL", r_ctrl, w_ctrl },
	{ NIC_REG_STATUS, 1, 4, false, "STATUS", r_status, NULL },
	{ NIC_REG_RCTL, 1, 4, false, "RCTL", r_rctl, w_rctl },
	{ NIC_REG_MRQC, 1, 4, false, "MRQC", r_mrqc, w_mrqc },
	{ NIC_REG_RSSRK, NIC_REG_RSSRK_COUNT, 4, false, "RSSRK", r_rssrk, w_rssrk },
	{ NIC_REG_RETA, NIC_REG_RETA_COUNT, 4, false, "RETA", r_reta, w_reta },
	{ NIC_REG_EITR(0), NIC_RXQ_COUNT_MAX, 4, true, "EITR", r_eitr, w_eitr },
	{ NIC_REG_EIMC(0), NIC_RXQ_COUNT_MAX, 4, true, "EIMC", r_zero, w_eimc },
	{ NIC_REG_MSIX(0), NIC_RXQ_COUNT_MAX, 16, true, "MSIX", r_msix, w_msix },
};

/* Find the register; *idx = array index, *off = offset inside the element. */
static const struct nic_reg *reg_lookup(const struct nic *n, uint64_t addr, uint32_t *idx, uint32_t *off)
{
	for (size_t i = 0; i < sizeof nic_regs / sizeof nic_regs[0]; i++) {
		const struct nic_reg *r = &nic_regs[i];
		if (addr < r->base || addr >= (uint64_t)r->base + (uint64_t)r->count * r->stride)
			continue;
		uint32_t rel = (uint32_t)(addr - r->base);
		*idx = rel / r->stride;
		*off = rel % r->stride;
		/* Per-queue/vector arrays only exist for the configured queues. */
		if (r->is_per_queue && *idx >= n->nq)
			return NULL;
		return r;
	}
	return NULL;
}

static uint64_t nic_reg_read(void *opaque, uint64_t t_ps, uint64_t addr)
{
	(void)t_ps;
	struct nic *n = opaque;
	uint32_t idx, off;
	const struct nic_reg *r = reg_lookup(n, addr, &idx, &off);
	if (!r || !r->read) {
		reg_unknown(n, addr, false);
		return 0;
	}
	return r->read(n, idx, off);
}

static void nic_reg_write(void *opaque, uint64_t t_ps, uint64_t addr, uint64_t val)
{
	(void)t_ps;
	struct nic *n = opaque;
	uint32_t idx, off;
	const struct nic_reg *r = reg_lookup(n, addr, &idx, &off);
	if (!r || !r->write) {
		reg_unknown(n, addr, true);
		return;
	}
	r->write(n, idx, off, (uint32_t)val);
}

/* ---- life cycle ---- */

int nic_new(struct nic **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	    const struct nic_cfg *cfg, const struct mac_cfg *mac_cfg, const struct rss_cfg *rss_cfg,
	    const struct irq_cfg *irq_cfg, enum parse_link link, char *err, size_t err_len)
{
	struct nic *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, err_len, "nic: out of memory");
		return -1;
	}
	n->k = k;
	n->bus = bus;
	n->pool = pool;
	n->cfg = *cfg;
	n->clk = sim_clock_mhz(cfg->clock_mhz);
	n->link = link;
	n->dma_ps_per_kbyte = (8000ull * 1000000ull) / cfg->dma_rate_mbps; /* ps for 1000 bytes */
	mac_init(&n->mac, mac_cfg);
	if (rss_init(&n->rss, rss_cfg, err, err_len)) {
		free(n);
		return -1;
	}
	n->nq = rss_cfg->queues;
	n->q = sim_calloc_lines(n->nq, sizeof *n->q);
	n->irq = irq_new(k, bus, irq_cfg, n->nq);
	if (!n->q || !n->irq) {
		snprintf(err, err_len, "nic: out of memory for %u queues", n->nq);
		nic_free(n);
		return -1;
	}
	for (uint32_t q = 0; q < n->nq; q++)
		n->q[q].buf_bytes = NIC_RXQ_BUFLEN_RESET;
	sim_event_init(&n->dma_ev, "nic.dma.free", SIM_PRIO_HW, dma_engine_free, n);
	memcpy(n->key, rss_cfg->key, rss_cfg->key_len);   /* zero-padded to RSS_KEY_BYTES_MAX by calloc */
	nic_set_engines(n, NULL);
	n->mrqc = rss_cfg->hash_types & NIC_MRQC_TYPES_MASK;
	*out = n;
	return 0;
}

void nic_set_engines(struct nic *n, const struct nic_engines *e)
{
	n->eng = e ? *e : (struct nic_engines){ 0 };
	if (n->eng.set_key)
		n->eng.set_key(n->eng.ctx, n->key, RSS_KEY_BYTES_MAX);
	if (n->eng.set_entry)
		for (uint32_t i = 0; i < rss_table_size(n->rss); i++)
			n->eng.set_entry(n->eng.ctx, i, rss_table_get(n->rss, i));
}

void nic_attach(struct nic *n, struct bus *b)
{
	b->nic = (struct bus_nic_if){ .nic = n, .reg_read = nic_reg_read, .reg_write = nic_reg_write,
				      .dma_complete = nic_dma_complete, .frame_in = nic_frame_in };
}

void nic_free(struct nic *n)
{
	if (!n)
		return;
	if (n->k)
		sim_cancel(n->k, &n->dma_ev);
	free(n->q);
	irq_free(n->irq);
	rss_free(n->rss);
	free(n);
}

uint32_t nic_queues(const struct nic *n) { return n->nq; }
const struct nic_queue_stats *nic_queue_stats(const struct nic *n, uint32_t q) { return &n->q[q].st; }
const struct nic_stats *nic_stats(const struct nic *n) { return &n->st; }
const struct mac_stats *nic_mac_stats(const struct nic *n) { return &n->mac.st; }
struct irq_vec_stats nic_irq_stats(const struct nic *n, uint32_t q) { return irq_vec_stats(n->irq, q); }
uint64_t nic_in_flight(const struct nic *n) { return n->in_flight; }

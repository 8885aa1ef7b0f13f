/*
 * models/nic.c — the NIC's shell: its parameters, the register map as a
 * dispatch table (offset range, name, handlers), and its life cycle. The
 * receive path is models/nic_rx.c, the DMA engine models/nic_dma.c; what
 * they share is models/nic_priv.h. Every access to no register, or a write a
 * register refuses, is counted and its address kept (the report names it).
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "models/nic_priv.h"
#include "sim/mem.h"

const struct param_def nic_params[] = {
	{
		.key = "nic.clock_mhz", .type = PARAM_U32,
		.offset = offsetof(struct nic_cfg, clock_mhz), .unit = "MHz",
		.defval = "250", .min = 1, .max = 5000,
		.desc = "NIC core clock (receive pipeline, checksum and hash engines).",
		.source = "Corundum NIC (Forencich et al., FCCM 2020): 250 MHz core clock",
	},
	{
		.key = "nic.parse_depth_cycles", .type = PARAM_U32,
		.offset = offsetof(struct nic_cfg, parse_depth_cycles), .unit = "cycles",
		.defval = "8", .max = 10000,
		.desc = "Pipeline depth of the header parser, added after the engines.",
		.source = "assumption [A]: a few cycles per header layer (Ethernet, VLAN, IP, L4) plus registering",
	},
	{
		.key = "nic.csum_width_bytes", .type = PARAM_U32,
		.offset = offsetof(struct nic_cfg, csum_width_bytes), .unit = "bytes",
		.defval = "8", .min = 1, .max = 256,
		.desc = "Checksum engine datapath width (bytes summed per cycle).",
		.source = "rtl/csum.sv default DATA_W; Corundum rx_checksum sums one AXI-stream word per cycle",
	},
	{
		.key = "nic.rss_width_bytes", .type = PARAM_U32,
		.offset = offsetof(struct nic_cfg, rss_width_bytes), .unit = "bytes",
		.defval = "4", .min = 1, .max = 64,
		.desc = "Toeplitz engine input width (bytes hashed per cycle).",
		.source = "the RTL twin built with DATA_W=4 (rtl/CMakeLists.txt; the module default is 8), a 32-bit word "
			  "a cycle. Corundum's rx_hash (fpga/common/rtl/rx_hash.v) is different: it captures the tuple "
			  "from 256-bit AXI-stream words (DATA_WIDTH 256, (38+31)/32 = 2 words for IPv4) and computes "
			  "the Toeplitz hash combinationally in two register stages",
	},
	{
		.key = "nic.indir_latency_cycles", .type = PARAM_U32,
		.offset = offsetof(struct nic_cfg, indir_latency_cycles), .unit = "cycles",
		.defval = "1", .max = 64,
		.desc = "Indirection-table lookup latency.",
		.source = "rtl/rss_indir.sv: one registered read",
	},
	{
		.key = "nic.rx_csum", .type = PARAM_BOOL,
		.offset = offsetof(struct nic_cfg, is_rx_csum), .unit = "",
		.defval = "true",
		.desc = "Verify IPv4 header and TCP/UDP checksums on receive (stateless offload).",
		.source = "every RSS-capable NIC has receive checksum offload (docs/design.md)",
	},
	{ .key = NULL },
};

/* ---- registers: a dispatch table indexed by range, as igb's ---- */

/* An access to no register, or a write the register refuses: counted, the
 * address kept for the trace (STYLE.md: unknown registers are traced). */
void nic_reg_unknown(struct nic *n, uint64_t addr, bool is_write)
{
	if (is_write)
		n->st.unknown_reg_writes++;
	else
		n->st.unknown_reg_reads++;
	n->st.last_unknown_reg = addr;
}

struct nic_reg {
	uint32_t base, count, stride;   /* stride: a power of two (reg_lookup shifts by it) */
	bool is_per_queue;  /* one element per configured queue/vector */
	const char *name;
	uint32_t (*read)(struct nic *n, uint32_t idx, uint32_t off);
	void (*write)(struct nic *n, uint32_t idx, uint32_t off, uint32_t val);
};

static void rxq_set_ring(struct nic *n, uint32_t qi)
{
	struct nic_rxq *q = &n->q[qi];
	q->entries = q->ring_bytes / NIC_RX_DESC_BYTES;
	q->head = q->tail = q->fetched = q->fetch_end = q->dc_first = 0;
	q->gen++;  /* frames already in their DMA lose their descriptor (rx_dma_done), fetches their landing */
}

static uint32_t r_ctrl(struct nic *n, uint32_t i, uint32_t o) { (void)i; (void)o; return n->ctrl; }
static void w_ctrl(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)i;
	(void)o;
	n->ctrl = v & ~NIC_CTRL_RST;
	if (v & NIC_CTRL_RST) {
		for (uint32_t q = 0; q < n->nq; q++) {
			struct nic_rxq *rq = &n->q[q];
			rq->ring_bytes = 0;
			rq->buf_bytes = NIC_RXQ_BUFLEN_RESET;
			rq->is_drop_en = false;
			if (rq->is_fetch_wanted) {
				rq->is_fetch_wanted = false;
				n->fetch_waiters--;
			}
			rxq_set_ring(n, q);
		}
		nic_tx_reset(n);
		irq_reset(n->irq);
		n->rctl = 0;
	}
}
/* Link always up, at the line rate (as Intel's STATUS.SPEED / LINKS.LINK_SPEED
 * tell the driver the negotiated speed, here in Mb/s). */
static uint32_t r_status(struct nic *n, uint32_t i, uint32_t o)
{
	(void)i;
	(void)o;
	uint32_t mbps = n->mac.cfg.rate_mbps;
	if (mbps > NIC_STATUS_SPEED_MAX_MBPS)
		mbps = NIC_STATUS_SPEED_MAX_MBPS;
	return NIC_STATUS_LU | mbps << 8;
}
static uint32_t r_caps(struct nic *n, uint32_t i, uint32_t o)
{
	(void)i;
	(void)o;
	return n->nq | rss_table_size(n->rss) << 16;
}
static uint32_t r_rssdefq(struct nic *n, uint32_t i, uint32_t o)
{
	(void)i;
	(void)o;
	return rss_queue_of(n->rss, false, 0);
}
static void w_rssdefq(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	if ((v & 0xffffu) >= n->nq) {
		nic_reg_unknown(n, NIC_REG_RSSDEFQ + 4 * i, true);  /* a queue that does not exist: ignored */
		return;
	}
	rss_set_default_queue(n->rss, (uint16_t)(v & 0xffffu));
}
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
		nic_reg_unknown(n, NIC_REG_RETA + 4 * i, true);
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
	case NIC_RXQ_SRRCTL: return q->is_drop_en ? NIC_SRRCTL_DROP_EN : 0;
	case NIC_RXQ_STAT_DROP: return (uint32_t)q->st.drop_no_desc;
	case NIC_RXQ_INFLIGHT: return q->inflight;
	}
	nic_reg_unknown(n, NIC_REG_RXQ(qi) + off, false);
	return 0;
}
static void w_rxq(struct nic *n, uint32_t qi, uint32_t off, uint32_t v)
{
	struct nic_rxq *q = &n->q[qi];
	switch (off) {
	case NIC_RXQ_RDBAL: q->ring_base = (q->ring_base & ~0xffffffffull) | v; return;
	case NIC_RXQ_RDBAH: q->ring_base = (q->ring_base & 0xffffffffull) | ((uint64_t)v << 32); return;
	case NIC_RXQ_RDLEN:
		/* At most NIC_RING_ENTRIES_MAX descriptors (nic_priv.h). */
		if (v / NIC_RX_DESC_BYTES > NIC_RING_ENTRIES_MAX) {
			nic_reg_unknown(n, NIC_REG_RXQ(qi) + off, true);
			return;
		}
		q->ring_bytes = v;
		rxq_set_ring(n, qi);
		return;
	case NIC_RXQ_BUFLEN: q->buf_bytes = v; return;
	case NIC_RXQ_SRRCTL:
		q->is_drop_en = v & NIC_SRRCTL_DROP_EN;
		if (q->is_drop_en && n->is_dma_desc_wait)
			nic_dma_kick(n);   /* a frame waiting on an empty ring is dropped now */
		return;
	case NIC_RXQ_RDT:
		if (q->entries && v < q->entries) {
			q->tail = v;
			if (nic_rxq_cached_or_coming(q) <= NIC_DCACHE_LOW)
				nic_dma_desc_fetch(n, qi);
		} else {
			nic_reg_unknown(n, NIC_REG_RXQ(qi) + off, true); /* tail beyond the ring: ignored */
		}
		return;
	}
	nic_reg_unknown(n, NIC_REG_RXQ(qi) + off, true);
}
static uint32_t r_txq(struct nic *n, uint32_t qi, uint32_t off) { return nic_txq_read(n, qi, off); }
static void w_txq(struct nic *n, uint32_t qi, uint32_t off, uint32_t v) { nic_txq_write(n, qi, off, v); }
static uint32_t r_tctl(struct nic *n, uint32_t i, uint32_t o) { (void)i; (void)o; return n->tctl; }
static void w_tctl(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)i;
	(void)o;
	n->tctl = v & NIC_TCTL_EN;
	for (uint32_t q = 0; (n->tctl & NIC_TCTL_EN) && q < n->nq; q++)
		nic_txq_write(n, q, NIC_TXQ_TXDCTL, nic_txq_read(n, q, NIC_TXQ_TXDCTL));  /* start what waits */
}
static uint32_t r_eitr(struct nic *n, uint32_t i, uint32_t o) { (void)o; return irq_eitr_read(n->irq, i); }
static void w_eitr(struct nic *n, uint32_t i, uint32_t o, uint32_t v)
{
	(void)o;
	irq_eitr_write(n->irq, i, v);
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
	{ NIC_REG_TXQ(0), NIC_RXQ_COUNT_MAX, 0x40, true, "TXQ", r_txq, w_txq },
	{ NIC_REG_CTRL, 1, 4, false, "CTRL", r_ctrl, w_ctrl },
	{ NIC_REG_TCTL, 1, 4, false, "TCTL", r_tctl, w_tctl },
	{ NIC_REG_STATUS, 1, 4, false, "STATUS", r_status, NULL },
	{ NIC_REG_CAPS, 1, 4, false, "CAPS", r_caps, NULL },
	{ NIC_REG_RCTL, 1, 4, false, "RCTL", r_rctl, w_rctl },
	{ NIC_REG_MRQC, 1, 4, false, "MRQC", r_mrqc, w_mrqc },
	{ NIC_REG_RSSDEFQ, 1, 4, false, "RSSDEFQ", r_rssdefq, w_rssdefq },
	{ NIC_REG_RSSRK, NIC_REG_RSSRK_COUNT, 4, false, "RSSRK", r_rssrk, w_rssrk },
	{ NIC_REG_RETA, NIC_REG_RETA_COUNT, 4, false, "RETA", r_reta, w_reta },
	{ NIC_REG_EITR(0), NIC_RXQ_COUNT_MAX, 4, true, "EITR", r_eitr, w_eitr },
	{ NIC_REG_EIMC(0), NIC_RXQ_COUNT_MAX, 4, true, "EIMC", r_zero, w_eimc },
	{ NIC_REG_MSIX(0), NIC_RXQ_COUNT_MAX, 16, true, "MSIX", r_msix, w_msix },
};

/* Find the register; *idx = array index, *off = offset inside the element. */
static const struct nic_reg *reg_lookup(const struct nic *n, uint64_t addr, uint32_t *idx, uint32_t *off)
{
	/* The two registers every DPC run writes (the table's first two
	 * entries: RXQ for RDT, EIMS), without the walk. */
	uint64_t rel_rxq = addr - NIC_REG_RXQ(0), rel_eims = addr - NIC_REG_EIMS(0);
	if (rel_rxq < (uint64_t)n->nq * 0x40u) {
		*idx = (uint32_t)(rel_rxq >> 6);
		*off = (uint32_t)(rel_rxq & 0x3fu);
		return &nic_regs[0];
	}
	if (rel_eims < (uint64_t)n->nq * 4u) {
		*idx = (uint32_t)(rel_eims >> 2);
		*off = (uint32_t)(rel_eims & 3u);
		return &nic_regs[1];
	}
	for (size_t i = 0; i < sizeof nic_regs / sizeof nic_regs[0]; i++) {
		const struct nic_reg *r = &nic_regs[i];
		if (addr < r->base || addr >= (uint64_t)r->base + (uint64_t)r->count * r->stride)
			continue;
		uint32_t rel = (uint32_t)(addr - r->base);
		/* Strides are powers of two: a shift, not a division (every
		 * doorbell comes through here). */
		unsigned shift = (unsigned)__builtin_ctz(r->stride);
		*idx = rel >> shift;
		*off = rel & (r->stride - 1);
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
	uint32_t v;
	if (!r && nic_toe_reg_read(n, addr, &v))
		return v;
	if (!r || !r->read) {
		nic_reg_unknown(n, addr, false);
		return 0;
	}
	return r->read(n, idx, off);
}

/* The host's MMIO writes cross the link's down direction, where they share it
 * with read completions; the write takes effect when it is offered (its time
 * on the link, a few ns at Gen3 x8, is not waited for: docs/pcie.md). */
static void nic_reg_write(void *opaque, uint64_t t_ps, uint64_t addr, uint64_t val)
{
	struct nic *n = opaque;
	pcie_link_write(&n->pcie, PCIE_DOWN, PCIE_CL_DOORBELL, t_ps, addr, 4);
	uint32_t idx, off;
	const struct nic_reg *r = reg_lookup(n, addr, &idx, &off);
	if (!r && nic_toe_reg_write(n, addr, (uint32_t)val))
		return;
	if (!r || !r->write) {
		nic_reg_unknown(n, addr, true);
		return;
	}
	r->write(n, idx, off, (uint32_t)val);
}

/* ---- life cycle ---- */

int nic_new(struct nic **out, struct sim_kernel *k, struct bus *bus, const struct nic_cfg *cfg,
	    const struct mac_cfg *mac_cfg, const struct rss_cfg *rss_cfg, const struct pcie_cfg *pcie_cfg,
	    enum parse_link link, char *err, size_t err_len)
{
	struct nic *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, err_len, "nic: out of memory");
		return -1;
	}
	for (size_t i = 0; i < sizeof nic_regs / sizeof nic_regs[0]; i++)
		sim_check(nic_regs[i].stride && !(nic_regs[i].stride & (nic_regs[i].stride - 1)),
			  "a register array's stride is a power of two (reg_lookup shifts)");
	sim_check(nic_regs[0].base == NIC_REG_RXQ(0) && nic_regs[0].stride == 0x40u && nic_regs[1].base == NIC_REG_EIMS(0) &&
			  nic_regs[1].stride == 4u, "reg_lookup's shortcut names the table's first two entries");
	n->k = k;
	n->bus = bus;
	n->cfg = *cfg;
	n->pcie_cfg = *pcie_cfg;
	n->clk = sim_clock_mhz(cfg->clock_mhz);
	n->link = link;
	n->is_fast_path = true;
	sim_pool_init(&n->frames, sizeof(struct nic_rx_frame), offsetof(struct nic_rx_frame, next));
	mac_init(&n->mac, mac_cfg);
	/* The RSS block starts as after reset: no key, no hash type, the
	 * default table; the driver programs key, types and table (RSSRK, MRQC,
	 * RETA). */
	struct rss_cfg reset = { .queues = rss_cfg->queues, .table_size = rss_cfg->table_size,
				 .key_len = RSS_KEY_BYTES_MAX, .tunnel_hash = rss_cfg->tunnel_hash };
	if (rss_init(&n->rss, &reset, err, err_len)) {
		free(n);
		return -1;
	}
	n->nq = rss_cfg->queues;
	n->q = sim_calloc_lines(n->nq, sizeof *n->q);
	n->irq = irq_new(k, bus, &n->pcie, n->nq);
	if (!n->q || !n->irq || nic_dma_new(n) || nic_tx_new(n, mac_cfg)) {
		snprintf(err, err_len, "nic: out of memory for %u queues", n->nq);
		nic_free(n);
		return -1;
	}
	for (uint32_t q = 0; q < n->nq; q++)
		n->q[q].buf_bytes = NIC_RXQ_BUFLEN_RESET;
	nic_set_engines(n, NULL);
	*out = n;
	return 0;
}

void nic_set_fast_path(struct nic *n, bool is_on) { n->is_fast_path = is_on; }

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
				      .dma_complete = nic_dma_complete, .frame_in = nic_rx_frame_in };
}

void nic_free(struct nic *n)
{
	if (!n)
		return;
	nic_toe_free(n);
	nic_dma_free(n);
	nic_tx_free(n);
	/* A stopped run leaves frames in the pipeline and the DMA engine:
	 * their events go, and their references. */
	for (uint64_t i = 0; i < sim_pool_records(&n->frames); i++) {
		struct nic_rx_frame *f = sim_pool_record(&n->frames, i);
		if (sim_event_is_pending(&f->ev)) {
			sim_cancel(n->k, &f->ev);
			pkt_release(f->pkt);
		}
	}
	for (struct nic_rx_frame *f = n->dma_q.head; f; f = f->next)
		pkt_release(f->pkt);
	sim_pool_free(&n->frames);
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
const struct pcie_link_stats *nic_pcie_stats(const struct nic *n) { return &n->pcie.st; }

const struct stat_def nic_csum_stat_defs[] = {
	STAT_DEF(struct nic_stats, csum_ip_good, "ip_good", "frames", "IPv4 header checksum verified correct."),
	STAT_DEF(struct nic_stats, csum_ip_bad, "ip_bad", "frames", "IPv4 header checksum wrong."),
	STAT_DEF(struct nic_stats, csum_l4_good, "l4_good", "frames", "TCP/UDP checksum verified correct."),
	STAT_DEF(struct nic_stats, csum_l4_bad, "l4_bad", "frames", "TCP/UDP checksum wrong."),
	STAT_DEF(struct nic_stats, csum_not_checked, "l4_not_checked", "frames",
		 "IP frames whose TCP/UDP checksum could not be checked (not TCP/UDP, truncated, fragment)."),
	{ NULL },
};
const struct stat_def nic_stat_defs[] = {
	STAT_DEF(struct nic_stats, pipeline_cycles, "pipeline_cycles", "cycles",
		 "Busy cycles of the receive pipeline (engines plus parser depth), at nic.clock_mhz."),
	STAT_DEF(struct nic_stats, read_tag_waits, "read_tag_waits", "fetches",
		 "Descriptor fetches that waited for a free read tag (pcie.read_tags)."),
	STAT_DEF(struct nic_stats, bad_dma_completions, "bad_dma_completions", "completions",
		 "DMA completions the bus delivered for no read on its way, or twice (a binding's fault); ignored."),
	STAT_DEF(struct nic_stats, bad_dma_addresses, "bad_dma_addresses", "fetches",
		 "Descriptor fetches not issued because the ring's read would wrap the 64-bit address space."),
	{ NULL },
};
const struct stat_def nic_drop_stat_defs[] = {
	STAT_DEF(struct nic_stats, rx_disabled_drops, "rx_disabled", "frames", "Frames that arrived while RCTL.EN was 0."),
	STAT_DEF(struct nic_stats, rx_too_long, "too_long", "frames",
		 "Frames longer than the port takes (more IP bytes than mac.mtu): dropped as they arrive. "
		 "replay.resegment cuts captured GRO/LRO super-frames to the MTU first."),
	STAT_DEF(struct nic_stats, rx_too_many_buffers, "too_many_buffers", "frames",
		 "Frames longer than 8 receive buffers (the descriptor cache; host.buf_bytes x 8): dropped."),
	{ NULL },
};
const struct stat_def nic_buffer_full_stat_defs[] = {
	STAT_DEF(struct nic_stats, buffer_full_by_bus, "bus", "frames",
		 "buffer_full drops while frames waited for or crossed the PCIe link (the bus could not keep up)."),
	STAT_DEF(struct nic_stats, buffer_full_by_descriptors, "descriptors", "frames",
		 "buffer_full drops while the first frame waited for a descriptor on a queue without DROP_EN."),
	STAT_DEF(struct nic_stats, buffer_full_by_pipeline, "pipeline", "frames",
		 "buffer_full drops while the receive pipeline had not finished the frames ahead (nic.clock_mhz too "
		 "slow for the line rate)."),
	STAT_DEF(struct nic_stats, buffer_full_by_oversize, "oversize", "frames",
		 "buffer_full drops of frames larger than the whole packet buffer (mac.rx_fifo_bytes)."),
	{ NULL },
};
const struct stat_def nic_queue_drop_stat_defs[] = {
	STAT_DEF(struct nic_queue_stats, drop_buffer_full, "buffer_full", "frames",
		 "Dropped: the packet buffer (mac.rx_fifo_bytes) had no room when the frame arrived."),
	STAT_DEF(struct nic_queue_stats, drop_no_desc, "no_descriptor", "frames",
		 "Dropped: the queue's ring had no descriptor and its SRRCTL.DROP_EN was set (the driver fell "
		 "behind), or the frame lost its descriptor to a ring reset."),
	{ NULL },
};
const struct stat_def nic_queue_stat_defs[] = {
	STAT_DEF(struct nic_queue_stats, hashed, "hashed", "frames", "Frames the NIC computed an RSS hash for."),
	{ NULL },
};

#include "host/driver_priv.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/check.h"
#include "sim/mem.h"

const struct param_def host_params[] = {
	{
		.key = "host.cpus", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, cpus), .unit = "cores",
		.defval = "8", .min = 1, .max = 1024,
		.desc = "Host cores available to the receive path.",
		.source = "choice: a 2-socket quad-core server, as in the 10GbE.net 2008 comparison of TOE and stateless-offload NICs",
	},
	{
		.key = "host.clock_mhz", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, clock_mhz), .unit = "MHz",
		.defval = "3400", .min = 100, .max = 10000,
		.desc = "Core clock; cost-model cycles run at this rate.",
		.source = "the cost model's reference machine, Xeon Gold 6128 at 3.4 GHz (Cai et al., SIGCOMM'21)",
	},
	{
		.key = "host.mode", .type = PARAM_ENUM,
		.offset = offsetof(struct host_cfg, mode), .unit = "",
		.defval = "rss", .choices = "rss,legacy",
		.desc = "rss: one queue, vector and DPC per CPU (NDIS 6); legacy: one queue, one interrupt, one DPC on one CPU (NDIS 5.1).",
		.source = "Microsoft introduction-to-receive-side-scaling.md; Scalable Networking Pack (KB 912222)",
	},
	{
		.key = "host.ring_entries", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, ring_entries), .unit = "descriptors",
		.defval = "512", .min = 8, .max = 65536, .flags = PARAM_F_POW2,
		.desc = "RX descriptors per queue.",
		.source = "Linux ixgbe IXGBE_DEFAULT_RXD 512",
	},
	{
		.key = "host.buf_bytes", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, buf_bytes), .unit = "bytes",
		.defval = "2048", .min = 256, .max = 262144,
		.desc = "RX buffer per descriptor; a longer frame spans several (chained descriptors, EOP on the last; "
			"at most 8, the NIC's descriptor cache: longer ones are dropped, drops.too_many_buffers).",
		.source = "Linux ixgbe IXGBE_RXBUFFER_2K; ixgbe chains a frame over buffers the same way (EOP on the last)",
	},
	{
		.key = "host.tx_ring_entries", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, tx_ring_entries), .unit = "descriptors",
		.defval = "512", .min = 64, .max = 65536, .flags = PARAM_F_POW2,
		.desc = "TX descriptors per queue (a send takes a context descriptor and one per 16 KiB of data).",
		.source = "Linux ixgbe IXGBE_DEFAULT_TXD 512",
	},
	{
		.key = "host.tx_backlog_pkts", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, tx_backlog_pkts), .unit = "sends",
		.defval = "1000", .min = 1, .max = 1000000,
		.desc = "Sends the software queue holds per TX queue while the ring is full; more are dropped and counted.",
		.source = "Linux's default txqueuelen, 1000 (DEFAULT_TX_QUEUE_LEN)",
	},
	{
		.key = "host.dpc_budget_pkts", .type = PARAM_U32,
		.offset = offsetof(struct host_cfg, dpc_budget_pkts), .unit = "packets",
		.defval = "64", .min = 1, .max = 65536,
		.desc = "Descriptors one DPC run processes before yielding.",
		.source = "Linux NAPI_POLL_WEIGHT 64",
	},
	{
		.key = "host.rx_drop_en", .type = PARAM_ENUM,
		.offset = offsetof(struct host_cfg, rx_drop_en), .unit = "",
		.defval = "auto", .choices = "auto,on,off",
		.desc = "Each queue's SRRCTL.DROP_EN: on, a frame whose queue has no descriptor is dropped at once; "
			"off, it waits in the packet buffer and holds up every frame behind it (the buffer's overflow "
			"drops). auto = on with more than one queue, off with one.",
		.source = "Linux ixgbe_set_rx_drop_en: on with several RX queues and no flow control (nicsim has no "
			  "flow control), off with one queue",
	},
	{
		.key = "host.gro", .type = PARAM_BOOL,
		.offset = offsetof(struct host_cfg, is_gro), .unit = "", .defval = "false",
		.desc = "Generic receive offload in the host's stack: within a DPC run, in-order TCP data segments of "
			"one connection merge into an aggregate of up to 64 KiB, which TCP processes once "
			"(cost.rx_tcp_cycles and cost.rx_app_cycles per aggregate, cost.gro_seg_cycles per merged "
			"segment). Software, so the baseline turns it off too.",
		.source = "Linux net/core/gro.c (skb_gro_receive: 64 KiB, GRO_MAX_SIZE), flushed at the end of a NAPI "
			  "poll (napi_complete_done); off by default to keep the calibrated no-offload baseline (Cai et "
			  "al., SIGCOMM'21, 'no-opts')",
	},
	{
		.key = "host.app_cpu", .type = PARAM_ENUM,
		.offset = offsetof(struct host_cfg, app_cpu), .unit = "", .defval = "other", .choices = "other,same",
		.desc = "Where the application reads its data: other, another core than its queue's DPC (the cores "
			"no queue uses, round robin, else the core after the queue's; receive protocol and copies cost "
			"cost.x_remote_permille more); same, the DPC's core (aRFS, or a pinned thread). With one core "
			"both are the same.",
		.source = "docs/cost-model.md (locality L); Cai et al., SIGCOMM'21: aRFS off by default, the application "
			  "on another core than its flow's softirq",
	},
	{
		.key = "host.ip", .type = PARAM_STR,
		.offset = offsetof(struct host_cfg, ip), .unit = "",
		.defval = "auto", .min = 1, .max = 128,
		.desc = "The host's IP address(es), comma-separated; auto = the address that receives the most connections (docs/replay.md).",
		.source = "choice",
	},
	{
		.key = "host.mac", .type = PARAM_STR,
		.offset = offsetof(struct host_cfg, mac), .unit = "",
		.defval = "auto", .min = 1, .max = 32,
		.desc = "The host's MAC address (aa:bb:cc:dd:ee:ff); auto = learnt from frames to host.ip.",
		.source = "choice",
	},
	{ .key = NULL },
};


const struct param_def drv_rss_params[] = {
	{
		.key = "rss.key", .type = PARAM_HEX,
		.offset = offsetof(struct drv_rss_cfg, key), .unit = "bytes",
		.defval = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa",
		.min = RSS_KEY_BYTES_MIN, .max = RSS_KEY_BYTES_MAX,
		.len_offset = offsetof(struct drv_rss_cfg, key_len),
		.desc = "Toeplitz secret key (hex) the driver programs; at least 40 bytes to hash the 36-byte TCP/IPv6 4-tuple.",
		.source = "Microsoft 'Verifying the RSS Hash Calculation' verification key, 40 bytes",
	},
	{
		.key = "rss.hash_types", .type = PARAM_FLAGS,
		.offset = offsetof(struct drv_rss_cfg, hash_types), .unit = "",
		.defval = "ipv4|tcp_ipv4|udp_ipv4|ipv6|tcp_ipv6|udp_ipv6",
		.choices = NIC_MRQC_TYPE_CHOICES,
		.desc = "Enabled NDIS hash types; a packet of a type not enabled gets no hash and goes to the default queue.",
		.source = "the six types docs/design.md lists for the NIC; _EX types are optional in NDIS " "(Microsoft rss-hashing-types.md)",
	},
	{
		.key = "rss.base_cpu", .type = PARAM_U32,
		.offset = offsetof(struct drv_rss_cfg, base_cpu), .unit = "cpu",
		.defval = "0", .min = 0, .max = 4095,
		.desc = "First CPU RSS may use; CPUs below it are left to applications.",
		.source = "NDIS RssBaseCpu / *RssBaseProcNumber default 0 (Microsoft reserving-processors-for-applications.md, standardized-inf-keywords-for-rss.md)",
	},
	{
		.key = "rss.max_cpus", .type = PARAM_U32,
		.offset = offsetof(struct drv_rss_cfg, max_cpus), .unit = "cpus",
		.defval = "0", .min = 0, .max = 4096,
		.desc = "CPUs RSS may use from base_cpu up; 0 = all CPUs from base_cpu up.",
		.source = "choice: all CPUs, as *MaxRssProcessors capped at the CPU count by NDIS " "(Microsoft standardized-inf-keywords-for-rss.md; the registry MaxNumRssCpus default of 4 in setting-the-number-of-rss-processors.md is Windows Server 2003 SNP era)",
	},
	{
		.key = "rss.default_queue", .type = PARAM_U32,
		.offset = offsetof(struct drv_rss_cfg, default_queue), .unit = "queue",
		.defval = "0", .min = 0, .max = NIC_RXQ_COUNT_MAX - 1,
		.desc = "Queue for packets that are not hashed (non-IP, unparsed, type not enabled).",
		.source = "NDIS 'default processor' handles packets whose hash can't be computed; " "queue 0 as on Intel NICs (Microsoft rss-hashing-types.md, receive-side-scaling-version-2-rssv2-.md)",
	},
	{ .key = NULL },
};

static const struct {
	const char *name, *desc;
} lat_stages[LAT_COUNT] = {
	[LAT_WIRE] = { "wire", "first bit to last bit in (reception at the line rate)" },
	[LAT_PIPELINE] = { "pipeline", "last bit in to leaving the receive pipeline (parser depth; more when the "
				       "pipeline is slower than the wire)" },
	[LAT_BUFFER] = { "buffer_wait", "in the packet buffer until the DMA engine and the link's up direction "
				       "were free for it" },
	[LAT_DESCRIPTOR] = { "descriptor_wait", "first in line, waiting for a descriptor (its fetch landing, or "
					       "the driver posting one)" },
	[LAT_PCIE_WRITE] = { "pcie_write", "its data crossing the link (MWr TLPs)" },
	[LAT_WRITE_BACK] = { "write_back", "its descriptor write-back crossing the link" },
	[LAT_MODERATION] = { "moderation_wait", "write-back in host memory to the MSI-X message reaching the host "
					       "(interrupt moderation, the message's own time on the link)" },
	[LAT_ISR_TO_DPC] = { "isr_to_dpc", "the interrupt to its DPC starting on it (ISR, waiting for the core and "
					   "for the frames ahead of it)" },
	[LAT_DPC] = { "dpc", "the driver's and the stack's work on it" },
	[LAT_E2E] = { "end_to_end", "first bit on the wire to the end of the host's work: the sum of the stages "
				    "above, frame by frame" },
};
const struct lat_stage_stamps lat_stage_stamps[LAT_COUNT] = {
	[LAT_WIRE] = { PKT_T_WIRE, PKT_T_MAC },
	[LAT_PIPELINE] = { PKT_T_MAC, PKT_T_PIPE },
	[LAT_BUFFER] = { PKT_T_PIPE, PKT_T_DMA_READY },
	[LAT_DESCRIPTOR] = { PKT_T_DMA_READY, PKT_T_DMA_START },
	[LAT_PCIE_WRITE] = { PKT_T_DMA_START, PKT_T_DATA },
	[LAT_WRITE_BACK] = { PKT_T_DATA, PKT_T_DMA_DONE },
	[LAT_MODERATION] = { PKT_T_DMA_DONE, PKT_T_IRQ },
	[LAT_ISR_TO_DPC] = { PKT_T_IRQ, PKT_T_DPC },
	[LAT_DPC] = { PKT_T_DPC, PKT_T_DELIVERED },
	[LAT_E2E] = { PKT_T_WIRE, PKT_T_DELIVERED },
};

const char *driver_lat_stage_name(enum lat_stage s) { return lat_stages[s].name; }
const char *driver_lat_stage_desc(enum lat_stage s) { return lat_stages[s].desc; }


/* Up to this many queues, their latency groups stay in cache and a fold
 * does without prefetching (measured at 8 queues: 1.8 % of a run faster;
 * beyond, the prefetch was what kept the cost per frame flat up to 1024
 * queues, docs/performance.md). */
#define DRV_LAT_PREFETCH_QUEUES 8u

static struct hist_group *lat_group(struct driver *d, uint32_t q)
{
	return (struct hist_group *)(void *)(d->lat_arena + (size_t)q * d->lat_stride);
}

static struct nic_rx_desc_wb *desc_wb(struct drv_q *q, uint32_t i)
{
	return (struct nic_rx_desc_wb *)(q->ring + (size_t)i * NIC_RX_DESC_BYTES);
}

static void repost(struct drv_q *q, uint32_t i)
{
	struct nic_rx_desc_read r = { .buf_addr = q->buf_addr + (uint64_t)i * q->d->cfg.buf_bytes };
	memcpy(q->ring + (size_t)i * NIC_RX_DESC_BYTES, &r, sizeof r);
}

/* A frame's data landed in one of this queue's buffers: the bus lent the
 * record; the driver keeps its own reference until it has processed it. */
static void buf_written(void *owner, uint64_t offset, struct bus_dma *op)
{
	struct drv_q *q = owner;
	uint32_t b = q->d->cfg.buf_bytes;
	uint32_t i = (uint32_t)(offset / b);
	sim_check(q->n_landed_desc < q->count && i == (q->next_to_clean + q->n_landed_desc) % q->count,
		  "NIC wrote a buffer the driver still holds, or out of ring order");
	q->n_landed_desc++;
	/* A frame longer than one buffer fills several in ring order (the
	 * NIC chains them, EOP on the last): the record goes on the list
	 * once, with its first buffer. */
	if (q->pieces_left) {
		q->pieces_left--;
		return;
	}
	struct pkt *p = pkt_ref(op->pkt);
	q->pieces_left = p->wire_len > b ? (p->wire_len + b - 1) / b - 1 : 0;
	pkt_list_push(&q->landed, p);
	if (!q->irq_next)
		q->irq_next = p;
	q->n_landed++;
}

static void queue_dpc(struct drv_q *q)
{
	if (q->is_dpc_queued)
		return;
	q->is_dpc_queued = true;
	cpu_post(q->d->cpu, q->cpu, CPU_WORK_DPC, q->index);
}

static void host_msix(void *opaque, uint64_t t_ps, uint64_t addr, uint32_t data)
{
	(void)addr;
	(void)t_ps;
	struct driver *d = opaque;
	if (data >= d->nq)
		return; /* not one of ours */
	struct drv_q *q = &d->q[data];
	/* The interrupt reached the host: every completed descriptor not yet
	 * covered by an interrupt is covered by this one. (A frame is on the
	 * landed list once its data is in host memory; its write-back follows
	 * at the same instant, posted writes in order.) */
	uint64_t now = sim_now_ps(d->k);
	for (struct pkt *p = q->irq_next; p; p = p->next)
		if (!p->t_ps[PKT_T_IRQ])
			p->t_ps[PKT_T_IRQ] = now;
	q->irq_next = NULL;
	if (q->tx.posted_rung > q->tx.irq_scan)
		driver_tx_on_msix(d, q, now);
	if (d->on_msix)
		d->on_msix(d->on_msix_ctx, q->index, q->cpu, now);
	cpu_post(d->cpu, q->cpu, CPU_WORK_ISR, q->index);
}

/* ---- ISR ---- */

static bool isr_work(void *owner, uint32_t core, uint32_t qi, bool is_start, struct cost_charge *next)
{
	(void)core;
	struct driver *d = owner;
	struct drv_q *q = &d->q[qi];
	if (!is_start) {
		queue_dpc(q);
		return false;
	}
	if (d->irq.mode == ITR_MODE_ADAPTIVE && q->is_itr_due) {  /* igb_msix_ring: igb_write_itr first */
		q->is_itr_due = false;
		bus_reg_write(d->bus, sim_now_ps(d->k), NIC_REG_EITR(qi), q->itr_eitr);
	}
	cost_isr(&d->cost, next);
	return true;
}

/* ---- DPC ---- */

/* The EITR word for an interval and frame limit, with the timing rule of
 * irq.timing (EITR.DELAY, docs/registers.md). */
static uint32_t eitr_word(const struct driver *d, uint32_t usecs, uint32_t frames)
{
	return NIC_EITR(usecs, frames) | (d->irq.timing == ITR_TIMING_DELAY ? NIC_EITR_DELAY : 0);
}

/* The adaptive interval of a queue's vector now: ixgbe's at 10 Gb/s and up;
 * below, one vector, e1000e's classes; several, igb's ring ITR (host/itr.h). */
static uint32_t itr_usecs(const struct driver *d, const struct drv_q *q)
{
	switch (d->itr_algo) {
	case ITR_ALGO_IXGBE: return itr_ixgbe_usecs(&q->itr);
	case ITR_ALGO_E1000E: return itr_single_usecs(&q->itr);
	case ITR_ALGO_IGB_RING: break;
	}
	return itr_ring_usecs(&q->itr);
}

/* Adaptive moderation, before the vector is unmasked: the next interval from
 * what this vector's DPCs processed since the last choice. ixgbe writes a
 * changed one to EITR at once (ixgbe_poll: ixgbe_set_itr, then
 * ixgbe_irq_enable_queues); igb at the start of the next ISR (igb_msix_ring:
 * igb_write_itr). Neither write restarts the NIC's throttle count (igb's
 * E1000_EITR_CNT_IGNR, ixgbe's IXGBE_EITR_CNT_WDIS; models/irq.h): the
 * count loaded at the last interrupt runs out, and the new interval is
 * loaded at the next one. */
static void itr_choose(struct driver *d, struct drv_q *q, uint64_t now)
{
	bool is_cons = d->irq.is_adaptive_conservative;
	uint32_t before = itr_usecs(d, q);
	switch (d->itr_algo) {
	case ITR_ALGO_IXGBE: itr_update_ixgbe(&q->itr, q->itr_frames, q->itr_bytes, now); break;
	case ITR_ALGO_E1000E: itr_update_single(&q->itr, q->itr_frames, q->itr_bytes, is_cons); break;
	case ITR_ALGO_IGB_RING: itr_update_ring(&q->itr, q->itr_frames, q->itr_bytes, is_cons); break;
	}
	q->itr_frames = 0;
	q->itr_bytes = 0;
	uint32_t after = itr_usecs(d, q);
	if (after == before)
		return;
	if (d->itr_algo == ITR_ALGO_IXGBE) {
		bus_reg_write(d->bus, now, NIC_REG_EITR(q->index), eitr_word(d, after, d->irq.frames));
	} else {
		q->itr_eitr = eitr_word(d, after, d->irq.frames);
		q->is_itr_due = true;
	}
}

/* Whether the next descriptor is done and its frame has landed, or an
 * offload event waits. */
static bool dpc_has_work(struct drv_q *q)
{
	return ((desc_wb(q, q->next_to_clean)->status & NIC_RXD_STAT_DD) && q->landed.head) ||
	       (q->d->chim && chimney_eq_pending(q->d, q));
}

/* The run's fixed cost (dispatch, doorbell, re-arm) and the cleaning of its
 * sends, charged with its first step (a frame or an offload event), so the
 * end of the run needs no event of its own: one event per step. */
static void charge_run_overhead(const struct driver *d, struct drv_q *q, struct cost_charge *next)
{
	if (!q->is_dpc_overhead_due)
		return;
	next->cycles[COST_T_DPC] += cost_dpc_run(&d->cost);
	for (int t = 0; t < COST_TERM_COUNT; t++) {
		next->cycles[t] += q->tx_clean.cycles[t];
		next->base[t] += q->tx_clean.base[t];
	}
	q->is_dpc_overhead_due = false;
}

/* ---- the application's receive (host.app_cpu) ---- */

/* Put the application's work item on its core, unless it is there or
 * waiting for NetDMA already, or there is nothing for it to do. */
static void app_post(struct driver *d, struct drv_q *q)
{
	const struct drv_app *a = &q->app;
	bool has_work = a->proto_cycles | a->copy_cycles | a->dma_copies | a->stall_cycles | a->irq_cycles;
	if (a->is_queued || a->is_waiting || !has_work)
		return;
	q->app.is_queued = true;
	cpu_post(d->cpu, q->app_core, CPU_WORK_APP, q->index);
}

/* A unit the stack hands the application: a TCP segment or aggregate, or a
 * UDP datagram. Its copy goes to NetDMA at or above the copy-break (TCP:
 * NET_DMA served tcp_recvmsg only). The application's work item is posted
 * when the DPC's step that made the unit ends (app_post). */
static void app_unit(struct driver *d, struct drv_q *q, uint32_t bytes, bool is_tcp)
{
	struct drv_app *a = &q->app;
	if (is_tcp)
		a->proto_cycles += cost_rx_app(&d->cost, q->locality);
	if (d->dma && is_tcp && bytes >= netdma_cfg(d->dma)->copybreak_bytes) {
		a->dma_copies++;
		a->dma_bytes += bytes;
	} else {
		a->copy_cycles += cost_rx_copy(&d->cost, bytes, q->locality);
		if (d->dma)
			netdma_cpu_copy(d->dma, bytes);
	}
}

static void gro_close(struct driver *d, struct drv_q *q)
{
	if (!q->is_gro_open)
		return;
	q->is_gro_open = false;
	app_unit(d, q, q->gro_bytes, true);
}

/* GRO's verdict on a frame (host.gro): merged into the open aggregate, or
 * not (the open one closes; a data segment opens the next). A segment
 * merges when it continues the aggregate's connection in order, carries
 * only ACK (and PSH, which closes the aggregate after it), and keeps it
 * within 64 KiB. */
static bool gro_frame(struct driver *d, struct drv_q *q, const struct pkt *p, const struct parse_result *pr,
		      bool is_tcp_data)
{
	uint32_t seq = 0;
	if (is_tcp_data)
		seq = parse_be32(p->data + pr->l4_off + 4);
	bool is_merged = is_tcp_data && q->is_gro_open && q->gro_sport == pr->sport && q->gro_dport == pr->dport &&
			 q->gro_next_seq == seq && q->gro_bytes + pr->payload_len <= 65536 &&
			 !memcmp(q->gro_src, pr->src, sizeof q->gro_src);
	if (is_merged) {
		q->gro_bytes += pr->payload_len;
		q->gro_next_seq += pr->payload_len;
	} else {
		gro_close(d, q);
		if (is_tcp_data) {
			q->is_gro_open = true;
			q->gro_sport = pr->sport;
			q->gro_dport = pr->dport;
			memcpy(q->gro_src, pr->src, sizeof q->gro_src);
			q->gro_next_seq = seq + pr->payload_len;
			q->gro_bytes = pr->payload_len;
		}
	}
	if (q->is_gro_open && (pr->tcp_flags & TCP_FLAG_PSH))
		gro_close(d, q);
	return is_merged;
}

/* A batch's completion: the application saw it after waiting; its core's
 * share of the wait is a stall (netdma.overlap_pct). */
static void app_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct drv_q *q = arg;
	struct driver *d = q->d;
	struct drv_app *a = &q->app;
	const struct netdma_cfg *nc = netdma_cfg(d->dma);
	uint64_t wait = sim_now_ps(k) - a->t_wait;
	netdma_waited(d->dma, wait);
	uint64_t wait_cycles = wait * d->cfg.clock_mhz / SIM_PS_PER_US;
	a->stall_cycles += wait_cycles * (100 - nc->overlap_pct) / 100;
	if (nc->completion == NETDMA_INTERRUPT)
		a->irq_cycles += d->cost.irq_cycles;
	a->is_waiting = false;
	app_post(d, q);
}

static bool app_work(void *owner, uint32_t core, uint32_t qi, bool is_start, struct cost_charge *next)
{
	struct driver *d = owner;
	struct drv_q *q = &d->q[qi];
	struct drv_app *a = &q->app;
	if (is_start) {
		a->is_queued = false;
		if (a->is_waiting)
			return false;   /* posted before its batch went out: the completion posts it again */
		memset(next, 0, sizeof *next);
		next->cycles[COST_T_RX_PROTO] = a->proto_cycles;
		next->cycles[COST_T_COPY_RX] = a->copy_cycles;
		next->cycles[COST_T_DMA] = a->dma_copies * d->cost.dma_cycles + a->stall_cycles;
		next->cycles[COST_T_IRQ] = a->irq_cycles;
		a->sub_copies = a->dma_copies;
		a->sub_bytes = a->dma_bytes;
		a->proto_cycles = a->copy_cycles = a->dma_copies = a->dma_bytes = a->stall_cycles = a->irq_cycles = 0;
		return true;
	}
	if (a->sub_copies) {
		/* Submitted as the step ends; the application waits for them. */
		uint64_t now = sim_now_ps(d->k);
		uint64_t t_done = netdma_submit(d->dma, core, (uint32_t)a->sub_copies, a->sub_bytes, now);
		a->sub_copies = a->sub_bytes = 0;
		a->is_waiting = true;
		a->t_wait = now;
		sim_schedule_at(d->k, &a->ev, t_done);
	}
	return false;
}

/* The next step of a DPC run: the next completed descriptor, or the run's
 * fixed cost when it found none. Returns false at the end of the run. */
static bool dpc_next_step(struct driver *d, struct drv_q *q, struct cost_charge *next)
{
	q->cur_pkt = NULL;
	if (q->dpc_done < d->cfg.dpc_budget_pkts && (desc_wb(q, q->next_to_clean)->status & NIC_RXD_STAT_DD) &&
	    q->landed.head) {
		const struct nic_rx_desc_wb *wb = desc_wb(q, q->next_to_clean);
		struct pkt *p = q->landed.head;
		/* A chained frame: its descriptors up to the one with EOP (the
		 * NIC wrote them back together); the last says what the NIC
		 * learnt of the frame. */
		uint32_t placed = wb->length, nd = 1;
		while (!(wb->status & NIC_RXD_STAT_EOP) && nd < q->n_landed_desc) {
			wb = desc_wb(q, (q->next_to_clean + nd) % q->count);
			placed += wb->length;
			nd++;
		}
		q->cur_ndesc = nd;
		/* The host's own reading of the bytes in its buffers. */
		if (placed > p->cap_len)
			placed = p->cap_len;
		parse_frame(p->data, placed, wb->frame_len, d->link, &q->cur_pr);
		const struct parse_result *pr = &q->cur_pr;
		struct cost_rx_frame f = {
			.is_tcp = wb->pkt_type & NIC_PTYPE_TCP,
			.is_udp = wb->pkt_type & NIC_PTYPE_UDP,
			.is_l4_csum_checked = wb->status & NIC_RXD_STAT_L4CS,
			.payload_bytes = pr->payload_len < wb->frame_len ? pr->payload_len : wb->frame_len,
			.buffers = nd,
			.locality = q->locality,
		};
		f.is_pure_ack = f.is_tcp && parse_is_pure_ack(pr);   /* cost.ack_rx_cycles */
		d->tx_st.ack_rx += f.is_pure_ack;
		if (wb->status & NIC_RXD_STAT_RSS)
			d->entry_frames[wb->rss_hash & (d->table_size - 1)]++;
		/* What the application gets of it: TCP data (through GRO) or a
		 * UDP datagram. */
		bool is_tcp_data = f.is_tcp && pr->status == PARSE_OK && f.payload_bytes &&
				   !(pr->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST | TCP_FLAG_URG)) &&
				   pr->l4_off + 8u <= placed;
		/* A frame the chimney keeps (a handoff, the engine's connection)
		 * reaches no application from here: the engine indicates its data. */
		bool is_kept = d->chim && chimney_rx_keeps(d, pr);
		bool has_app_bytes = (f.is_tcp || f.is_udp) && f.payload_bytes;
		if (d->cfg.is_gro)
			f.is_merged = gro_frame(d, q, p, pr, is_tcp_data && !is_kept);
		if ((!d->cfg.is_gro || !is_tcp_data) && !is_kept && has_app_bytes)
			app_unit(d, q, f.payload_bytes, f.is_tcp);
		if (has_app_bytes) {
			d->rx_payload_bytes += f.payload_bytes;
			/* The application's side on the software path: every
			 * segment its own unit, every copy a core's. */
			if (f.is_tcp)
				cpu_book_base(d->cpu, q->app_core, COST_T_RX_PROTO, cost_rx_app(&d->cost, q->locality));
			cpu_book_base(d->cpu, q->app_core, COST_T_COPY_RX, cost_rx_copy(&d->cost, f.payload_bytes, q->locality));
		}
		cost_rx_frame(&d->cost, &f, next);
		charge_run_overhead(d, q, next);
		q->cur_pkt = p;
		p->t_ps[PKT_T_DPC] = sim_now_ps(d->k);
		return true;
	}
	/* Offload events after the frames the NIC wrote before them (posted
	 * writes in order). */
	if (d->chim && q->dpc_done < d->cfg.dpc_budget_pkts && chimney_eq_pending(d, q)) {
		/* An offload event: a step of its own (host/chimney.c). */
		chimney_eq_step(d, q, next);
		charge_run_overhead(d, q, next);
		q->is_cur_eq = true;
		q->dpc_done++;
		return true;
	}
	if (q->is_dpc_overhead_due) {
		/* A run that found nothing still costs its fixed part. */
		memset(next, 0, sizeof *next);
		charge_run_overhead(d, q, next);
		return true;
	}
	return false;
}

/* A frame's step ended: its latencies, counters and delivery; its buffer
 * goes back to the ring. */
static void dpc_frame_done(struct driver *d, struct drv_q *q)
{
	struct pkt *p = q->cur_pkt;
	uint32_t i = q->next_to_clean;
	uint64_t now = sim_now_ps(d->k);
	p->t_ps[PKT_T_DELIVERED] = now;
	const uint64_t *t = p->t_ps;
	if (!t[PKT_T_IRQ])
		p->t_ps[PKT_T_IRQ] = t[PKT_T_DPC]; /* found by polling before its interrupt */
	struct hist_group *g = lat_group(d, q->index);
	if (!q->is_lat_ready) {
		q->is_lat_ready = true;
		hist_group_init(g, LAT_COUNT);
		g->is_prefetch = d->nq > DRV_LAT_PREFETCH_QUEUES;
	}
	uint64_t *st = hist_group_next(g);
	for (int s = 0; s < LAT_COUNT; s++)
		st[s] = t[lat_stage_stamps[s].to] - t[lat_stage_stamps[s].from];
	hist_group_commit_n(g, LAT_COUNT);
	q->st.packets++;
	q->st.bytes += p->wire_len;
	q->itr_frames++;
	q->itr_bytes += p->wire_len;
	struct pkt *popped = pkt_list_pop(&q->landed);
	sim_check(popped == p, "the DPC's frame is not the first landed");
	if (q->irq_next == p)
		q->irq_next = p->next;
	q->n_landed--;
	const struct nic_rx_desc_wb *wb0 = desc_wb(q, i);
	if (d->chim)
		chimney_rx(d, p, &q->cur_pr, wb0->status & NIC_RXD_STAT_RSS, wb0->rss_hash,
				 (wb0->status & NIC_RXD_STAT_L4CS) && (wb0->errors & NIC_RXD_ERR_L4E));
	if (d->deliver) {
		/* Its descriptor is the driver's until reposted below. */
		const struct nic_rx_desc_wb *wb = desc_wb(q, i);
		struct driver_rx_info info = { .queue = q->index, .has_hash = wb->status & NIC_RXD_STAT_RSS,
					       .rss_hash = wb->rss_hash, .pr = &q->cur_pr };
		d->deliver(d->deliver_ctx, p, &info);
	}
	pkt_release(p);
	app_post(d, q);
	for (uint32_t j = 0; j < q->cur_ndesc; j++)
		repost(q, (i + j) % q->count);
	q->next_to_clean = (i + q->cur_ndesc) % q->count;
	q->n_landed_desc -= q->cur_ndesc;
	q->dpc_done++;
}

/* End of a DPC run: give the cleaned descriptors back (tail = one behind
 * next_to_clean, one slot always empty), then poll again if the budget ran
 * out (the interrupt stays masked, as NAPI) or unmask the vector. */
static void dpc_end(struct driver *d, struct drv_q *q)
{
	uint64_t now = sim_now_ps(d->k);
	gro_close(d, q);   /* napi_complete_done flushes GRO */
	app_post(d, q);
	uint32_t tail = (q->next_to_clean + q->count - 1) % q->count;
	bus_reg_write(d->bus, now, NIC_REG_RXQ(q->index) + NIC_RXQ_RDT, tail);
	if (d->chim)
		chimney_eq_flush(d, q, now);
	if (dpc_has_work(q)) {
		queue_dpc(q);
		return;
	}
	if (d->irq.mode == ITR_MODE_ADAPTIVE)
		itr_choose(d, q, now);
	bus_reg_write(d->bus, now, NIC_REG_EIMS(q->index), NIC_EIM_VECTOR);
}

static bool dpc_work(void *owner, uint32_t core, uint32_t qi, bool is_start, struct cost_charge *next)
{
	(void)core;
	struct driver *d = owner;
	struct drv_q *q = &d->q[qi];
	if (is_start) {
		q->is_dpc_queued = false;
		q->st.dpc_runs++;
		q->dpc_done = 0;
		q->is_dpc_overhead_due = true;
		/* The queue pair's completed sends first (ixgbe_poll cleans TX
		 * before RX), charged with the run's fixed part. */
		driver_tx_clean(d, q);
	} else if (q->cur_pkt) {
		dpc_frame_done(d, q);
	} else if (q->is_cur_eq) {
		q->is_cur_eq = false;   /* an offload event's step: done at its start */
	} else {
		dpc_end(d, q);   /* the fixed cost of a run that found nothing is paid */
		return false;
	}
	if (dpc_next_step(d, q, next))
		return true;
	dpc_end(d, q);
	return false;
}

/* host.app_cpu: where each queue's flows' application reads. other: the
 * cores no queue uses, round robin (what rss.base_cpu and rss.max_cpus
 * leave the applications, as NDIS means them to), or with none the core
 * after the queue's; same: the queue's core. */
static void place_apps(struct driver *d)
{
	uint32_t *free_cores = calloc(d->ncpu, sizeof *free_cores);
	bool *is_used = calloc(d->ncpu, sizeof *is_used);
	uint32_t n_free = 0;
	sim_check(free_cores && is_used, "out of memory placing the applications");
	for (uint32_t i = 0; i < d->nq; i++)
		is_used[d->q[i].cpu] = true;
	for (uint32_t c = 0; c < d->ncpu; c++)
		if (!is_used[c])
			free_cores[n_free++] = c;
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_q *q = &d->q[i];
		if (d->cfg.app_cpu == HOST_APP_SAME)
			q->app_core = q->cpu;
		else
			q->app_core = n_free ? free_cores[i % n_free] : (q->cpu + 1) % d->ncpu;
		q->locality = cost_locality(&d->cost, q->app_core != q->cpu);
	}
	free(free_cores);
	free(is_used);
}

static void host_dma(void *opaque, uint64_t t_ps, struct bus_dma *op)
{
	(void)t_ps;
	struct driver *d = opaque;
	hostmem_dma(d->mem, op);
}

int driver_new(struct driver **out, struct sim_kernel *k, struct bus *bus, struct cpu *cpu,
	       const struct host_cfg *cfg, const struct cost_cfg *cost, const struct drv_rss_cfg *rss,
	       const struct itr_cfg *irq, const struct tx_cfg *tx, uint32_t mtu, enum parse_link link, char *err,
	       size_t err_len)
{
	struct driver *d = calloc(1, sizeof *d);
	if (!d)
		goto nomem;
	d->k = k;
	d->bus = bus;
	d->cpu = cpu;
	d->cfg = *cfg;
	d->cost = cost_at_clock(cost, cfg->clock_mhz);
	d->rss = *rss;
	d->irq = *irq;
	d->tx = *tx;
	d->mtu = mtu;
	d->link = link;
	d->ncpu = cpu_cores(cpu);
	uint32_t caps = (uint32_t)bus_reg_read(bus, sim_now_ps(k), NIC_REG_CAPS);
	uint32_t nic_queues = NIC_CAPS_QUEUES(caps);
	d->table_size = NIC_CAPS_RETA(caps);
	if (!nic_queues || !d->table_size || (d->table_size & (d->table_size - 1))) {
		snprintf(err, err_len, "host: the NIC reports %u queues and a %u-entry RETA; the driver needs both, "
			 "the table a power of two", nic_queues, d->table_size);
		driver_free(d);
		return -1;
	}
	d->nq = host_queues(cfg, nic_queues);
	/* The line rate decides whose adaptive moderation the driver runs. */
	d->link_mbps = NIC_STATUS_SPEED_MBPS((uint32_t)bus_reg_read(bus, sim_now_ps(k), NIC_REG_STATUS));
	d->itr_algo = itr_algo_for(d->link_mbps, d->nq);
	d->mem = hostmem_new();
	d->reta = calloc(d->table_size, sizeof *d->reta);
	d->lat_stride = (hist_group_bytes(LAT_COUNT) + 63) & ~(size_t)63;
	d->lat_arena_bytes = (size_t)d->nq * d->lat_stride;
	d->lat_arena = mmap(NULL, d->lat_arena_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->lat_arena == MAP_FAILED)
		d->lat_arena = NULL;
	else
		(void)madvise(d->lat_arena, d->lat_arena_bytes, MADV_HUGEPAGE); /* a hint; fine if refused */
	d->entry_frames = calloc(d->table_size, sizeof *d->entry_frames);
	d->q = sim_calloc_lines(d->nq, sizeof *d->q);
	if (!d->mem || !d->q || !d->reta || !d->entry_frames || !d->lat_arena)
		goto nomem;
	/* RSS may use CPUs base_cpu .. base_cpu + max_cpus - 1 (NDIS
	 * BaseCpuNumber / MaxProcessors; max_cpus 0 = up to the last CPU);
	 * queue q's vector and DPC go to the q-th of them, round robin, never
	 * below base_cpu. Legacy: everything on base_cpu. */
	uint32_t base = rss->base_cpu % d->ncpu;
	uint32_t span = rss->max_cpus && rss->max_cpus < d->ncpu ? rss->max_cpus : d->ncpu - base;
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_q *q = &d->q[i];
		q->d = d;
		q->index = i;
		q->cpu = (base + i % span) % d->ncpu;
		q->count = cfg->ring_entries;
		q->ring_addr = hostmem_alloc(d->mem, (uint64_t)q->count * NIC_RX_DESC_BYTES, true, NULL, NULL);
		q->buf_addr = hostmem_alloc(d->mem, (uint64_t)q->count * cfg->buf_bytes, false, buf_written, q);
		q->ring = hostmem_ptr(d->mem, q->ring_addr, (uint64_t)q->count * NIC_RX_DESC_BYTES);
		if (!q->ring_addr || !q->buf_addr || !q->ring)
			goto nomem;
		for (uint32_t s = 0; s < q->count; s++)
			repost(q, s);
		sim_event_init(&q->app.ev, "netdma-done", SIM_PRIO_HOST, app_dma_done, q);
	}
	place_apps(d);
	cpu_set_handler(cpu, CPU_WORK_ISR, isr_work, d);
	cpu_set_handler(cpu, CPU_WORK_DPC, dpc_work, d);
	cpu_set_handler(cpu, CPU_WORK_APP, app_work, d);
	if (driver_tx_new(d))
		goto nomem;
	*out = d;
	return 0;
nomem:
	snprintf(err, err_len, "host: out of memory for %u queues, %u cpus", d ? d->nq : 0, cfg->cpus);
	driver_free(d);
	return -1;
}

void driver_attach(struct driver *d, struct bus *b)
{
	b->host = (struct bus_host_if){ .host = d, .dma = host_dma, .msix = host_msix, .frame_out = NULL };
}

/* RETA register i holds entries 2i (bits 15:0) and 2i + 1 (bits 31:16). */
static void reta_write_pair(struct driver *d, uint64_t t, uint32_t i)
{
	bus_reg_write(d->bus, t, NIC_REG_RETA + 4 * i, (uint32_t)d->reta[2 * i] | (uint32_t)d->reta[2 * i + 1] << 16);
}

void driver_start(struct driver *d)
{
	struct bus *b = d->bus;
	uint64_t t = sim_now_ps(d->k);
	bus_reg_write(b, t, NIC_REG_CTRL, NIC_CTRL_RST);
	/* RSS key and indirection table: entry i -> queue i mod N. */
	for (uint32_t i = 0; i < NIC_REG_RSSRK_COUNT; i++) {
		uint32_t v = 0;
		if (4 * i < d->rss.key_len)
			memcpy(&v, d->rss.key + 4 * i, d->rss.key_len - 4 * i >= 4 ? 4 : d->rss.key_len - 4 * i);
		bus_reg_write(b, t, NIC_REG_RSSRK + 4 * i, v);
	}
	for (uint32_t e = 0; e < d->table_size; e++)
		d->reta[e] = (uint16_t)(e % d->nq);
	for (uint32_t i = 0; i < d->table_size / 2; i++)
		reta_write_pair(d, t, i);
	bus_reg_write(b, t, NIC_REG_RSSDEFQ, d->rss.default_queue);
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_q *q = &d->q[i];
		uint32_t base = NIC_REG_RXQ(i);
		bus_reg_write(b, t, base + NIC_RXQ_RDBAL, (uint32_t)q->ring_addr);
		bus_reg_write(b, t, base + NIC_RXQ_RDBAH, (uint32_t)(q->ring_addr >> 32));
		bus_reg_write(b, t, base + NIC_RXQ_BUFLEN, d->cfg.buf_bytes);
		bus_reg_write(b, t, base + NIC_RXQ_RDLEN, q->count * NIC_RX_DESC_BYTES);
		bool is_drop_en = d->cfg.rx_drop_en == HOST_DROP_EN_ON || (d->cfg.rx_drop_en == HOST_DROP_EN_AUTO && d->nq > 1);
		bus_reg_write(b, t, base + NIC_RXQ_SRRCTL, is_drop_en ? NIC_SRRCTL_DROP_EN : 0);
		/* Only the address's form matters here: the host routes a
		 * message by its data (the vector). */
		uint64_t msi = BUS_MSI_WINDOW_BASE | ((uint64_t)(q->cpu & 0xff) << 12);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_ADDR_LO, (uint32_t)msi);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_ADDR_HI, (uint32_t)(msi >> 32));
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_DATA, i);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_CTRL, 0);
		/* Adaptive: start at the driver's start value (host/itr.h) and
		 * choose after each interrupt. */
		q->itr = itr_start();
		q->itr_frames = 0;
		q->itr_bytes = 0;
		q->is_itr_due = false;
		uint32_t usecs = d->irq.mode == ITR_MODE_OFF ? 0
				 : d->irq.mode == ITR_MODE_FIXED ? d->irq.usecs : itr_usecs(d, q);
		uint32_t frames = d->irq.mode == ITR_MODE_OFF ? 1 : d->irq.frames;
		bus_reg_write(b, t, NIC_REG_EITR(i), eitr_word(d, usecs, frames));
		q->next_to_clean = 0;
		bus_reg_write(b, t, base + NIC_RXQ_RDT, q->count - 1);
		bus_reg_write(b, t, NIC_REG_EIMS(i), NIC_EIM_VECTOR);
	}
	uint32_t mrqc = d->rss.hash_types & NIC_MRQC_TYPES_MASK;
	if (d->cfg.mode != HOST_MODE_LEGACY)
		mrqc |= NIC_MRQC_RSS_EN;
	bus_reg_write(b, t, NIC_REG_MRQC, mrqc);
	bus_reg_write(b, t, NIC_REG_RCTL, NIC_RCTL_EN);
	driver_tx_start(d);
	if (d->chim)
		chimney_start(d);
}

void driver_on_deliver(struct driver *d, driver_deliver_fn fn, void *ctx)
{
	d->deliver = fn;
	d->deliver_ctx = ctx;
}

void driver_on_msix(struct driver *d, driver_msix_fn fn, void *ctx)
{
	d->on_msix = fn;
	d->on_msix_ctx = ctx;
}

void driver_free(struct driver *d)
{
	if (!d)
		return;
	chimney_free(d);
	for (uint32_t i = 0; d->q && i < d->nq; i++)
		sim_cancel(d->k, &d->q[i].app.ev);
	for (uint32_t i = 0; d->q && i < d->nq; i++) {
		for (struct pkt *p = d->q[i].landed.head, *next; p; p = next) {
			next = p->next;
			pkt_release(p);
		}
	}
	driver_tx_free(d);
	netdma_free(d->dma);
	free(d->q);
	free(d->reta);
	free(d->entry_frames);
	if (d->lat_arena)
		munmap(d->lat_arena, d->lat_arena_bytes);
	hostmem_free(d->mem);
	free(d);
}

int driver_netdma_enable(struct driver *d, const struct netdma_cfg *cfg, char *err, size_t err_len)
{
	return netdma_new(&d->dma, cfg, err, err_len);
}
const struct netdma_stats *driver_netdma_stats(const struct driver *d) { return d->dma ? netdma_stats(d->dma) : NULL; }

void driver_book_offloaded_rx(struct driver *d, uint32_t qi, uint64_t frames, uint64_t buffers, uint64_t pure_acks,
			      uint64_t data_frames, uint64_t payload_bytes)
{
	const struct drv_q *q = &d->q[qi];
	const struct cost_cfg *c = &d->cost;
	uint64_t segs = frames - pure_acks;
	d->rx_payload_bytes += payload_bytes;
	cpu_book_base(d->cpu, q->cpu, COST_T_RX_DRIVER, buffers * c->rx_pkt_cycles);
	cpu_book_base(d->cpu, q->cpu, COST_T_ACK_RX, pure_acks * c->ack_rx_cycles);
	cpu_book_base(d->cpu, q->cpu, COST_T_RX_PROTO, segs * cost_permille(c->rx_tcp_cycles, q->locality));
	cpu_book_base(d->cpu, q->cpu, COST_T_RX_CSUM, cost_per_byte(payload_bytes, c->csum_mcyc_per_byte));
	cpu_book_base(d->cpu, q->cpu, COST_T_IRQ, frames * c->irq_cycles);
	cpu_book_base(d->cpu, q->cpu, COST_T_DPC, frames * c->dpc_cycles);
	cpu_book_base(d->cpu, q->app_core, COST_T_RX_PROTO, data_frames * cost_rx_app(c, q->locality));
	cpu_book_base(d->cpu, q->app_core, COST_T_COPY_RX, cost_rx_copy(c, payload_bytes, q->locality));
}
uint64_t driver_rx_payload_bytes(const struct driver *d) { return d->rx_payload_bytes; }
uint64_t driver_tx_payload_bytes(const struct driver *d) { return d->tx_payload_bytes; }
uint32_t driver_queue_app_cpu(const struct driver *d, uint32_t q) { return d->q[q].app_core; }

uint32_t driver_queues(const struct driver *d) { return d->nq; }
uint32_t driver_cpus(const struct driver *d) { return d->ncpu; }
const struct host_queue_stats *driver_queue_stats(const struct driver *d, uint32_t q) { return &d->q[q].st; }
const struct host_cpu_stats *driver_cpu_stats(const struct driver *d, uint32_t c) { return cpu_stats(d->cpu, c); }

const struct hist *driver_queue_lat(struct driver *d, uint32_t q, enum lat_stage s)
{
	static const struct hist empty = HIST_EMPTY;
	if (!d->q[q].is_lat_ready)
		return &empty;
	return hist_group_get(lat_group(d, q), s);
}
uint64_t driver_in_flight(const struct driver *d)
{
	uint64_t n = 0;
	for (uint32_t q = 0; q < d->nq; q++)
		n += d->q[q].n_landed;
	return n;
}
uint64_t driver_bad_dma(const struct driver *d) { return hostmem_bad_dma(d->mem); }

uint32_t driver_reta_size(const struct driver *d) { return d->table_size; }
uint16_t driver_reta_get(const struct driver *d, uint32_t e) { return d->reta[e]; }
uint64_t driver_entry_frames(const struct driver *d, uint32_t e) { return d->entry_frames[e]; }
uint32_t driver_queue_cpu(const struct driver *d, uint32_t q) { return d->q[q].cpu; }

void driver_reta_set(struct driver *d, uint32_t e, uint16_t queue)
{
	sim_check(e < d->table_size && queue < d->nq, "driver_reta_set: entry or queue out of range");
	d->reta[e] = queue;
	reta_write_pair(d, sim_now_ps(d->k), e / 2);
}

bool driver_queue_is_drained(struct driver *d, uint32_t qi)
{
	struct drv_q *q = &d->q[qi];
	if (q->landed.head || q->is_dpc_queued || cpu_is_running_item(d->cpu, q->cpu, CPU_WORK_DPC, qi))
		return false;
	return bus_reg_read(d->bus, sim_now_ps(d->k), NIC_REG_RXQ(qi) + NIC_RXQ_INFLIGHT) == 0;
}

const struct stat_def host_queue_stat_defs[] = {
	STAT_DEF(struct host_queue_stats, packets, "packets", "frames", "Frames the driver processed and delivered."),
	STAT_DEF(struct host_queue_stats, bytes, "bytes", "bytes", "Their bytes."),
	{ NULL },
};
const struct stat_def host_queue_dpc_stat_defs[] = {
	STAT_DEF(struct host_queue_stats, dpc_runs, "dpc_runs", "runs", "DPC runs of the queue."),
	{ NULL },
};

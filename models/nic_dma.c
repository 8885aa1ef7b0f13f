/*
 * models/nic_dma.c — the NIC's receive DMA engine: frames that left the
 * pipeline wait in FIFO order; one transfers at a time. A frame takes its
 * queue's next descriptor (from the descriptor cache), transfers at
 * nic.dma_rate_mbps, and dma_latency_ns after the transfer its data and then
 * its write-back descriptor land in host memory; the completion goes to the
 * interrupt block.
 *
 * Descriptor fetch: when a queue's cache holds NIC_DCACHE_LOW or fewer
 * descriptors and the ring has more, one DMA read fills it. The read's tag
 * names the queue and the first descriptor, so a binding that completes reads
 * later still lands them in the right place.
 *
 * Not modelled yet (TODO(#15)): PCIe TLPs, the read round trip, asynchronous
 * completion (a descriptor is used once its read was issued), contention with
 * the host's doorbell writes.
 */
#include <string.h>

#include "models/nic_priv.h"
#include "sim/check.h"

static void dma_kick(struct nic *n);
static void rx_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg);

static void dma_engine_free(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	dma_kick(arg);
}

void nic_dma_init(struct nic *n)
{
	n->dma_ps_per_kbyte = (8000ull * 1000000ull) / n->cfg.dma_rate_mbps; /* ps for 1000 bytes */
	sim_event_init(&n->dma_ev, "nic.dma.free", SIM_PRIO_HW, dma_engine_free, n);
}

void nic_dma_drop_no_desc(struct nic *n, struct nic_rx_frame *f)
{
	n->q[f->queue].st.drop_no_desc++;
	mac_fifo_release(&n->mac, f->pkt->wire_len);
	nic_rx_drop(n, f);
}

void nic_dma_enqueue(struct nic *n, struct nic_rx_frame *f)
{
	f->next = NULL;
	if (n->dma_q.tail)
		n->dma_q.tail->next = f;
	else
		n->dma_q.head = f;
	n->dma_q.tail = f;
	dma_kick(n);
}

static struct nic_rx_frame *dma_q_pop(struct nic *n)
{
	struct nic_rx_frame *f = n->dma_q.head;
	n->dma_q.head = f->next;
	if (!n->dma_q.head)
		n->dma_q.tail = NULL;
	return f;
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
		struct nic_rx_frame *f = dma_q_pop(n);
		if (!nic_rxq_has_desc(&n->q[f->queue])) {
			nic_dma_drop_no_desc(n, f);
			continue;
		}
		nic_dma_start(n, f, now);
	}
}

void nic_dma_start(struct nic *n, struct nic_rx_frame *f, uint64_t start_ps)
{
	struct nic_rxq *q = &n->q[f->queue];
	f->slot = q->head;
	f->ring_gen = q->gen;
	f->buf_addr = q->dcache[q->dc_first];
	q->dc_first = (uint16_t)((q->dc_first + 1) % NIC_DCACHE_ENTRIES);
	q->head = (q->head + 1) % q->entries;
	if (nic_rxq_cached(q) <= NIC_DCACHE_LOW)
		nic_dma_desc_fetch(n, f->queue);
	uint64_t xfer = ((uint64_t)f->pkt->wire_len * n->dma_ps_per_kbyte + 999) / 1000;
	n->dma_free_ps = start_ps + xfer;
	sim_event_init(&f->ev, "nic.rx.dma", SIM_PRIO_HW, rx_dma_done, n);
	sim_schedule_at(n->k, &f->ev, start_ps + xfer + (uint64_t)n->cfg.dma_latency_ns * SIM_PS_PER_NS);
}

/* The write-back descriptor of a placed frame: what the host learns of it. */
static struct nic_rx_desc_wb rx_write_back(const struct nic_rx_frame *f, uint32_t placed_len)
{
	struct nic_rx_desc_wb wb = { 0 };
	wb.rss_hash = f->has_hash ? f->rss_hash : 0;
	wb.length = (uint16_t)(placed_len > 0xffff ? 0xffff : placed_len);
	wb.frame_len = f->pkt->wire_len;
	wb.status = NIC_RXD_STAT_DD | NIC_RXD_STAT_EOP | (f->has_hash ? NIC_RXD_STAT_RSS : 0) |
		    (f->is_parsed ? NIC_RXD_STAT_PARSED : 0) | (f->csum_ip != CSUM_NOT_CHECKED ? NIC_RXD_STAT_IPCS : 0) |
		    (f->csum_l4 != CSUM_NOT_CHECKED ? NIC_RXD_STAT_L4CS : 0);
	wb.errors = (f->csum_ip == CSUM_BAD ? NIC_RXD_ERR_IPE : 0) | (f->csum_l4 == CSUM_BAD ? NIC_RXD_ERR_L4E : 0);
	wb.pkt_type = f->pkt_type;
	return wb;
}

static void rx_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct nic *n = arg;
	struct nic_rx_frame *f = nic_rx_frame_of_ev(ev);
	struct nic_rxq *q = &n->q[f->queue];
	if (f->ring_gen != q->gen) {
		/* The host reset or reprogrammed the ring while the frame was in
		 * its DMA: the descriptor it was taking is gone. Dropped, counted
		 * as without a descriptor; nothing is written to host memory. */
		nic_dma_drop_no_desc(n, f);
		return;
	}
	uint64_t now = sim_now_ps(k);
	struct pkt *p = f->pkt;
	uint32_t bytes = p->wire_len;
	uint32_t len = bytes < q->buf_bytes ? bytes : q->buf_bytes;
	uint16_t queue = f->queue;
	struct nic_rx_desc_wb wb = rx_write_back(f, len);
	p->t_ps[PKT_T_DMA_DONE] = now;
	q->st.rx_packets++;
	q->st.rx_bytes += bytes;
	mac_fifo_release(&n->mac, bytes);
	n->in_flight--;
	q->inflight--;

	/* Data first, then the write-back: the driver may see DD only once
	 * the data is there (PCIe posted writes stay in order). The bus lends
	 * the frame's bytes to the host for the call; the NIC's reference ends
	 * after it. */
	struct bus_dma data = { .addr = f->buf_addr, .len = len, .is_write = true, .data = p->data, .pkt = p };
	uint64_t desc_addr = q->ring_base + (uint64_t)f->slot * NIC_RX_DESC_BYTES;
	bus_dma(n->bus, now, &data);
	struct bus_dma wbop = { .addr = desc_addr, .len = NIC_RX_DESC_BYTES, .is_write = true, .data = (uint8_t *)&wb };
	bus_dma(n->bus, now, &wbop);
	nic_rx_frame_put(n, f);
	irq_complete(n->irq, queue);
}

/* ---- descriptor fetch ---- */

/* A descriptor fetch's tag: kind in bits 63:48, queue in 47:24, first
 * descriptor in 23:0 (so NIC_RING_ENTRIES_MAX is 2^24). */
#define TAG_DESC_FETCH 1ull
#define TAG_KIND_SHIFT 48
#define TAG_QUEUE_SHIFT 24
#define TAG_FIELD_MASK 0xffffffull

void nic_dma_desc_fetch(struct nic *n, uint32_t qi)
{
	struct nic_rxq *q = &n->q[qi];
	uint64_t now = sim_now_ps(n->k);
	while (q->entries && q->fetched != q->tail) {
		uint32_t room = NIC_DCACHE_ENTRIES - nic_rxq_cached(q);
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

void nic_dma_complete(void *opaque, uint64_t t_ps, struct bus_dma *op)
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

/*
 * models/nic_dma.c — the NIC's receive DMA engine over its PCIe link
 * (models/pcie.h).
 *
 * Frames that left the pipeline wait in the packet buffer in arrival order.
 * The first goes when the link's up direction is free and its queue has a
 * landed descriptor: its data (MWr TLPs split at MPS) and then its 16-byte
 * write-back cross the link; when the write-back has landed the frame's
 * buffer room is given back, the host is written (data first, then the
 * write-back: posted writes stay in order) and the completion goes to the
 * interrupt block.
 *
 * A first frame whose queue has no landed descriptor:
 *   - the ring has descriptors (a fetch is on its way, or is issued now):
 *     it waits for the fetch to land;
 *   - the ring is empty and the queue's SRRCTL.DROP_EN is set: dropped at
 *     once, counted as no_descriptor;
 *   - the ring is empty, DROP_EN clear: it waits, and every frame behind it
 *     waits in the packet buffer, whose overflow then drops at arrival
 *     (82599 datasheet, SRRCTL.DROP_EN; Linux ixgbe_set_rx_drop_en).
 *
 * Descriptor fetch: when a queue's cache, counting a fetch on its way, holds
 * NIC_DCACHE_LOW or fewer and the ring has more, one DMA read fetches up to
 * the cache's room. A read takes an entry of the table of pending reads (as
 * many as the link has read tags); with none free, the queue waits for one.
 * The read completes through dma_complete, stamped with when it lands; a
 * binding may complete it later and in another order, and the descriptors
 * are used only once it has landed. A ring reset while a fetch is on its way
 * discards what it brings.
 */
#include <stdlib.h>
#include <string.h>

#include "models/nic_priv.h"
#include "sim/check.h"

static void rx_dma_done(struct sim_kernel *k, struct sim_event *ev, void *arg);
static void read_landed(struct sim_kernel *k, struct sim_event *ev, void *arg);

static void dma_link_free(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	(void)ev;
	nic_dma_kick(arg);
}

int nic_dma_new(struct nic *n)
{
	sim_event_init(&n->dma_ev, "nic.dma.link", SIM_PRIO_HW, dma_link_free, n);
	pcie_link_init(&n->pcie, &n->pcie_cfg);
	/* As many entries as tags, and a packet's worth more: a transmit
	 * packet's reads may share fewer tags than it has buffers. */
	n->rd_entries = n->pcie_cfg.read_tags + NIC_TX_DCACHE_ENTRIES;
	n->rd = calloc(n->rd_entries, sizeof *n->rd);
	if (!n->rd)
		return -1;
	for (uint32_t i = 0; i < n->rd_entries; i++)
		sim_event_init(&n->rd[i].ev, "nic.dma.read", SIM_PRIO_HW, read_landed, n);
	return 0;
}

void nic_dma_free(struct nic *n)
{
	if (n->k) {
		sim_cancel(n->k, &n->dma_ev);
		for (uint32_t i = 0; n->rd && i < n->rd_entries; i++)
			sim_cancel(n->k, &n->rd[i].ev);
	}
	free(n->rd);
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
	if (!n->is_dma_desc_wait && !sim_event_is_pending(&n->dma_ev))
		nic_dma_kick(n);
}

static struct nic_rx_frame *dma_q_pop(struct nic *n)
{
	struct nic_rx_frame *f = n->dma_q.head;
	n->dma_q.head = f->next;
	if (!n->dma_q.head)
		n->dma_q.tail = NULL;
	return f;
}

void nic_dma_kick(struct nic *n)
{
	n->is_dma_desc_wait = false;
	while (n->dma_q.head) {
		uint64_t now = sim_now_ps(n->k);
		uint64_t free = n->pcie.free_ps[PCIE_UP];
		if (now < free) {
			if (!sim_event_is_pending(&n->dma_ev))
				sim_schedule_at(n->k, &n->dma_ev, free);
			return;
		}
		struct nic_rx_frame *f = n->dma_q.head;
		struct nic_rxq *q = &n->q[f->queue];
		if (!f->pkt->t_ps[PKT_T_DMA_READY])
			f->pkt->t_ps[PKT_T_DMA_READY] = now;
		uint32_t need = nic_rxq_descs_for(q, f->pkt->wire_len);
		if (need > NIC_DCACHE_ENTRIES) {
			/* More buffers than the cache can ever hold at once. */
			n->st.rx_too_many_buffers++;
			mac_fifo_release(&n->mac, f->pkt->wire_len);
			nic_rx_drop(n, dma_q_pop(n));
			continue;
		}
		if (nic_rxq_cached(q) < need) {
			uint32_t ring = q->entries ? (q->tail + q->entries - q->head) % q->entries : 0;
			if (ring >= need || !q->is_drop_en) {
				/* Wait: for the fetch to land, or (DROP_EN
				 * clear) for the driver to post descriptors.
				 * The flag first: a binding may complete the
				 * fetch inside the call. */
				n->is_dma_desc_wait = true;
				nic_dma_desc_fetch(n, f->queue);
				if (nic_rxq_cached(q) < need)
					return;
				n->is_dma_desc_wait = false;
				continue;
			}
			nic_dma_drop_no_desc(n, dma_q_pop(n));
			continue;
		}
		nic_dma_start(n, dma_q_pop(n), now);
	}
}

void nic_dma_start(struct nic *n, struct nic_rx_frame *f, uint64_t start_ps)
{
	struct nic_rxq *q = &n->q[f->queue];
	struct pkt *p = f->pkt;
	uint32_t need = nic_rxq_descs_for(q, p->wire_len);
	f->slot = q->head;
	f->ring_gen = q->gen;
	f->ndesc = (uint8_t)need;
	for (uint32_t i = 0; i < need; i++) {
		f->bufs[i] = q->dcache[q->dc_first];
		q->dc_first = (uint16_t)((q->dc_first + 1) % NIC_DCACHE_ENTRIES);
	}
	q->head = (q->head + need) % q->entries;
	if (!p->t_ps[PKT_T_DMA_READY])
		p->t_ps[PKT_T_DMA_READY] = start_ps;
	p->t_ps[PKT_T_DMA_START] = start_ps;
	f->placed = p->wire_len;
	/* The link model counts TLPs from the address's offset in a 4 KB page,
	 * so a buffer at the top of the address space costs what any other
	 * does; the host's memory refuses the write (driver_bad_dma). Each
	 * buffer of a chained frame is its own write; their write-backs are
	 * one, the descriptors being consecutive (two at the ring's end). */
	uint64_t t = start_ps;
	for (uint32_t i = 0, off = 0; i < need; i++, off += q->buf_bytes) {
		uint32_t len = p->wire_len - off < q->buf_bytes ? p->wire_len - off : q->buf_bytes;
		t = pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_DATA, start_ps, f->bufs[i], len);
	}
	p->t_ps[PKT_T_DATA] = t;
	uint32_t first = need < q->entries - f->slot ? need : q->entries - f->slot;
	uint64_t done = pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_WB, start_ps, nic_rxq_desc_addr(q, f->slot),
					first * NIC_RX_DESC_BYTES);
	if (need > first)
		done = pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_WB, start_ps, nic_rxq_desc_addr(q, 0),
				       (need - first) * NIC_RX_DESC_BYTES);
	p->t_ps[PKT_T_DMA_DONE] = done;
	if (nic_rxq_cached_or_coming(q) <= NIC_DCACHE_LOW)
		nic_dma_desc_fetch(n, f->queue);
	sim_event_init(&f->ev, "nic.rx.dma", SIM_PRIO_HW, rx_dma_done, n);
	sim_schedule_at(n->k, &f->ev, done);
}

/* The write-back descriptor of a placed frame: what the host learns of it. */
static struct nic_rx_desc_wb rx_write_back(const struct nic_rx_frame *f, uint32_t placed_len, bool is_eop)
{
	struct nic_rx_desc_wb wb = { 0 };
	wb.rss_hash = f->has_hash ? f->rss_hash : 0;
	wb.length = (uint16_t)(placed_len > 0xffff ? 0xffff : placed_len);
	wb.frame_len = f->pkt->wire_len;
	wb.status = NIC_RXD_STAT_DD | (is_eop ? NIC_RXD_STAT_EOP : 0) | (f->has_hash ? NIC_RXD_STAT_RSS : 0) |
		    (f->is_parsed ? NIC_RXD_STAT_PARSED : 0) | (f->csum_ip != CSUM_NOT_CHECKED ? NIC_RXD_STAT_IPCS : 0) |
		    (f->csum_l4 != CSUM_NOT_CHECKED ? NIC_RXD_STAT_L4CS : 0);
	wb.errors = (f->csum_ip == CSUM_BAD ? NIC_RXD_ERR_IPE : 0) | (f->csum_l4 == CSUM_BAD ? NIC_RXD_ERR_L4E : 0);
	wb.pkt_type = f->pkt_type;
	return wb;
}

/* The write-back has landed: the host sees the frame. */
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
	uint16_t queue = f->queue;
	q->st.rx_packets++;
	q->st.rx_bytes += bytes;
	mac_fifo_release(&n->mac, bytes);
	n->in_flight--;
	q->inflight--;

	/* Data first, then the write-back: the driver may see DD only once
	 * the data is there (PCIe posted writes stay in order). The bus lends
	 * the frame's bytes to the host for the call; the NIC's reference ends
	 * after it. */
	for (uint32_t i = 0, off = 0; i < f->ndesc; i++, off += q->buf_bytes) {
		uint32_t len = f->placed - off < q->buf_bytes ? f->placed - off : q->buf_bytes;
		struct bus_dma data = { .addr = f->bufs[i], .len = len, .is_write = true, .data = p->data, .pkt = p };
		bus_dma(n->bus, now, &data);
	}
	for (uint32_t i = 0, off = 0; i < f->ndesc; i++, off += q->buf_bytes) {
		uint32_t len = f->placed - off < q->buf_bytes ? f->placed - off : q->buf_bytes;
		struct nic_rx_desc_wb wb = rx_write_back(f, len, i + 1 == f->ndesc);
		struct bus_dma wbop = { .addr = nic_rxq_desc_addr(q, (f->slot + i) % q->entries), .len = NIC_RX_DESC_BYTES,
					.is_write = true, .data = (uint8_t *)&wb };
		bus_dma(n->bus, now, &wbop);
	}
	nic_rx_frame_put(n, f);
	irq_complete(n->irq, queue);
}

/* ---- descriptor fetch ---- */

struct nic_dma_read *nic_dma_read_take(struct nic *n, uint32_t tags)
{
	if (n->tags_busy + tags > n->pcie_cfg.read_tags)
		return NULL;
	for (uint32_t i = 0; i < n->rd_entries; i++)
		if (!n->rd[i].is_busy) {
			struct nic_dma_read *r = &n->rd[i];
			r->is_busy = true;
			r->is_issued = false;
			r->tags = tags;
			r->kind = NIC_READ_RX_DESC;
			n->rd_busy++;
			n->tags_busy += tags;
			return r;
		}
	return NULL;
}

uint32_t nic_dma_fetch_span(struct nic *n, uint64_t ring_base, uint32_t entries, uint32_t fetched, uint32_t tail,
			    uint32_t room, uint32_t desc_bytes, uint64_t *addr)
{
	uint32_t end = tail > fetched ? tail : entries;
	uint32_t cnt = end - fetched;
	if (cnt > room)
		cnt = room;
	/* One read request, so one read tag: the fetch stops at the next
	 * MRRS-aligned address (a ring is 128-byte aligned, so this cuts only
	 * a misaligned one). */
	*addr = ring_base + (uint64_t)fetched * desc_bytes;
	uint32_t to_boundary = n->pcie_cfg.mrrs - (uint32_t)(*addr & (n->pcie_cfg.mrrs - 1));
	if (cnt > to_boundary / desc_bytes)
		cnt = to_boundary / desc_bytes ? to_boundary / desc_bytes : 1;
	if (cnt && *addr > UINT64_MAX - (uint64_t)cnt * desc_bytes) {
		/* A ring the driver placed at the top of the address space: its
		 * read would wrap. Nothing is fetched; counted. */
		n->st.bad_dma_addresses++;
		return 0;
	}
	return cnt;
}

struct nic_dma_read *nic_dma_fetch_issue(struct nic *n, enum nic_read_kind kind, uint32_t qi, uint32_t gen,
					 uint64_t addr, uint32_t cnt, uint32_t desc_bytes, uint32_t *fetch_end,
					 uint32_t new_end)
{
	struct nic_dma_read *r = nic_dma_read_take(n, 1);
	if (!r)
		return NULL;
	uint64_t now = sim_now_ps(n->k);
	uint32_t len = cnt * desc_bytes;
	r->kind = (uint8_t)kind;
	r->queue = qi;
	r->count = cnt;
	r->gen = gen;
	r->op = (struct bus_dma){ .addr = addr, .len = len, .is_write = false, .data = r->data,
				  .tag = (uint64_t)(r - n->rd),
				  .t_land_ps = pcie_link_read(&n->pcie, PCIE_CL_DESC, now, addr, len) };
	/* Before the bus: a binding may complete the read inside the call. */
	*fetch_end = new_end;
	r->is_issued = true;
	bus_dma(n->bus, now, &r->op);
	return r;
}

void nic_dma_desc_fetch(struct nic *n, uint32_t qi)
{
	struct nic_rxq *q = &n->q[qi];
	if (!q->entries || q->fetch_end != q->fetched || q->fetched == q->tail)
		return;   /* no ring, a fetch already on its way, or nothing to fetch */
	uint64_t addr;
	uint32_t cnt = nic_dma_fetch_span(n, q->ring_base, q->entries, q->fetched, q->tail,
					  NIC_DCACHE_ENTRIES - nic_rxq_cached(q), NIC_RX_DESC_BYTES, &addr);
	if (!cnt)
		return;
	if (!nic_dma_fetch_issue(n, NIC_READ_RX_DESC, qi, q->gen, addr, cnt, NIC_RX_DESC_BYTES, &q->fetch_end,
				 (q->fetched + cnt) % q->entries) &&
	    !q->is_fetch_wanted) {
		q->is_fetch_wanted = true;
		n->fetch_waiters++;
		n->st.read_tag_waits++;
	}
}

/* Queues that waited for a read tag, in queue order, while tags are free. */
static void fetch_waiters_serve(struct nic *n)
{
	for (uint32_t qi = 0; qi < n->nq && n->fetch_waiters && n->tags_busy < n->pcie_cfg.read_tags; qi++) {
		struct nic_rxq *q = &n->q[qi];
		if (!q->is_fetch_wanted)
			continue;
		q->is_fetch_wanted = false;
		n->fetch_waiters--;
		nic_dma_desc_fetch(n, qi);
	}
}

static void read_land(struct nic *n, struct nic_dma_read *r)
{
	r->is_busy = false;
	n->rd_busy--;
	n->tags_busy -= r->tags;
	if (r->kind != NIC_READ_RX_DESC) {
		/* The transmit path's; then whoever waited for the tags. */
		nic_tx_read_land(n, r);
		if (n->fetch_waiters)
			fetch_waiters_serve(n);
		nic_tx_tags_freed(n);
		return;
	}
	struct nic_rxq *q = &n->q[r->queue];
	if (r->gen == q->gen) {
		/* Descriptors [fetched, fetched + count) land behind those
		 * cached. */
		uint32_t at = q->dc_first + nic_rxq_cached(q);
		for (uint32_t i = 0; i < r->count; i++) {
			struct nic_rx_desc_read d;
			memcpy(&d, r->data + i * NIC_RX_DESC_BYTES, sizeof d);
			q->dcache[(at + i) % NIC_DCACHE_ENTRIES] = d.buf_addr;
		}
		q->fetched = q->fetch_end;
		if (nic_rxq_cached(q) <= NIC_DCACHE_LOW)
			nic_dma_desc_fetch(n, r->queue);
	}
	if (n->fetch_waiters)
		fetch_waiters_serve(n);
	nic_tx_tags_freed(n);
	if (n->is_dma_desc_wait)
		nic_dma_kick(n);
}

static void read_landed(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	read_land(n, (struct nic_dma_read *)(void *)((char *)ev - offsetof(struct nic_dma_read, ev)));
}

/* A completion from the bus: for a read the NIC has on its way (the bus
 * gives back the op it was lent, whose tag is its pending entry), once. A
 * binding that completes anything else, or a read twice, is counted and
 * ignored. */
void nic_dma_complete(void *opaque, uint64_t t_ps, struct bus_dma *op)
{
	struct nic *n = opaque;
	if (op && op->tag >= NIC_TOE_TAG_BASE) {
		nic_toe_read_complete(n, t_ps, op);
		return;
	}
	if (!op || op->tag >= n->rd_entries || !n->rd[op->tag].is_busy || op != &n->rd[op->tag].op ||
	    sim_event_is_pending(&n->rd[op->tag].ev)) {
		n->st.bad_dma_completions++;
		return;
	}
	struct nic_dma_read *r = &n->rd[op->tag];
	uint64_t now = sim_now_ps(n->k);
	if (t_ps > now)
		sim_schedule_at(n->k, &r->ev, t_ps);
	else
		read_land(n, r);
}

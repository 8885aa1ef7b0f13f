/*
 * models/nic_tx.c — the NIC's transmit path over its PCIe link
 * (models/pcie.h), with checksum insertion and TCP segmentation
 * (models/pkt/tso.h).
 *
 *   tail doorbell (TDT) -> descriptor fetch (a read) -> a whole packet's
 *   descriptors in the queue's cache -> transmit-buffer room and read tags
 *   -> data reads (one per buffer, its requests split at MRRS, completions
 *   at RCB, paying the read round trip) -> segmentation and checksums ->
 *   the wire at line rate, frame by frame -> write-back of DD (the RS
 *   descriptor) -> the queue pair's MSI-X vector, moderated with receive.
 *
 * Order: a queue's packets go in ring order; packets of all queues go to
 * the wire in the order their data reads were issued (one transmit FIFO).
 * A queue whose descriptors land starts every whole packet that room and
 * tags allow; queues that waited for room or tags are served from queue 0
 * up. (The 82599 arbitrates round robin among queues per packet without
 * DCB [recalled]; nicsim does not model that arbitration.)
 *
 * The write-back comes when the packet's data is in the transmit buffer
 * (the host's buffers are free then), not after the wire: e1000's RS
 * reports a descriptor done once processed, and only its RPS bit waits for
 * the wire (8254x SDM, TDESC.CMD) [recalled]; docs/tx.md.
 *
 * The transmit buffer (mac.tx_fifo_bytes) holds a packet's bytes from its
 * reads' issue until its last frame has left: a packet is started only when
 * all its bytes fit, contiguously (a FIFO of byte ranges). A packet with
 * more descriptors than the cache holds, a buffer longer than
 * NIC_TXD_BUF_MAX, a context that does not describe it, or bytes that do
 * not fit the buffer at all is refused: its descriptors are written back
 * done, it is counted in bad_descriptors and nothing is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "models/nic_priv.h"
#include "sim/check.h"
#include "sim/mem.h"

static const struct {
	const char *name, *desc;
} tx_lat_names[NIC_TXLAT_COUNT] = {
	[NIC_TXLAT_FETCH] = { "descriptor_fetch", "tail doorbell to the packet's descriptors landed in the NIC" },
	[NIC_TXLAT_BUFFER] = { "buffer_wait", "descriptors landed to its data reads issued (transmit-buffer room, "
					      "read tags, packets ahead of it)" },
	[NIC_TXLAT_READ] = { "data_read", "data reads issued to the last completion landed (the read round trip "
					  "and the completions' time on the link)" },
	[NIC_TXLAT_WIRE] = { "serialisation", "data in the transmit buffer to the last bit of its last frame on the "
					      "wire (segmentation, frames ahead, line rate)" },
	[NIC_TXLAT_TOTAL] = { "doorbell_to_wire", "tail doorbell to the last bit on the wire: the sum of the above" },
};
const char *nic_tx_lat_name(enum nic_tx_lat s) { return tx_lat_names[s].name; }
const char *nic_tx_lat_desc(enum nic_tx_lat s) { return tx_lat_names[s].desc; }

static void tx_wire_ev(struct sim_kernel *k, struct sim_event *ev, void *arg);
static void tx_try_start(struct nic *n, uint32_t qi);
static void tx_wb_ev(struct sim_kernel *k, struct sim_event *ev, void *arg);
static void tx_serve_waiters(struct nic *n);

static struct nic_tx_send *send_of_ev(struct sim_event *ev)
{
	return (struct nic_tx_send *)(void *)((char *)ev - offsetof(struct nic_tx_send, ev));
}
static struct nic_tx_send *send_of_wb_ev(struct sim_event *ev)
{
	return (struct nic_tx_send *)(void *)((char *)ev - offsetof(struct nic_tx_send, wb_ev));
}

int nic_tx_new(struct nic *n, const struct mac_cfg *mac_cfg)
{
	n->tq = sim_calloc_lines(n->nq, sizeof *n->tq);
	n->txbuf_mem = malloc(mac_cfg->tx_fifo_bytes);
	n->txbuf = (struct bytering){ .cap = mac_cfg->tx_fifo_bytes };
	n->tx_frame = malloc(TSO_HDR_MAX + TSO_SEND_MAX_PAYLOAD);
	n->tx_lat = calloc(1, hist_group_bytes(NIC_TXLAT_COUNT));
	sim_pool_init(&n->tx_sends, sizeof(struct nic_tx_send), offsetof(struct nic_tx_send, next));
	if (!n->tq || !n->txbuf_mem || !n->tx_frame || !n->tx_lat)
		return -1;
	hist_group_init(n->tx_lat, NIC_TXLAT_COUNT);
	return 0;
}

void nic_tx_free(struct nic *n)
{
	for (uint64_t i = 0; i < sim_pool_records(&n->tx_sends); i++) {
		struct nic_tx_send *s = sim_pool_record(&n->tx_sends, i);
		if (n->k && sim_event_is_pending(&s->ev))
			sim_cancel(n->k, &s->ev);
		if (n->k && sim_event_is_pending(&s->wb_ev))
			sim_cancel(n->k, &s->wb_ev);
	}
	sim_pool_free(&n->tx_sends);
	free(n->tq);
	free(n->txbuf_mem);
	free(n->tx_frame);
	free(n->tx_lat);
}

static void txq_set_ring(struct nic_txq *q)
{
	q->entries = q->ring_bytes / NIC_TX_DESC_BYTES;
	q->head = q->tail = q->fetched = q->fetch_end = q->dc_first = 0;
	q->gen++;   /* packets on their way lose their write-back; fetches their landing */
}

void nic_tx_reset(struct nic *n)
{
	n->tctl = 0;
	for (uint32_t qi = 0; qi < n->nq; qi++) {
		struct nic_txq *q = &n->tq[qi];
		q->ring_bytes = 0;
		q->is_enabled = false;
		q->is_fetch_wanted = false;
		q->is_start_wanted = false;
		txq_set_ring(q);
	}
	n->tx_start_waiters = 0;
	n->tx_fetch_waiters = 0;
}

static uint64_t txq_desc_addr(const struct nic_txq *q, uint32_t slot)
{
	return q->ring_base + (uint64_t)slot * NIC_TX_DESC_BYTES;
}
static uint32_t txq_cached(const struct nic_txq *q) { return (q->fetched + q->entries - q->head) % q->entries; }
static uint32_t txq_cached_or_coming(const struct nic_txq *q)
{
	return (q->fetch_end + q->entries - q->head) % q->entries;
}

/* Fetch descriptors for the queue if its cache runs low and the ring has more. */
static void tx_fetch(struct nic *n, uint32_t qi)
{
	struct nic_txq *q = &n->tq[qi];
	if (!q->entries || !q->is_enabled || q->fetch_end != q->fetched || q->fetched == q->tail)
		return;
	uint64_t addr;
	uint32_t cnt = nic_dma_fetch_span(n, q->ring_base, q->entries, q->fetched, q->tail,
					  NIC_TX_DCACHE_ENTRIES - txq_cached(q), NIC_TX_DESC_BYTES, &addr);
	if (!cnt)
		return;
	q->fetch_doorbell = q->t_doorbell;
	if (!nic_dma_fetch_issue(n, NIC_READ_TX_DESC, qi, q->gen, addr, cnt, NIC_TX_DESC_BYTES, &q->fetch_end,
				 (q->fetched + cnt) % q->entries) &&
	    !q->is_fetch_wanted) {
		q->is_fetch_wanted = true;
		n->tx_fetch_waiters++;
		n->tx_st.tag_waits++;
	}
}

static const uint8_t *txq_desc(const struct nic_txq *q, uint32_t i)
{
	return q->dcache[(q->dc_first + i) % NIC_TX_DCACHE_ENTRIES];
}

/* Take n descriptors off the head of the queue's cache. */
static void txq_consume(struct nic_txq *q, uint32_t cnt)
{
	q->dc_first = (uint16_t)((q->dc_first + cnt) % NIC_TX_DCACHE_ENTRIES);
	q->head = (q->head + cnt) % q->entries;
}

/* The descriptor desc (as the NIC read it) with DD set, written into the
 * host's ring at slot: what the host sees once a write-back lands. */
static void tx_dd_write(struct nic *n, struct nic_txq *q, uint32_t slot, const uint8_t *desc, uint64_t now)
{
	struct nic_tx_desc_data d;
	memcpy(&d, desc, sizeof d);
	d.olinfo_status |= NIC_TXD_STAT_DD;
	struct bus_dma op = { .addr = txq_desc_addr(q, slot), .len = NIC_TX_DESC_BYTES, .is_write = true,
			      .data = (uint8_t *)&d };
	bus_dma(n->bus, now, &op);
}

/* The packet at the head of the queue's cache, if it is all there: its
 * descriptor count (context included), or 0. */
static uint32_t txq_packet_descs(const struct nic_txq *q)
{
	uint32_t cached = txq_cached(q);
	for (uint32_t i = 0; i < cached; i++) {
		struct nic_tx_desc_data d;
		memcpy(&d, txq_desc(q, i), sizeof d);
		if ((d.cmd_type_len & NIC_TXD_DTYP_MASK) == NIC_TXD_DTYP_DATA && (d.cmd_type_len & NIC_TXD_CMD_EOP))
			return i + 1;
	}
	return 0;
}

/* Refuse the packet of cnt descriptors at the head: every descriptor done,
 * nothing sent. */
static void tx_refuse(struct nic *n, uint32_t qi, uint32_t cnt)
{
	struct nic_txq *q = &n->tq[qi];
	uint64_t now = sim_now_ps(n->k);
	n->tx_st.bad_descriptors++;
	/* Each a 16-byte MWr on the up link; the host takes them now (no send
	 * lives on to carry a landing event). */
	for (uint32_t i = 0; i < cnt; i++) {
		uint32_t slot = (q->head + i) % q->entries;
		pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_WB, now, txq_desc_addr(q, slot), NIC_TX_DESC_BYTES);
		tx_dd_write(n, q, slot, txq_desc(q, i), now);
	}
	txq_consume(q, cnt);
	irq_complete(n->irq, qi);
}

/* What the packet's cnt descriptors ask: the send's length and offloads;
 * *first = 1 when the first is a context descriptor. False: the NIC cannot
 * take it. */
static bool tx_packet_parse(struct nic *n, struct nic_txq *q, uint32_t cnt, struct nic_tx_send *s, uint32_t *first)
{
	uint32_t len = 0;
	memset(&s->off, 0, sizeof s->off);
	struct nic_tx_desc_ctx c;
	memcpy(&c, txq_desc(q, 0), sizeof c);
	*first = 0;
	if ((c.type_tucmd_mlhl & NIC_TXD_DTYP_MASK) == NIC_TXD_DTYP_CTXT) {
		q->ctx = c;
		*first = 1;
	}
	if (*first == cnt)
		return false;   /* a context descriptor and no data */
	for (uint32_t i = *first; i < cnt; i++) {
		struct nic_tx_desc_data d;
		memcpy(&d, txq_desc(q, i), sizeof d);
		if ((d.cmd_type_len & NIC_TXD_DTYP_MASK) != NIC_TXD_DTYP_DATA)
			return false;
		uint32_t blen = NIC_TXD_DTALEN(d.cmd_type_len);
		if (!blen || blen > NIC_TXD_BUF_MAX || d.buf_addr > UINT64_MAX - blen)
			return false;
		len += blen;
	}
	struct nic_tx_desc_data fd, ld;
	memcpy(&fd, txq_desc(q, *first), sizeof fd);
	memcpy(&ld, txq_desc(q, cnt - 1), sizeof ld);
	memcpy(s->rs_desc, &ld, sizeof s->rs_desc);
	s->is_rs = (ld.cmd_type_len & NIC_TXD_CMD_RS) != 0;
	s->rs_slot = (q->head + cnt - 1) % q->entries;
	s->len = len;
	if (len > TSO_HDR_MAX + TSO_SEND_MAX_PAYLOAD || len > n->mac.cfg.tx_fifo_bytes)
		return false;
	bool tse = fd.cmd_type_len & NIC_TXD_CMD_TSE;
	bool ixsm = fd.olinfo_status & NIC_TXD_POPTS_IXSM, txsm = fd.olinfo_status & NIC_TXD_POPTS_TXSM;
	if (!tse && len > n->mac.cfg.mtu + NIC_TX_L2_MAX)
		return false;   /* longer than the port takes, and not to be segmented */
	if (tse || ixsm || txsm) {
		struct tx_offload *o = &s->off;
		o->l3_len = (uint16_t)NIC_TXD_IPLEN(q->ctx.vlan_macip_lens);
		o->l2_len = (uint16_t)NIC_TXD_MACLEN(q->ctx.vlan_macip_lens);
		o->l4_len = (uint16_t)NIC_TXD_L4LEN(q->ctx.mss_l4len_idx);
		o->mss = (uint16_t)NIC_TXD_MSS(q->ctx.mss_l4len_idx);
		o->is_ipv6 = !(q->ctx.type_tucmd_mlhl & NIC_TXD_TUCMD_IPV4);
		o->l4 = (q->ctx.type_tucmd_mlhl & NIC_TXD_L4T_MASK) == NIC_TXD_TUCMD_L4T_TCP ? PARSE_L4_TCP : PARSE_L4_UDP;
		o->do_ip_csum = (ixsm || tse) && !o->is_ipv6;
		o->do_l4_csum = txsm || tse;
		o->do_tso = tse && o->l4 == PARSE_L4_TCP;
		uint32_t hdr = (uint32_t)o->l2_len + o->l3_len + o->l4_len;
		if (!o->l3_len || hdr > len || hdr > TSO_HDR_MAX || (tse && (!o->do_tso || !o->mss)))
			return false;
		/* Every frame of a large send must fit the port: headers + MSS. */
		if (o->do_tso && ((uint32_t)o->l3_len + o->l4_len + o->mss > n->mac.cfg.mtu ||
				  len - hdr > TSO_SEND_MAX_PAYLOAD))
			return false;
	}
	return true;
}

/* Read requests (so read tags) a buffer's read makes: one per MRRS-aligned block. */
static uint32_t buf_tags(const struct nic *n, uint64_t addr, uint32_t len)
{
	uint32_t mrrs = n->pcie_cfg.mrrs;
	return (uint32_t)(((addr & (mrrs - 1)) + len + mrrs - 1) / mrrs);
}

/* Start the packets at the head of the queue while they are whole, and
 * buffer room and read tags allow. */
static void tx_try_start(struct nic *n, uint32_t qi)
{
	struct nic_txq *q = &n->tq[qi];
	while (q->is_enabled && q->entries && (n->tctl & NIC_TCTL_EN)) {
		uint32_t cnt = txq_packet_descs(q);
		if (!cnt) {
			if (txq_cached(q) == NIC_TX_DCACHE_ENTRIES) {
				/* A packet longer than the cache: never whole. */
				tx_refuse(n, qi, NIC_TX_DCACHE_ENTRIES);
				continue;
			}
			tx_fetch(n, qi);   /* the rest of it, however full the cache is */
			break;
		}
		struct nic_tx_send *s = sim_pool_take(&n->tx_sends);
		if (!s)
			return;   /* out of memory: the packet waits (a later event retries) */
		uint32_t first;
		if (!tx_packet_parse(n, q, cnt, s, &first)) {
			sim_pool_give(&n->tx_sends, s);
			tx_refuse(n, qi, cnt);
			continue;
		}
		/* Read tags: one per MRRS-sized request of each buffer. */
		uint32_t bufs = cnt - first, blen[NIC_TX_DCACHE_ENTRIES], btags[NIC_TX_DCACHE_ENTRIES];
		uint64_t baddr[NIC_TX_DCACHE_ENTRIES];
		uint32_t tags = 0;
		for (uint32_t b = 0; b < bufs; b++) {
			struct nic_tx_desc_data d;
			memcpy(&d, txq_desc(q, first + b), sizeof d);
			baddr[b] = d.buf_addr;
			blen[b] = NIC_TXD_DTALEN(d.cmd_type_len);
			btags[b] = buf_tags(n, baddr[b], blen[b]);
			tags += btags[b];
		}
		/* A packet that needs more than all the tags takes them all (its
		 * reads then hold none of their own: it waits for an idle link). */
		if (tags > n->pcie_cfg.read_tags)
			tags = n->pcie_cfg.read_tags;
		/* Tags first: room once taken is given back only in FIFO order. */
		uint32_t off = 0, taken = 0;
		bool has_tags = n->tags_busy + tags <= n->pcie_cfg.read_tags;
		bool has_room = has_tags && bytering_take(&n->txbuf, s->len, &off, &taken);
		if (!has_room || !has_tags) {
			sim_pool_give(&n->tx_sends, s);
			if (!q->is_start_wanted) {
				q->is_start_wanted = true;
				n->tx_start_waiters++;
				if (!has_tags)
					n->tx_st.tag_waits++;
				else
					n->tx_st.buffer_waits++;
			}
			return;
		}
		uint64_t now = sim_now_ps(n->k);
		s->queue = qi;
		s->gen = q->gen;
		s->buf_off = off;
		s->buf_room = taken;
		if (n->txbuf.used > n->tx_st.buffer_peak_bytes)
			n->tx_st.buffer_peak_bytes = n->txbuf.used;
		uint32_t eop = (q->dc_first + cnt - 1) % NIC_TX_DCACHE_ENTRIES;
		s->t_doorbell = q->dc_doorbell[eop];
		s->t_desc = q->dc_landed[eop];
		s->t_read = now;
		s->is_wire_done = false;
		s->is_wb_pending = false;
		s->reads_pending = 0;
		s->seg_next = 0;
		s->segs = s->off.do_tso ? tso_segment_count(&s->off, s->len) : 1;
		s->next = NULL;
		sim_event_init(&s->ev, "nic.tx.wire", SIM_PRIO_HW, tx_wire_ev, n);
		sim_event_init(&s->wb_ev, "nic.tx.wb", SIM_PRIO_HW, tx_wb_ev, n);
		if (n->tx_fifo.tail)
			n->tx_fifo.tail->next = s;
		else
			n->tx_fifo.head = s;
		n->tx_fifo.tail = s;
		n->tq[qi].st.sends++;
		/* The data reads, one per buffer, into the send's place; the
		 * tags counted above are shared out (the last takes what is
		 * left; with them all taken, later reads may hold none). */
		struct nic_dma_read *reads[NIC_TX_DCACHE_ENTRIES];
		uint32_t at = off, left = tags;
		for (uint32_t b = 0; b < bufs; b++) {
			uint32_t t = b + 1 == bufs || btags[b] > left ? left : btags[b];
			left -= t;
			struct nic_dma_read *r = nic_dma_read_take(n, t);
			sim_check(r != NULL, "tags and entries were counted free above");
			r->kind = NIC_READ_TX_DATA;
			r->queue = qi;
			r->gen = q->gen;
			r->send = s;
			s->reads_pending++;
			r->op = (struct bus_dma){ .addr = baddr[b], .len = blen[b], .is_write = false,
						  .data = n->txbuf_mem + at, .tag = (uint64_t)(r - n->rd),
						  .t_land_ps = pcie_link_read(&n->pcie, PCIE_CL_DATA, now, baddr[b], blen[b]) };
			reads[b] = r;
			at += blen[b];
		}
		/* Issued once all are counted: a binding may complete a read
		 * inside the call. */
		txq_consume(q, cnt);
		for (uint32_t b = 0; b < bufs; b++) {
			reads[b]->is_issued = true;
			bus_dma(n->bus, now, &reads[b]->op);
		}
		if (txq_cached_or_coming(q) <= NIC_TX_DCACHE_LOW)
			tx_fetch(n, qi);
	}
	if (q->entries && txq_cached_or_coming(q) <= NIC_TX_DCACHE_LOW)
		tx_fetch(n, qi);
}

/* Queues that waited for room or tags, in turn from queue 0. */
static void tx_serve_waiters(struct nic *n)
{
	for (uint32_t qi = 0; qi < n->nq && n->tx_start_waiters; qi++) {
		struct nic_txq *q = &n->tq[qi];
		if (q->is_start_wanted) {
			q->is_start_wanted = false;
			n->tx_start_waiters--;
			tx_try_start(n, qi);
		}
	}
	for (uint32_t qi = 0; qi < n->nq && n->tx_fetch_waiters; qi++) {
		struct nic_txq *q = &n->tq[qi];
		if (q->is_fetch_wanted && n->tags_busy < n->pcie_cfg.read_tags) {
			q->is_fetch_wanted = false;
			n->tx_fetch_waiters--;
			tx_fetch(n, qi);
		}
	}
}

void nic_tx_tags_freed(struct nic *n)
{
	if (n->tx_start_waiters || n->tx_fetch_waiters)
		tx_serve_waiters(n);
}

/* The wire: the FIFO's head goes when its data is in and the wire free. */
static void tx_wire_kick(struct nic *n)
{
	struct nic_tx_send *s = n->tx_fifo.head;
	if (!s || s->reads_pending || sim_event_is_pending(&s->ev))
		return;
	uint64_t now = sim_now_ps(n->k);
	uint64_t at = n->tx_wire_free_ps > now ? n->tx_wire_free_ps : now;
	if (n->tx_engine_free_ps > at)
		at = n->tx_engine_free_ps;   /* the engine is still on the frame before */
	sim_schedule_at(n->k, &s->ev, at);
}

/* The send leaves the NIC once its last frame is out and its write-back has
 * landed. */
static void tx_send_put(struct nic *n, struct nic_tx_send *s)
{
	if (s->is_wire_done && !s->is_wb_pending)
		sim_pool_give(&n->tx_sends, s);
}

/* The send's last bit left: its buffer room comes free, the next goes. */
static void tx_send_done(struct nic *n, struct nic_tx_send *s)
{
	n->tx_fifo.head = s->next;
	if (!n->tx_fifo.head)
		n->tx_fifo.tail = NULL;
	bytering_give(&n->txbuf, s->buf_room);   /* the FIFO gives back in the order it took */
	uint64_t *st = hist_group_next(n->tx_lat);
	st[NIC_TXLAT_FETCH] = s->t_desc - s->t_doorbell;
	st[NIC_TXLAT_BUFFER] = s->t_read - s->t_desc;
	st[NIC_TXLAT_READ] = s->t_data - s->t_read;
	st[NIC_TXLAT_WIRE] = s->t_wire_end - s->t_data;
	st[NIC_TXLAT_TOTAL] = s->t_wire_end - s->t_doorbell;
	hist_group_commit_n(n->tx_lat, NIC_TXLAT_COUNT);
	s->is_wire_done = true;
	tx_send_put(n, s);
	if (n->tx_start_waiters)
		tx_serve_waiters(n);
	tx_wire_kick(n);
}

/* The write-back has landed: the host may clean the send's descriptors. */
static void tx_wb_ev(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	struct nic_tx_send *s = send_of_wb_ev(ev);
	struct nic_txq *q = &n->tq[s->queue];
	s->is_wb_pending = false;
	if (s->gen == q->gen) {
		tx_dd_write(n, q, s->rs_slot, s->rs_desc, sim_now_ps(n->k));
		irq_complete(n->irq, s->queue);
	}
	tx_send_put(n, s);
}

/* The send's next frame starts on the wire now (or, after its last, its
 * last bit has left). */
static void tx_wire_ev(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct nic *n = arg;
	struct nic_tx_send *s = send_of_ev(ev);
	uint64_t now = sim_now_ps(k);
	if (s->seg_next == s->segs) {
		tx_send_done(n, s);
		return;
	}
	if (n->tx_wire_free_ps > now) {   /* the offload engine's frame took the wire first */
		sim_schedule_at(k, &s->ev, n->tx_wire_free_ps);
		return;
	}
	uint8_t *bytes = n->txbuf_mem + s->buf_off, *frame = bytes;
	uint32_t len = s->len;
	if (s->off.do_tso) {
		frame = n->tx_frame;
		len = tso_segment(&s->off, bytes, s->len, s->seg_next, frame, TSO_HDR_MAX + TSO_SEND_MAX_PAYLOAD);
		n->tx_st.tso_frames++;
	} else if (s->off.do_ip_csum || s->off.do_l4_csum) {
		tx_csum_insert(&s->off, frame, len);   /* in place: the buffer's copy goes to the wire once */
	}
	if (s->off.do_ip_csum)
		n->tx_st.ip_csum_inserted++;
	if (s->off.do_l4_csum)
		n->tx_st.l4_csum_inserted++;
	/* The engine works on a frame as it streams to the wire: one pass at
	 * the checksum engine's width, overlapped with the frame before. */
	uint32_t cyc = (s->off.do_l4_csum || s->off.do_tso) ? csum_cycles(len, n->cfg.csum_width_bytes) : 0;
	n->tx_st.engine_cycles += cyc;
	uint64_t wire_ps = eth_wire_time_ps(len, n->mac.cfg.rate_mbps, n->mac.cfg.fcs_bytes, n->mac.cfg.overhead_bytes);
	struct nic_txq *q = &n->tq[s->queue];
	q->st.tx_packets++;
	q->st.tx_bytes += len;
	if (len) {
		struct pkt fr = { .refs = 1, .wire_len = len, .cap_len = len, .data_cap = len, .data = frame };
		fr.t_ps[PKT_T_WIRE] = now;
		bus_frame_out(n->bus, now, &fr);
	}
	s->seg_next++;
	uint64_t end = now + wire_ps;
	n->tx_wire_free_ps = end;
	uint64_t ready = n->tx_engine_free_ps > now ? n->tx_engine_free_ps : now;
	n->tx_engine_free_ps = ready + sim_clock_cycles_to_ps(&n->clk, cyc);
	if (s->seg_next == s->segs) {
		s->t_wire_end = end;
		sim_schedule_at(k, &s->ev, end);
	} else {
		uint64_t next = end > n->tx_engine_free_ps ? end : n->tx_engine_free_ps;
		sim_schedule_at(k, &s->ev, next);
	}
}

/* A send's data has all landed: its write-back goes up, and it goes to the wire. */
static void tx_data_landed(struct nic *n, struct nic_tx_send *s)
{
	uint64_t now = sim_now_ps(n->k);
	s->t_data = now;
	struct nic_txq *q = &n->tq[s->queue];
	if (s->off.do_tso && s->segs > 1)
		q->st.tso_sends++;
	if (s->is_rs) {
		s->is_wb_pending = true;
		uint64_t done = pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_WB, now, txq_desc_addr(q, s->rs_slot),
						NIC_TX_DESC_BYTES);
		sim_schedule_at(n->k, &s->wb_ev, done);
	}
	tx_wire_kick(n);
}

void nic_tx_read_land(struct nic *n, struct nic_dma_read *r)
{
	if (r->kind == NIC_READ_TX_DATA) {
		struct nic_tx_send *s = r->send;
		sim_check(s->reads_pending > 0, "a transmit read lands for a send that waits for none");
		if (--s->reads_pending == 0)
			tx_data_landed(n, s);
		return;
	}
	struct nic_txq *q = &n->tq[r->queue];
	if (r->gen != q->gen)
		return;
	uint32_t at = q->dc_first + txq_cached(q);
	uint64_t now = sim_now_ps(n->k);
	for (uint32_t i = 0; i < r->count; i++) {
		uint32_t e = (at + i) % NIC_TX_DCACHE_ENTRIES;
		memcpy(q->dcache[e], r->data + i * NIC_TX_DESC_BYTES, NIC_TX_DESC_BYTES);
		q->dc_doorbell[e] = q->fetch_doorbell;
		q->dc_landed[e] = now;
	}
	q->fetched = q->fetch_end;
	tx_try_start(n, r->queue);
	/* Fetch on even when a packet waits for room or tags (tx_try_start
	 * returns then without fetching). */
	if (txq_cached_or_coming(q) <= NIC_TX_DCACHE_LOW)
		tx_fetch(n, r->queue);
}

uint32_t nic_txq_read(struct nic *n, uint32_t qi, uint32_t off)
{
	struct nic_txq *q = &n->tq[qi];
	switch (off) {
	case NIC_TXQ_TDBAL: return (uint32_t)q->ring_base;
	case NIC_TXQ_TDBAH: return (uint32_t)(q->ring_base >> 32);
	case NIC_TXQ_TDLEN: return q->ring_bytes;
	case NIC_TXQ_TDH: return q->head;
	case NIC_TXQ_TDT: return q->tail;
	case NIC_TXQ_TXDCTL: return q->is_enabled ? NIC_TXDCTL_ENABLE : 0;
	case NIC_TXQ_STAT_PKTS: return (uint32_t)q->st.tx_packets;
	}
	nic_reg_unknown(n, NIC_REG_TXQ(qi) + off, false);
	return 0;
}

void nic_txq_write(struct nic *n, uint32_t qi, uint32_t off, uint32_t v)
{
	struct nic_txq *q = &n->tq[qi];
	switch (off) {
	case NIC_TXQ_TDBAL: q->ring_base = (q->ring_base & ~0xffffffffull) | v; return;
	case NIC_TXQ_TDBAH: q->ring_base = (q->ring_base & 0xffffffffull) | ((uint64_t)v << 32); return;
	case NIC_TXQ_TDLEN:
		if (v / NIC_TX_DESC_BYTES > NIC_RING_ENTRIES_MAX || v % 128u) {
			nic_reg_unknown(n, NIC_REG_TXQ(qi) + off, true);
			return;
		}
		q->ring_bytes = v;
		txq_set_ring(q);
		return;
	case NIC_TXQ_TXDCTL:
		q->is_enabled = v & NIC_TXDCTL_ENABLE;
		if (q->is_enabled)
			tx_try_start(n, qi);
		return;
	case NIC_TXQ_TDT:
		if (q->entries && v < q->entries) {
			if (v != q->tail)
				q->t_doorbell = sim_now_ps(n->k);
			q->tail = v;
			if (txq_cached_or_coming(q) <= NIC_TX_DCACHE_LOW)
				tx_fetch(n, qi);
		} else {
			nic_reg_unknown(n, NIC_REG_TXQ(qi) + off, true);
		}
		return;
	}
	nic_reg_unknown(n, NIC_REG_TXQ(qi) + off, true);
}

const struct nic_txq_stats *nic_txq_stats(const struct nic *n, uint32_t q) { return &n->tq[q].st; }
const struct nic_tx_stats *nic_tx_stats(const struct nic *n) { return &n->tx_st; }
const struct hist *nic_tx_lat(struct nic *n, enum nic_tx_lat s) { return hist_group_get(n->tx_lat, s); }
uint64_t nic_tx_in_flight(const struct nic *n)
{
	uint64_t c = 0;
	for (const struct nic_tx_send *s = n->tx_fifo.head; s; s = s->next)
		c++;
	return c;
}

const struct stat_def nic_txq_stat_defs[] = {
	STAT_DEF(struct nic_txq_stats, tx_packets, "tx_packets", "frames", "Frames this queue put on the wire."),
	STAT_DEF(struct nic_txq_stats, tx_bytes, "tx_bytes", "bytes", "Their bytes (no FCS)."),
	STAT_DEF(struct nic_txq_stats, sends, "tx_sends", "packets", "Packets taken from the ring (a large send is one)."),
	STAT_DEF(struct nic_txq_stats, tso_sends, "tx_tso_sends", "packets", "Of them, segmented by the NIC into several frames."),
	{ NULL },
};
const struct stat_def nic_tx_stat_defs[] = {
	STAT_DEF(struct nic_tx_stats, ip_csum_inserted, "ip_csum_inserted", "frames", "Frames whose IPv4 header checksum the NIC computed."),
	STAT_DEF(struct nic_tx_stats, l4_csum_inserted, "l4_csum_inserted", "frames", "Frames whose TCP/UDP checksum the NIC computed."),
	STAT_DEF(struct nic_tx_stats, tso_frames, "tso_frames", "frames", "Frames made by TCP segmentation."),
	STAT_DEF(struct nic_tx_stats, bad_descriptors, "bad_descriptors", "packets",
		 "Packets refused: descriptors the NIC cannot take (type, length, context, too many); written back, not sent."),
	STAT_DEF(struct nic_tx_stats, buffer_waits, "buffer_waits", "packets", "Packets that waited for transmit-buffer room (mac.tx_fifo_bytes)."),
	STAT_DEF(struct nic_tx_stats, tag_waits, "tag_waits", "reads", "Transmit reads that waited for read tags (pcie.read_tags)."),
	STAT_DEF(struct nic_tx_stats, buffer_peak_bytes, "buffer_peak_bytes", "bytes", "The most the transmit buffer held."),
	STAT_DEF(struct nic_tx_stats, engine_cycles, "engine_cycles", "cycles", "Busy cycles of the segmentation/checksum engine."),
	{ NULL },
};

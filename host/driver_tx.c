/*
 * host/driver_tx.c — the driver's transmit side, as ixgbe's: per queue pair
 * a TX ring and a data arena, a software queue of sends waiting for ring
 * room, a transmit work item on the queue's CPU that posts them, and the
 * cleaning of completed sends at the start of the queue pair's DPC (ixgbe
 * cleans TX before RX in its poll, ixgbe_poll).
 *
 * Which queue: the queue pair the connection receives on. The driver hashes
 * the send's reverse tuple (its destination is the receive side's source)
 * with its RSS key and looks the hash up in its copy of the table, so a
 * connection's sends and their completions stay on its RSS CPU [choice:
 * NDIS sends on the CPU the application runs on; with RSS, the DPC's].
 *
 * A send (host/txstack.h) is posted as (docs/tx.md):
 *   - the NIC segments it (tx.lso on, TCP, payload longer than its MSS): a
 *     context descriptor (MACLEN, IPLEN, L4LEN, MSS, L4T) and data
 *     descriptors of at most 16 KiB each, the first with TSE, IXSM, TXSM;
 *   - the host segments it (tx.lso off and longer than the MTU, a TSO
 *     super-frame in the capture): each frame built in software
 *     (models/pkt/tso.h) and posted on its own;
 *   - otherwise one frame.
 * With tx.csum on every TCP/UDP frame asks the NIC for its checksums (IXSM
 * for IPv4, TXSM); off, the host computes them in software and pays
 * cost.csum_mcyc_per_byte over the bytes it sums. RS is set on every
 * packet's last descriptor, as ixgbe does.
 *
 * The send's bytes are copied into the arena, where the NIC's reads find
 * them (the copy is what cost.tx_copy_mcyc_per_byte charges).
 */
#include <stdlib.h>
#include <string.h>

#include "host/driver_priv.h"
#include "models/pkt/rss_toeplitz.h"
#include "sim/check.h"

/* Bytes of data arena per queue: a few 64 KiB sends in flight (a choice
 * [A]; Linux's limit is the socket's send buffer, which is larger). A send
 * waits in the software queue while the arena or the ring has no room. */
#define DRV_TX_ARENA_BYTES (1u << 20)

static const struct {
	const char *name, *desc;
} tx_lat_names[HTX_COUNT] = {
	[HTX_COALESCE] = { "coalesce", "its first segment in the capture to the stack handing the send to the driver "
				       "(segments coalesced into one large send; 0 without)" },
	[HTX_POST] = { "post", "handed to the driver to its descriptors written and the tail doorbell rung (the "
			       "CPU, the software queue, room in the ring)" },
	[HTX_COMPLETE] = { "complete", "doorbell to the interrupt that covers its write-back (the NIC's fetch and "
				       "reads, its write-back, interrupt moderation; to the DPC that cleaned it when no "
				       "interrupt came first)" },
	[HTX_CLEAN] = { "clean", "that interrupt to the DPC cleaning it (the ISR, the core, the DPC's work ahead of it)" },
	[HTX_TOTAL] = { "host_total", "first segment to cleaned: the sum of the above" },
};
const char *driver_tx_lat_name(enum host_tx_lat s) { return tx_lat_names[s].name; }
const char *driver_tx_lat_desc(enum host_tx_lat s) { return tx_lat_names[s].desc; }

static bool tx_work(void *owner, uint32_t core, uint32_t qi, bool is_start, struct cost_charge *next);

int driver_tx_new(struct driver *d)
{
	d->tx_lat = calloc(1, hist_group_bytes(HTX_COUNT));
	d->tx_hash = malloc(sizeof *d->tx_hash);
	if (!d->tx_lat || !d->tx_hash)
		return -1;
	hist_group_init(d->tx_lat, HTX_COUNT);
	rss_toeplitz_setkey(d->tx_hash, d->rss.key, d->rss.key_len);
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_txq *t = &d->q[i].tx;
		t->count = d->cfg.tx_ring_entries;
		t->free_desc = t->count - 1;
		t->ring_addr = hostmem_alloc(d->mem, (uint64_t)t->count * NIC_TX_DESC_BYTES, true, NULL, NULL);
		t->ring = t->ring_addr ? hostmem_ptr(d->mem, t->ring_addr, (uint64_t)t->count * NIC_TX_DESC_BYTES) : NULL;
		t->arena_addr = hostmem_alloc(d->mem, DRV_TX_ARENA_BYTES, true, NULL, NULL);
		t->arena = t->arena_addr ? hostmem_ptr(d->mem, t->arena_addr, DRV_TX_ARENA_BYTES) : NULL;
		t->room = (struct bytering){ .cap = DRV_TX_ARENA_BYTES };
		t->posted = calloc(t->count, sizeof *t->posted);
		t->backlog = calloc(d->cfg.tx_backlog_pkts, sizeof *t->backlog);
		if (!t->ring || !t->arena || !t->posted || !t->backlog)
			return -1;
	}
	cpu_set_handler(d->cpu, CPU_WORK_TX, tx_work, d);
	return 0;
}

void driver_tx_free(struct driver *d)
{
	for (uint32_t i = 0; d->q && i < d->nq; i++) {
		struct drv_txq *t = &d->q[i].tx;
		for (uint32_t j = 0; t->posted && j < t->posted_n; j++)
			pkt_release(t->posted[(t->posted_head + j) % t->count].pkt);
		for (uint32_t j = 0; t->backlog && j < t->bl_n; j++)
			pkt_release(t->backlog[(t->bl_head + j) % d->cfg.tx_backlog_pkts].pkt);
		free(t->posted);
		free(t->backlog);
	}
	free(d->tx_lat);
	free(d->tx_hash);
}

void driver_tx_start(struct driver *d)
{
	struct bus *b = d->bus;
	uint64_t t = sim_now_ps(d->k);
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_txq *q = &d->q[i].tx;
		uint32_t base = NIC_REG_TXQ(i);
		bus_reg_write(b, t, base + NIC_TXQ_TDBAL, (uint32_t)q->ring_addr);
		bus_reg_write(b, t, base + NIC_TXQ_TDBAH, (uint32_t)(q->ring_addr >> 32));
		bus_reg_write(b, t, base + NIC_TXQ_TDLEN, q->count * NIC_TX_DESC_BYTES);
		bus_reg_write(b, t, base + NIC_TXQ_TXDCTL, NIC_TXDCTL_ENABLE);
	}
	bus_reg_write(b, t, NIC_REG_TCTL, NIC_TCTL_EN);
}

/* The queue pair a send's connection receives on. */
static uint32_t tx_queue_of(struct driver *d, const struct pkt *p)
{
	if (d->nq == 1)
		return 0;
	struct parse_result pr;
	parse_frame(p->data, p->cap_len, p->wire_len, d->link, &pr);
	if (!pr.l3)
		return d->rss.default_queue % d->nq;
	/* The receive direction's input: its source (our destination) first
	 * (Microsoft "RSS hashing functions": src, dst, sport, dport). */
	uint8_t in[RSS_INPUT_BYTES_MAX];
	uint32_t alen = pr.l3 == PARSE_L3_IPV6 ? 16 : 4, len = 2 * alen;
	memcpy(in, pr.dst, alen);
	memcpy(in + alen, pr.src, alen);
	/* The 4-tuple where the hash type for it is on (MRQC bit order:
	 * ipv4, tcp_ipv4, udp_ipv4, ipv6, tcp_ipv6, udp_ipv6), as the NIC would
	 * hash the connection's received frames; a type that is off leaves
	 * the 2-tuple, and no IP type at all the default queue. */
	bool is_v6 = pr.l3 == PARSE_L3_IPV6;
	uint32_t ht = d->rss.hash_types;
	uint32_t l4_bit = pr.l4 == PARSE_L4_TCP ? (is_v6 ? 4u : 1u) : pr.l4 == PARSE_L4_UDP ? (is_v6 ? 5u : 2u) : 32u;
	/* A tunnel hashes its outer addresses alone (rss.tunnel_hash=outer, the
	 * default; the inner choice is not followed here). */
	bool has_ports = (pr.flags & PARSE_F_HAS_PORTS) && !(pr.flags & (PARSE_F_FRAG | PARSE_F_IP_TUNNEL)) &&
			 l4_bit < 32u && (ht >> l4_bit & 1u);
	if (!has_ports && !(ht >> (is_v6 ? 3u : 0u) & 1u))
		return d->rss.default_queue % d->nq;
	if (has_ports) {
		in[len++] = (uint8_t)(pr.dport >> 8);
		in[len++] = (uint8_t)pr.dport;
		in[len++] = (uint8_t)(pr.sport >> 8);
		in[len++] = (uint8_t)pr.sport;
	}
	uint32_t h = rss_toeplitz_hash(d->tx_hash, in, len);
	return d->reta[h & (d->table_size - 1)] % d->nq;
}

void driver_send(struct driver *d, const struct tx_send *s)
{
	uint32_t qi = tx_queue_of(d, s->pkt);
	struct drv_q *q = &d->q[qi];
	struct drv_txq *t = &q->tx;
	d->tx_st.sends++;
	if (t->bl_n == d->cfg.tx_backlog_pkts) {
		t->st.backlog_drops++;
		d->tx_st.backlog_drops++;
		return;
	}
	struct drv_tx_pending *e = &t->backlog[(t->bl_head + t->bl_n) % d->cfg.tx_backlog_pkts];
	t->bl_n++;
	*e = (struct drv_tx_pending){ .pkt = pkt_ref(s->pkt), .len = s->len, .off = s->off,
				      .has_offload = s->has_offload, .is_pure_ack = s->is_pure_ack,
				      .payload_bytes = s->payload_bytes, .segments = s->segments ? s->segments : 1,
				      .t_first = s->t_first_ps, .t_submit = sim_now_ps(d->k) };
	if (!t->is_tx_queued) {
		t->is_tx_queued = true;
		cpu_post(d->cpu, q->cpu, CPU_WORK_TX, qi);
	}
}

/* How a pending send goes: frames it becomes, who segments, descriptors
 * and arena bytes it takes. */
struct tx_plan {
	bool is_nic_seg, is_sw_seg, is_nic_csum, is_sw_csum;
	uint32_t frames, descs, bytes;
	struct tx_offload off;   /* as the NIC (or the host's software) is to apply it */
};

static struct tx_plan tx_plan_of(const struct driver *d, const struct drv_tx_pending *e)
{
	struct tx_plan pl = { .frames = 1 };
	uint32_t len = e->len;
	pl.off = e->off;
	bool is_tcp = e->has_offload && e->off.l4 == PARSE_L4_TCP;
	uint32_t hdr = (uint32_t)e->off.l2_len + e->off.l3_len + e->off.l4_len;
	uint32_t ip_len = len - e->off.l2_len;
	bool is_whole = e->pkt->cap_len == e->pkt->wire_len;
	if (is_tcp && is_whole && e->off.mss && len > hdr && len - hdr > e->off.mss &&
	    (d->tx.is_lso || ip_len > d->mtu)) {
		pl.off.do_tso = true;
		/* The NIC segments at most 64 KiB (Linux's GSO_MAX_SIZE for a
		 * driver without BIG TCP): a larger send the host cuts itself. */
		bool is_nic = d->tx.is_lso && len - hdr <= TSO_SEND_MAX_PAYLOAD;
		pl.is_nic_seg = is_nic;
		pl.is_sw_seg = !is_nic;
		pl.frames = tso_segment_count(&pl.off, len);
	}
	if (e->has_offload && is_whole) {
		pl.is_nic_csum = d->tx.is_csum;
		pl.is_sw_csum = !d->tx.is_csum;
		pl.off.do_ip_csum = !e->off.is_ipv6;
		pl.off.do_l4_csum = true;
	}
	if (pl.is_sw_seg) {
		/* Every frame posted on its own: headers repeated. */
		pl.bytes = len + (pl.frames - 1) * hdr;
		pl.descs = pl.frames * (pl.is_nic_csum ? 2 : 1);
	} else {
		pl.bytes = len;
		pl.descs = (len + NIC_TXD_BUF_MAX - 1) / NIC_TXD_BUF_MAX + (pl.is_nic_csum || pl.is_nic_seg ? 1 : 0);
	}
	return pl;
}

static void put_desc(struct drv_txq *t, const void *desc)
{
	memcpy(t->ring + (size_t)t->next_to_use * NIC_TX_DESC_BYTES, desc, NIC_TX_DESC_BYTES);
	t->next_to_use = (t->next_to_use + 1) % t->count;
}

/* One packet on the ring: a context descriptor if the NIC is to apply
 * offloads, then its bytes (already in the arena at addr) in buffers of at
 * most 16 KiB, RS and EOP on the last. Returns the EOP's slot. */
static uint32_t post_packet(struct drv_txq *t, const struct tx_offload *o, bool is_nic_off, uint64_t addr,
			    uint32_t len)
{
	if (is_nic_off) {
		struct nic_tx_desc_ctx c = {
			.vlan_macip_lens = NIC_TXD_IPLEN(o->l3_len) | (uint32_t)(o->l2_len & 0x7fu) << NIC_TXD_MACLEN_SHIFT,
			.type_tucmd_mlhl = NIC_TXD_DTYP_CTXT | NIC_TXD_DEXT | (o->is_ipv6 ? 0 : NIC_TXD_TUCMD_IPV4) |
					   (o->l4 == PARSE_L4_TCP ? NIC_TXD_TUCMD_L4T_TCP : 0),
			.mss_l4len_idx = (uint32_t)(o->l4_len & 0xffu) << 8 | (uint32_t)(o->do_tso ? o->mss : 0) << 16,
		};
		put_desc(t, &c);
	}
	uint32_t eop = 0;
	for (uint32_t done = 0; done < len;) {
		uint32_t blen = len - done > NIC_TXD_BUF_MAX ? NIC_TXD_BUF_MAX : len - done;
		struct nic_tx_desc_data dd = { .buf_addr = addr + done,
					       .cmd_type_len = blen | NIC_TXD_DTYP_DATA | NIC_TXD_DEXT | NIC_TXD_CMD_IFCS };
		if (done == 0 && is_nic_off) {
			uint32_t hdr = (uint32_t)o->l2_len + o->l3_len + o->l4_len;
			if (o->do_tso)
				dd.cmd_type_len |= NIC_TXD_CMD_TSE;
			dd.olinfo_status = (o->do_ip_csum ? NIC_TXD_POPTS_IXSM : 0) | NIC_TXD_POPTS_TXSM |
					   (o->do_tso ? (len - hdr) : len) << NIC_TXD_PAYLEN_SHIFT;
		}
		done += blen;
		if (done == len)
			dd.cmd_type_len |= NIC_TXD_CMD_EOP | NIC_TXD_CMD_RS;
		eop = t->next_to_use;
		put_desc(t, &dd);
	}
	return eop;
}

/* The bytes the host's software checksum covers in a send of payload bytes
 * cut into frames: every frame's L4 header and, over IPv4, its IP header,
 * besides the payload (what tx_post sums frame by frame). */
static uint32_t sw_csum_bytes(uint32_t payload, uint32_t frames, uint32_t l4_hdr, uint32_t l3_hdr, bool is_ipv6)
{
	return payload + frames * (l4_hdr + (is_ipv6 ? 0u : l3_hdr));
}

/* Post the send of the step that starts: bytes into the arena, descriptors
 * onto the ring. Returns its charge. */
static struct cost_charge tx_post(struct driver *d, struct drv_txq *t, const struct drv_tx_pending *e,
				  const struct tx_plan *pl, uint32_t arena_off, uint32_t arena_room)
{
	struct drv_tx_posted *po = &t->posted[(t->posted_head + t->posted_n) % t->count];
	t->posted_n++;
	const uint8_t *src = e->pkt->data;
	uint32_t len = e->len;
	uint8_t *dst = t->arena + arena_off;
	uint64_t addr = t->arena_addr + arena_off;
	uint32_t csum_bytes = 0, wire_bytes = 0, eop = 0;
	uint32_t l4_start = (uint32_t)e->off.l2_len + e->off.l3_len;
	if (pl->is_sw_seg) {
		struct tx_offload so = pl->off;
		so.do_ip_csum = !so.is_ipv6;
		so.do_l4_csum = true;
		for (uint32_t i = 0; i < pl->frames; i++) {
			uint32_t fl = tso_segment(&so, src, len, i, dst, pl->bytes - (uint32_t)(dst - (t->arena + arena_off)));
			sim_check(fl > 0, "a planned software segment is built");
			struct tx_offload fo = pl->off;
			fo.do_tso = false;
			eop = post_packet(t, &fo, pl->is_nic_csum, addr, fl);
			if (pl->is_sw_csum)
				csum_bytes += fl - l4_start + (so.is_ipv6 ? 0 : so.l3_len);
			wire_bytes += fl;
			dst += fl;
			addr += fl;
		}
	} else {
		memcpy(dst, src, len);
		if (pl->is_sw_csum) {
			tx_csum_insert(&pl->off, dst, len);
			csum_bytes = len - l4_start + (pl->off.is_ipv6 ? 0 : pl->off.l3_len);
		}
		eop = post_packet(t, &pl->off, pl->is_nic_csum || pl->is_nic_seg, addr, len);
		uint32_t hdr = (uint32_t)e->off.l2_len + e->off.l3_len + e->off.l4_len;
		wire_bytes = len + (pl->frames - 1) * hdr;
	}
	t->free_desc -= pl->descs;
	*po = (struct drv_tx_posted){ .pkt = e->pkt, .eop_slot = eop, .ndesc = pl->descs, .arena_room = arena_room,
				      .t_first = e->t_first, .t_submit = e->t_submit, .segments = e->segments };
	t->st.sends++;
	t->st.frames += pl->frames;
	t->st.bytes += wire_bytes;
	d->tx_st.lso_sends += pl->is_nic_seg;
	d->tx_st.sw_segmented += pl->is_sw_seg;
	if (e->is_pure_ack)
		d->tx_st.ack_sends++;
	else
		d->tx_st.data_frames += pl->frames;
	if (pl->is_sw_csum) {
		d->tx_st.sw_csum_frames += pl->frames;
		d->tx_st.sw_csum_bytes += csum_bytes;
	}
	d->tx_st.copy_bytes += e->payload_bytes;
	d->tx_payload_bytes += e->payload_bytes;
	/* The software path: each of the capture's segments a send of its own
	 * (a super-frame, one send the host cuts), every frame checksummed by
	 * the host. */
	uint32_t base_frames = e->segments > 1 ? e->segments : pl->frames;
	uint32_t base_csum = e->has_offload && e->pkt->cap_len == e->pkt->wire_len
				     ? sw_csum_bytes(e->payload_bytes, base_frames, e->off.l4_len, e->off.l3_len, e->off.is_ipv6)
				     : 0;
	struct cost_tx_send cs = { .is_pure_ack = e->is_pure_ack, .is_nic_segmented = pl->is_nic_seg,
				   .frames = pl->frames, .payload_bytes = e->payload_bytes, .csum_bytes = csum_bytes,
				   .base_frames = base_frames, .base_csum_bytes = base_csum };
	struct cost_charge ch;
	cost_tx_send(&d->cost, &cs, &ch);
	d->tx_st.cycles_output += ch.cycles[COST_T_TX_OUTPUT] + ch.cycles[COST_T_ACK_TX];
	d->tx_st.cycles_csum += ch.cycles[COST_T_TX_CSUM];
	d->tx_st.cycles_copy += ch.cycles[COST_T_COPY_TX];
	return ch;
}

/* The oldest waiting send, taken off the software queue (its slot stays
 * valid until the next send is queued, which the caller's step precedes). */
static struct drv_tx_pending *backlog_pop(struct driver *d, struct drv_txq *t)
{
	struct drv_tx_pending *e = &t->backlog[t->bl_head];
	t->bl_head = (t->bl_head + 1) % d->cfg.tx_backlog_pkts;
	t->bl_n--;
	return e;
}

/* Whether the NIC has written a posted send's DD back. */
static bool posted_is_done(const struct drv_txq *t, const struct drv_tx_posted *po)
{
	struct nic_tx_desc_data wb;
	memcpy(&wb, t->ring + (size_t)po->eop_slot * NIC_TX_DESC_BYTES, sizeof wb);
	return wb.olinfo_status & NIC_TXD_STAT_DD;
}

static void doorbell(struct driver *d, uint32_t qi, struct drv_txq *t)
{
	uint64_t now = sim_now_ps(d->k);
	for (; t->posted_rung < t->posted_n; t->posted_rung++)
		t->posted[(t->posted_head + t->posted_rung) % t->count].t_posted = now;
	bus_reg_write(d->bus, now, NIC_REG_TXQ(qi) + NIC_TXQ_TDT, t->next_to_use);
	t->is_doorbell_due = false;
}

/* The transmit work item of a queue pair: one step per send, posting it at
 * the step's start (the NIC sees nothing before the doorbell) and ringing
 * the doorbell when no further send can follow at once (Linux's
 * xmit_more). A send that finds the ring or the arena full waits; cleaning
 * restarts the item. */
static bool tx_work(void *owner, uint32_t core, uint32_t qi, bool is_start, struct cost_charge *next)
{
	(void)core;
	(void)is_start;
	struct driver *d = owner;
	struct drv_txq *t = &d->q[qi].tx;
	if (t->bl_n) {
		struct drv_tx_pending *e = &t->backlog[t->bl_head];
		struct tx_plan pl = tx_plan_of(d, e);
		uint32_t off, room;
		if (!pl.frames || pl.descs > t->count - 1 || pl.bytes > t->room.cap) {
			/* Neither the NIC nor the host can cut it (an IPv6
			 * jumbogram: more than 64 KiB, its length in a hop-by-hop
			 * option), or it needs more than the ring or the arena can
			 * ever hold: not sent, counted. */
			if (!pl.frames) {
				d->tx_st.unsendable++;
			} else {
				t->st.backlog_drops++;
				d->tx_st.backlog_drops++;
			}
			pkt_release(backlog_pop(d, t)->pkt);
			*next = (struct cost_charge){ 0 };
			return true;
		}
		/* Every send takes a descriptor at least, so free_desc bounds the
		 * posted ring too. */
		if (pl.descs <= t->free_desc && bytering_take(&t->room, pl.bytes, &off, &room)) {
			*next = tx_post(d, t, backlog_pop(d, t), &pl, off, room);
			t->is_doorbell_due = true;
			return true;
		}
		t->st.ring_stops++;
	}
	if (t->is_doorbell_due)
		doorbell(d, qi, t);
	t->is_tx_queued = false;
	return false;
}

void driver_tx_clean(struct driver *d, struct drv_q *q)
{
	struct drv_txq *t = &q->tx;
	uint64_t sends = 0, base_sends = 0, now = sim_now_ps(d->k);
	while (t->posted_n) {
		struct drv_tx_posted *po = &t->posted[t->posted_head];
		if (!t->posted_rung || !posted_is_done(t, po))
			break;
		uint64_t *st = hist_group_next(d->tx_lat);
		st[HTX_COALESCE] = po->t_submit - po->t_first;
		st[HTX_POST] = po->t_posted - po->t_submit;
		uint64_t t_irq = po->has_irq ? po->t_irq : now;
		st[HTX_COMPLETE] = t_irq - po->t_posted;
		st[HTX_CLEAN] = now - t_irq;
		st[HTX_TOTAL] = now - po->t_first;
		hist_group_commit_n(d->tx_lat, HTX_COUNT);
		t->free_desc += po->ndesc;
		bytering_give(&t->room, po->arena_room);
		pkt_release(po->pkt);
		t->posted_head = (t->posted_head + 1) % t->count;
		t->posted_n--;
		t->posted_rung--;
		if (t->irq_scan)
			t->irq_scan--;
		t->st.cleaned++;
		sends++;
		base_sends += po->segments;
	}
	struct cost_charge *ch = &q->tx_clean;
	memset(ch, 0, sizeof *ch);
	cost_tx_done(&d->cost, sends, base_sends, ch);
	d->tx_st.cycles_clean += ch->cycles[COST_T_TX_CLEAN];
	if (t->bl_n && !t->is_tx_queued) {
		t->is_tx_queued = true;
		cpu_post(d->cpu, q->cpu, CPU_WORK_TX, q->index);
	}
}

void driver_tx_book_base(struct driver *d, const struct pkt *p, const struct parse_result *pr)
{
	uint32_t payload = pr->payload_len;
	d->tx_payload_bytes += payload;
	if (!COST_SHADOW)
		return;
	/* A super-frame (a TSO send captured on the sending host, longer than
	 * the MTU) is several wire frames the software path cuts, as tx_plan_of
	 * plans it with LSO off. */
	uint32_t l3_hdr = (uint32_t)(pr->l4_off - pr->l3_off), l4_hdr = (uint32_t)(pr->payload_off - pr->l4_off);
	bool is_whole = p->cap_len == p->wire_len;
	uint32_t frames = 1;
	if (pr->l4 == PARSE_L4_TCP && is_whole && pr->l3_len > d->mtu && d->mtu > l3_hdr + l4_hdr && payload) {
		uint32_t mss = d->mtu - l3_hdr - l4_hdr;
		frames = (payload + mss - 1) / mss;
	}
	struct cost_tx_send cs = {
		.is_pure_ack = parse_is_bare_ack(pr), .payload_bytes = payload, .base_frames = frames,
		.base_csum_bytes = is_whole ? sw_csum_bytes(payload, frames, l4_hdr, l3_hdr, pr->l3 != PARSE_L3_IPV4) : 0,
	};
	struct cost_charge ch;
	cost_tx_send(&d->cost, &cs, &ch);
	cost_tx_done(&d->cost, 0, 1, &ch);
	cpu_book_charge_base(d->cpu, d->q[tx_queue_of(d, p)].cpu, &ch);
}

void driver_tx_on_msix(struct driver *d, struct drv_q *q, uint64_t now)
{
	/* Every rung send whose write-back is in host memory and that no
	 * interrupt covered yet is covered by this one (they complete in ring
	 * order). */
	struct drv_txq *t = &q->tx;
	for (; t->irq_scan < t->posted_rung; t->irq_scan++) {
		struct drv_tx_posted *po = &t->posted[(t->posted_head + t->irq_scan) % t->count];
		if (!posted_is_done(t, po))
			break;
		po->t_irq = now;
		po->has_irq = true;
	}
	(void)d;
}

uint64_t driver_tx_in_flight(const struct driver *d)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < d->nq; i++)
		n += d->q[i].tx.posted_n + d->q[i].tx.bl_n;
	return n;
}

const struct hist *driver_tx_lat(struct driver *d, enum host_tx_lat s) { return hist_group_get(d->tx_lat, s); }
const struct host_txq_stats *driver_txq_stats(const struct driver *d, uint32_t q) { return &d->q[q].tx.st; }
const struct host_tx_stats *driver_tx_stats(const struct driver *d) { return &d->tx_st; }

const struct stat_def host_txq_stat_defs[] = {
	STAT_DEF(struct host_txq_stats, sends, "tx_sends", "sends", "Sends the driver posted to the queue's ring."),
	STAT_DEF(struct host_txq_stats, frames, "tx_frames", "frames", "The wire frames they become."),
	STAT_DEF(struct host_txq_stats, bytes, "tx_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct host_txq_stats, cleaned, "tx_cleaned", "sends", "Sends whose completion the driver cleaned."),
	STAT_DEF(struct host_txq_stats, backlog_drops, "tx_backlog_drops", "sends",
		 "Sends dropped: the software queue (host.tx_backlog_pkts) was full, or the send needs more "
		 "descriptors or arena than the queue has."),
	STAT_DEF(struct host_txq_stats, ring_stops, "tx_ring_stops", "times",
		 "Times a send found the ring or the data arena full and waited for cleaning."),
	{ NULL },
};
const struct stat_def host_tx_stat_defs[] = {
	STAT_DEF(struct host_tx_stats, sends, "sends", "sends", "Sends the stack handed the driver."),
	STAT_DEF(struct host_tx_stats, lso_sends, "lso_sends", "sends", "Of them, segmented by the NIC (TSO)."),
	STAT_DEF(struct host_tx_stats, sw_segmented, "sw_segmented_sends", "sends",
		 "Of them, longer than the MTU and segmented by the host (tx.lso off)."),
	STAT_DEF(struct host_tx_stats, ack_sends, "pure_acks_sent", "sends", "Pure ACKs sent (cost.ack_tx_cycles)."),
	STAT_DEF(struct host_tx_stats, data_frames, "data_frames", "frames", "Wire frames of the other sends."),
	STAT_DEF(struct host_tx_stats, sw_csum_frames, "sw_csum_frames", "frames",
		 "Frames whose checksums the host computed in software (tx.csum off)."),
	STAT_DEF(struct host_tx_stats, sw_csum_bytes, "sw_csum_bytes", "bytes", "The bytes it summed."),
	STAT_DEF(struct host_tx_stats, copy_bytes, "copy_bytes", "bytes", "Payload bytes copied from the application."),
	STAT_DEF(struct host_tx_stats, ack_rx, "pure_acks_received", "frames",
		 "Pure ACKs received, charged cost.ack_rx_cycles instead of cost.rx_tcp_cycles."),
	STAT_DEF(struct host_tx_stats, cycles_output, "cycles_output", "cycles",
		 "TCP/IP output and driver transmit: per send and per wire frame."),
	STAT_DEF(struct host_tx_stats, cycles_copy, "cycles_copy", "cycles", "The copies of the payload."),
	STAT_DEF(struct host_tx_stats, cycles_csum, "cycles_csum", "cycles", "Software checksums (tx.csum off)."),
	STAT_DEF(struct host_tx_stats, cycles_clean, "cycles_clean", "cycles", "Cleaning completed sends."),
	STAT_DEF(struct host_tx_stats, backlog_drops, "backlog_drops", "sends", "Sends the software queues dropped."),
	STAT_DEF(struct host_tx_stats, unsendable, "unsendable", "sends",
		 "Sends neither the NIC nor the host could cut to the MTU (an IPv6 jumbogram: over 64 KiB, its "
		 "length in a hop-by-hop option): not sent."),
	{ NULL },
};

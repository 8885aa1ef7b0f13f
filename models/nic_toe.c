/*
 * models/nic_toe.c — the NIC's shell around the TCP offload engine
 * (models/toe.h): its registers, commands, DMA, event queues and its share
 * of the wire. The engine knows TCP; this file knows the bus.
 *
 *   receive: a frame of an installed connection (looked up after the parser
 *     and the RSS hash, models/nic_rx.c) leaves the pipeline into the engine
 *     instead of the DMA queue; the payload the engine delivers is written to
 *     a buffer the host posted (zero copy) or, when none has room, to the
 *     indication area (NIC-owned host buffers the host copies from), and an
 *     event goes to the connection's event queue;
 *   commands (MMIO, nic_regs.h): offload reads the state block by DMA and
 *     installs it; upload writes it back; a send reads its bytes by DMA
 *     into the engine's send buffer; post, credit, close, forward;
 *   events: written to the queue's ring when their write lands (posted
 *     writes in order after the data), then the queue's vector is told, as
 *     a receive write-back is (irq_complete: moderated);
 *   transmit: the engine's frames wait in a FIFO for the wire, which they
 *     share with the transmit queues (first come, first served).
 *
 * Simplifications, all in docs/toe.md: the engine's DMA reads are timed on
 * the link (pcie_link_read) but do not take the read tags the descriptor
 * fetches and transmit reads share; a command's own processing in the NIC
 * takes no time beyond its DMA; the engine's frames take no room in the
 * transmit packet buffer (they have their own FIFO, NIC_TOE_WIRE_SLOTS).
 */
#include <stdlib.h>
#include <string.h>

#include "models/nic_priv.h"
#include "sim/check.h"

/* The push timer of a posted buffer (specs: MS "Posting and completing
 * receive requests", push timer 500 ms on Windows): a partly filled buffer
 * completes this long after its first byte. */
#define NIC_TOE_PUSH_PS (500ull * SIM_PS_PER_MS)

static struct nic_toe_off *off_of(struct nic_toe *t, uint32_t id)
{
	return id < t->n_offs ? t->offs[id] : NULL;
}

/* A full ring of n elements from *head, twice as large (256 to start: the
 * rings follow the host's bursts, no bound of their own), its elements
 * from 0 on. */
static void *ring_grow(void *ring, size_t elem, uint32_t *cap, uint32_t *head, uint32_t n, const char *what)
{
	uint32_t nc = *cap ? *cap * 2 : 256;
	uint8_t *nr = malloc((size_t)nc * elem);
	sim_check(nr, what);
	for (uint32_t i = 0; i < n; i++)
		memcpy(nr + (size_t)i * elem, (uint8_t *)ring + (size_t)((*head + i) % *cap) * elem, elem);
	free(ring);
	*cap = nc;
	*head = 0;
	return nr;
}

/* ---- event queues ---- */

static void eq_land(struct sim_kernel *k, struct sim_event *ev, void *arg);

/* An event for the host: its write goes up the link now and is visible when
 * it has landed. */
static void eq_post(struct nic *n, uint32_t q, uint8_t type, uint32_t id, uint32_t arg, uint8_t reason,
		    uint16_t flags)
{
	struct nic_toe *t = n->toe;
	struct nic_toe_eq *eq = &t->eq[q];
	if (!eq->entries) {
		t->st.eq_overflows++;   /* the host never set this queue's ring up */
		return;
	}
	if (eq->tail - eq->head >= eq->entries) {
		t->st.eq_overflows++;
		return;
	}
	if (t->pend_n == t->pend_cap)
		t->pend = ring_grow(t->pend, sizeof *t->pend, &t->pend_cap, &t->pend_head, t->pend_n,
				    "out of memory for the offload engine's event writes");
	struct nic_toe_pend *p = &t->pend[(t->pend_head + t->pend_n++) % t->pend_cap];
	uint64_t addr = eq->base + (uint64_t)(eq->tail % eq->entries) * NIC_TOE_EQ_ENTRY_BYTES;
	eq->tail++;
	p->q = q;
	p->addr = addr;
	p->e = (struct nic_toe_eq_entry){ .type = type, .reason = reason, .flags = flags, .id = id, .arg = arg,
					  .seq = eq->tail };
	p->t_land_ps = pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_WB, sim_now_ps(n->k), addr, NIC_TOE_EQ_ENTRY_BYTES);
	t->st.events++;
	if (!sim_event_is_pending(&t->eq_ev))
		sim_schedule_at(n->k, &t->eq_ev, p->t_land_ps);
}

static void eq_land(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	struct nic *n = arg;
	struct nic_toe *t = n->toe;
	(void)ev;
	uint64_t now = sim_now_ps(k);
	while (t->pend_n) {
		struct nic_toe_pend *p = &t->pend[t->pend_head];
		if (p->t_land_ps > now) {
			sim_schedule_at(k, &t->eq_ev, p->t_land_ps);
			return;
		}
		struct bus_dma op = { .addr = p->addr, .len = NIC_TOE_EQ_ENTRY_BYTES, .is_write = true,
				      .data = (uint8_t *)&p->e };
		bus_dma(n->bus, now, &op);
		irq_complete(n->irq, p->q);
		t->pend_head = (t->pend_head + 1) % t->pend_cap;
		t->pend_n--;
	}
}

/* ---- the engine's callbacks ---- */

/* A posted buffer completes: the host is told how much it holds. */
static void post_complete(struct nic *n, uint32_t id, struct nic_toe_off *o, bool is_push)
{
	struct nic_toe_post *b = &o->post[o->post_head];
	eq_post(n, o->queue, NIC_TOE_EV_RX_DONE, id, b->filled, 0, is_push ? NIC_TOE_EQF_PUSH : 0);
	o->post_head = (uint8_t)((o->post_head + 1) % NIC_TOE_POSTS);
	o->post_n--;
	sim_cancel(n->k, &o->push_ev);
	if (o->post_n && o->post[o->post_head].filled)
		sim_schedule_in(n->k, &o->push_ev, NIC_TOE_PUSH_PS);
}

static void push_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	struct nic_toe_off *o = (struct nic_toe_off *)(void *)((char *)ev - offsetof(struct nic_toe_off, push_ev));
	uint32_t id = o->id;
	if (o->post_n && o->post[o->post_head].filled)
		post_complete(n, id, o, false);
}

/* Payload in order: into the application's posted buffers (taken at once,
 * returned to the engine as consumed), the rest indicated (the host copies
 * it and gives it back with CREDIT). */
static uint32_t toe_deliver(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *data, uint32_t len, bool is_push)
{
	struct nic *n = ctx;
	struct nic_toe *t = n->toe;
	int32_t id = t->conn_id[conn];
	struct nic_toe_off *o = id >= 0 ? off_of(t, (uint32_t)id) : NULL;
	uint32_t placed = 0;
	if (!o)
		return 0;
	while (len) {
		if (o->post_n) {
			/* Zero copy: straight into the application's buffer. */
			struct nic_toe_post *b = &o->post[o->post_head];
			uint32_t room = b->len - b->filled, take = len < room ? len : room;
			struct bus_dma op = { .addr = b->addr + b->filled, .len = take, .is_write = true,
					      .data = (uint8_t *)(uintptr_t)data };
			(void)pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_DATA, t_ps, op.addr, take);
			bus_dma(n->bus, t_ps, &op);
			if (!b->filled)
				sim_schedule_in(n->k, &o->push_ev, NIC_TOE_PUSH_PS);
			b->filled += take;
			o->rec.placed_bytes += take;
			placed += take;
			data += take;
			len -= take;
			if (b->filled == b->len || (is_push && !len))
				post_complete(n, (uint32_t)id, o, is_push && !len);
			continue;
		}
		/* No buffer posted: indicate into the NIC's own host buffers. */
		uint32_t take = len;
		if (t->ind_bytes) {
			if (take > t->ind_bytes)
				take = t->ind_bytes;
			if (t->ind_off + take > t->ind_bytes)
				t->ind_off = 0;
			uint64_t addr = t->ind_base + t->ind_off;
			struct bus_dma op = { .addr = addr, .len = take, .is_write = true, .data = (uint8_t *)(uintptr_t)data };
			(void)pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_DATA, t_ps, addr, take);
			bus_dma(n->bus, t_ps, &op);
			t->ind_off += take;
		}
		o->rec.indicated_bytes += take;
		eq_post(n, o->queue, NIC_TOE_EV_RX_IND, (uint32_t)id, take, 0, is_push ? NIC_TOE_EQF_PUSH : 0);
		data += take;
		len -= take;
	}
	return placed;
}

static void toe_event(void *ctx, uint64_t t_ps, uint32_t conn, enum toe_event ev, uint32_t arg)
{
	(void)t_ps;
	struct nic *n = ctx;
	struct nic_toe *t = n->toe;
	int32_t id = t->conn_id[conn];
	struct nic_toe_off *o = id >= 0 ? off_of(t, (uint32_t)id) : NULL;
	if (!o)
		return;
	switch (ev) {
	case TOE_EV_SEND_DONE: eq_post(n, o->queue, NIC_TOE_EV_SEND_DONE, (uint32_t)id, arg, 0, 0); break;
	case TOE_EV_FIN:
		/* A partly filled buffer completes with the data before the FIN. */
		if (o->post_n && o->post[o->post_head].filled)
			post_complete(n, (uint32_t)id, o, true);
		eq_post(n, o->queue, NIC_TOE_EV_FIN, (uint32_t)id, 0, 0, 0);
		break;
	case TOE_EV_RST: eq_post(n, o->queue, NIC_TOE_EV_RST, (uint32_t)id, 0, 0, 0); break;
	case TOE_EV_UPLOAD_REQ:
		if (!o->is_upload_asked) {   /* once: the host answers with an upload */
			o->is_upload_asked = true;
			eq_post(n, o->queue, NIC_TOE_EV_UPLOAD_REQ, (uint32_t)id, 0, (uint8_t)arg, 0);
		}
		break;
	case TOE_EV_COUNT: break;
	}
}

/* ---- the wire ---- */

static void wire_fire(struct sim_kernel *k, struct sim_event *ev, void *arg);

static void toe_xmit(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *frame, uint32_t len,
		     enum toe_seg_kind kind)
{
	(void)conn;
	(void)kind;
	struct nic *n = ctx;
	struct nic_toe *t = n->toe;
	if (t->wire_n == NIC_TOE_WIRE_SLOTS || len > t->slot_bytes) {
		t->st.tx_dropped++;   /* TCP recovers it: the engine's timers still run */
		return;
	}
	uint32_t i = (t->wire_head + t->wire_n++) % NIC_TOE_WIRE_SLOTS;
	memcpy(t->wire_mem + (size_t)i * t->slot_bytes, frame, len);
	t->wire_len[i] = len;
	if (!sim_event_is_pending(&t->wire_ev)) {
		uint64_t at = n->tx_wire_free_ps > t_ps ? n->tx_wire_free_ps : t_ps;
		sim_schedule_at(n->k, &t->wire_ev, at);
	}
}

static void wire_fire(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct nic *n = arg;
	struct nic_toe *t = n->toe;
	uint64_t now = sim_now_ps(k);
	if (!t->wire_n)
		return;
	if (n->tx_wire_free_ps > now) {   /* a transmit queue's frame took it first */
		sim_schedule_at(k, &t->wire_ev, n->tx_wire_free_ps);
		return;
	}
	uint32_t i = t->wire_head;
	uint32_t len = t->wire_len[i];
	struct pkt fr = { .refs = 1, .wire_len = len, .cap_len = len, .data_cap = len,
			  .data = t->wire_mem + (size_t)i * t->slot_bytes };
	fr.t_ps[PKT_T_WIRE] = now;
	bus_frame_out(n->bus, now, &fr);
	t->st.tx_frames++;
	t->st.tx_bytes += len;
	t->wire_head = (t->wire_head + 1) % NIC_TOE_WIRE_SLOTS;
	t->wire_n--;
	n->tx_wire_free_ps = now + eth_wire_time_ps(len, n->mac.cfg.rate_mbps, n->mac.cfg.fcs_bytes,
						    n->mac.cfg.overhead_bytes);
	if (t->wire_n)
		sim_schedule_at(k, &t->wire_ev, n->tx_wire_free_ps);
}

/* ---- commands ---- */

static void cmd_run(struct nic *n);

static void read_land(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)k;
	struct nic *n = arg;
	struct nic_toe_read *r = (struct nic_toe_read *)(void *)((char *)ev - offsetof(struct nic_toe_read, ev));
	r->is_landed = true;
	cmd_run(n);
}

/* A command that reads host memory issues its read when a read slot is free. */
static void cmd_issue_reads(struct nic *n)
{
	struct nic_toe *t = n->toe;
	for (uint32_t j = t->cmd_issued; j < t->cmd_n; j++) {
		struct nic_toe_cmd *c = &t->cmd[(t->cmd_head + j) % t->cmd_cap];
		t->cmd_issued = j + 1;
		if (!c->len || (c->op != NIC_TOE_OP_OFFLOAD && c->op != NIC_TOE_OP_SEND && c->op != NIC_TOE_OP_FORWARD))
			continue;
		uint32_t ri = NIC_TOE_READS;
		for (uint32_t i = 0; i < NIC_TOE_READS; i++)
			if (!t->rd[i].is_busy) {
				ri = i;
				break;
			}
		if (ri == NIC_TOE_READS) {
			t->cmd_issued = j;   /* waits for a read slot */
			return;
		}
		struct nic_toe_read *r = &t->rd[ri];
		if (r->data_cap < c->len) {
			uint8_t *d = realloc(r->data, c->len);
			sim_check(d, "out of memory for an offload engine read");
			r->data = d;
			r->data_cap = c->len;
		}
		r->is_busy = true;
		r->is_landed = false;
		c->read = ri;
		uint64_t now = sim_now_ps(n->k);
		r->op = (struct bus_dma){ .addr = c->addr, .len = c->len, .is_write = false, .data = r->data,
					  .tag = NIC_TOE_TAG_BASE + ri };
		r->op.t_land_ps = pcie_link_read(&n->pcie, c->op == NIC_TOE_OP_SEND ? PCIE_CL_DATA : PCIE_CL_DESC, now,
						 c->addr, c->len);
		t->st.dma_reads++;
		bus_dma(n->bus, now, &r->op);
	}
}

void nic_toe_read_complete(struct nic *n, uint64_t t_ps, struct bus_dma *op)
{
	struct nic_toe *t = n->toe;
	uint64_t i = op->tag - NIC_TOE_TAG_BASE;
	if (!t || i >= NIC_TOE_READS || !t->rd[i].is_busy || t->rd[i].is_landed || op != &t->rd[i].op ||
	    sim_event_is_pending(&t->rd[i].ev)) {
		n->st.bad_dma_completions++;
		return;
	}
	/* Always through the event, also when it lands now: the read was
	 * issued from inside the command loop. */
	uint64_t now = sim_now_ps(n->k);
	sim_schedule_at(n->k, &t->rd[i].ev, t_ps > now ? t_ps : now);
}

static void do_offload(struct nic *n, const struct nic_toe_cmd *c, const uint8_t *data)
{
	struct nic_toe *t = n->toe;
	if (c->id >= t->n_offs) {
		/* Records are allocated one by one (their push timers are
		 * events the kernel points at: they never move). */
		uint32_t cap = t->n_offs ? t->n_offs : 64;
		while (cap <= c->id)
			cap *= 2;
		struct nic_toe_off **no = realloc(t->offs, (size_t)cap * sizeof *no);
		sim_check(no, "out of memory for the offload records");
		memset(no + t->n_offs, 0, (size_t)(cap - t->n_offs) * sizeof *no);
		t->offs = no;
		t->n_offs = cap;
	}
	if (!t->offs[c->id]) {
		t->offs[c->id] = calloc(1, sizeof *t->offs[c->id]);
		sim_check(t->offs[c->id], "out of memory for an offload record");
		t->offs[c->id]->conn = -1;
		t->offs[c->id]->id = c->id;
		sim_event_init(&t->offs[c->id]->push_ev, "nic.toe.push", SIM_PRIO_HW, push_fire, n);
	}
	struct nic_toe_off *o = t->offs[c->id];
	struct toe_state st;
	if (c->len < sizeof st) {   /* ADDR: the state block, then the bytes in flight (LEN covers both) */
		eq_post(n, 0, NIC_TOE_EV_OFFLOADED, c->id, 1, 0, 0);
		t->st.bad_commands++;
		return;
	}
	memcpy(&st, data, sizeof st);
	o->queue = (uint16_t)((n->mrqc & NIC_MRQC_RSS_EN) ? rss_queue_of(n->rss, true, st.rss_hash) : 0);
	int conn = toe_conn_install(t->eng, sim_now_ps(n->k), &st);
	if (conn < 0) {
		t->st.install_refused++;
		eq_post(n, o->queue, NIC_TOE_EV_OFFLOADED, c->id, 1, 0, 0);
		return;
	}
	o->conn = conn;
	o->is_live = true;
	o->is_upload_asked = false;
	o->post_head = o->post_n = 0;
	t->conn_id[conn] = (int32_t)c->id;
	/* The bytes the host had in flight follow the state block. */
	if (c->len > sizeof st) {
		uint32_t took = toe_conn_send(t->eng, sim_now_ps(n->k), (uint32_t)conn, data + sizeof st,
					      c->len - (uint32_t)sizeof st);
		if (took < c->len - sizeof st)
			t->st.send_overflow_bytes += c->len - sizeof st - took;
	}
	eq_post(n, o->queue, NIC_TOE_EV_OFFLOADED, c->id, 0, 0, 0);
}

static void do_upload(struct nic *n, const struct nic_toe_cmd *c, struct nic_toe_off *o)
{
	struct nic_toe *t = n->toe;
	uint64_t now = sim_now_ps(n->k);
	struct toe_state st;
	memset(&st, 0, sizeof st);
	o->rec.conn = *toe_conn_stats(t->eng, (uint32_t)o->conn);
	if (toe_conn_is_live(t->eng, (uint32_t)o->conn))
		toe_conn_upload(t->eng, now, (uint32_t)o->conn, &st, NULL, NULL);
	t->conn_id[o->conn] = -1;
	o->conn = -1;
	o->is_live = false;
	sim_cancel(n->k, &o->push_ev);
	if (o->post_n && o->post[o->post_head].filled)
		post_complete(n, c->id, o, false);
	struct bus_dma op = { .addr = c->addr, .len = sizeof st, .is_write = true, .data = (uint8_t *)&st };
	if (c->addr) {
		(void)pcie_link_write(&n->pcie, PCIE_UP, PCIE_CL_DATA, now, c->addr, sizeof st);
		bus_dma(n->bus, now, &op);
	}
	eq_post(n, o->queue, NIC_TOE_EV_UPLOADED, c->id, 0, 0, 0);
}

/* Act on the commands at the head that are ready, in order. */
static void cmd_run(struct nic *n)
{
	struct nic_toe *t = n->toe;
	while (t->cmd_n) {
		struct nic_toe_cmd *c = &t->cmd[t->cmd_head];
		bool is_read = c->len && (c->op == NIC_TOE_OP_OFFLOAD || c->op == NIC_TOE_OP_SEND ||
					  c->op == NIC_TOE_OP_FORWARD);
		if (is_read && (t->cmd_issued == 0 || c->read == UINT32_MAX || !t->rd[c->read].is_landed))
			break;
		struct nic_toe_read *r = is_read ? &t->rd[c->read] : NULL;
		struct nic_toe_off *o = off_of(t, c->id);
		uint64_t now = sim_now_ps(n->k);
		bool is_live = o && o->is_live;
		switch (c->op) {
		case NIC_TOE_OP_OFFLOAD: do_offload(n, c, r->data); break;
		case NIC_TOE_OP_UPLOAD:
			if (is_live)
				do_upload(n, c, o);
			else
				t->st.bad_commands++;
			break;
		case NIC_TOE_OP_SEND:
			if (is_live) {
				uint32_t took = toe_conn_send(t->eng, now, (uint32_t)o->conn, r->data, c->len);
				if (took < c->len)
					t->st.send_overflow_bytes += c->len - took;
			} else {
				t->st.bad_commands++;
			}
			break;
		case NIC_TOE_OP_POST:
			if (is_live && o->post_n < NIC_TOE_POSTS) {
				uint32_t i = (o->post_head + o->post_n++) % NIC_TOE_POSTS;
				o->post[i] = (struct nic_toe_post){ .addr = c->addr, .len = c->len ? c->len : 1 };
			} else {
				t->st.bad_commands++;
			}
			break;
		case NIC_TOE_OP_CREDIT:
			if (is_live)
				toe_conn_rcv_credit(t->eng, now, (uint32_t)o->conn, c->len);
			break;
		case NIC_TOE_OP_CLOSE:
			if (is_live)
				toe_conn_close(t->eng, now, (uint32_t)o->conn);
			break;
		case NIC_TOE_OP_FORWARD:
			if (is_live) {
				struct parse_result pr;
				parse_frame(r->data, c->len, c->len, n->link, &pr);
				t->st.forwarded++;
				(void)toe_rx(t->eng, now, r->data, c->len, &pr, true);
			}
			break;
		default: t->st.bad_commands++; break;
		}
		if (r)
			r->is_busy = false;
		t->cmd_head = (t->cmd_head + 1) % t->cmd_cap;
		t->cmd_n--;
		if (t->cmd_issued)
			t->cmd_issued--;
	}
	cmd_issue_reads(n);
}

static void cmd_push(struct nic *n, uint32_t word)
{
	struct nic_toe *t = n->toe;
	if (t->cmd_n == t->cmd_cap)
		t->cmd = ring_grow(t->cmd, sizeof *t->cmd, &t->cmd_cap, &t->cmd_head, t->cmd_n,
				   "out of memory for the offload engine's commands");
	struct nic_toe_cmd *c = &t->cmd[(t->cmd_head + t->cmd_n++) % t->cmd_cap];
	*c = (struct nic_toe_cmd){ .op = word >> NIC_TOE_CMD_SHIFT, .id = word & NIC_TOE_ID_MASK, .addr = t->cmd_addr,
				   .len = t->cmd_len, .arg = t->cmd_arg, .read = UINT32_MAX };
	t->st.commands++;
	cmd_issue_reads(n);
	cmd_run(n);
}

/* ---- registers ---- */

bool nic_toe_reg_write(struct nic *n, uint64_t addr, uint32_t v)
{
	struct nic_toe *t = n->toe;
	if (addr < NIC_REG_TOE_CTL || addr >= NIC_REG_TOE_EQ(NIC_RXQ_COUNT_MAX))
		return false;
	if (!t)
		return false;
	if (addr >= NIC_REG_TOE_EQ(0)) {
		uint32_t q = (uint32_t)((addr - NIC_REG_TOE_EQ(0)) >> 4), off = (uint32_t)(addr & 0xf);
		if (q >= n->nq)
			return false;
		struct nic_toe_eq *eq = &t->eq[q];
		switch (off) {
		case NIC_TOE_EQBAL: eq->base = (eq->base & ~0xffffffffull) | v; return true;
		case NIC_TOE_EQBAH: eq->base = (eq->base & 0xffffffffull) | ((uint64_t)v << 32); return true;
		case NIC_TOE_EQLEN: eq->entries = v / NIC_TOE_EQ_ENTRY_BYTES; eq->head = eq->tail = 0; return true;
		case NIC_TOE_EQH: eq->head = v; return true;
		}
		return false;
	}
	switch (addr) {
	case NIC_REG_TOE_CTL: t->ctl = v; return true;
	case NIC_REG_TOE_CMD_ADDRL: t->cmd_addr = (t->cmd_addr & ~0xffffffffull) | v; return true;
	case NIC_REG_TOE_CMD_ADDRH: t->cmd_addr = (t->cmd_addr & 0xffffffffull) | ((uint64_t)v << 32); return true;
	case NIC_REG_TOE_CMD_LEN: t->cmd_len = v; return true;
	case NIC_REG_TOE_CMD_ARG: t->cmd_arg = v; return true;
	case NIC_REG_TOE_CMD:
		if (!(t->ctl & NIC_TOE_CTL_EN))
			return false;
		cmd_push(n, v);
		return true;
	case NIC_REG_TOE_INDL: t->ind_base = (t->ind_base & ~0xffffffffull) | v; return true;
	case NIC_REG_TOE_INDH: t->ind_base = (t->ind_base & 0xffffffffull) | ((uint64_t)v << 32); return true;
	case NIC_REG_TOE_INDLEN: t->ind_bytes = v; t->ind_off = 0; return true;
	}
	return false;
}

bool nic_toe_reg_read(const struct nic *n, uint64_t addr, uint32_t *v)
{
	const struct nic_toe *t = n->toe;
	if (addr == NIC_REG_TOE_CAPS) {
		*v = t ? t->cfg.conns : 0;   /* 0: no offload engine */
		return true;
	}
	if (!t)
		return false;
	if (addr == NIC_REG_TOE_CTL || addr == NIC_REG_TOE_SNDBUF) {
		*v = addr == NIC_REG_TOE_CTL ? t->ctl : t->cfg.snd_buf_bytes;
		return true;
	}
	return false;
}

/* ---- receive ---- */

int32_t nic_toe_lookup(const struct nic *n, const struct parse_result *pr)
{
	if (!(n->toe->ctl & NIC_TOE_CTL_EN))
		return -1;
	return toe_conn_lookup(n->toe->eng, pr);
}

/* A frame of an offloaded connection out of the pipeline: the engine takes
 * it, or (a fragment, IP options) the host's path does. Returns true when
 * the engine took it. */
bool nic_toe_rx(struct nic *n, struct nic_rx_frame *f)
{
	struct nic_toe *t = n->toe;
	const struct pkt *p = f->pkt;
	bool is_l4_ok = f->csum_l4 != CSUM_BAD;
	enum toe_rx_verdict v = toe_rx(t->eng, sim_now_ps(n->k), p->data, p->cap_len, &f->toe_pr, is_l4_ok);
	if (v == TOE_RX_TO_HOST || v == TOE_RX_NOT_MINE) {
		t->st.rx_to_host++;
		return false;
	}
	t->st.rx_frames++;
	struct nic_toe_rx_work *w = &t->rxw[f->queue];
	const struct parse_result *pr = &f->toe_pr;
	uint32_t b = n->q[f->queue].buf_bytes ? n->q[f->queue].buf_bytes : 1;
	w->frames++;
	w->buffers += (p->wire_len + b - 1) / b;
	w->pure_acks += parse_is_pure_ack(pr);
	w->data_frames += pr->payload_len > 0;
	w->payload_bytes += pr->payload_len;
	return true;
}

const struct nic_toe_rx_work *nic_toe_rx_work(const struct nic *n, uint32_t q)
{
	return n->toe && q < n->nq ? &n->toe->rxw[q] : NULL;
}

/* ---- life cycle ---- */

int nic_toe_enable(struct nic *n, const struct toe_cfg *cfg, char *err, size_t err_len)
{
	struct nic_toe *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, err_len, "nic: out of memory for the offload engine");
		return -1;
	}
	t->cfg = *cfg;
	static const struct toe_ops ops_tmpl = { .xmit = toe_xmit, .deliver = toe_deliver, .event = toe_event };
	struct toe_ops ops = ops_tmpl;
	ops.ctx = n;
	t->slot_bytes = n->mac.cfg.mtu + NIC_TX_L2_MAX;
	t->eq = calloc(n->nq, sizeof *t->eq);
	t->rxw = calloc(n->nq, sizeof *t->rxw);
	t->conn_id = malloc((size_t)cfg->conns * sizeof *t->conn_id);
	t->wire_mem = malloc((size_t)NIC_TOE_WIRE_SLOTS * t->slot_bytes);
	if (!t->eq || !t->rxw || !t->conn_id || !t->wire_mem) {
		snprintf(err, err_len, "nic: out of memory for the offload engine");
		goto fail;
	}
	for (uint32_t i = 0; i < cfg->conns; i++)
		t->conn_id[i] = -1;
	if (toe_new(&t->eng, n->k, cfg, &ops, err, err_len))
		goto fail;
	sim_event_init(&t->eq_ev, "nic.toe.eq", SIM_PRIO_BUS, eq_land, n);
	sim_event_init(&t->wire_ev, "nic.toe.wire", SIM_PRIO_HW, wire_fire, n);
	for (uint32_t i = 0; i < NIC_TOE_READS; i++)
		sim_event_init(&t->rd[i].ev, "nic.toe.read", SIM_PRIO_BUS, read_land, n);
	n->toe = t;
	return 0;
fail:
	free(t->eq);
	free(t->rxw);
	free(t->conn_id);
	free(t->wire_mem);
	free(t);
	return -1;
}

void nic_toe_free(struct nic *n)
{
	struct nic_toe *t = n->toe;
	if (!t)
		return;
	sim_cancel(n->k, &t->eq_ev);
	sim_cancel(n->k, &t->wire_ev);
	for (uint32_t i = 0; i < NIC_TOE_READS; i++) {
		sim_cancel(n->k, &t->rd[i].ev);
		free(t->rd[i].data);
	}
	for (uint32_t i = 0; i < t->n_offs; i++)
		if (t->offs[i]) {
			sim_cancel(n->k, &t->offs[i]->push_ev);
			free(t->offs[i]);
		}
	toe_free(t->eng);
	free(t->eq);
	free(t->rxw);
	free(t->conn_id);
	free(t->wire_mem);
	free(t->offs);
	free(t->cmd);
	free(t->pend);
	free(t);
	n->toe = NULL;
}

const struct nic_toe_stats *nic_toe_stats(const struct nic *n) { return n->toe ? &n->toe->st : NULL; }
const struct toe_stats *nic_toe_engine_stats(const struct nic *n) { return n->toe ? toe_stats(n->toe->eng) : NULL; }

const struct nic_toe_rec *nic_toe_record(const struct nic *n, uint32_t id)
{
	const struct nic_toe *t = n->toe;
	if (!t || id >= t->n_offs)
		return NULL;
	struct nic_toe_off *o = t->offs[id];
	if (!o)
		return NULL;
	if (o->is_live)   /* still offloaded at the end: its counters as they stand */
		o->rec.conn = *toe_conn_stats(t->eng, (uint32_t)o->conn);
	return &o->rec;
}

const struct stat_def nic_toe_stat_defs[] = {
	STAT_DEF(struct nic_toe_stats, commands, "commands", "commands", "Offload engine commands the host wrote (CMD)."),
	STAT_DEF(struct nic_toe_stats, dma_reads, "dma_reads", "reads",
		 "DMA reads of host memory for commands (state blocks, send data, forwarded frames)."),
	STAT_DEF(struct nic_toe_stats, events, "events", "entries", "Event queue entries written to the host."),
	STAT_DEF(struct nic_toe_stats, eq_overflows, "eq_overflows", "entries",
		 "Events lost: the queue's event ring was full or not set up."),
	STAT_DEF(struct nic_toe_stats, rx_frames, "rx_frames", "frames",
		 "Received frames the engine took (offloaded connections)."),
	STAT_DEF(struct nic_toe_stats, rx_to_host, "rx_to_host", "frames",
		 "Frames of offloaded connections passed to the host's path (IP fragments, IPv4 options)."),
	STAT_DEF(struct nic_toe_stats, forwarded, "forwarded", "frames",
		 "Frames the host received for a connection being offloaded and forwarded to the engine."),
	STAT_DEF(struct nic_toe_stats, tx_frames, "tx_frames", "frames", "Frames the engine put on the wire."),
	STAT_DEF(struct nic_toe_stats, tx_bytes, "tx_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct nic_toe_stats, tx_dropped, "tx_dropped", "frames",
		 "Engine frames lost because its wire FIFO was full (TCP's timers recover them)."),
	STAT_DEF(struct nic_toe_stats, install_refused, "install_refused", "offloads",
		 "Offloads refused by the engine (table full or the 4-tuple already there)."),
	STAT_DEF(struct nic_toe_stats, send_overflow_bytes, "send_overflow_bytes", "bytes",
		 "Send bytes the engine's send buffer could not take (the host posted beyond toe.snd_buf_bytes)."),
	STAT_DEF(struct nic_toe_stats, bad_commands, "bad_commands", "commands",
		 "Commands for no live connection, or malformed: ignored."),
	{ NULL },
};

#include "host/driver.h"

#include <assert.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host/itr.h"
#include "models/nic_regs.h"
#include "sim/mem.h"

const struct param_def host_params[] = {
	{ "host.cpus", PARAM_U32, offsetof(struct host_cfg, cpus), "cores", "8", 1, 1024, 0, NULL, 0,
	  "Host cores available to the receive path.",
	  "choice: a 2-socket quad-core server, as in the 10GbE.net 2008 comparison of TOE and stateless-offload NICs" },
	{ "host.clock_mhz", PARAM_U32, offsetof(struct host_cfg, clock_mhz), "MHz", "3400", 100, 10000, 0, NULL,
	  0, "Core clock; cost-model cycles run at this rate.",
	  "the cost model's reference machine, Xeon Gold 6128 at 3.4 GHz (Cai et al., SIGCOMM'21)" },
	{ "host.mode", PARAM_ENUM, offsetof(struct host_cfg, mode), "", "rss", 0, 0, 0, "rss,legacy", 0,
	  "rss: one queue, vector and DPC per CPU (NDIS 6); legacy: one queue, one interrupt, one DPC on one CPU (NDIS 5.1).",
	  "Microsoft introduction-to-receive-side-scaling.md; Scalable Networking Pack (KB 912222)" },
	{ "host.ring_entries", PARAM_U32, offsetof(struct host_cfg, ring_entries), "descriptors", "512", 8, 65536,
	  PARAM_F_POW2, NULL, 0, "RX descriptors per queue.", "Linux ixgbe IXGBE_DEFAULT_RXD 512" },
	{ "host.buf_bytes", PARAM_U32, offsetof(struct host_cfg, buf_bytes), "bytes", "2048", 256, 262144, 0, NULL,
	  0, "RX buffer per descriptor; longer frames are truncated to it.",
	  "Linux ixgbe IXGBE_RXBUFFER_2K (frames above it span buffers; not modelled)" },
	{ "host.dpc_budget_pkts", PARAM_U32, offsetof(struct host_cfg, dpc_budget_pkts), "packets", "64", 1,
	  65536, 0, NULL, 0, "Descriptors one DPC run processes before yielding.",
	  "Linux NAPI_POLL_WEIGHT 64" },
	{ "host.ip", PARAM_STR, offsetof(struct host_cfg, ip), "", "auto", 1, 128, 0, NULL, 0,
	  "The host's IP address(es), comma-separated; auto = the address that receives the most connections (docs/replay.md).",
	  "choice" },
	{ "host.mac", PARAM_STR, offsetof(struct host_cfg, mac), "", "auto", 1, 32, 0, NULL, 0,
	  "The host's MAC address (aa:bb:cc:dd:ee:ff); auto = learnt from frames to host.ip.", "choice" },
	{ NULL },
};

int host_cfg_validate(const struct host_cfg *cfg, const struct rss_cfg *rss, char *err, size_t err_len)
{
	if (rss->max_cpus > cfg->cpus) {
		snprintf(err, err_len, "rss.max_cpus: %u is more than host.cpus (%u)", rss->max_cpus, cfg->cpus);
		return -1;
	}
	if (rss->base_cpu >= cfg->cpus) {
		snprintf(err, err_len, "rss.base_cpu: CPU %u does not exist (host.cpus = %u)", rss->base_cpu,
			 cfg->cpus);
		return -1;
	}
	return 0;
}

struct drv_q;

enum work_kind { WORK_NONE = 0, WORK_ISR, WORK_DPC_PKT, WORK_DPC_END };

struct core {
	struct driver *d;
	struct sim_event ev;
	char name[24];
	enum work_kind cur;
	struct drv_q *cur_q;
	struct pkt *cur_pkt;
	uint64_t step_driver_ps;
	uint32_t dpc_done;          /* descriptors done in the current DPC run */
	bool is_dpc_overhead_due;   /* the run's fixed cost (cost.dpc_cycles) is not charged yet */
	/* ISR and DPC queues: FIFO rings of queue indexes. */
	uint32_t *isr_fifo, isr_head, isr_n;
	uint32_t *dpc_fifo, dpc_head, dpc_n;
	uint32_t fifo_cap;
	struct host_cpu_stats st;
};

/* A queue's latency record. A frame's four latencies are staged, and
 * LAT_BATCH frames at a time are added to the four histograms: a frame then
 * writes part of one staging line instead of touching eight histogram lines
 * (header and bucket of four histograms spread over 61 KB). With many queues
 * each frame meets a different queue, whose histogram lines are far (last
 * touched thousands of frames ago), so the fold touches them rarely (every 64
 * of the queue's frames) and asks for all of them before it uses any (see
 * lat_fold; docs/performance.md has the figures). The histograms come out
 * identical: recording is order-free (counts, min, max, exact sum). One
 * staging array for all queues, sorted by queue before the fold, was tried:
 * its streaming writes evicted more than they saved. */
#define LAT_BATCH 64u
struct lat_block {
	uint64_t staged[LAT_BATCH][LAT_COUNT];
	struct hist h[LAT_COUNT];
};

/* Two aligned cache lines: what a frame's DPC work reads, then the
 * counters (with many queues each frame meets a queue gone cold since its
 * last frame, and every line more is a cache miss more). */
struct drv_q {
	struct driver *d;
	uint8_t *ring;              /* backed descriptor memory */
	/* The frame records whose data landed in this queue's buffers and the
	 * driver has not processed, in ring order from next_to_clean on (the
	 * NIC fills buffers in ring order), linked through pkt.next; irq_next
	 * is the first of them no interrupt has covered yet. A list through the
	 * records rather than an array per ring slot: a frame's record is in
	 * cache when it lands, a slot array line would be cold with many
	 * queues (docs/performance.md). */
	struct pkt_list landed;
	struct pkt *irq_next;
	uint32_t count;             /* ring entries */
	uint32_t next_to_clean;     /* next descriptor the driver looks at */
	uint32_t index;
	uint32_t cpu;
	uint32_t n_landed;          /* frames on the landed list */
	uint16_t lat_staged;        /* frames staged in the queue's lat_block */
	bool is_dpc_queued;
	bool is_lat_ready;          /* histograms initialised (at the queue's first frame) */
	/* line 2 */
	struct host_queue_stats st;
	/* adaptive moderation (irq.mode=adaptive, host/itr.h): frames and
	 * bytes processed since the vector's interval was last chosen */
	uint64_t itr_bytes;
	uint32_t itr_frames;
	struct itr_state itr;
	/* cold */
	uint32_t itr_eitr;          /* an EITR word chosen, to write at the next ISR */
	bool is_itr_due;            /* itr_eitr is waiting to be written */
	uint64_t ring_addr, buf_addr;
} __attribute__((aligned(64)));
_Static_assert(offsetof(struct drv_q, st) == 64, "drv_q: the DPC's fields must be one cache line");
_Static_assert(offsetof(struct drv_q, itr) + sizeof(struct itr_state) <= 128,
	       "drv_q: a frame's counters must be the second line");

struct driver {
	struct sim_kernel *k;
	struct bus *bus;
	struct pkt_pool *pool;
	struct hostmem *mem;
	struct host_cfg cfg;
	struct cost_cfg cost;
	struct rss_cfg rss;
	struct irq_cfg irq;
	struct sim_clock clk;
	uint32_t nq, ncpu;
	struct drv_q *q;
	struct core *cores;
	uint16_t *reta;             /* the indirection table as programmed */
	/* Latency histograms of all queues, out of line so the per-queue structs
	 * stay small (61 KB of histograms a queue would put every queue's hot
	 * fields on its own pages); mapped lazily, huge pages where the kernel
	 * offers them, touched only for queues that see frames. */
	struct lat_block *lat_arena;
	size_t lat_arena_bytes;

	uint64_t *entry_frames;     /* frames per entry, from write-back hashes */
	driver_deliver_fn deliver;
	void *deliver_ctx;
};

/* x86 MSI address: 0xFEE in bits 31:20, destination APIC ID in bits 19:12
 * (Intel SDM Vol. 3, "Message Address Register Format"). Only its form
 * matters here: the host routes a message by its data (the vector). */
#define MSI_ADDR_BASE 0xFEE00000ull

static struct nic_rx_desc_wb *desc_wb(struct drv_q *q, uint32_t i)
{
	return (struct nic_rx_desc_wb *)(q->ring + (size_t)i * NIC_RX_DESC_BYTES);
}

static void repost(struct drv_q *q, uint32_t i)
{
	struct nic_rx_desc_read r = { .buf_addr = q->buf_addr + (uint64_t)i * q->d->cfg.buf_bytes };
	memcpy(q->ring + (size_t)i * NIC_RX_DESC_BYTES, &r, sizeof r);
}

/* A frame's data landed in one of this queue's buffers. */
static void buf_written(void *owner, uint64_t offset, struct bus_dma *op)
{
	struct drv_q *q = owner;
	uint32_t i = (uint32_t)(offset / q->d->cfg.buf_bytes);
	assert(q->n_landed < q->count && i == (q->next_to_clean + q->n_landed) % q->count &&
	       "NIC wrote a buffer the driver still holds, or out of ring order");
	(void)i;
	struct pkt *p = op->pkt;
	pkt_list_push(&q->landed, p);
	if (!q->irq_next)
		q->irq_next = p;
	q->n_landed++;
}

static void core_kick(struct core *c);
static void dpc_step(struct core *c);
static void dpc_end(struct core *c);

static void fifo_push(uint32_t *fifo, uint32_t head, uint32_t *n, uint32_t cap, uint32_t v)
{
	assert(*n < cap && "core work FIFO overflow");
	fifo[(head + *n) % cap] = v;
	(*n)++;
}

static uint32_t fifo_pop(uint32_t *fifo, uint32_t *head, uint32_t *n, uint32_t cap)
{
	uint32_t v = fifo[*head];
	*head = (*head + 1) % cap;
	(*n)--;
	return v;
}

static void queue_dpc(struct drv_q *q)
{
	if (q->is_dpc_queued)
		return;
	struct core *c = &q->d->cores[q->cpu];
	q->is_dpc_queued = true;
	fifo_push(c->dpc_fifo, c->dpc_head, &c->dpc_n, c->fifo_cap, q->index);
}

static void host_msix(void *opaque, uint64_t t_ps, uint64_t addr, uint32_t data)
{
	(void)addr;
	struct driver *d = opaque;
	(void)t_ps;
	if (data >= d->nq)
		return; /* not one of ours */
	struct drv_q *q = &d->q[data];
	struct core *c = &d->cores[q->cpu];
	/* The interrupt reached the host: every completed descriptor not yet
	 * covered by an interrupt is covered by this one. (A frame is on the
	 * landed list once its data is in host memory; its write-back follows
	 * at the same instant, posted writes in order.) */
	uint64_t now = sim_now_ps(d->k);
	for (struct pkt *p = q->irq_next; p; p = p->next)
		if (!p->t_ps[PKT_T_IRQ])
			p->t_ps[PKT_T_IRQ] = now;
	q->irq_next = NULL;
	fifo_push(c->isr_fifo, c->isr_head, &c->isr_n, c->fifo_cap, q->index);
	core_kick(c);
}

static uint64_t cyc_ps(struct driver *d, uint64_t cycles) { return sim_clock_cycles_to_ps(&d->clk, cycles); }

/* Start the next work item on an idle core. */
static void core_kick(struct core *c)
{
	struct driver *d = c->d;
	if (c->cur != WORK_NONE)
		return;
	if (c->isr_n) {
		uint32_t qi = fifo_pop(c->isr_fifo, &c->isr_head, &c->isr_n, c->fifo_cap);
		c->cur = WORK_ISR;
		c->cur_q = &d->q[qi];
		if (d->irq.mode == IRQ_MODE_ADAPTIVE && c->cur_q->is_itr_due) {  /* igb_msix_ring: igb_write_itr first */
			c->cur_q->is_itr_due = false;
			bus_reg_write(d->bus, sim_now_ps(d->k), NIC_REG_EITR(qi), c->cur_q->itr_eitr);
		}
		c->st.isrs++;
		c->st.cycles[CPU_ISR] += d->cost.irq_cycles;
		sim_schedule_in(d->k, &c->ev, cyc_ps(d, d->cost.irq_cycles));
		return;
	}
	if (c->dpc_n) {
		uint32_t qi = fifo_pop(c->dpc_fifo, &c->dpc_head, &c->dpc_n, c->fifo_cap);
		struct drv_q *q = &d->q[qi];
		q->is_dpc_queued = false;
		q->st.dpc_runs++;
		c->st.dpcs++;
		c->cur_q = q;
		c->dpc_done = 0;
		c->is_dpc_overhead_due = true;
		c->cur = WORK_DPC_PKT;
		c->cur_pkt = NULL;
		dpc_step(c);
	}
}

/* One DPC step: the next completed descriptor, or the end of the run. */
static void dpc_step(struct core *c)
{
	struct driver *d = c->d;
	struct drv_q *q = c->cur_q;
	uint32_t i = q->next_to_clean;
	struct nic_rx_desc_wb *wb = desc_wb(q, i);
	if (c->dpc_done < d->cfg.dpc_budget_pkts && (wb->status & NIC_RXD_STAT_DD) && q->landed.head) {
		struct pkt *p = q->landed.head;
		uint64_t drv = d->cost.rx_pkt_cycles;
		/* The protocol from the write-back's packet type (what the NIC
		 * tells the driver); the payload length is the host stack's own
		 * reading of the frame's headers (the replay parsed the frame on
		 * the host side into the packet record). */
		bool is_tcp = wb->pkt_type & NIC_PTYPE_TCP, is_udp = wb->pkt_type & NIC_PTYPE_UDP;
		uint64_t proto = is_tcp ? d->cost.rx_tcp_cycles : d->cost.rx_other_cycles;
		uint32_t payload = p->pr.payload_len;
		if (payload > wb->frame_len)
			payload = wb->frame_len;
		if (!(wb->status & NIC_RXD_STAT_L4CS) && (is_tcp || is_udp))
			proto += ((uint64_t)payload * d->cost.csum_mcyc_per_byte + 999) / 1000;
		uint64_t copy = ((uint64_t)payload * d->cost.copy_mcyc_per_byte + 999) / 1000;
		if (wb->status & NIC_RXD_STAT_RSS)
			d->entry_frames[wb->rss_hash & (d->rss.table_size - 1)]++;
		/* The run's fixed cost (dispatch, doorbell, re-arm) is charged
		 * with its first frame, so the end of the run needs no event of
		 * its own: one event per frame. */
		if (c->is_dpc_overhead_due) {
			drv += d->cost.dpc_cycles;
			c->is_dpc_overhead_due = false;
		}
		c->st.cycles[CPU_DRIVER] += drv;
		c->st.cycles[CPU_PROTOCOL] += proto;
		c->st.cycles[CPU_COPY] += copy;
		uint64_t now = sim_now_ps(d->k);
		c->cur_pkt = p;
		c->step_driver_ps = now + cyc_ps(d, drv);
		c->cur = WORK_DPC_PKT;
		sim_schedule_at(d->k, &c->ev, now + cyc_ps(d, drv + proto + copy));
		return;
	}
	if (c->is_dpc_overhead_due) {
		/* A run that found nothing still costs its fixed part. */
		c->is_dpc_overhead_due = false;
		c->cur = WORK_DPC_END;
		c->cur_pkt = NULL;
		c->st.cycles[CPU_DRIVER] += d->cost.dpc_cycles;
		sim_schedule_in(d->k, &c->ev, cyc_ps(d, d->cost.dpc_cycles));
		return;
	}
	dpc_end(c);
}

/* The adaptive interval of a queue's vector now: one vector, e1000e's
 * classes; several, igb's ring ITR (host/itr.h). */
static uint32_t itr_usecs(const struct driver *d, const struct drv_q *q)
{
	return d->nq == 1 ? itr_single_usecs(&q->itr) : itr_ring_usecs(&q->itr);
}

/* Adaptive moderation, before the vector is unmasked (igb_ring_irq_enable):
 * the next interval from what this vector's DPCs processed since the last
 * choice. When it changed, it is written to EITR at the start of the next
 * ISR, as igb_msix_ring does (igb_write_itr), so it governs the interval
 * after that interrupt. One vector: e1000e's classes; several:
 * igb_update_ring_itr (host/itr.h). */
static void itr_choose(struct driver *d, struct drv_q *q)
{
	bool is_cons = d->irq.is_adaptive_conservative;
	uint32_t before = itr_usecs(d, q);
	if (d->nq == 1)
		itr_update_single(&q->itr, q->itr_frames, q->itr_bytes, is_cons);
	else
		itr_update_ring(&q->itr, q->itr_frames, q->itr_bytes, is_cons);
	q->itr_frames = 0;
	q->itr_bytes = 0;
	uint32_t after = itr_usecs(d, q);
	if (after != before) {
		q->itr_eitr = NIC_EITR(after, d->irq.frames);
		q->is_itr_due = true;
	}
}

/* End of a DPC run: give the cleaned descriptors back (tail = one behind
 * next_to_clean, one slot always empty), then poll again if the budget ran
 * out (the interrupt stays masked, as NAPI) or unmask the vector. */
static void dpc_end(struct core *c)
{
	struct driver *d = c->d;
	struct drv_q *q = c->cur_q;
	uint64_t now = sim_now_ps(d->k);
	uint32_t tail = (q->next_to_clean + q->count - 1) % q->count;
	bus_reg_write(d->bus, now, NIC_REG_RXQ(q->index) + NIC_RXQ_RDT, tail);
	c->cur = WORK_NONE;
	c->cur_pkt = NULL;
	struct nic_rx_desc_wb *wb = desc_wb(q, q->next_to_clean);
	if ((wb->status & NIC_RXD_STAT_DD) && q->landed.head) {
		queue_dpc(q);
		return;
	}
	if (d->irq.mode == IRQ_MODE_ADAPTIVE)
		itr_choose(d, q);
	bus_reg_write(d->bus, now, NIC_REG_EIMS(q->index), NIC_EIM_VECTOR);
}

/* Add a queue's staged latencies to its histograms, stage by stage. */
static void lat_fold(struct drv_q *q)
{
	struct lat_block *lat = &q->d->lat_arena[q->index];
	/* Every line the fold will write, requested first: the misses then
	 * overlap instead of queueing one behind the other. */
	for (int s = 0; s < LAT_COUNT; s++) {
		__builtin_prefetch(&lat->h[s], 1);
		for (uint32_t i = 0; i < q->lat_staged; i++)
			__builtin_prefetch(&lat->h[s].buckets[hist_bucket_index(lat->staged[i][s])], 1);
	}
	for (int s = 0; s < LAT_COUNT; s++)
		hist_record_n(&lat->h[s], &lat->staged[0][s], q->lat_staged, LAT_COUNT);
	q->lat_staged = 0;
}

static void core_step_done(struct sim_kernel *k, struct sim_event *ev, void *arg)
{
	(void)ev;
	struct core *c = arg;
	struct driver *d = c->d;
	struct drv_q *q = c->cur_q;
	uint64_t now = sim_now_ps(k);
	switch (c->cur) {
	case WORK_ISR:
		c->cur = WORK_NONE;
		queue_dpc(q);
		break;
	case WORK_DPC_PKT: {
		struct pkt *p = c->cur_pkt;
		uint32_t i = q->next_to_clean;
		p->t_ps[PKT_T_DRIVER] = c->step_driver_ps;
		p->t_ps[PKT_T_DELIVERED] = now;
		if (!p->t_ps[PKT_T_IRQ])
			p->t_ps[PKT_T_IRQ] = p->t_ps[PKT_T_DRIVER]; /* found by polling before its interrupt */
		uint64_t w = p->t_ps[PKT_T_WIRE];
		struct lat_block *lat = &d->lat_arena[q->index];
		if (!q->is_lat_ready) {
			q->is_lat_ready = true;
			for (int s = 0; s < LAT_COUNT; s++)
				hist_init(&lat->h[s]);
		}
		uint64_t *st = lat->staged[q->lat_staged];
		st[LAT_DMA] = p->t_ps[PKT_T_DMA_DONE] - w;
		st[LAT_IRQ] = p->t_ps[PKT_T_IRQ] - w;
		st[LAT_DRIVER] = p->t_ps[PKT_T_DRIVER] - w;
		st[LAT_E2E] = now - w;
		if (++q->lat_staged == LAT_BATCH)
			lat_fold(q);
		q->st.packets++;
		q->st.bytes += p->wire_len;
		q->itr_frames++;
		q->itr_bytes += p->wire_len;
		struct pkt *popped = pkt_list_pop(&q->landed);
		assert(popped == p);
		(void)popped;
		if (q->irq_next == p)
			q->irq_next = p->next;
		q->n_landed--;
		if (d->deliver)
			d->deliver(d->deliver_ctx, p);
		pkt_release(d->pool, p);
		repost(q, i);
		q->next_to_clean = (i + 1) % q->count;
		c->dpc_done++;
		c->cur_pkt = NULL;
		dpc_step(c);
		if (c->cur != WORK_NONE)
			return;  /* the next frame's step is scheduled */
		break;           /* the run ended: pick the next work item */
	}
	case WORK_DPC_END:
		dpc_end(c);
		break;
	case WORK_NONE:
		assert(0 && "core event fired with no work");
	}
	core_kick(c);
}

static void host_dma(void *opaque, uint64_t t_ps, struct bus_dma *op)
{
	(void)t_ps;
	struct driver *d = opaque;
	hostmem_dma(d->mem, op);
}

int driver_new(struct driver **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const struct host_cfg *cfg, const struct cost_cfg *cost, const struct rss_cfg *rss,
	       const struct irq_cfg *irq, char *err, size_t err_len)
{
	struct driver *d = calloc(1, sizeof *d);
	if (!d)
		goto nomem;
	d->k = k;
	d->bus = bus;
	d->pool = pool;
	d->cfg = *cfg;
	d->cost = *cost;
	d->rss = *rss;
	d->irq = *irq;
	d->clk = sim_clock_mhz(cfg->clock_mhz);
	d->ncpu = cfg->cpus;
	d->nq = host_queues(cfg, rss);
	d->mem = hostmem_new();
	d->reta = calloc(rss->table_size, sizeof *d->reta);
	d->lat_arena_bytes = (size_t)d->nq * sizeof(struct lat_block);
	d->lat_arena = mmap(NULL, d->lat_arena_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->lat_arena == MAP_FAILED)
		d->lat_arena = NULL;
	else
		(void)madvise(d->lat_arena, d->lat_arena_bytes, MADV_HUGEPAGE); /* a hint; fine if refused */
	d->entry_frames = calloc(rss->table_size, sizeof *d->entry_frames);
	d->q = sim_calloc_lines(d->nq, sizeof *d->q);
	d->cores = calloc(d->ncpu, sizeof *d->cores);
	if (!d->mem || !d->q || !d->cores || !d->reta || !d->entry_frames || !d->lat_arena)
		goto nomem;
	/* RSS may use CPUs base_cpu .. base_cpu + max_cpus - 1 (NDIS
	 * BaseCpuNumber / MaxProcessors); queue q's vector and DPC go to the
	 * q-th of them, wrapping. Legacy: everything on base_cpu. */
	uint32_t base = rss->base_cpu % d->ncpu;
	uint32_t span = rss->max_cpus && rss->max_cpus < d->ncpu ? rss->max_cpus : d->ncpu;
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
	}
	for (uint32_t c = 0; c < d->ncpu; c++) {
		struct core *co = &d->cores[c];
		co->d = d;
		co->fifo_cap = d->nq + 1;
		co->isr_fifo = calloc(co->fifo_cap, sizeof(uint32_t));
		co->dpc_fifo = calloc(co->fifo_cap, sizeof(uint32_t));
		if (!co->isr_fifo || !co->dpc_fifo)
			goto nomem;
		snprintf(co->name, sizeof co->name, "host.cpu%u", c);
		sim_event_init(&co->ev, co->name, SIM_PRIO_HOST, core_step_done, co);
	}
	*out = d;
	return 0;
nomem:
	snprintf(err, err_len, "host: out of memory for %u queues, %u cpus", host_queues(cfg, rss), cfg->cpus);
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
	bus_reg_write(b, t, NIC_REG_CTRL, 1); /* reset */
	/* RSS key and indirection table: entry i -> queue i mod N. */
	for (uint32_t i = 0; i < NIC_REG_RSSRK_COUNT; i++) {
		uint32_t v = 0;
		if (4 * i < d->rss.key_len)
			memcpy(&v, d->rss.key + 4 * i, d->rss.key_len - 4 * i >= 4 ? 4 : d->rss.key_len - 4 * i);
		bus_reg_write(b, t, NIC_REG_RSSRK + 4 * i, v);
	}
	for (uint32_t e = 0; e < d->rss.table_size; e++)
		d->reta[e] = (uint16_t)(e % d->nq);
	for (uint32_t i = 0; i < d->rss.table_size / 2; i++)
		reta_write_pair(d, t, i);
	for (uint32_t i = 0; i < d->nq; i++) {
		struct drv_q *q = &d->q[i];
		uint32_t base = NIC_REG_RXQ(i);
		bus_reg_write(b, t, base + NIC_RXQ_RDBAL, (uint32_t)q->ring_addr);
		bus_reg_write(b, t, base + NIC_RXQ_RDBAH, (uint32_t)(q->ring_addr >> 32));
		bus_reg_write(b, t, base + NIC_RXQ_BUFLEN, d->cfg.buf_bytes);
		bus_reg_write(b, t, base + NIC_RXQ_RDLEN, q->count * NIC_RX_DESC_BYTES);
		uint64_t msi = MSI_ADDR_BASE | ((uint64_t)(q->cpu & 0xff) << 12);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_ADDR_LO, (uint32_t)msi);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_ADDR_HI, (uint32_t)(msi >> 32));
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_DATA, i);
		bus_reg_write(b, t, NIC_REG_MSIX(i) + NIC_MSIX_CTRL, 0);
		/* Adaptive: start at IGB_START_ITR and choose after each interrupt. */
		q->itr = itr_start();
		q->itr_frames = 0;
		q->itr_bytes = 0;
		q->is_itr_due = false;
		uint32_t usecs = d->irq.mode == IRQ_MODE_OFF ? 0
				 : d->irq.mode == IRQ_MODE_FIXED ? d->irq.usecs : itr_usecs(d, q);
		uint32_t frames = d->irq.mode == IRQ_MODE_OFF ? 1 : d->irq.frames;
		bus_reg_write(b, t, NIC_REG_EITR(i), NIC_EITR(usecs, frames));
		q->next_to_clean = 0;
		bus_reg_write(b, t, base + NIC_RXQ_RDT, q->count - 1);
		bus_reg_write(b, t, NIC_REG_EIMS(i), NIC_EIM_VECTOR);
	}
	uint32_t mrqc = (uint32_t)bus_reg_read(b, t, NIC_REG_MRQC);
	mrqc = d->cfg.mode == HOST_MODE_LEGACY ? (mrqc & ~NIC_MRQC_RSS_EN) : (mrqc | NIC_MRQC_RSS_EN);
	bus_reg_write(b, t, NIC_REG_MRQC, mrqc);
	bus_reg_write(b, t, NIC_REG_RCTL, 1);
}

void driver_on_deliver(struct driver *d, driver_deliver_fn fn, void *ctx)
{
	d->deliver = fn;
	d->deliver_ctx = ctx;
}

void driver_free(struct driver *d)
{
	if (!d)
		return;
	for (uint32_t c = 0; d->cores && c < d->ncpu; c++) {
		if (d->k)
			sim_cancel(d->k, &d->cores[c].ev);
		free(d->cores[c].isr_fifo);
		free(d->cores[c].dpc_fifo);
	}
	for (uint32_t i = 0; d->q && i < d->nq; i++) {
		for (struct pkt *p = d->q[i].landed.head, *next; p; p = next) {
			next = p->next;
			pkt_release(d->pool, p);
		}
	}
	free(d->q);
	free(d->cores);
	free(d->reta);
	free(d->entry_frames);
	if (d->lat_arena)
		munmap(d->lat_arena, d->lat_arena_bytes);

	hostmem_free(d->mem);
	free(d);
}

uint32_t driver_queues(const struct driver *d) { return d->nq; }
uint32_t driver_cpus(const struct driver *d) { return d->ncpu; }
const struct host_queue_stats *driver_queue_stats(const struct driver *d, uint32_t q) { return &d->q[q].st; }
const struct host_cpu_stats *driver_cpu_stats(const struct driver *d, uint32_t c) { return &d->cores[c].st; }

const struct hist *driver_queue_lat(struct driver *d, uint32_t q, enum lat_stage s)
{
	static const struct hist empty = HIST_EMPTY;
	struct drv_q *dq = &d->q[q];
	if (!dq->is_lat_ready)
		return &empty;
	lat_fold(dq);
	return &d->lat_arena[q].h[s];
}
uint64_t driver_in_flight(const struct driver *d)
{
	uint64_t n = 0;
	for (uint32_t q = 0; q < d->nq; q++)
		n += d->q[q].n_landed;
	return n;
}
uint64_t driver_bad_dma(const struct driver *d) { return hostmem_bad_dma(d->mem); }

uint32_t driver_reta_size(const struct driver *d) { return d->rss.table_size; }
uint16_t driver_reta_get(const struct driver *d, uint32_t e) { return d->reta[e]; }
uint64_t driver_entry_frames(const struct driver *d, uint32_t e) { return d->entry_frames[e]; }
uint32_t driver_queue_cpu(const struct driver *d, uint32_t q) { return d->q[q].cpu; }

void driver_reta_set(struct driver *d, uint32_t e, uint16_t queue)
{
	assert(e < d->rss.table_size && queue < d->nq);
	d->reta[e] = queue;
	reta_write_pair(d, sim_now_ps(d->k), e / 2);
}

bool driver_queue_is_drained(struct driver *d, uint32_t qi)
{
	struct drv_q *q = &d->q[qi];
	const struct core *c = &d->cores[q->cpu];
	if (q->landed.head || q->is_dpc_queued || (c->cur != WORK_NONE && c->cur_q == q))
		return false;
	return bus_reg_read(d->bus, sim_now_ps(d->k), NIC_REG_RXQ(qi) + NIC_RXQ_INFLIGHT) == 0;
}

#include "sim/nicsim/run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/nicsim/timeline.h"

static uint64_t wall_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Per-flow bookkeeping, only with --flows. */
static void on_record(void *ctx, const struct pkt *p, const struct parse_result *pr, int dir)
{
	(void)dir;
	struct run *r = ctx;
	bool is_nomem;
	(void)flows_add_frame(r->flows, pr, p->wire_len, p->record, &is_nomem);
	/* Out of memory here only loses per-flow detail; the run's own counts stand. */
}

/* Per-flow queue and order of a frame the host finished with. */
static void flow_order(struct run *r, const struct pkt *p, const struct driver_rx_info *info)
{
	struct flow_key key;
	if (!r->flows || !flows_key_of(info->pr, &key))
		return;
	struct flow_entry *e = flows_get(r->flows, &key, p->record);
	if (!e)
		return;
	if (e->has_rx && e->queue != info->queue)
		e->queue_changed = 1;
	if (p->seq < e->last_seq_delivered) {
		e->reordered++;
		r->reordered++;
	} else {
		e->last_seq_delivered = p->seq;
	}
	e->has_rx = 1;
	e->queue = info->queue;
	e->rss_hash = info->has_hash ? info->rss_hash : 0;
}

static void on_deliver(void *ctx, const struct pkt *p, const struct driver_rx_info *info)
{
	struct run *r = ctx;
	if (r->tl)
		timeline_frame(r->tl, p, info->queue);
	if (r->is_flow_order)
		flow_order(r, p, info);
}

/* A frame the capture shows the host sending: to its stack, unless its
 * connection is offloaded (the chimney takes it: data to the engine, pure
 * ACKs dropped, docs/toe.md). */
static void on_host_send(void *ctx, struct pkt *p, const struct parse_result *pr)
{
	struct run *r = ctx;
	if (r->is_toe && chimney_host_send(r->drv, p, pr))
		return;
	txstack_frame(r->txs, p, pr);
}

/* The offload replay rule (host/chimney.h): a peer frame may wait for the
 * engine's data, and goes when the wire has shown it. */
static bool toe_gate(void *ctx, uint64_t t_ps, struct pkt *p)
{
	struct run *r = ctx;
	return chimney_hold_peer(r->drv, t_ps, p);
}
static void toe_release(void *ctx, uint64_t t_ps, struct pkt *p)
{
	struct run *r = ctx;
	replay_rx_now(r->rep, t_ps, p);
}

/* A send from the stack: to the driver. */
static void on_stack_send(void *ctx, const struct tx_send *s)
{
	struct run *r = ctx;
	driver_send(r->drv, s);
}

/* The wire, seen from outside: frames the NIC sent (bus frame_out) and
 * frames it received (frame_in, tapped), written as captures. */
static void wire_out(void *ctx, uint64_t t_ps, struct pkt *p)
{
	struct run *r = ctx;
	if (r->is_toe)
		chimney_wire_frame(r->drv, t_ps, p);
	t_ps += r->wire_t0_ps;
	if (r->tx_pcap)
		(void)trace_writer_put(r->tx_pcap, t_ps, p->data, p->cap_len, p->wire_len, TRACE_DIR_OUT);
	if (r->wire_pcap)
		(void)trace_writer_put(r->wire_pcap, t_ps, p->data, p->cap_len, p->wire_len, TRACE_DIR_OUT);
}
static void wire_in(void *ctx, uint64_t t_ps, const struct pkt *p)
{
	struct run *r = ctx;
	(void)trace_writer_put(r->wire_pcap, t_ps + r->wire_t0_ps, p->data, p->cap_len, p->wire_len, TRACE_DIR_IN);
}

static int open_writers(struct run *r, const struct run_opts *opts, char *err, size_t err_len)
{
	const struct trace_info *ti = replay_trace_info(r->rep);
	uint32_t snap = TRACE_CAPLEN_MAX;
	/* Stamped on the capture's own clock: its first record's time plus
	 * simulated time. */
	int64_t base;
	replay_time_origin(r->rep, &base, &r->wire_t0_ps);
	if (opts->tx_pcap &&
	    trace_writer_open(&r->tx_pcap, opts->tx_pcap, TRACE_WRITE_PCAP, ti->linktype, snap, base, err, err_len))
		return -1;
	if (opts->wire_pcap &&
	    trace_writer_open(&r->wire_pcap, opts->wire_pcap, TRACE_WRITE_PCAPNG, ti->linktype, snap, base, err, err_len))
		return -1;
	return 0;
}

int run_trace(const struct nicsim_cfg *cfg, const char *trace_path, const struct run_opts *opts,
	      struct run **out, char *err, size_t err_len)
{
	*out = NULL;
	if (config_validate(cfg, err, err_len))
		return -1;
	struct run *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	r->cfg = *cfg;
	snprintf(r->trace_path, sizeof r->trace_path, "%s", strcmp(trace_path, "-") ? trace_path : TRACE_STDIN_NAME);
	r->backend = opts && opts->backend_name ? opts->backend_name : "c";
	r->kernel = opts ? opts->kernel : NULL;
	int rc = replay_host_id_parse(cfg->host.ip, cfg->host.mac, &r->host, err, err_len);
	if (rc < 0)
		goto fail;
	r->k = sim_kernel_new();
	r->pool = pkt_pool_new();
	r->flows = flows_new();
	if (!r->k || !r->pool || !r->flows) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	struct replay_cfg rcfg = cfg->replay;
	rcfg.wire_rate_mbps = cfg->mac.rate_mbps;
	rcfg.wire_fcs_bytes = cfg->mac.fcs_bytes;
	rcfg.wire_overhead_bytes = cfg->mac.overhead_bytes;
	rcfg.mtu = cfg->mac.mtu;
	if ((rc = replay_new(&r->rep, r->k, &r->bus, r->pool, trace_path, &rcfg, &r->host, err, err_len)) < 0)
		goto fail;
	rc = -1;
	r->host = *replay_host(r->rep);
	enum parse_link link = replay_trace_info(r->rep)->link;
	if (nic_new(&r->nic, r->k, &r->bus, &cfg->nic, &cfg->mac, &cfg->rss, &cfg->pcie, link, err,
		    err_len))
		goto fail;
	if (opts && opts->engines)
		nic_set_engines(r->nic, opts->engines);
	/* The SNP rule (docs/cost-model.md, NetDMA): with NetDMA and Chimney both on, NetDMA
	 * is used and Chimney is not, unless netdma.with_chimney. */
	r->is_toe = cfg->chimney.enable;
	if (r->is_toe && cfg->netdma.is_enable && !cfg->netdma.with_chimney) {
		r->is_toe = false;
		r->is_toe_yielded = true;
	}
	if (r->is_toe && nic_toe_enable(r->nic, &cfg->toe, err, err_len))
		goto fail;
	if (opts && opts->is_nic_fast_path_off)
		nic_set_fast_path(r->nic, false);
	if (opts && opts->on_progress)
		replay_on_progress(r->rep, opts->on_progress, opts->progress_ctx);
	nic_attach(r->nic, &r->bus);
	/* Work items a core may hold of one kind: every queue's, plus one. */
	if (cpu_new(&r->cpu, r->k, cfg->host.cpus, cfg->host.clock_mhz, host_queues(&cfg->host, cfg->rss.queues) + 1,
		    err, err_len))
		goto fail;
	struct tx_cfg tx = tx_cfg_effective(&cfg->tx);
	if (driver_new(&r->drv, r->k, &r->bus, r->cpu, &cfg->host, &cfg->cost, &cfg->rss_policy, &cfg->irq, &tx,
		       cfg->mac.mtu, link, err, err_len))
		goto fail;
	driver_attach(r->drv, &r->bus);
	if (cfg->netdma.is_enable && driver_netdma_enable(r->drv, &cfg->netdma, err, err_len))
		goto fail;
	if (r->is_toe) {
		if (chimney_enable(r->drv, &cfg->chimney, err, err_len))
			goto fail;
		chimney_on_release(r->drv, toe_release, r);
		replay_on_rx_gate(r->rep, toe_gate, r);
	}
	/* The host's sends: the capture's frames from the host, through its
	 * stack (coalesced for LSO) to the driver. */
	if (txstack_new(&r->txs, r->k, &tx, cfg->mac.mtu, err, err_len))
		goto fail;
	txstack_on_send(r->txs, on_stack_send, r);
	replay_on_send(r->rep, on_host_send, r);
	if (opts && (opts->tx_pcap || opts->wire_pcap)) {
		if (open_writers(r, opts, err, err_len))
			goto fail;
		if (r->wire_pcap)
			replay_on_wire(r->rep, wire_in, r);
	}
	/* The NIC's wire out: to the chimney (what the engine sent) and the
	 * captures written. */
	if (r->is_toe || r->tx_pcap || r->wire_pcap) {
		r->bus.host.frame_out = wire_out;
		r->bus.host.wire = r;
	}
	if (rebalance_is_active(&cfg->rebalance) &&
	    rebalance_new(&r->rebal, r->k, r->drv, &cfg->rebalance, err, err_len))
		goto fail;
	/* Per-flow tables cost two hash lookups a frame (13% of a run): only
	 * when asked for (--flows, tests of per-flow queueing and order), or
	 * when the table moves at run time (to count reordered frames). Their
	 * memory grows with the flows then, about 100 bytes each, a limit
	 * docs/replay.md states; reordering could be counted in a table of the
	 * flows with frames in flight, if a NIC drop told the run. */
	if ((opts && opts->want_flows) || r->rebal) {
		r->is_flow_order = true;
		replay_on_record(r->rep, on_record, r);
	}
	/* The timeline observes; it changes nothing the model computes. */
	r->tl = opts ? opts->timeline : NULL;
	if (r->tl) {
		cpu_on_item(r->cpu, timeline_cpu_item, r->tl);
		driver_on_msix(r->drv, timeline_msix, r->tl);
		if (r->rebal)
			rebalance_on_move(r->rebal, timeline_move, r->tl);
	}
	if (r->is_flow_order || r->tl)
		driver_on_deliver(r->drv, on_deliver, r);

	if (r->kernel && r->kernel->bind && (rc = r->kernel->bind(r->kernel->ctx, r, err, err_len)) < 0)
		goto fail;
	rc = -1;
	uint64_t t0 = wall_now_ns();
	driver_start(r->drv);
	if (r->rebal)
		rebalance_start(r->rebal);
	if ((rc = replay_start(r->rep)) < 0) {
		snprintf(err, err_len, "%s", replay_error(r->rep));
		goto fail;
	}
	uint64_t stop = cfg->run.stop_us ? (uint64_t)cfg->run.stop_us * SIM_PS_PER_US : SIM_TIME_NEVER;
	if (r->kernel && r->kernel->drive)
		r->kernel->drive(r->kernel->ctx, r, stop);
	else
		sim_run_until(r->k, stop);
	const char *late_ev = sim_time_overflow(r->k, NULL);
	if (late_ev) {   /* the replay keeps frames in range: settings carried the model past it */
		snprintf(err, err_len, "%s: event %s was due beyond 2^63 ps (106 days) of simulated time: "
			 "the settings make the NIC or the host lag that far behind the trace", r->trace_path, late_ev);
		rc = REPLAY_E_SETTINGS;
		goto fail;
	}
	if (r->is_toe) {
		chimney_count_held(r->drv);
		/* The software path's cost of the frames the engine took. */
		for (uint32_t q = 0; q < driver_queues(r->drv); q++) {
			const struct nic_toe_rx_work *w = nic_toe_rx_work(r->nic, q);
			if (w)
				driver_book_offloaded_rx(r->drv, q, w->frames, w->buffers, w->pure_acks, w->data_frames,
							 w->payload_bytes);
		}
	}
	r->events = sim_events_fired(r->k);
	r->sim_end_ps = sim_now_ps(r->k);
	r->wall_ns = wall_now_ns() - t0;
	if ((rc = replay_status(r->rep)) < 0) {
		snprintf(err, err_len, "%s", replay_error(r->rep));
		goto fail;
	}
	/* A capture that could not be written whole fails the run, naming it. */
	int wrc = trace_writer_close(r->tx_pcap, err, err_len);
	r->tx_pcap = NULL;
	if (!wrc) {
		wrc = trace_writer_close(r->wire_pcap, err, err_len);
		r->wire_pcap = NULL;
	}
	if (wrc) {
		rc = -1;
		goto fail;
	}
	*out = r;
	return 0;
fail:
	run_free(r);
	return rc ? rc : -1;
}

struct bus *run_bus(struct run *r) { return &r->bus; }
struct sim_kernel *run_sim_kernel(struct run *r) { return r->k; }

void run_free(struct run *r)
{
	if (!r)
		return;
	/* Cancel what is still pending (a stopped run) before the owners go. */
	replay_free(r->rep);
	rebalance_free(r->rebal);
	driver_free(r->drv);
	cpu_free(r->cpu);
	nic_free(r->nic);
	txstack_free(r->txs);
	char ignored[8];
	(void)trace_writer_close(r->tx_pcap, ignored, sizeof ignored);
	(void)trace_writer_close(r->wire_pcap, ignored, sizeof ignored);
	flows_free(r->flows);
	pkt_pool_free(r->pool);
	sim_kernel_free(r->k);
	free(r);
}

/*
 * sim/run.h — one simulation run: trace + config -> stats, and the reports
 * made from them (sim/report.c).
 *
 * Composition: replay (host/) puts frames on the wire; the NIC (models/)
 * receives them and DMAs into host memory; the driver (host/) processes them
 * on the host's cores. The two sides meet only at a struct bus with the
 * native binding. The kernel is stepped to completion here (the native
 * kernel), or by whoever run_opts.kernel names: nicsim-systemc's SystemC
 * thread (sim/systemc/), which steps the same kernel with sim_run_until after
 * binding the bus to TLM-2.0 sockets.
 */
#ifndef NICSIM_SIM_NICSIM_RUN_H
#define NICSIM_SIM_NICSIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "host/cpu.h"
#include "host/driver.h"
#include "host/replay.h"
#include "host/txstack.h"
#include "traces/writer.h"
#include "models/bus.h"
#include "models/nic.h"
#include "sim/nicsim/cli_run.h"   /* struct run_kernel */
#include "sim/nicsim/config.h"
#include "sim/kernel.h"
#include "sim/pkt.h"
#include "traces/flows.h"

#define REPORT_SCHEMA_VERSION 2

struct run_opts {
	const struct run_kernel *kernel;     /* NULL: the native kernel */
	bool want_flows;                     /* keep per-flow counts (run --flows) */
	const struct nic_engines *engines;   /* NULL = the C twins */
	const char *backend_name;            /* "c" unless engines given */
	bool is_nic_fast_path_off;           /* every frame through the pipeline-out event (nic_set_fast_path) */
	replay_progress_fn on_progress;      /* NULL: none (see replay_on_progress) */
	void *progress_ctx;
	struct timeline *timeline;           /* NULL: none; the caller opens and closes it (sim/nicsim/timeline.h) */
	const char *tx_pcap;                 /* NULL: none; every frame the NIC transmitted, pcap (--tx-pcap) */
	const char *wire_pcap;               /* NULL: none; both directions in time order, pcapng (--wire-pcap) */
};

struct run {
	struct nicsim_cfg cfg;
	char trace_path[4096];
	struct sim_kernel *k;
	struct pkt_pool *pool;
	struct bus bus;
	struct nic *nic;
	struct cpu *cpu;
	struct driver *drv;
	struct replay *rep;
	struct txstack *txs;                 /* the host's sends from the capture */
	struct trace_writer *tx_pcap, *wire_pcap;
	uint64_t wire_t0_ps;                 /* their stamps: simulated time + the first record's (replay_time_origin) */
	struct rebalance *rebal;            /* NULL unless rebalance.* asks for table updates */
	struct host_id host;
	struct flow_table *flows;
	const char *backend;
	const struct run_kernel *kernel;     /* NULL: native */
	uint64_t sim_end_ps;
	uint64_t events;
	uint64_t wall_ns;
	uint64_t reordered;                  /* frames finished after a later frame of their flow */
	bool is_flow_order;                  /* per-flow queue and order kept at delivery (on_deliver) */
	bool is_toe;                         /* toe.enable: the engine and the host's chimney (host/chimney.h) */
	bool is_toe_yielded;                 /* toe.enable, but NetDMA took precedence (netdma.with_chimney off) */
	struct timeline *tl;                 /* opts->timeline */
};

/* Build and run. On error returns <0 with a message; *out is NULL then.
 * Exit-code mapping for the CLI: REPLAY_E_SETTINGS when the settings cannot
 * replay this trace (time would pass what it can hold, a pipe cannot loop);
 * otherwise a trace error (enum trace_err) or -1. */
int run_trace(const struct nicsim_cfg *cfg, const char *trace_path, const struct run_opts *opts,
	      struct run **out, char *err, size_t err_len);
void run_free(struct run *r);

/* Frames the host processed, and frames the NIC dropped (every cause). */
static inline uint64_t run_frames_delivered(const struct run *r)
{
	uint64_t n = 0;
	for (uint32_t q = 0; q < driver_queues(r->drv); q++)
		n += driver_queue_stats(r->drv, q)->packets;
	return n;
}
static inline uint64_t run_frames_dropped(const struct run *r)
{
	uint64_t n = nic_stats(r->nic)->rx_disabled_drops + nic_stats(r->nic)->rx_too_long + nic_stats(r->nic)->rx_too_many_buffers;
	for (uint32_t q = 0; q < nic_queues(r->nic); q++)
		n += nic_queue_stats(r->nic, q)->drop_buffer_full + nic_queue_stats(r->nic, q)->drop_no_desc;
	return n;
}

/* Frames the NIC holds or the host has not processed: 0 after a drained run. */
static inline uint64_t run_frames_in_flight(const struct run *r)
{
	return nic_in_flight(r->nic) + driver_in_flight(r->drv) + nic_tx_in_flight(r->nic) + driver_tx_in_flight(r->drv);
}

/* Reports. */
json_t *report_json(const struct run *r);
/* Pieces the report's parts share (sim/nicsim/report.c, savings.c): a
 * count as a JSON integer (it must fit an int64), the counters of a
 * declared table (sim/stats.h) set on an object, and their rows in
 * docs/report.md under the key prefix where. */
json_t *report_jint(uint64_t v);
void report_stats_set(json_t *o, const struct stat_def *defs, const void *st);
void report_docs_counters(FILE *f, const char *where, const struct stat_def *defs);
/* A core's busy cycles and the run's length in its cycles (at least the
 * busy ones): utilisation is busy / span, in the report and the plots. */
void report_cpu_busy(const struct run *r, uint32_t cpu, uint64_t *busy, uint64_t *span);
/* Every queue's latency histograms merged, per stage. */
void report_lat_all_queues(const struct run *r, struct hist all[LAT_COUNT]);
void report_text(const struct run *r, FILE *f);
/* docs/report.md: the schema, its counters from their declarations. */
void report_write_docs(FILE *f);

#endif

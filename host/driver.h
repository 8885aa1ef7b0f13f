/*
 * host/driver.h — an NDIS-miniport-like receive driver on N host cores.
 *
 * Each core is a server of work items, one at a time, interrupts first:
 *   ISR (on the MSI-X vector's CPU): irq_cycles; stamps the interrupt time on
 *     the completed descriptors, queues the queue's DPC on the same CPU;
 *   DPC: up to dpc_budget_pkts descriptors with DD set, each charged
 *     driver + protocol + copy cycles (host/cost.h); re-posts the buffers,
 *     writes the tail doorbell, and either re-queues itself (budget used up,
 *     as NAPI does) or unmasks the vector (EIMS).
 * Modes: rss (one queue, vector and DPC per CPU, NDIS 6 RSS) and legacy (one
 * queue, one interrupt, one DPC on one CPU, as NDIS 5.1). Source: Microsoft
 * introduction-to-receive-side-scaling.md and rss-with-message-signaled-interrupts.md; ring discipline as Linux ixgbe (count, next_to_use,
 * next_to_clean, one slot always empty).
 *
 * The driver meets the NIC only through the bus: register writes to program
 * it, host memory the NIC DMAs into, MSI-X messages.
 */
#ifndef NICSIM_HOST_DRIVER_H
#define NICSIM_HOST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "host/cost.h"
#include "host/hostmem.h"
#include "models/bus.h"
#include "models/irq.h"
#include "models/rss.h"
#include "sim/hist.h"
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/pkt.h"

enum host_mode { HOST_MODE_RSS = 0, HOST_MODE_LEGACY };

struct host_cfg {
	uint32_t cpus;
	uint32_t clock_mhz;
	uint32_t mode;              /* enum host_mode */
	uint32_t ring_entries;      /* RX descriptors per queue */
	uint32_t buf_bytes;         /* RX buffer size */
	uint32_t dpc_budget_pkts;   /* descriptors per DPC run */
	char ip[128];               /* host address(es), comma-separated, or "auto" */
	char mac[32];               /* host MAC or "auto" */
};
extern const struct param_def host_params[];
/* The host's settings against the RSS ones they depend on (CPUs named by rss.base_cpu, rss.max_cpus). */
int host_cfg_validate(const struct host_cfg *cfg, const struct rss_cfg *rss, char *err, size_t err_len);
/* Receive queues the driver uses: one in legacy mode (NDIS 5.1), rss.queues otherwise. */
static inline uint32_t host_queues(const struct host_cfg *cfg, const struct rss_cfg *rss)
{
	return cfg->mode == HOST_MODE_LEGACY ? 1 : rss->queues;
}

enum cpu_cat { CPU_ISR = 0, CPU_DRIVER, CPU_PROTOCOL, CPU_COPY, CPU_CAT_COUNT };

struct host_cpu_stats {
	uint64_t cycles[CPU_CAT_COUNT];
	uint64_t isrs, dpcs;
};
/* Busy cycles of a CPU: all categories. */
static inline uint64_t host_cpu_busy_cycles(const struct host_cpu_stats *st)
{
	uint64_t busy = 0;
	for (int i = 0; i < CPU_CAT_COUNT; i++)
		busy += st->cycles[i];
	return busy;
}

enum lat_stage { LAT_DMA = 0, LAT_IRQ, LAT_DRIVER, LAT_E2E, LAT_COUNT };

struct host_queue_stats {
	uint64_t packets, bytes;
	uint64_t dpc_runs;
	/* latency histograms: driver_queue_lat() */
};

/* Called for every frame the host finished with (before it is released). */
typedef void (*driver_deliver_fn)(void *ctx, const struct pkt *p);

struct driver;
int driver_new(struct driver **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const struct host_cfg *cfg, const struct cost_cfg *cost, const struct rss_cfg *rss,
	       const struct irq_cfg *irq, char *err, size_t err_len);
void driver_free(struct driver *d);
/* Fill b->host with the host side's entry points. */
void driver_attach(struct driver *d, struct bus *b);
/* Program the NIC (reset, rings, RSS, vectors, enable). Call at time 0 after attach. */
void driver_start(struct driver *d);
void driver_on_deliver(struct driver *d, driver_deliver_fn fn, void *ctx);

uint32_t driver_queues(const struct driver *d);
uint32_t driver_cpus(const struct driver *d);
const struct host_queue_stats *driver_queue_stats(const struct driver *d, uint32_t q);
const struct host_cpu_stats *driver_cpu_stats(const struct driver *d, uint32_t cpu);
/* Latency histogram of a queue for one stage, wire -> stage in ps (an empty
 * one if the queue saw no frame). Not const: the driver stages a few samples
 * per queue before it adds them to the histograms, and reading adds them. */
const struct hist *driver_queue_lat(struct driver *d, uint32_t q, enum lat_stage s);
/* Frames the host holds (written by the NIC, not yet processed). */
uint64_t driver_in_flight(const struct driver *d);
uint64_t driver_bad_dma(const struct driver *d);

/* For the table rebalancer (host/rebalance.c). The driver keeps a copy of the
 * indirection table it programmed and counts, per entry, the frames whose
 * write-back hash indexed it (wb.rss_hash & (size - 1)). */
uint32_t driver_reta_size(const struct driver *d);
uint16_t driver_reta_get(const struct driver *d, uint32_t entry);
/* Rewrite one entry in the NIC (read-modify-write of its RETA register). */
void driver_reta_set(struct driver *d, uint32_t entry, uint16_t queue);
uint64_t driver_entry_frames(const struct driver *d, uint32_t entry);
/* A queue is drained when the NIC holds nothing for it (RXQ INFLIGHT register
 * reads 0) and the driver has processed every frame written to its ring. */
bool driver_queue_is_drained(struct driver *d, uint32_t q);
uint32_t driver_queue_cpu(const struct driver *d, uint32_t q);

#endif

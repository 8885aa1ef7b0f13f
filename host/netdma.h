/*
 * host/netdma.h — NetDMA: a memory-to-memory copy engine (Intel I/OAT
 * style) that does the receive copies to the application in the CPU's
 * place (Microsoft NetDMA 1.0/2.0, Linux NET_DMA; ../docs/cost-model.md).
 *
 * The engine has channels; a channel copies one batch of descriptors after
 * another at its bandwidth, and a batch's completion is visible a latency
 * after its last byte (the status write-back). The copies are host memory to
 * host memory: they share the host's memory, not the NIC's PCIe link, so
 * nothing here touches models/pcie. The CPU's side (submitting, taking the
 * completion, waiting) is the driver's (host/driver.c, the application's
 * receive work) and is charged by the cost model (cost.dma_cycles).
 *
 * Which copies go to the engine: a receive copy of at least
 * netdma.copybreak_bytes (Linux's tcp_dma_copybreak, NET_DMA_DEFAULT_COPYBREAK
 * 4096 in net/core/user_dma.c); smaller ones stay on the CPU. A "receive
 * copy" is one unit the stack hands the application: a TCP segment, or an
 * aggregate with host.gro. Linux asked instead that the application's read
 * be longer than the copy-break; nicsim has no reads, only the data.
 *
 * The SNP rule (a 2007 account, smallvoid.com "Windows NDIS 6 network
 * features"; no Microsoft primary text was found): with NetDMA and the TOE both enabled and
 * supported, Windows uses NetDMA and not Chimney; netdma.with_chimney
 * overrides it (sim/nicsim/run.c applies it).
 */
#ifndef NICSIM_HOST_NETDMA_H
#define NICSIM_HOST_NETDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/param.h"
#include "sim/stats.h"

#define NETDMA_CHANNELS_MAX 16u

enum netdma_completion { NETDMA_POLL = 0, NETDMA_INTERRUPT };

struct netdma_cfg {
	bool is_enable;             /* netdma.enable */
	uint32_t channels;          /* netdma.channels */
	uint32_t copybreak_bytes;   /* netdma.copybreak_bytes */
	uint32_t bandwidth_mbps;    /* netdma.channel_mbps: one channel's copy rate */
	uint32_t latency_ns;        /* netdma.latency_ns: a batch's start and completion write-back */
	uint32_t completion;        /* enum netdma_completion */
	uint32_t overlap_pct;       /* netdma.overlap_pct: the share of a wait the core spends on other work */
	bool with_chimney;          /* netdma.with_chimney: keep Chimney on beside NetDMA */
};
extern const struct param_def netdma_params[];

struct netdma_stats {
	uint64_t dma_copies, dma_bytes;     /* receive copies the engine did */
	uint64_t cpu_copies, cpu_bytes;     /* receive copies left to the CPU: TCP's below the copy-break, UDP's */
	uint64_t batches;                   /* submissions (an application's run's copies together) */
	uint64_t interrupts;                /* completion interrupts (netdma.completion=interrupt) */
	uint64_t waits, wait_ps, wait_max_ps;   /* an application waiting for a batch's completion */
	uint64_t queued_ps;                 /* time batches waited for their channel (engine saturation) */
	uint64_t busy_ps[NETDMA_CHANNELS_MAX];
};
extern const struct stat_def netdma_stat_defs[];

struct netdma;
int netdma_new(struct netdma **out, const struct netdma_cfg *cfg, char *err, size_t err_len);
void netdma_free(struct netdma *e);
const struct netdma_cfg *netdma_cfg(const struct netdma *e);
/* Submit a batch of descs copies of bytes in all on channel ch at now_ps;
 * returns when its completion is visible. */
uint64_t netdma_submit(struct netdma *e, uint32_t ch, uint32_t descs, uint64_t bytes, uint64_t now_ps);
/* A copy left to the CPU (below the copy-break), for the report. */
void netdma_cpu_copy(struct netdma *e, uint64_t bytes);
/* An application waited wait_ps for a completion (and took an interrupt for
 * it when netdma.completion=interrupt). */
void netdma_waited(struct netdma *e, uint64_t wait_ps);
const struct netdma_stats *netdma_stats(const struct netdma *e);

#endif

#include "host/netdma.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/kernel.h"

const struct param_def netdma_params[] = {
	{
		.key = "netdma.enable", .type = PARAM_BOOL, .offset = offsetof(struct netdma_cfg, is_enable),
		.defval = "false",
		.desc = "NetDMA: receive copies of at least netdma.copybreak_bytes go to a copy engine instead of a "
			"core. With toe.enable too, Chimney is not used (the SNP rule) unless netdma.with_chimney.",
		.source = "Microsoft NetDMA 1.0 (Vista), 2.0 (Server 2008); off by default as in Linux after v3.13 "
			  "(commit 77873803363c 'net_dma: mark broken')",
	},
	{
		.key = "netdma.channels", .type = PARAM_U32, .offset = offsetof(struct netdma_cfg, channels),
		.unit = "channels", .defval = "4", .min = 1, .max = NETDMA_CHANNELS_MAX,
		.desc = "Engine channels; an application's copies go to channel (its core mod channels), as NetDMA "
			"allocates a channel per processor.",
		.source = "Linux drivers/dma/ioat/dma.h IOAT_MAX_CHANS 4; MS allocating-a-netdma-channel.md "
			  "(processor affinity per channel)",
	},
	{
		.key = "netdma.copybreak_bytes", .type = PARAM_U32, .offset = offsetof(struct netdma_cfg, copybreak_bytes),
		.unit = "bytes", .defval = "4096", .min = 1, .max = 1u << 30,
		.desc = "Receive copies of at least this many bytes go to the engine; smaller ones stay on the CPU.",
		.source = "Linux net/core/user_dma.c NET_DMA_DEFAULT_COPYBREAK 4096 (ioatdma v1.2; v2 used 2048)",
	},
	{
		.key = "netdma.channel_mbps", .type = PARAM_U32, .offset = offsetof(struct netdma_cfg, bandwidth_mbps),
		.unit = "Mb/s", .defval = "16000", .min = 1, .max = 10000000,
		.desc = "One channel's copy rate (host memory to host memory).",
		.source = "assumption [A]: 2 GB/s a channel, so that four channels beat a core's copy at 16 KB and "
			  "not at 1 KB (Vaidyanathan et al., IPDPS'07, as summarised by a secondary source); sweep it",
	},
	{
		.key = "netdma.latency_ns", .type = PARAM_U32, .offset = offsetof(struct netdma_cfg, latency_ns),
		.unit = "ns", .defval = "1000", .max = 10000000,
		.desc = "A batch's fixed time: the engine fetching its descriptors and writing its completion status.",
		.source = "assumption [A]: two host-memory round trips and the engine's start; no published figure "
			  "(docs/cost-model.md)",
	},
	{
		.key = "netdma.completion", .type = PARAM_ENUM, .offset = offsetof(struct netdma_cfg, completion),
		.defval = "poll", .choices = "poll,interrupt",
		.desc = "How the stack learns a batch is done: poll, reading the completion word "
			"(STATUS_UPDATE_ON_COMPLETION); interrupt, a completion interrupt (INTERRUPT_ON_COMPLETION, "
			"MSI-X to the application's core) costing cost.irq_cycles.",
		.source = "MS NET_DMA_DESCRIPTOR ControlFlags; managing-netdma-interrupts.md",
	},
	{
		.key = "netdma.overlap_pct", .type = PARAM_U32, .offset = offsetof(struct netdma_cfg, overlap_pct),
		.unit = "%", .defval = "87", .max = 100,
		.desc = "Of the time an application waits for a copy, the share its core spends on other work; the "
			"rest is charged as a stall (cost term dma).",
		.source = "Vaidyanathan, Huang, Chai, Panda, IPDPS'07: about 87% overlap of copies with computation",
	},
	{
		.key = "netdma.with_chimney", .type = PARAM_BOOL, .offset = offsetof(struct netdma_cfg, with_chimney),
		.defval = "false",
		.desc = "Keep TCP Chimney on beside NetDMA. Off: with both enabled, NetDMA is used and Chimney is not.",
		.source = "a 2007 account (smallvoid.com, Windows NDIS 6 network features): 'Windows will choose NetDMA if it detects that both NetDMA and TCP Chimney "
			  "Offload is supported' [S]",
	},
	{ .key = NULL },
};

struct netdma {
	struct netdma_cfg cfg;
	uint64_t chan_free_ps[NETDMA_CHANNELS_MAX];
	struct netdma_stats st;
};

int netdma_new(struct netdma **out, const struct netdma_cfg *cfg, char *err, size_t err_len)
{
	if (!cfg->channels || cfg->channels > NETDMA_CHANNELS_MAX || !cfg->bandwidth_mbps) {
		snprintf(err, err_len, "netdma.channels: %u (1..%u) and netdma.channel_mbps %u (>0) needed", cfg->channels,
			 NETDMA_CHANNELS_MAX, cfg->bandwidth_mbps);
		return -1;
	}
	struct netdma *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, err_len, "netdma: out of memory");
		return -1;
	}
	e->cfg = *cfg;
	*out = e;
	return 0;
}

void netdma_free(struct netdma *e) { free(e); }
const struct netdma_cfg *netdma_cfg(const struct netdma *e) { return &e->cfg; }

uint64_t netdma_submit(struct netdma *e, uint32_t ch, uint32_t descs, uint64_t bytes, uint64_t now_ps)
{
	ch %= e->cfg.channels;
	uint64_t start = e->chan_free_ps[ch] > now_ps ? e->chan_free_ps[ch] : now_ps;
	/* bytes * 8 bits at bandwidth_mbps Mb/s: bytes * 8e6 / mbps ps */
	uint64_t xfer = (bytes * 8000000u + e->cfg.bandwidth_mbps - 1) / e->cfg.bandwidth_mbps;
	e->chan_free_ps[ch] = start + xfer;
	e->st.queued_ps += start - now_ps;
	e->st.busy_ps[ch] += xfer;
	e->st.batches++;
	e->st.dma_copies += descs;
	e->st.dma_bytes += bytes;
	return start + xfer + (uint64_t)e->cfg.latency_ns * SIM_PS_PER_NS;
}

void netdma_cpu_copy(struct netdma *e, uint64_t bytes)
{
	e->st.cpu_copies++;
	e->st.cpu_bytes += bytes;
}

void netdma_waited(struct netdma *e, uint64_t wait_ps)
{
	e->st.waits++;
	e->st.wait_ps += wait_ps;
	if (wait_ps > e->st.wait_max_ps)
		e->st.wait_max_ps = wait_ps;
	e->st.interrupts += e->cfg.completion == NETDMA_INTERRUPT;
}

const struct netdma_stats *netdma_stats(const struct netdma *e) { return &e->st; }

const struct stat_def netdma_stat_defs[] = {
	STAT_DEF(struct netdma_stats, dma_copies, "dma_copies", "copies", "Receive copies the engine did (at or above the copy-break)."),
	STAT_DEF(struct netdma_stats, dma_bytes, "dma_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct netdma_stats, cpu_copies, "cpu_copies", "copies", "Receive copies left to a core: TCP's below the copy-break, and every UDP datagram's (NET_DMA served TCP only)."),
	STAT_DEF(struct netdma_stats, cpu_bytes, "cpu_bytes", "bytes", "Their bytes."),
	STAT_DEF(struct netdma_stats, batches, "batches", "batches", "Submissions: one application run's copies together."),
	STAT_DEF(struct netdma_stats, interrupts, "interrupts", "interrupts", "Completion interrupts (netdma.completion=interrupt)."),
	STAT_DEF(struct netdma_stats, waits, "waits", "waits", "Times an application waited for a batch's completion."),
	STAT_DEF(struct netdma_stats, wait_ps, "wait_ps", "ps", "The time applications waited on copies, in all."),
	STAT_DEF(struct netdma_stats, wait_max_ps, "wait_max_ps", "ps", "The longest wait."),
	STAT_DEF(struct netdma_stats, queued_ps, "queued_ps", "ps",
		 "Time batches waited for their channel to finish earlier ones: the engine saturated."),
	{ NULL },
};

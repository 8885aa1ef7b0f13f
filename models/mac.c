#include "models/mac.h"
#include "sim/check.h"

#include <stddef.h>


const struct param_def mac_params[] = {
	{
		.key = "mac.rate_mbps", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, rate_mbps), .unit = "Mb/s",
		.defval = "10000", .min = 10, .max = 1600000,
		.desc = "Line rate of the port.",
		.source = "10 GbE, the rate at which TCP Chimney/RSS NICs were built (Microsoft Scalable Networking Pack, KB 912222, 2006; the 10GbE.net TOE measurements of 2006 and 2008)",
	},
	{
		.key = "mac.overhead_bytes", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, overhead_bytes), .unit = "bytes",
		.defval = "20", .max = 64,
		.desc = "Preamble, start delimiter and inter-frame gap added to every frame on the wire.",
		.source = "IEEE 802.3 clause 4.4.2: 7-byte preamble + 1-byte SFD + 12-byte IFG",
	},
	{
		.key = "mac.fcs_bytes", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, fcs_bytes), .unit = "bytes",
		.defval = "4", .max = 4,
		.desc = "Frame check sequence on the wire (captures do not include it).",
		.source = "IEEE 802.3 clause 3.2.9",
	},
	{
		.key = "mac.rx_fifo_bytes", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, rx_fifo_bytes), .unit = "bytes",
		.defval = "524288", .min = 2048, .max = 1u << 30,
		.desc = "RX packet buffer shared by all queues; frames that do not fit are dropped.",
		.source = "Intel 82599 datasheet: 512 KB receive packet buffer [recalled, not checked against the datasheet text]",
	},
	{
		.key = "mac.mtu", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, mtu), .unit = "bytes",
		.defval = "1500", .min = 576, .max = 9216,
		.desc = "The port's MTU: IP bytes one frame carries. Received frames longer than it plus their link "
			"header are oversize (replay.resegment cuts captured GRO/LRO super-frames to it first); the "
			"transmit path segments to it. Above 1500 is a jumbo-frame port.",
		.source = "IEEE 802.3 clause 3.2.7: 1500-byte maximum client data (1518-byte frame with header and FCS); "
			  "9216: the largest jumbo MTU common switches take [choice]",
	},
	{
		.key = "mac.tx_fifo_bytes", .type = PARAM_U32,
		.offset = offsetof(struct mac_cfg, tx_fifo_bytes), .unit = "bytes",
		.defval = "163840", .min = 16384, .max = 1u << 30,
		.desc = "TX packet buffer: frame data read from the host waits here for the wire; the NIC reads a "
			"send only when its bytes fit.",
		.source = "Intel 82599 datasheet: 160 KB transmit packet buffer [recalled, not checked against the datasheet text]",
	},
	{ .key = NULL },
};

void mac_init(struct mac *m, const struct mac_cfg *cfg)
{
	*m = (struct mac){ .cfg = *cfg };
	m->overhead_ps = ((uint64_t)cfg->overhead_bytes * 8u * 1000000u) / cfg->rate_mbps;
}

/* Time on the wire of a frame of wire_len bytes, in ps (overhead included). */
static uint64_t mac_wire_time_ps(const struct mac *m, uint32_t wire_len)
{
	return eth_wire_time_ps(wire_len, m->cfg.rate_mbps, m->cfg.fcs_bytes, m->cfg.overhead_bytes);
}

uint64_t mac_rx_arrive(struct mac *m, uint64_t t_ps, uint32_t wire_len, uint64_t *start_ps)
{
	uint64_t start = t_ps;
	if (m->wire_free_ps > start) {
		start = m->wire_free_ps;
		m->st.rx_delayed_by_wire++;
	}
	*start_ps = start;
	uint64_t on_wire = mac_wire_time_ps(m, wire_len);
	m->wire_free_ps = start + on_wire;
	/* The last bit of the frame is in before the IFG ends: the IFG and
	 * preamble are part of the wire time but not of reception. */
	m->st.rx_frames++;
	return start + on_wire - m->overhead_ps;
}

bool mac_fifo_admit(struct mac *m, uint32_t bytes)
{
	if (!mac_fifo_has_room(m, bytes))
		return false;
	m->fifo_bytes += bytes;
	if (m->fifo_bytes > m->st.fifo_peak_bytes)
		m->st.fifo_peak_bytes = m->fifo_bytes;
	return true;
}

void mac_fifo_release(struct mac *m, uint32_t bytes)
{
	sim_check(m->fifo_bytes >= bytes, "RX packet buffer released more than it held");
	m->fifo_bytes -= bytes;
}

const struct stat_def mac_stat_defs[] = {
	STAT_DEF(struct mac_stats, rx_frames, "mac_rx_frames", "frames", "Frames fully received by the MAC."),
	STAT_DEF(struct mac_stats, rx_delayed_by_wire, "mac_delayed_by_wire", "frames",
		 "Frames the capture had closer together than the line rate allows (serialised)."),
	STAT_DEF(struct mac_stats, fifo_peak_bytes, "fifo_peak_bytes", "bytes", "Most bytes the RX packet buffer held at once."),
	{ NULL },
};

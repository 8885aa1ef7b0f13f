#include "models/mac.h"

#include <assert.h>
#include <stddef.h>


const struct param_def mac_params[] = {
	{ "mac.rate_mbps", PARAM_U32, offsetof(struct mac_cfg, rate_mbps), "Mb/s", "10000", 10, 1600000, 0,
	  NULL, 0, "Line rate of the port.",
	  "10 GbE, the rate at which TCP Chimney/RSS NICs were built (Microsoft Scalable Networking Pack, KB 912222, 2006; the 10GbE.net TOE measurements of 2006 and 2008)" },
	{ "mac.overhead_bytes", PARAM_U32, offsetof(struct mac_cfg, overhead_bytes), "bytes", "20", 0, 64, 0,
	  NULL, 0, "Preamble, start delimiter and inter-frame gap added to every frame on the wire.",
	  "IEEE 802.3 clause 4.4.2: 7-byte preamble + 1-byte SFD + 12-byte IFG" },
	{ "mac.fcs_bytes", PARAM_U32, offsetof(struct mac_cfg, fcs_bytes), "bytes", "4", 0, 4, 0, NULL, 0,
	  "Frame check sequence on the wire (captures do not include it).", "IEEE 802.3 clause 3.2.9" },
	{ "mac.rx_fifo_bytes", PARAM_U32, offsetof(struct mac_cfg, rx_fifo_bytes), "bytes", "524288", 2048,
	  1u << 30, 0, NULL, 0, "RX packet buffer shared by all queues; frames that do not fit are dropped.",
	  "Intel 82599 datasheet: 512 KB receive packet buffer [recalled, not checked against the datasheet text]" },
	{ NULL },
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
	assert(m->fifo_bytes >= bytes && "RX FIFO released more than it held");
	m->fifo_bytes -= bytes;
}

/*
 * models/mac.h — Ethernet MAC, receive side: wire serialisation and the RX
 * packet buffer (FIFO).
 *
 * A frame of L bytes (as captured: no FCS) occupies the wire for
 * max(L, 60) + fcs + preamble/SFD + inter-frame gap bytes at the line rate
 * (IEEE 802.3 clause 4.4: 8 bytes preamble+SFD, 12 bytes IFG; 64-byte minimum
 * frame including the 4-byte FCS). Frames that the capture shows closer
 * together than the line rate allows (virtual links, GRO super-frames) are
 * serialised: each starts when the wire is free. The RX packet buffer holds
 * frames from their arrival until their DMA finishes (the NIC admits them,
 * models/nic_rx.c); a frame that does not fit is dropped and counted
 * (Ethernet cannot be back-pressured).
 * Not modelled: pause frames (802.3x), FCS errors, runts.
 */
#ifndef NICSIM_MODELS_MAC_H
#define NICSIM_MODELS_MAC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "models/pkt/parse.h"   /* eth_wire_time_ps */
#include "sim/param.h"

struct mac_cfg {
	uint32_t rate_mbps;       /* line rate */
	uint32_t overhead_bytes;  /* preamble + SFD + inter-frame gap */
	uint32_t fcs_bytes;       /* frame check sequence (not in captures) */
	uint32_t rx_fifo_bytes;   /* RX packet buffer */
	uint32_t mtu;             /* IP bytes a frame carries (1500; more is jumbo) */
	uint32_t tx_fifo_bytes;   /* TX packet buffer */
};
extern const struct param_def mac_params[];
extern const struct stat_def mac_stat_defs[];

struct mac_stats {
	uint64_t rx_frames;                 /* frames fully received (FIFO drops: the NIC counts them per queue) */
	uint64_t rx_delayed_by_wire;        /* frames the capture had closer than the line rate */
	uint64_t fifo_peak_bytes;
};

struct mac {
	struct mac_cfg cfg;
	uint64_t wire_free_ps;    /* when the wire can start the next frame */
	uint64_t fifo_bytes;      /* bytes in the RX packet buffer now */
	uint64_t overhead_ps;     /* preamble, SFD and IFG at the line rate */
	struct mac_stats st;
};

void mac_init(struct mac *m, const struct mac_cfg *cfg);
/* A frame is offered at t_ps; it starts when the wire is free (*start_ps)
 * and the time its last bit is in is returned. */
uint64_t mac_rx_arrive(struct mac *m, uint64_t t_ps, uint32_t wire_len, uint64_t *start_ps);
/* Whether bytes more fit in the RX packet buffer now. */
static inline bool mac_fifo_has_room(const struct mac *m, uint32_t bytes)
{
	return m->fifo_bytes + bytes <= m->cfg.rx_fifo_bytes;
}
/* Try to place a received frame in the FIFO; false = no room (the caller drops it). */
bool mac_fifo_admit(struct mac *m, uint32_t bytes);
void mac_fifo_release(struct mac *m, uint32_t bytes);

#endif

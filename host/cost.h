/*
 * host/cost.h — the host CPU cost model: cycles charged per work item.
 *
 * Defaults and their sources: mostly derived from Cai et al., "Understanding
 * Host Network Stack Overheads", SIGCOMM'21 (doi:10.1145/3452296.3472888), at
 * 3.4 GHz Skylake-SP — each entry in cost_params names its source and how the
 * number follows from it. Per-byte costs are in millicycles per byte so the state stays
 * integral (0.35 cycles/byte = 350).
 *
 * Charged on the receive path (per packet unless said):
 *   ISR:      irq_cycles per interrupt (hard IRQ + DPC/NAPI schedule);
 *   driver:   rx_pkt_cycles (descriptor, buffer, netdev work);
 *   protocol: rx_tcp_cycles for TCP, rx_other_cycles for other IP/non-IP;
 *             + csum_mcyc_per_byte over the IP payload when the NIC did not
 *             verify the checksum;
 *   copy:     copy_mcyc_per_byte over the L4 payload (to the application).
 * Left out for now: locality (x_remote), clock scaling, TX costs, TOE and
 * NetDMA terms (later issues).
 */
#ifndef NICSIM_HOST_COST_H
#define NICSIM_HOST_COST_H

#include <stdint.h>

#include "sim/param.h"

struct cost_cfg {
	uint32_t irq_cycles;
	uint32_t rx_pkt_cycles;
	uint32_t rx_tcp_cycles;
	uint32_t rx_other_cycles;
	uint32_t copy_mcyc_per_byte;
	uint32_t csum_mcyc_per_byte;
	uint32_t dpc_cycles;        /* per DPC invocation (scheduling, re-arm, tail write) */
};
extern const struct param_def cost_params[];

#endif

/*
 * sim/rtl_backend/backend_rtl.h — `--backend rtl:rss,csum`: the NIC's compute
 * engines served by the Verilated twins (rtl/rtl_twins.h) inside a full run.
 * Built only when the RTL twins are (NICSIM_HAVE_RTL).
 *
 *   rss:  the Toeplitz hash value and its cycles come from rtl/rss_toeplitz.sv;
 *   csum: the engine's busy cycles come from rtl/csum.sv streaming the IP
 *         datagram; the verdicts are the C model's csum_rx_check, and the RTL's
 *         folded sum over the same bytes is compared with the C sum on every
 *         frame (a disagreement is counted: backend_rtl_mismatches).
 *         TODO(#4): derive the verdicts themselves from the RTL sums.
 */
#ifndef NICSIM_SIM_BACKEND_RTL_H
#define NICSIM_SIM_BACKEND_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "models/nic.h"
#include "sim/config.h"

struct backend_rtl;
/* spec: "rtl:rss,csum" (any non-empty subset). */
int backend_rtl_open(struct backend_rtl **out, const char *spec, const struct nicsim_cfg *cfg, const char *vcd,
		     char *err, size_t err_len);
const struct nic_engines *backend_rtl_engines(const struct backend_rtl *b);
uint64_t backend_rtl_mismatches(const struct backend_rtl *b);
void backend_rtl_close(struct backend_rtl *b);

#endif

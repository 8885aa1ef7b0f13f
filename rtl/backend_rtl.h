/*
 * rtl/backend_rtl.h — `--backend rtl:BLOCKS`: the NIC's compute
 * engines served by the Verilated twins (rtl/rtl_twins.h) inside a full run.
 * Built only when the RTL twins are (NICSIM_HAVE_RTL). BLOCKS is any
 * non-empty comma-separated subset of:
 *
 *   rss:  the Toeplitz hash and its cycles come from rtl/rss_toeplitz.sv;
 *   reta: the indirection-table lookup (the queue) and its latency come from
 *         rtl/rss_indir.sv, which mirrors every table write the NIC sees;
 *   csum: the IPv4 header and TCP/UDP sums behind the checksum verdicts, and
 *         the engine's cycles, come from rtl/csum.sv.
 *
 * Every RTL answer is also computed by the C model; a disagreement is counted
 * (backend_rtl_mismatches, a nonzero count makes `nicsim run` exit 4) and the
 * RTL's answer is used.
 */
#ifndef NICSIM_RTL_BACKEND_RTL_H
#define NICSIM_RTL_BACKEND_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "models/nic.h"

struct backend_rtl;
/* spec: "rtl:rss,reta,csum" (any non-empty subset). */
int backend_rtl_open(struct backend_rtl **out, const char *spec, const struct nic_cfg *nic,
		     const struct rss_cfg *rss, const char *vcd, char *err, size_t err_len);
const struct nic_engines *backend_rtl_engines(const struct backend_rtl *b);
uint64_t backend_rtl_mismatches(const struct backend_rtl *b);
void backend_rtl_close(struct backend_rtl *b);

#endif

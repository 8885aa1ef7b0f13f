/*
 * models/pcie.h — the NIC's PCIe link: what a transfer costs on it, and one
 * link per direction that every transfer shares.
 *
 * Two parts, both integers:
 *
 * - Arithmetic (pure functions of a struct pcie_cfg): how many TLPs and how
 *   many bytes a memory write, a read request or a read's completions put on
 *   the link, and how long those bytes take at the link's rate. `nicsim pcie`
 *   and a run use these same functions.
 * - The link (struct pcie_link): each direction is busy until some time;
 *   a transfer offered at t starts when its direction is free and occupies
 *   it for its wire time. Up is device to host (the NIC's data writes,
 *   write-backs, MSI-X writes, read requests); down is host to device (read
 *   completions, the host's MMIO writes such as doorbells). Transfers in one
 *   direction are served in the order they are offered (PCIe posted writes
 *   stay in order).
 *
 * Facts and sources: docs/pcie.md (pcie-bench, Neugebauer et al., SIGCOMM
 * 2018, and its model pcie-model/model/pcie.py; PCI Express Base
 * Specification for encodings and TLP formats).
 *
 * Not modelled: flow-control credit exhaustion (the DLLP factor charges the
 * update DLLPs' bytes, not their stalls), replays, ECRC, power states,
 * IOMMU/IO-TLB misses.
 */
#ifndef NICSIM_MODELS_PCIE_H
#define NICSIM_MODELS_PCIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/param.h"
#include "sim/stats.h"

enum pcie_dir { PCIE_UP = 0, PCIE_DOWN, PCIE_DIRS };

/* What a transfer is for: the report's link use by class. */
enum pcie_class {
	PCIE_CL_DATA = 0,   /* frame data (receive writes; transmit reads later) */
	PCIE_CL_DESC,       /* descriptor fetches (read requests and their completions) */
	PCIE_CL_WB,         /* descriptor write-backs */
	PCIE_CL_MSIX,       /* MSI-X messages */
	PCIE_CL_DOORBELL,   /* the host's MMIO register writes (tail doorbells, EIMS, EITR) */
	PCIE_CLASSES
};

struct pcie_cfg {
	uint32_t gen;               /* 1..5 */
	uint32_t lanes;             /* 1, 2, 4, 8, 16 */
	uint32_t mps;               /* max payload size, bytes: 128..4096, a power of two */
	uint32_t mrrs;              /* max read request size, bytes: 128..4096, a power of two */
	uint32_t rcb;               /* read completion boundary, bytes: 64 or 128 */
	uint32_t read_latency_ns;   /* host side of a read: last request byte in to first completion byte out */
	uint32_t read_tags;         /* non-posted reads the device may have outstanding */
	uint32_t dllp_permille;     /* ACK and flow-control DLLP bytes per 1000 TLP bytes (documented factor) */
	bool is_addr64;             /* 64-bit addressing: 4-DW MWr/MRd headers (else 3-DW) */
};
extern const struct param_def pcie_params[];
/* Every field's range again, for a cfg built in code rather than through
 * pcie_params (MPS and MRRS have no rule between them: either may be the
 * larger); the message names the key. Returns 0 or -EINVAL. */
int pcie_cfg_validate(const struct pcie_cfg *c, char *err, size_t err_len);

/* TLPs and bytes on the link: headers, framing, sequence number, LCRC and
 * payload; not DLLPs and not line encoding (pcie_wire_ps adds those). */
struct pcie_bytes {
	uint64_t tlps;
	uint64_t bytes;
};

/* A memory write of len bytes at addr: MWr TLPs split at every MPS-aligned
 * address (so none carries more than MPS or crosses 4 KB). len 0 is no TLP. */
struct pcie_bytes pcie_write_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len);
/* A read of len bytes at addr: the MRd requests (split at every
 * MRRS-aligned address), which go the other way from the data. */
struct pcie_bytes pcie_read_req_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len);
/* The same read's completions with data (CplD): each request's range split
 * at RCB-aligned addresses, each completion as long as MPS allows. */
struct pcie_bytes pcie_read_cpl_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len);

/* Link time of bytes of TLPs in one direction, in ps, rounded up: lanes,
 * the generation's rate and encoding, and the DLLP factor. */
uint64_t pcie_wire_ps(const struct pcie_cfg *c, uint64_t bytes);
/* The link's raw data rate in one direction after encoding, in kb/s (an
 * integer: Gen3 x8 = 63015384 kb/s). */
uint64_t pcie_link_kbps(const struct pcie_cfg *c);

/* Per direction and class: what crossed the link. busy_ps is the sum of
 * wire times (the direction's utilisation is busy_ps / elapsed). */
struct pcie_link_stats {
	uint64_t tlps[PCIE_DIRS][PCIE_CLASSES];
	uint64_t bytes[PCIE_DIRS][PCIE_CLASSES];
	uint64_t busy_ps[PCIE_DIRS][PCIE_CLASSES];
	uint64_t reads;              /* read transactions (each holds a tag until its completions land) */
};

#define PCIE_SMALL_BYTES 128u   /* transfers this short take their wire time from a table */

struct pcie_link {
	struct pcie_cfg cfg;
	uint64_t free_ps[PCIE_DIRS];   /* the direction is busy until then */
	uint64_t wire_num, wire_den;   /* pcie_wire_ps's factor, ps = ceil(bytes x num / den), kept from cfg */
	uint32_t req_hdr_bytes;        /* an MWr's or MRd's bytes besides its payload */
	uint32_t small_ps[PCIE_SMALL_BYTES];   /* pcie_wire_ps of 0..PCIE_SMALL_BYTES-1 bytes: doorbells,
						* MSI-X, write-backs without a division */
	struct pcie_link_stats st;
};

void pcie_link_init(struct pcie_link *l, const struct pcie_cfg *c);

/* Put tlps TLPs of bytes bytes on direction d no earlier than t_ps; returns
 * when the last has crossed. Inline: several calls a frame. */
static inline uint64_t pcie_link_send(struct pcie_link *l, enum pcie_dir d, enum pcie_class cl, uint64_t t_ps,
				      uint64_t tlps, uint64_t bytes)
{
	uint64_t wire_ps = bytes < PCIE_SMALL_BYTES ? l->small_ps[bytes] : pcie_wire_ps(&l->cfg, bytes);
	uint64_t start_ps = t_ps > l->free_ps[d] ? t_ps : l->free_ps[d];
	l->free_ps[d] = start_ps + wire_ps;
	l->st.tlps[d][cl] += tlps;
	l->st.bytes[d][cl] += bytes;
	l->st.busy_ps[d][cl] += wire_ps;
	return l->free_ps[d];
}

/* A memory write of len bytes at addr offered at t_ps in direction d (up for
 * the NIC's writes, down for the host's MMIO writes): its TLPs go when the
 * direction is free. Returns the time its last byte has crossed. A write
 * that fits one MPS-aligned block is one TLP (the common case, inline). */
static inline uint64_t pcie_link_write(struct pcie_link *l, enum pcie_dir d, enum pcie_class cl, uint64_t t_ps,
				       uint64_t addr, uint32_t len)
{
	if (len && (addr & (l->cfg.mps - 1)) + len <= l->cfg.mps)
		return pcie_link_send(l, d, cl, t_ps, 1, (uint64_t)l->req_hdr_bytes + len);
	if (!len)
		return t_ps;   /* nothing goes on the link */
	struct pcie_bytes b = pcie_write_bytes(&l->cfg, addr, len);
	return pcie_link_send(l, d, cl, t_ps, b.tlps, b.bytes);
}
/* A read of len bytes at addr issued by the NIC at t_ps: the requests go up
 * when the up direction is free; read_latency_ns after the last request has
 * crossed, the completions go down when the down direction is free. Returns
 * the time the last completion byte has crossed (the read has landed). Tags
 * are the caller's to count (cfg.read_tags). */
uint64_t pcie_link_read(struct pcie_link *l, enum pcie_class cl, uint64_t t_ps, uint64_t addr, uint32_t len);

/* The line rate in one direction before encoding, in kb/s (Gen3 x8 =
 * 64000000), and the generation's encoding ("8b/10b", "128b/130b"). */
uint64_t pcie_raw_kbps(const struct pcie_cfg *c);
const char *pcie_encoding_name(const struct pcie_cfg *c);

/* What sets a query's back-to-back bandwidth. */
enum pcie_limit {
	PCIE_LIMIT_UP = 0,   /* the up direction's wire time: MWr TLPs, or a read's MRd requests */
	PCIE_LIMIT_DOWN,     /* the down direction's wire time: a read's completions */
	PCIE_LIMIT_TAGS,     /* read_tags reads in flight, each holding its tag for a round trip */
};

/* For `nicsim pcie`, from the functions above: back-to-back transfers of
 * size bytes by the NIC (writes go up; a read's requests up and its
 * completions down), and one alone on an idle link. */
struct pcie_query {
	uint64_t tlps, link_bytes;     /* of one transfer: for a read, requests and completions */
	uint64_t data_kbps;            /* effective data bandwidth back to back (reads: also bounded by read_tags) */
	uint64_t latency_ps;           /* one transfer on an idle link: a write until it has crossed, a read until it has landed */
	struct pcie_bytes up, down;    /* the same transfer per direction (a write's down is zero) */
	enum pcie_limit limit;         /* what sets data_kbps */
};
struct pcie_query pcie_query(const struct pcie_cfg *c, uint32_t size, bool is_write);
/* The same for transfers that start at addr (pcie_query is addr 0, aligned):
 * an unaligned start can cost a TLP more. */
struct pcie_query pcie_query_at(const struct pcie_cfg *c, uint64_t addr, uint32_t size, bool is_write);


#endif

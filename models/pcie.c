/*
 * models/pcie.c — the NIC's PCIe link: TLP arithmetic, wire time, and one
 * link per direction shared by every transfer.
 *
 * What a transfer puts on the link (docs/pcie.md has the sources and a
 * worked example):
 * - every TLP carries 8 bytes of framing, sequence number and LCRC, a 4-byte
 *   common header (DW0), and the rest of its header: MWr and MRd +12 with
 *   64-bit addresses (4-DW header) or +8 with 32-bit (3-DW), CplD +8 (3-DW):
 *   MWr/MRd 24 B (20 B with 32-bit addresses) and CplD 20 B a TLP besides
 *   the data (pcie-bench/pcie-model model/pcie.py; PCI Express Base
 *   Specification, TLP formats);
 * - a write is cut at every MPS-aligned address, so no TLP carries more than
 *   MPS bytes or crosses a 4 KB boundary (MPS divides 4096);
 * - a read's requests are cut the same way at every MRRS-aligned address;
 * - each request is answered by completions that end at RCB-aligned
 *   addresses (or at the request's end), each as long as MPS allows: an
 *   aligned request comes back in MPS-sized completions, as pcie.py models
 *   it by default (rcb_chunks=False); an unaligned one starts with a short
 *   completion up to an RCB boundary, as the Base Specification's rules for
 *   splitting completions require.
 *
 * Wire time: bytes x (1000 + dllp_permille) / 1000 at the encoded rate
 * (Gen1/2 8b/10b, Gen3..5 128b/130b) times the lanes, rounded up to a ps,
 * computed exactly in integers.
 *
 * Not modelled: flow-control credit stalls, replays, ECRC, power states,
 * IOMMU misses, the completer reordering completions of different requests.
 *
 * Invariant: a direction's free_ps never moves backwards, and every transfer
 * on it starts at or after free_ps, so transfers in one direction never
 * overlap and stay in the order they were offered.
 */
#include "models/pcie.h"

#include <errno.h>
#include <stdio.h>

#include "sim/check.h"
#include "sim/kernel.h"

/* Per-TLP bytes (pcie.py: DLLP_Hdr, TLP_Hdr, TLP_MWr_64_Hdr and friends). */
#define PCIE_FRAMING_BYTES    8u   /* STP/SDP framing + 2 B sequence number + 4 B LCRC */
#define PCIE_HDR_COMMON_BYTES 4u   /* DW0: format, type, length */
#define PCIE_HDR_ADDR64_BYTES 12u  /* MWr/MRd 4-DW header after DW0: requester ID, tag, BEs + 64-bit address */
#define PCIE_HDR_ADDR32_BYTES 8u   /* MWr/MRd 3-DW header after DW0: the same with a 32-bit address */
#define PCIE_HDR_CPLD_BYTES   8u   /* CplD 3-DW header after DW0: completer ID, status, byte count,
				    * requester ID, tag, lower address */

#define PCIE_GEN_MAX 5u
#define PCIE_LANES_MAX 16u
#define PCIE_SIZE_MIN 128u
#define PCIE_SIZE_MAX 4096u

const struct param_def pcie_params[] = {
	{
		.key = "pcie.gen", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, gen), .unit = "",
		.defval = "3", .min = 1, .max = PCIE_GEN_MAX,
		.desc = "PCIe generation: 1 = 2.5 GT/s and 2 = 5 GT/s with 8b/10b, 3 = 8, 4 = 16, 5 = 32 GT/s with 128b/130b.",
		.source = "pcie-bench (Neugebauer et al., SIGCOMM 2018) measured NICs at Gen3 x8; rates and encodings from the "
			  "PCI Express Base Specification (pcie-bench/pcie-model model/pcie.py GTs, Gbs)",
	},
	{
		.key = "pcie.lanes", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, lanes), .unit = "lanes",
		.defval = "8", .min = 1, .max = PCIE_LANES_MAX, .flags = PARAM_F_POW2,
		.desc = "Link width: 1, 2, 4, 8 or 16 lanes.",
		.source = "pcie-bench's NFP6000 and NetFPGA SUME measurements were at Gen3 x8 (Neugebauer et al., SIGCOMM 2018)",
	},
	{
		.key = "pcie.mps", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, mps), .unit = "bytes",
		.defval = "256", .min = PCIE_SIZE_MIN, .max = PCIE_SIZE_MAX, .flags = PARAM_F_POW2,
		.desc = "Max Payload Size: the most data one MWr or CplD TLP carries.",
		.source = "pcie-bench/pcie-model pcie_bw.py default --mps 256; allowed values 128..4096 (PCI Express "
			  "Base Specification, Device Control register)",
	},
	{
		.key = "pcie.mrrs", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, mrrs), .unit = "bytes",
		.defval = "512", .min = PCIE_SIZE_MIN, .max = PCIE_SIZE_MAX, .flags = PARAM_F_POW2,
		.desc = "Max Read Request Size: the most data one MRd asks for.",
		.source = "pcie-bench/pcie-model pcie_bw.py default --mrrs 512, also the reset value of the field "
			  "(PCI Express Base Specification, Device Control register); allowed values 128..4096",
	},
	{
		.key = "pcie.rcb", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, rcb), .unit = "bytes",
		.defval = "64", .min = 64, .max = 128, .flags = PARAM_F_POW2,
		.desc = "Read Completion Boundary: completions of a read end at multiples of it (64 or 128).",
		.source = "pcie-bench/pcie-model pcie_bw.py default --rcb 64; a root port's RCB is 64 or 128 "
			  "(PCI Express Base Specification, Link Control register RCB bit)",
	},
	{
		.key = "pcie.read_latency_ns", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, read_latency_ns), .unit = "ns",
		.defval = "545", .max = 1000000,
		.desc = "Host side of a DMA read: from the last request byte in to the first completion byte out "
			"(root complex, memory or cache).",
		.source = "pcie-bench median 64 B DMA read on Xeon E5 at Gen3 x8, 560 ns (pcie-bench/data "
			  "lat_dma_sizes.csv), less the model's wire times of its MRd (24 B, 3.319 ns) and "
			  "CplD (84 B, 11.614 ns): 560 - 14.933 = 545 ns (docs/pcie.md)",
	},
	{
		.key = "pcie.read_tags", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, read_tags), .unit = "reads",
		.defval = "32", .min = 1, .max = 768,
		.desc = "DMA reads the NIC may have outstanding at once (tags); caps read bandwidth at "
			"tags x size / round trip.",
		.source = "the 5-bit Tag field without Extended Tag Field Enable (PCI Express Base Specification, "
			  "Transaction Descriptor); 256 with extended tags, 768 with 10-bit tags",
	},
	{
		.key = "pcie.dllp_permille", .type = PARAM_U32,
		.offset = offsetof(struct pcie_cfg, dllp_permille), .unit = "permille",
		.defval = "89", .max = 1000,
		.desc = "Link time added to TLP bytes for ACK and flow-control update DLLPs and SKIP ordered sets, "
			"per 1000 TLP bytes.",
		.source = "pcie-bench/pcie-model model/pcie.py at Gen3 x8, MPS 256: an 8 B ACK and an 8 B UpdateFC "
			  "per 203 (Ack_Limits, FC_Guide) and 4 SKIP symbols per 1538, 8/203 + 8/203 + 4/1538 = 8.14% "
			  "of the link; 1/(1 - 0.0814) = 1.089 (docs/pcie.md)",
	},
	{
		.key = "pcie.addr64", .type = PARAM_BOOL,
		.offset = offsetof(struct pcie_cfg, is_addr64), .unit = "",
		.defval = "true",
		.desc = "64-bit addressing: 4-DW MWr/MRd headers (24 B per TLP with framing); false = 3-DW (20 B).",
		.source = "pcie-bench/pcie-model pcie_bw.py default --addr 64 (host buffers above 4 GB)",
	},
	{ .key = NULL },
};

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

int pcie_cfg_validate(const struct pcie_cfg *c, char *err, size_t err_len)
{
	/* param_set checks each key alone; these are the ranges again, for a cfg
	 * built in code rather than from text. There is no rule between MPS and
	 * MRRS: either may be the larger (a read larger than MPS comes back in
	 * several completions, a write larger than MRRS is fine), and RCB (64 or
	 * 128) is never above MPS (128 at least). */
	if (c->gen < 1 || c->gen > PCIE_GEN_MAX) {
		snprintf(err, err_len, "pcie.gen: %u is not a PCIe generation this model knows; use 1..%u", c->gen,
			 PCIE_GEN_MAX);
		return -EINVAL;
	}
	if (!is_pow2(c->lanes) || c->lanes > PCIE_LANES_MAX) {
		snprintf(err, err_len, "pcie.lanes: %u is not a link width; use 1, 2, 4, 8 or 16", c->lanes);
		return -EINVAL;
	}
	const struct {
		const char *key;
		uint32_t v, min, max;
	} sizes[] = {
		{ "pcie.mps", c->mps, PCIE_SIZE_MIN, PCIE_SIZE_MAX },
		{ "pcie.mrrs", c->mrrs, PCIE_SIZE_MIN, PCIE_SIZE_MAX },
		{ "pcie.rcb", c->rcb, 64, 128 },
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (!is_pow2(sizes[i].v) || sizes[i].v < sizes[i].min || sizes[i].v > sizes[i].max) {
			snprintf(err, err_len, "%s: %u bytes is not allowed; use a power of two from %u to %u",
				 sizes[i].key, sizes[i].v, sizes[i].min, sizes[i].max);
			return -EINVAL;
		}
	if (c->read_tags < 1) {
		snprintf(err, err_len, "pcie.read_tags: 0 would never let a read start; use 32 (5-bit tags) or more");
		return -EINVAL;
	}
	if (c->dllp_permille > 1000) {
		snprintf(err, err_len, "pcie.dllp_permille: %u is more than the TLPs themselves; use 0..1000",
			 c->dllp_permille);
		return -EINVAL;
	}
	if (c->read_latency_ns > 1000000) {
		snprintf(err, err_len, "pcie.read_latency_ns: %u ns is over a millisecond; use 0..1000000",
			 c->read_latency_ns);
		return -EINVAL;
	}
	return 0;
}

/* The number of TLPs [addr, addr + len) is cut into when each TLP ends at the
 * transfer's end or at the last multiple of align within max bytes of its
 * start. align is a power of two no larger than max. */
/* Every boundary that cuts a transfer (MPS, MRRS, RCB: powers of two up to
 * 4096) is a multiple of one another's and divides 4 KB, so how a transfer
 * is cut depends only on where it starts in its 4 KB page: the walks below
 * start from that offset, which keeps them clear of the top of the address
 * space whatever address a driver programmed. */
#define PCIE_PAGE_OFFSET(a) ((a) & 4095u)

static uint64_t pcie_chunks(uint64_t addr, uint64_t len, uint32_t max, uint32_t align)
{
	uint64_t n = 0;
	addr = PCIE_PAGE_OFFSET(addr);
	uint64_t end = addr + len;   /* below 2^33: len is a uint32_t */
	if (max == align)   /* writes and requests: one TLP per align-sized block touched */
		return len ? ((end - 1) / align) - (addr / align) + 1 : 0;
	while (addr < end) {
		uint64_t stop = (addr + max) & ~(uint64_t)(align - 1);
		addr = stop < end ? stop : end;
		n++;
	}
	return n;
}

static uint32_t pcie_req_hdr_bytes(const struct pcie_cfg *c)
{
	return PCIE_FRAMING_BYTES + PCIE_HDR_COMMON_BYTES + (c->is_addr64 ? PCIE_HDR_ADDR64_BYTES : PCIE_HDR_ADDR32_BYTES);
}

struct pcie_bytes pcie_write_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len)
{
	uint64_t tlps = pcie_chunks(addr, len, c->mps, c->mps);
	return (struct pcie_bytes){ .tlps = tlps, .bytes = tlps * pcie_req_hdr_bytes(c) + len };
}

struct pcie_bytes pcie_read_req_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len)
{
	uint64_t tlps = pcie_chunks(addr, len, c->mrrs, c->mrrs);
	return (struct pcie_bytes){ .tlps = tlps, .bytes = tlps * pcie_req_hdr_bytes(c) };
}

struct pcie_bytes pcie_read_cpl_bytes(const struct pcie_cfg *c, uint64_t addr, uint32_t len)
{
	/* Each request is completed on its own: walk the requests, then cut each
	 * one's range at RCB-aligned addresses into completions of at most MPS. */
	uint64_t tlps = 0;
	addr = PCIE_PAGE_OFFSET(addr);
	uint64_t end = addr + len;
	while (addr < end) {
		uint64_t stop = (addr + c->mrrs) & ~(uint64_t)(c->mrrs - 1);
		if (stop > end)
			stop = end;
		tlps += pcie_chunks(addr, stop - addr, c->mps, c->rcb);
		addr = stop;
	}
	return (struct pcie_bytes){ .tlps = tlps,
				    .bytes = tlps * (PCIE_FRAMING_BYTES + PCIE_HDR_COMMON_BYTES + PCIE_HDR_CPLD_BYTES) + len };
}

/* Symbol rate per lane in MT/s and the encoding's data bits per line bits. */
static uint32_t pcie_mtps(uint32_t gen)
{
	static const uint32_t mtps[PCIE_GEN_MAX + 1] = { 0, 2500, 5000, 8000, 16000, 32000 };
	sim_check(gen >= 1 && gen <= PCIE_GEN_MAX, "pcie: gen validated to 1..5");
	return mtps[gen];
}

static void pcie_encoding(uint32_t gen, uint32_t *data_bits, uint32_t *line_bits)
{
	*data_bits = gen <= 2 ? 8 : 128;
	*line_bits = gen <= 2 ? 10 : 130;
}

uint64_t pcie_link_kbps(const struct pcie_cfg *c)
{
	uint32_t d, l;
	pcie_encoding(c->gen, &d, &l);
	/* MT/s x 1000 = kT/s; one bit per transfer per lane before encoding. */
	return (uint64_t)pcie_mtps(c->gen) * 1000u * c->lanes * d / l;
}

uint64_t pcie_raw_kbps(const struct pcie_cfg *c)
{
	return (uint64_t)pcie_mtps(c->gen) * 1000u * c->lanes;
}

const char *pcie_encoding_name(const struct pcie_cfg *c)
{
	return c->gen <= 2 ? "8b/10b" : "128b/130b";
}

/* ps = bytes x 8 x (1000 + permille)/1000 x 10^6 / (MT/s x lanes x d/l)
 *    = bytes x [8 x (1000 + permille) x 1000 x l] / [MT/s x lanes x d],
 * rounded up. num is below 2^31 (8 x 2000 x 1000 x 130), so a transfer of
 * fewer than 2^32 bytes needs no more than 64 bits; more takes 128. */
static void pcie_wire_factor(const struct pcie_cfg *c, uint64_t *num, uint64_t *den)
{
	uint32_t d, l;
	pcie_encoding(c->gen, &d, &l);
	*num = 8ull * (1000u + c->dllp_permille) * 1000u * l;
	*den = (uint64_t)pcie_mtps(c->gen) * c->lanes * d;
}

static inline uint64_t wire_ps_of(uint64_t bytes, uint64_t num, uint64_t den)
{
	if (bytes < (1ull << 32))
		return (bytes * num + den - 1) / den;
	__extension__ unsigned __int128 ps = ((unsigned __int128)bytes * num + den - 1) / den;
	sim_check(ps <= UINT64_MAX, "pcie_wire_ps: wire time fits 64 bits (bytes of one transfer)");
	return (uint64_t)ps;
}

uint64_t pcie_wire_ps(const struct pcie_cfg *c, uint64_t bytes)
{
	uint64_t num, den;
	pcie_wire_factor(c, &num, &den);
	return wire_ps_of(bytes, num, den);
}

void pcie_link_init(struct pcie_link *l, const struct pcie_cfg *c)
{
	*l = (struct pcie_link){ .cfg = *c, .req_hdr_bytes = pcie_req_hdr_bytes(c) };
	pcie_wire_factor(c, &l->wire_num, &l->wire_den);
	for (uint32_t b = 0; b < PCIE_SMALL_BYTES; b++)
		l->small_ps[b] = (uint32_t)pcie_wire_ps(c, b);   /* Gen1 x1: 128 B = 557 ns, far below 2^32 ps */
}

uint64_t pcie_link_read(struct pcie_link *l, enum pcie_class cl, uint64_t t_ps, uint64_t addr, uint32_t len)
{
	sim_check(cl < PCIE_CLASSES, "pcie_link_read: class in range");
	if (!len)
		return t_ps;
	struct pcie_bytes req = pcie_read_req_bytes(&l->cfg, addr, len);
	uint64_t req_end_ps = pcie_link_send(l, PCIE_UP, cl, t_ps, req.tlps, req.bytes);
	uint64_t cpl_ps = req_end_ps + (uint64_t)l->cfg.read_latency_ns * SIM_PS_PER_NS;
	l->st.reads++;
	struct pcie_bytes cpl = pcie_read_cpl_bytes(&l->cfg, addr, len);
	return pcie_link_send(l, PCIE_DOWN, cl, cpl_ps, cpl.tlps, cpl.bytes);
}

/* Bits of data per ps, in kb/s: bits x 10^12 / ps / 1000. */
static uint64_t pcie_kbps_of(uint64_t data_bytes, uint64_t ps)
{
	if (!ps)
		return 0;
	__extension__ unsigned __int128 kbps = (unsigned __int128)data_bytes * 8u * 1000000000u / ps;
	return kbps > UINT64_MAX ? UINT64_MAX : (uint64_t)kbps;
}

struct pcie_query pcie_query_at(const struct pcie_cfg *c, uint64_t addr, uint32_t size, bool is_write)
{
	struct pcie_query q = { .limit = PCIE_LIMIT_UP };
	struct pcie_link l;
	pcie_link_init(&l, c);
	if (is_write) {
		q.up = pcie_write_bytes(c, addr, size);
		q.latency_ps = pcie_link_write(&l, PCIE_UP, PCIE_CL_DATA, 0, addr, size);
	} else {
		q.up = pcie_read_req_bytes(c, addr, size);
		q.down = pcie_read_cpl_bytes(c, addr, size);
		q.latency_ps = pcie_link_read(&l, PCIE_CL_DATA, 0, addr, size);
	}
	/* Each read request holds a tag for its round trip: a read of more
	 * requests than tags goes in rounds, each one request's round trip (r1,
	 * a read of one request's share on an idle link), and reads back to
	 * back carry at most read_tags requests' data per r1. */
	uint64_t r1 = 0, chunk = size;
	if (!is_write && size) {
		chunk = (size + q.up.tlps - 1) / q.up.tlps;
		struct pcie_link one;
		pcie_link_init(&one, c);
		r1 = pcie_link_read(&one, PCIE_CL_DATA, 0, 0, (uint32_t)chunk);
		uint64_t rounds = (q.up.tlps + c->read_tags - 1) / c->read_tags;
		q.latency_ps += (rounds - 1) * r1;
	}
	q.tlps = q.up.tlps + q.down.tlps;
	q.link_bytes = q.up.bytes + q.down.bytes;
	/* Back to back, the busier direction sets the pace: one transfer follows
	 * another, each taking its wire time there; reads are also bounded by
	 * their tags (above). */
	q.data_kbps = pcie_kbps_of(size, pcie_wire_ps(c, q.up.bytes));
	uint64_t down_kbps = pcie_kbps_of(size, pcie_wire_ps(c, q.down.bytes));
	if (!is_write && down_kbps <= q.data_kbps) {
		q.data_kbps = down_kbps;
		q.limit = PCIE_LIMIT_DOWN;
	}
	uint64_t tag_kbps = is_write ? UINT64_MAX : pcie_kbps_of((uint64_t)c->read_tags * chunk, r1);
	if (!is_write && tag_kbps < q.data_kbps) {
		q.data_kbps = tag_kbps;
		q.limit = PCIE_LIMIT_TAGS;
	}
	return q;
}

struct pcie_query pcie_query(const struct pcie_cfg *c, uint32_t size, bool is_write)
{
	return pcie_query_at(c, 0, size, is_write);
}

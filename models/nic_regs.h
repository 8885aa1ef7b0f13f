/*
 * models/nic_regs.h — the NIC's register map and descriptor formats: the
 * datasheet both sides of the bus know. docs/registers.md describes it for
 * people; the NIC's dispatch table (models/nic.c) is the one implementation.
 *
 * Layout follows Intel's igb/ixgbe families (per-queue ring registers at a
 * stride, RETA and RSSRK arrays, one ITR register per MSI-X vector, the MSI-X
 * table in its own window) but the offsets are nicsim's own: a driver for a
 * real part will not run against it.
 *
 * All registers are 32 bits wide.
 */
#ifndef NICSIM_MODELS_NIC_REGS_H
#define NICSIM_MODELS_NIC_REGS_H

#include <stdbool.h>
#include <stdint.h>

/* Device control. */
#define NIC_REG_CTRL         0x00000u  /* bit 0 RST: reset all queues and interrupt vectors */
#define NIC_REG_STATUS       0x00008u  /* read-only: bit 0 link up, bits 31:8 link speed in Mb/s */
#define NIC_STATUS_LU        0x00000001u  /* STATUS: link up */
#define NIC_STATUS_SPEED_MBPS(w) ((w) >> 8)  /* STATUS: the line rate, Mb/s (mac.rate_mbps) */
#define NIC_STATUS_SPEED_MAX_MBPS 0xffffffu
#define NIC_REG_CAPS         0x00010u  /* read-only: bits 15:0 receive queues, bits 31:16 RETA entries */
#define NIC_CAPS_QUEUES(w)   ((w) & 0xffffu)
#define NIC_CAPS_RETA(w)     ((w) >> 16)
#define NIC_REG_RCTL         0x00100u  /* bit 0 EN: receive enabled */
#define NIC_REG_MRQC         0x05818u  /* RSS hash-type enables, bits 8:0 = rss.hash_types choices
                                        * (ipv4,tcp_ipv4,udp_ipv4,ipv6,tcp_ipv6,udp_ipv6,ipv6_ex,tcp_ipv6_ex,udp_ipv6_ex); bit 31 RSS on */
#define NIC_REG_RSSDEFQ      0x0581Cu  /* bits 15:0: queue for frames without a hash (nicsim's own register) */
#define NIC_REG_RSSRK        0x05C80u  /* RSS key, 13 registers (52 bytes), byte 0 in bits 7:0 of RSSRK[0] */
#define NIC_REG_RSSRK_COUNT  13u
#define NIC_REG_RETA         0x08000u  /* indirection table: 2 entries a register, entry 2i in bits 15:0 */
#define NIC_REG_RETA_COUNT   1024u     /* 2048 entries */

/* Register bits. */
#define NIC_CTRL_RST         0x00000001u  /* CTRL: reset the queues and interrupt vectors */
#define NIC_RCTL_EN          0x00000001u  /* RCTL: receive enabled */
#define NIC_MRQC_RSS_EN      0x80000000u  /* MRQC: RSS on */
#define NIC_MRQC_TYPES_MASK  0x000001ffu  /* MRQC: the hash-type enables */
/* MRQC bit i enables hash type i of this list (the names rss.hash_types takes). */
#define NIC_MRQC_TYPE_CHOICES "ipv4,tcp_ipv4,udp_ipv4,ipv6,tcp_ipv6,udp_ipv6,ipv6_ex,tcp_ipv6_ex,udp_ipv6_ex"

/* Per receive queue q, at NIC_REG_RXQ(q) + offset. */
#define NIC_RXQ_BUFLEN_RESET 2048u  /* BUFLEN after reset: 2 KiB, as the 82599's SRRCTL.BSIZEPACKET
                                     * default (recalled, not checked against the datasheet) */
#define NIC_REG_RXQ(q)       (0x10000u + (uint32_t)(q) * 0x40u)
#define NIC_RXQ_RDBAL        0x00u     /* ring base address, low 32 bits (128-byte aligned) */
#define NIC_RXQ_RDBAH        0x04u     /* ring base address, high 32 bits */
#define NIC_RXQ_RDLEN        0x08u     /* ring length in bytes (multiple of 16 * 8) */
#define NIC_RXQ_RDH          0x10u     /* head: next descriptor the NIC fills (NIC writes) */
#define NIC_RXQ_RDT          0x18u     /* tail: doorbell; descriptors [RDH, RDT) belong to the NIC */
#define NIC_RXQ_BUFLEN       0x20u     /* receive buffer size in bytes */
#define NIC_RXQ_SRRCTL       0x24u     /* split and replication control: bit 28 DROP_EN (as the 82599's SRRCTL) */
#define NIC_SRRCTL_DROP_EN   (1u << 28)  /* drop a frame at once when the ring has no descriptor; clear:
                                          * it waits in the packet buffer (82599 datasheet SRRCTL) */
#define NIC_RXQ_STAT_DROP    0x30u     /* read-only: frames dropped for want of a descriptor */
#define NIC_RXQ_INFLIGHT     0x34u     /* read-only: frames steered to this queue and not yet written
                                        * back (in the pipeline, FIFO or DMA); a driver that moves
                                        * RETA entries reads it to drain the old queue first */
#define NIC_RXQ_COUNT_MAX    1024u

/* Per transmit queue q, at NIC_REG_TXQ(q) + offset: one TX queue per receive
 * queue, the pair sharing MSI-X vector q (as ixgbe pairs them on one
 * q_vector). Layout after the 82599's TDBAL/TDBAH/TDLEN/TDH/TDT/TXDCTL. */
#define NIC_REG_TXQ(q)       (0x30000u + (uint32_t)(q) * 0x40u)
#define NIC_TXQ_TDBAL        0x00u     /* ring base address, low 32 bits (128-byte aligned) */
#define NIC_TXQ_TDBAH        0x04u     /* ring base address, high 32 bits */
#define NIC_TXQ_TDLEN        0x08u     /* ring length in bytes (multiple of 128) */
#define NIC_TXQ_TDH          0x10u     /* head: next descriptor the NIC processes (NIC writes) */
#define NIC_TXQ_TDT          0x18u     /* tail: doorbell; descriptors [TDH, TDT) are the NIC's to send */
#define NIC_TXQ_TXDCTL       0x28u     /* bit 25 ENABLE (as the 82599's TXDCTL.ENABLE) */
#define NIC_TXDCTL_ENABLE    (1u << 25)
#define NIC_TXQ_STAT_PKTS    0x30u     /* read-only: frames this queue put on the wire */
#define NIC_REG_TCTL         0x00400u  /* bit 1 EN: transmit enabled (as e1000's TCTL.EN) */
#define NIC_TCTL_EN          0x00000002u

/* Interrupts: one MSI-X vector per queue pair (vector q serves RX and TX queue q). */
/* EITR: bits 15:0 interval in us, bits 30:16 frame limit, bit 31 DELAY: how
 * the interval is timed. 0 (reset): Intel's throttle, a minimum interval
 * from the last interrupt (I210 datasheet section 7.3); 1: ethtool's delay,
 * from the first completion not yet signalled (docs/irq.md). A write
 * changes the interval and never restarts the running count, as igb's
 * E1000_EITR_CNT_IGNR and ixgbe's IXGBE_EITR_CNT_WDIS writes do. */
#define NIC_REG_EITR(v)      (0x20000u + (uint32_t)(v) * 4u)
#define NIC_EITR_DELAY       0x80000000u
#define NIC_EITR_FRAMES_MAX  0x7fffu
#define NIC_EITR_USECS(w)    ((w) & 0xffffu)
#define NIC_EITR_FRAMES(w)   (((w) >> 16) & NIC_EITR_FRAMES_MAX)
#define NIC_EITR(usecs, frames) (((uint32_t)(usecs) & 0xffffu) | ((uint32_t)(frames) & NIC_EITR_FRAMES_MAX) << 16)
#define NIC_REG_EIMS(v)      (0x24000u + (uint32_t)(v) * 4u)  /* write 1: unmask (re-arm) vector v */
#define NIC_REG_EIMC(v)      (0x28000u + (uint32_t)(v) * 4u)  /* write 1: mask vector v */
#define NIC_EIM_VECTOR       1u        /* the bit EIMS/EIMC act on */
#define NIC_REG_MSIX(v)      (0x40000u + (uint32_t)(v) * 16u) /* MSI-X table entry (PCI spec layout) */
#define NIC_MSIX_ADDR_LO     0x0u
#define NIC_MSIX_ADDR_HI     0x4u
#define NIC_MSIX_DATA        0x8u
#define NIC_MSIX_CTRL        0xCu
#define NIC_MSIX_CTRL_MASKED 1u        /* Vector Control bit 0 (PCI spec): masked */

/* The TCP offload engine (TCP Chimney; models/nic_toe.c, docs/toe.md). All
 * nicsim's own. The host hands a connection over and takes it back with
 * commands: it writes CMD_ADDRL/H, CMD_LEN and CMD_ARG, then CMD (bits 31:28
 * the op, bits 27:0 the offload's id, the host's number for it); the NIC
 * acts on commands in the order written (a command that reads host memory
 * holds those behind it until its read has landed). The NIC reports through
 * one event queue per receive queue (EQ, a ring of 16-byte entries in host
 * memory, struct nic_toe_eq_entry) and that queue's MSI-X vector, moderated
 * like receive; the queue is the one RSS gives the connection's hash. */
#define NIC_REG_TOE_CTL      0x50000u  /* bit 0 EN */
#define NIC_TOE_CTL_EN       1u
#define NIC_REG_TOE_CAPS     0x50004u  /* read-only: connections the engine holds (toe.conns) */
#define NIC_REG_TOE_SNDBUF   0x50008u  /* read-only: send bytes the engine holds a connection (toe.snd_buf_bytes) */
#define NIC_REG_TOE_CMD_ADDRL 0x50010u
#define NIC_REG_TOE_CMD_ADDRH 0x50014u
#define NIC_REG_TOE_CMD_LEN  0x50018u
#define NIC_REG_TOE_CMD_ARG  0x5001Cu
#define NIC_REG_TOE_CMD      0x50020u  /* write: op << 28 | id */
#define NIC_REG_TOE_INDL     0x50030u  /* indication area (NIC-owned host buffers), low 32 bits */
#define NIC_REG_TOE_INDH     0x50034u
#define NIC_REG_TOE_INDLEN   0x50038u  /* its bytes */
#define NIC_REG_TOE_EQ(q)    (0x51000u + (uint32_t)(q) * 0x10u)
#define NIC_TOE_EQBAL        0x0u
#define NIC_TOE_EQBAH        0x4u
#define NIC_TOE_EQLEN        0x8u      /* bytes, a multiple of 16 */
#define NIC_TOE_EQH          0xCu      /* head: entries the host has consumed (the host writes) */
#define NIC_TOE_CMD_SHIFT    28u
#define NIC_TOE_ID_MASK      0x0fffffffu

/* Commands (CMD bits 31:28). */
enum nic_toe_op {
	NIC_TOE_OP_OFFLOAD = 1,  /* ADDR: the state block (struct toe_state, below) then the bytes
	                          * the host has in flight [snd_una, snd_max); LEN both: read, install */
	NIC_TOE_OP_UPLOAD = 2,   /* ADDR: where to write the state block back */
	NIC_TOE_OP_SEND = 3,     /* ADDR, LEN: application bytes to send (read when their turn comes) */
	NIC_TOE_OP_POST = 4,     /* ADDR, LEN: a receive buffer the application posted (zero copy) */
	NIC_TOE_OP_CREDIT = 5,   /* LEN: indicated bytes the host has consumed (the window opens) */
	NIC_TOE_OP_CLOSE = 6,    /* the application closed its half: FIN after the data */
	NIC_TOE_OP_FORWARD = 7,  /* ADDR, LEN: a frame of the connection the host received: for the engine */
};

/* Event queue entry, 16 bytes, written by the NIC. seq counts the queue's
 * entries from 1: the host knows an entry is new when seq is the next it
 * expects. */
struct nic_toe_eq_entry {
	uint8_t type;       /* enum nic_toe_ev */
	uint8_t reason;     /* UPLOAD_REQ: enum toe_upload_reason */
	uint16_t flags;     /* RX_DONE: NIC_TOE_EQF_PUSH */
	uint32_t id;
	uint32_t arg;       /* bytes (RX_*, SEND_DONE), or 0/1 (OFFLOADED: 1 = refused, table full) */
	uint32_t seq;
};
#define NIC_TOE_EQ_ENTRY_BYTES 16u
#define NIC_TOE_EQF_PUSH 1u
enum nic_toe_ev {
	NIC_TOE_EV_OFFLOADED = 1,  /* arg 0 installed, 1 refused */
	NIC_TOE_EV_UPLOADED,       /* the state block is written back */
	NIC_TOE_EV_SEND_DONE,      /* arg bytes acknowledged by the peer */
	NIC_TOE_EV_RX_DONE,        /* a posted buffer completed with arg bytes (zero copy) */
	NIC_TOE_EV_RX_IND,         /* arg bytes indicated into the indication area (the host copies) */
	NIC_TOE_EV_FIN,
	NIC_TOE_EV_RST,
	NIC_TOE_EV_UPLOAD_REQ,     /* reason */
};

/* The offloaded connection's state block (OFFLOAD reads it, UPLOAD writes it
 * back): both sides of the bus know it, as they know the descriptors. Its
 * layout follows docs/toe.md [WDK-state] (constant, cached and delegated variables); its
 * states and the reasons an engine asks for an upload are NDIS's. In host
 * byte order: the host and the NIC model share one (docs/toe.md). */
/* RFC 9293 states an offloaded connection can be in (never SYN_*, LISTEN:
 * the host keeps set-up). */
enum toe_tcp_state {
	TOE_TCP_ESTABLISHED = 0,
	TOE_TCP_FIN_WAIT_1,
	TOE_TCP_FIN_WAIT_2,
	TOE_TCP_CLOSING,
	TOE_TCP_TIME_WAIT,
	TOE_TCP_CLOSE_WAIT,
	TOE_TCP_LAST_ACK,
	TOE_TCP_CLOSED,
	TOE_TCP_STATE_COUNT
};

/* Why the engine asks the host to take a connection back: the values of
 * NDIS TCP_UPLOAD_REASON (ndischimney.h; docs/toe.md [WDK-upload]), and 0 for none. The
 * engine's own triggers map onto them as docs/toe.md lists (IP options and
 * fragments: HighFragmentation; an in-window SYN: InvalidState; TIME_WAIT
 * or CLOSED: UploadRequested; urgent data: ReceivedUrgentData; too many
 * out-of-order segments (toe.ooo_upload_segs): HighOutOfOrderPackets;
 * toe.max_retrans retransmissions: TimeoutExpiration). A full send buffer or
 * out-of-order store is counted, not a reason. */
enum toe_upload_reason {
	TOE_UP_NONE = 0,
	TOE_UP_LOW_ACTIVITY = 1,
	TOE_UP_HIGH_DROP_RATE = 2,
	TOE_UP_SMALL_IO = 3,
	TOE_UP_NO_BUFFER_PREPOSTING = 4,
	TOE_UP_URGENT = 5,
	TOE_UP_HIGH_FRAGMENTATION = 6,
	TOE_UP_HIGH_OUT_OF_ORDER = 7,
	TOE_UP_TIMEOUT = 8,
	TOE_UP_INVALID_STATE = 9,
	TOE_UP_REQUESTED = 10,
	TOE_UP_HARDWARE_FAILURE = 11,
	TOE_UP_REASON_COUNT
};

/* The offloaded state (docs/toe.md [WDK-state]): what the host hands over at offload and
 * gets back at upload. Sequence numbers are absolute (as on the wire).
 * Windows are in bytes, already scaled. RTT values in microseconds. */
struct toe_state {
	/* constant: the connection's identity and what was negotiated */
	bool is_ipv6;
	uint8_t local_ip[16], remote_ip[16];  /* network order; IPv4 in the first 4 */
	uint16_t local_port, remote_port;
	uint8_t local_mac[6], remote_mac[6];  /* the neighbour (next hop) */
	uint8_t snd_wscale, rcv_wscale;       /* RFC 7323 shift counts (0 without the option) */
	uint16_t remote_mss;                  /* the peer's MSS option; absent, 536 (IPv4) or 1220 (IPv6):
	                                       * RFC 9293 §3.7.1 (MUST-15) */
	bool has_timestamps, has_sack;
	uint32_t rss_hash;
	/* cached: the host's */
	uint16_t path_mtu;
	uint8_t ttl, tos;
	uint32_t rcv_wnd_max;                 /* the receive buffer: the most the engine advertises */
	bool is_nagle;
	/* delegated: the engine's after offload, returned at upload */
	uint8_t tcp_state;                    /* enum toe_tcp_state */
	uint32_t rcv_nxt, rcv_wnd;
	uint32_t snd_una, snd_nxt, snd_max, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t cwnd, ssthresh;
	uint32_t srtt_us, rttvar_us, rto_us;  /* srtt 0: no sample yet */
	uint32_t ts_recent;                   /* the peer's last TSval (RFC 7323 §4.3) */
	uint32_t ts_offset;                   /* our TSval = (t_ps / 1 ms) + ts_offset: a 1 ms tick, the
	                                       * fastest RFC 7323 §5.4 allows (1 ms to 1 s a tick) */
	uint32_t dup_acks;
};

#define NIC_REG_WINDOW_BYTES 0x80000u

/* Receive descriptor, 16 bytes, in host memory (little-endian fields).
 * Read format (written by the driver): buffer address.
 * Write-back format (written by the NIC when a frame is placed). */
struct nic_rx_desc_read {
	uint64_t buf_addr;
	uint64_t reserved;
};
struct nic_rx_desc_wb {
	uint32_t rss_hash;
	uint16_t length;      /* bytes placed in the buffer */
	uint16_t pkt_type;    /* NIC_PTYPE_* */
	uint16_t status;      /* NIC_RXD_STAT_* */
	uint16_t errors;      /* NIC_RXD_ERR_* */
	uint32_t frame_len;   /* original frame length (for a frame truncated to the buffer) */
};
#define NIC_RX_DESC_BYTES 16u

#define NIC_RXD_STAT_DD      0x0001u  /* descriptor done */
#define NIC_RXD_STAT_EOP     0x0002u  /* end of packet */
#define NIC_RXD_STAT_RSS     0x0004u  /* rss_hash valid */
#define NIC_RXD_STAT_IPCS    0x0008u  /* IPv4 header checksum checked */
#define NIC_RXD_STAT_L4CS    0x0010u  /* TCP/UDP checksum checked */
#define NIC_RXD_STAT_PARSED  0x0020u  /* headers parsed to the transport layer */
#define NIC_RXD_ERR_IPE      0x0001u  /* IPv4 header checksum wrong */
#define NIC_RXD_ERR_L4E      0x0002u  /* TCP/UDP checksum wrong */

/* Transmit descriptors, 16 bytes, in host memory (little-endian), in the
 * layout of the 82599's advanced descriptors (field positions as Linux
 * ixgbe_type.h names them: IXGBE_ADVTXD_*). A packet is an optional context
 * descriptor followed by data descriptors up to one with EOP.
 *
 * Context descriptor: header lengths and MSS for the offloads of the data
 * descriptors that follow it (one context slot per queue here; the 82599
 * has two, chosen by IDX). */
struct nic_tx_desc_ctx {
	uint32_t vlan_macip_lens;   /* bits 8:0 IPLEN, 15:9 MACLEN */
	uint32_t seqnum_seed;       /* unused */
	uint32_t type_tucmd_mlhl;   /* DTYP = context, DEXT; TUCMD: IPV4, L4T */
	uint32_t mss_l4len_idx;     /* bits 15:8 L4LEN, 31:16 MSS */
};
/* Data descriptor, read format: one buffer of the packet. */
struct nic_tx_desc_data {
	uint64_t buf_addr;
	uint32_t cmd_type_len;      /* bits 15:0 DTALEN (buffer bytes), DTYP = data, DCMD bits */
	uint32_t olinfo_status;     /* bits 3:0 STA (DD written back), 9:8 POPTS (IXSM, TXSM), 31:14 PAYLEN */
};
/* Write-back: the NIC sets DD in olinfo_status of a descriptor with RS,
 * the other fields as the driver wrote them. */
#define NIC_TX_DESC_BYTES        16u
#define NIC_TXD_IPLEN(w)         ((w) & 0x1ffu)
#define NIC_TXD_MACLEN_SHIFT     9u
#define NIC_TXD_MACLEN(w)        (((w) >> 9) & 0x7fu)
#define NIC_TXD_DTYP_MASK        0x00f00000u
#define NIC_TXD_DTYP_CTXT        0x00200000u
#define NIC_TXD_DTYP_DATA        0x00300000u
#define NIC_TXD_DEXT             0x20000000u
#define NIC_TXD_TUCMD_IPV4       0x00000400u
#define NIC_TXD_TUCMD_L4T_TCP    0x00000800u   /* L4T: 0 UDP, 1 TCP */
#define NIC_TXD_L4T_MASK         0x00001800u
#define NIC_TXD_L4LEN(w)         (((w) >> 8) & 0xffu)
#define NIC_TXD_MSS(w)           ((w) >> 16)
#define NIC_TXD_DTALEN(w)        ((w) & 0xffffu)
#define NIC_TXD_CMD_EOP          0x01000000u   /* end of packet */
#define NIC_TXD_CMD_IFCS         0x02000000u   /* insert FCS */
#define NIC_TXD_CMD_RS           0x08000000u   /* report status: write DD back */
#define NIC_TXD_CMD_TSE          0x80000000u   /* TCP segmentation */
#define NIC_TXD_STAT_DD          0x00000001u
#define NIC_TXD_POPTS_IXSM       0x00000100u   /* insert the IPv4 header checksum */
#define NIC_TXD_POPTS_TXSM       0x00000200u   /* insert the TCP/UDP checksum */
#define NIC_TXD_PAYLEN_SHIFT     14u
#define NIC_TXD_PAYLEN(w)        ((w) >> 14)
/* Bytes one data descriptor may carry: ixgbe's IXGBE_MAX_DATA_PER_TXD,
 * 1 << IXGBE_MAX_TXD_PWR = 16 KiB; a send of more takes several. */
#define NIC_TXD_BUF_MAX          16384u

#define NIC_PTYPE_IPV4       0x0001u
#define NIC_PTYPE_IPV6       0x0002u
#define NIC_PTYPE_TCP        0x0010u
#define NIC_PTYPE_UDP        0x0020u

#endif

/*
 * models/toe_state.h — the offloaded connection's state block: what the
 * host writes to memory for an OFFLOAD command and the NIC writes back at
 * UPLOAD (models/nic_regs.h, NIC_TOE_OP_*), so both sides of the bus know
 * it, as they know the descriptor formats. Its layout follows specs §2.3
 * (constant, cached and delegated variables); its states and the reasons
 * an engine asks for an upload are NDIS's.
 */
#ifndef NICSIM_MODELS_TOE_STATE_H
#define NICSIM_MODELS_TOE_STATE_H

#include <stdbool.h>
#include <stdint.h>

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
const char *toe_tcp_state_name(enum toe_tcp_state s);

/* Why the engine asks the host to take a connection back: the values of
 * NDIS TCP_UPLOAD_REASON (ndischimney.h; specs §2.5), and 0 for none. The
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
/* "urgent_data", "high_out_of_order", ...: stable names for reports. */
const char *toe_upload_reason_name(enum toe_upload_reason r);

/* The offloaded state (specs §2.3): what the host hands over at offload and
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

#endif

/*
 * traces/flows.h — per-flow counters keyed by the directional 5-tuple.
 *
 * The definition matches the tshark reference counts in
 * traces/ref/NAME.flows.csv (see traces/ref/README.md): one row per direction
 * of each TCP or UDP 5-tuple; bytes = frame length on the wire; a non-first IP
 * fragment carries no ports and belongs to no flow; ICMP/ICMPv6 (which may
 * quote an inner header) are left out; for tunnels the outer addresses count.
 * Addresses print in canonical text (RFC 5952 for IPv6); rows sort as text.
 *
 * Memory grows with the number of distinct flows, never with the number of
 * packets: at most 116 bytes a flow. An entry is 88 bytes; the hash slots
 * (4-byte indexes, the table doubled at 50% load) 8 to 16 bytes a flow, 24
 * while doubling; flows_sorted 12 more while it sorts (its result and an
 * index; the row texts are made a bounded number at a time). The top flows
 * by bytes cost only their own array. Figures and how they were measured:
 * docs/performance.md.
 */
#ifndef NICSIM_TRACES_FLOWS_H
#define NICSIM_TRACES_FLOWS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/pkt/parse.h"

struct flow_key {
	uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport;
	uint8_t proto;             /* 6 TCP, 17 UDP */
	uint8_t is_ipv6;
};

struct flow_entry {
	struct flow_key key;
	uint64_t packets, bytes;
	uint32_t rss_hash;         /* set by the NIC run (flows_note_rx) */
	uint16_t queue;
	uint8_t has_rx;            /* the NIC received at least one of its packets */
	uint8_t queue_changed;     /* its packets landed on more than one queue */
	uint64_t first_record;     /* record number of its first packet */
	uint64_t last_seq_delivered; /* pkt.seq of the latest of its frames the host finished (run) */
	uint64_t reordered;        /* its frames the host finished after a later one of the same flow */
};

struct flow_table;

struct flow_table *flows_new(void);
void flows_free(struct flow_table *ft);
/* The flow a parsed frame belongs to, or false if it belongs to none (not
 * TCP/UDP, non-first fragment, ICMP, unparsed). */
bool flows_key_of(const struct parse_result *pr, struct flow_key *key);
/* A key's hash (every bit of the key reaches every bit of it: its low
 * bits can index a table). Deterministic: no seed. */
uint32_t flows_key_hash(const struct flow_key *key);
/* Find or insert; NULL only if memory is exhausted. */
struct flow_entry *flows_get(struct flow_table *ft, const struct flow_key *key, uint64_t record);
/* Count one frame (wire_len bytes) into its flow. Returns the flow's entry,
 * or NULL with *is_nomem false when the frame belongs to no flow, or NULL
 * with *is_nomem true when the table could not grow. */
struct flow_entry *flows_add_frame(struct flow_table *ft, const struct parse_result *pr, uint32_t wire_len,
				   uint64_t record, bool *is_nomem);
uint64_t flows_count(const struct flow_table *ft);
/* Entries in text-sorted CSV row order. The array is owned by the table and
 * valid until the next flows_get. */
struct flow_entry **flows_sorted(struct flow_table *ft);
/* The n flows with the most bytes into out[0..n), most first (equal bytes:
 * the one seen first first); returns how many (fewer if the table holds
 * fewer). Needs no memory but out. */
uint32_t flows_top_by_bytes(const struct flow_table *ft, struct flow_entry **out, uint32_t n);
/* "tcp,10.0.0.1,80,10.0.0.2,5555" into buf (>= 128 bytes). */
void flows_format_key(const struct flow_key *key, char *buf, size_t len);
/* CSV with header proto,src,sport,dst,dport,packets,bytes; with_nic adds
 * rss_hash,queue (empty for flows the host sent). Returns 0 or -errno. */
int flows_write_csv(struct flow_table *ft, FILE *f, bool with_nic);

/* Count a whole trace (what `nicsim info --flows` does). Returns 0, or a
 * negative trace_err with the message in err. */
int flows_count_trace(const char *path, struct flow_table *ft, char *err, size_t err_len);

/* The same over an open reader (path names it in messages), calling
 * on_frame (if not NULL) with every record and its parse; the reader stays
 * open for its info and stats. Returns 0 at the end of the trace, or a
 * negative trace_err (TRACE_E_TRUNCATED: the counts cover what came before). */
struct trace_reader;
struct trace_record;
typedef void (*flows_frame_fn)(void *ctx, const struct trace_record *rec, const struct parse_result *pr);
int flows_count_reader(struct trace_reader *r, const char *path, struct flow_table *ft, flows_frame_fn on_frame,
		       void *ctx, char *err, size_t err_len);

#endif

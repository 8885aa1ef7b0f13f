/*
 * traces/flows.c — per-flow packet and byte counts keyed by the directional
 * TCP/UDP 5-tuple, defined to match the tshark reference counts in
 * traces/ref/NAME.flows.csv (traces/ref/README.md gives the command).
 *
 * What tshark's definition implies, and which capture shows it (all 28
 * reference CSVs are reproduced byte for byte by tests/test_flows.c):
 * - A packet counts if tshark's TCP or UDP dissector added its ports and it
 *   holds no ICMP/ICMPv6 layer; src/dst are the first (outer) IP header's,
 *   the ports the first TCP/UDP header's. The parser stops at ICMP/ICMPv6
 *   (l4 OTHER, no ports), which leaves out what "not icmp" filters:
 *   edge/ipv6-srh-ext-header.pcap (IPv6-in-IPv6 behind a segment routing
 *   header, carrying ICMPv6: no row), the MLD/ND packets in bulk-ipv4.pcap
 *   and edge/ipv6-routing-header.pcap (only its two UDP packets have rows).
 * - Frames with no TCP/UDP at all give no row: edge/802.1ad_QinQ.pcap (ARP
 *   behind two tags), real/pcpp-vlan-packets.pcap (ICMP), the mobility
 *   header packets of edge/ipv6_mobility_1.pcap.
 * - Extension-header chains that do not reach TCP/UDP give no row:
 *   edge/ip6_frag_asan.pcap (fragment header cut by the capture),
 *   edge/ipv6_frag6_negative_len.pcap (payload length 0, so Wireshark's
 *   datagram ends before its fragment header).
 * - An IPv6 jumbogram counts once at its frame length:
 *   edge/bigtcp-ipv6-hbh.pcap, one row of 1 packet, 80094 bytes.
 * - GRO super-frames count once each at frame.len (real/suri-sll2-gro.pcap up
 *   to 65,232 B, real/suri-pgsql-gro-offload.pcap); both carry a real IPv4
 *   total length. A total length of 0 (BIG TCP beyond 64 KB) would be
 *   replaced by the frame's length, as Wireshark's ip.tso_support (on by
 *   default) does; no reference capture has one.
 * - Bytes are frame.len, the original wire length (traces/ref/README.md). No counted
 *   packet in the set has caplen < len, so the captures do not pin this.
 * - Not in any capture, taken from Wireshark's dissectors instead: a later
 *   fragment has no ports (reassembly is off), a first fragment keeps them;
 *   a TCP/UDP header cut or bogus after the ports still counts (ports are
 *   added before the header length is checked), one cut inside the ports
 *   does not; IP-in-IP counts with outer addresses and inner ports.
 *
 * The table: open addressing with linear probing over a power-of-two array
 * of entry indexes (4 bytes a slot), doubled at 50% load; a probe compares
 * the key in the entry itself, and growing rehashes each entry's key (the
 * hash is not kept: that would be 4 bytes more a slot). Entries live in
 * fixed chunks so the pointer flows_get returns stays valid while the table
 * grows. flows_sorted sorts by the CSV text without keeping a text for every
 * flow: runs of FLOWS_SORT_RUN flows are sorted with their texts, then the
 * runs are merged, each run's head formatted once more; every key is
 * formatted twice per call, never per packet. The cost per flow is in
 * flows.h.
 */
#include "traces/flows.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "traces/reader.h"

#define FLOWS_SLOTS_MIN 64u          /* initial slot count (power of two) */
#define FLOWS_CHUNK_ENTRIES 1024u    /* entries per allocation chunk */
#define FLOWS_KEY_TEXT_MAX 128u      /* "udp,<ipv6>,65535,<ipv6>,65535" < 110 */
#define FLOWS_SORT_RUN 4096u         /* flows sorted with their texts at a time (540 KB) */

struct flow_table {
	uint32_t *slots;          /* entry index + 1; 0 = empty */
	uint32_t slot_mask;       /* slots - 1 */
	uint32_t count;
	struct flow_entry **chunks;
	uint32_t chunks_len, chunks_cap;
	struct flow_entry **sorted; /* flows_sorted's result (count entries) */
};

static inline struct flow_entry *entry_at(const struct flow_table *ft, uint32_t i)
{
	return &ft->chunks[i / FLOWS_CHUNK_ENTRIES][i % FLOWS_CHUNK_ENTRIES];
}

struct flow_table *flows_new(void)
{
	struct flow_table *ft = calloc(1, sizeof *ft);
	if (!ft)
		return NULL;
	ft->slots = calloc(FLOWS_SLOTS_MIN, sizeof *ft->slots);
	if (!ft->slots) {
		free(ft);
		return NULL;
	}
	ft->slot_mask = FLOWS_SLOTS_MIN - 1;
	return ft;
}

void flows_free(struct flow_table *ft)
{
	if (!ft)
		return;
	for (uint32_t i = 0; i < ft->chunks_len; i++)
		free(ft->chunks[i]);
	free(ft->chunks);
	free(ft->slots);
	free(ft->sorted);
	free(ft);
}

uint64_t flows_count(const struct flow_table *ft) { return ft->count; }

bool flows_key_of(const struct parse_result *pr, struct flow_key *key)
{
	/* Ports are present whenever the capture holds them, whatever the
	 * status past them: tshark counts a packet whose TCP header is cut
	 * short or claims a bogus data offset (its dissector adds the port
	 * fields before checking the header length). */
	if (!(pr->flags & PARSE_F_HAS_PORTS))
		return false;
	if (pr->l4 != PARSE_L4_TCP && pr->l4 != PARSE_L4_UDP)
		return false;
	memset(key, 0, sizeof *key);
	if (pr->l3 == PARSE_L3_IPV6) {
		key->is_ipv6 = 1;
		memcpy(key->src, pr->src, 16);
		memcpy(key->dst, pr->dst, 16);
	} else if (pr->l3 == PARSE_L3_IPV4) {
		memcpy(key->src, pr->src, 4);
		memcpy(key->dst, pr->dst, 4);
	} else {
		return false;
	}
	key->sport = pr->sport;
	key->dport = pr->dport;
	key->proto = pr->l4 == PARSE_L4_TCP ? 6 : 17;
	return true;
}

/* 64-bit multiply-xorshift over the 38 key bytes (every field is fixed
 * width and the struct has no padding: 16+16+2+2+1+1, 2-byte aligned). The
 * finalizer is MurmurHash3's fmix64 (Austin Appleby), which makes every input
 * bit affect every output bit, so masking the low bits for the slot is safe. */
uint32_t flows_key_hash(const struct flow_key *key)
{
	_Static_assert(sizeof(struct flow_key) == 38, "flow_key has no padding");
	const uint8_t *b = (const uint8_t *)key;
	uint64_t w[5] = {0};
	memcpy(w, b, sizeof *key);
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static int table_grow(struct flow_table *ft)
{
	uint32_t new_slots = (ft->slot_mask + 1) * 2;
	uint32_t *s = calloc(new_slots, sizeof *s);
	if (!s)
		return -ENOMEM;
	uint32_t mask = new_slots - 1;
	for (uint32_t i = 0; i <= ft->slot_mask; i++) {
		uint32_t v = ft->slots[i];
		if (!v)
			continue;
		uint32_t j = flows_key_hash(&entry_at(ft, v - 1)->key) & mask;
		while (s[j])
			j = (j + 1) & mask;
		s[j] = v;
	}
	free(ft->slots);
	ft->slots = s;
	ft->slot_mask = mask;
	return 0;
}

static struct flow_entry *entry_new(struct flow_table *ft)
{
	uint32_t i = ft->count;
	if (i / FLOWS_CHUNK_ENTRIES >= ft->chunks_len) {
		if (ft->chunks_len == ft->chunks_cap) {
			uint32_t cap = ft->chunks_cap ? ft->chunks_cap * 2 : 8;
			struct flow_entry **c = realloc(ft->chunks, cap * sizeof *c);
			if (!c)
				return NULL;
			ft->chunks = c;
			ft->chunks_cap = cap;
		}
		struct flow_entry *chunk = calloc(FLOWS_CHUNK_ENTRIES, sizeof *chunk);
		if (!chunk)
			return NULL;
		ft->chunks[ft->chunks_len++] = chunk;
	}
	return entry_at(ft, i);
}

struct flow_entry *flows_get(struct flow_table *ft, const struct flow_key *key, uint64_t record)
{
	uint32_t h = flows_key_hash(key);
	uint32_t j = h & ft->slot_mask;
	for (uint32_t v; (v = ft->slots[j]) != 0; j = (j + 1) & ft->slot_mask) {
		struct flow_entry *e = entry_at(ft, v - 1);
		if (memcmp(&e->key, key, sizeof *key) == 0)
			return e;
	}
	if (ft->count >= UINT32_MAX / 4)
		return NULL;
	/* Keep the load at or below 50% so linear probing stays short. If
	 * growing fails, carry on fuller while at least one slot stays empty
	 * (the probe loop ends only at an empty slot). */
	if ((uint64_t)(ft->count + 1) * 2 > (uint64_t)ft->slot_mask + 1) {
		if (table_grow(ft) == 0) {   /* new slots: find the empty one again */
			j = h & ft->slot_mask;
			while (ft->slots[j])
				j = (j + 1) & ft->slot_mask;
		} else if (ft->count + 2 > ft->slot_mask + 1) {
			return NULL;
		}   /* else: the empty slot the probe ended at is still free */
	}
	struct flow_entry *e = entry_new(ft);
	if (!e)
		return NULL;
	e->key = *key;
	e->first_record = record;
	ft->slots[j] = ++ft->count;
	return e;
}

void flows_format_key(const struct flow_key *key, char *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = key->is_ipv6 ? AF_INET6 : AF_INET;
	/* glibc's inet_ntop prints RFC 5952 §4 text (lowercase, longest zero
	 * run compressed, a single zero group not compressed) as tshark does;
	 * checked against the IPv6 reference CSVs (bulk-ipv6,
	 * pcpp-four-ipv6-http-streams, ipv6-routing-header). */
	if (!inet_ntop(af, key->src, src, sizeof src))
		src[0] = '\0';
	if (!inet_ntop(af, key->dst, dst, sizeof dst))
		dst[0] = '\0';
	snprintf(buf, len, "%s,%s,%u,%s,%u", key->proto == 6 ? "tcp" : "udp", src, key->sport,
		 dst, key->dport);
}

struct sort_item {
	uint32_t index;
	char text[FLOWS_KEY_TEXT_MAX];
};

/* A flow's row text up to its key and the ',' after it. Keys are unique, so
 * comparing "KEY," gives the same order as comparing full rows: where one
 * key text is a prefix of another, the full row continues with ',' (0x2c),
 * which sorts before every digit, '.', ':' and hex letter that can follow. */
static void sort_text(const struct flow_table *ft, uint32_t i, char *text)
{
	flows_format_key(&entry_at(ft, i)->key, text, FLOWS_KEY_TEXT_MAX - 1);
	strcat(text, ",");
}

static int sort_item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sort_item *)a)->text, ((const struct sort_item *)b)->text);
}

/* The head of one sorted run during the merge: runs[pos..end) is left. */
struct merge_head {
	char text[FLOWS_KEY_TEXT_MAX];   /* of runs[pos] */
	uint32_t pos, end;
};

static bool head_less(const struct merge_head *h, uint32_t a, uint32_t b)
{
	return strcmp(h[a].text, h[b].text) < 0;
}

/* Restore the min-heap heap[0..n) (of indexes into h) below slot i. */
static void heap_down(const struct merge_head *h, uint32_t *heap, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && head_less(h, heap[l], heap[m]))
			m = l;
		if (r < n && head_less(h, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		uint32_t t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

/* Merge the sorted runs of FLOWS_SORT_RUN indexes in runs[0..n) into out. */
static int merge_runs(const struct flow_table *ft, const uint32_t *runs, uint32_t n, struct flow_entry **out)
{
	uint32_t nr = (n + FLOWS_SORT_RUN - 1) / FLOWS_SORT_RUN;
	if (nr <= 1) {   /* one run (or none): already in order */
		for (uint32_t k = 0; k < n; k++)
			out[k] = entry_at(ft, runs[k]);
		return 0;
	}
	struct merge_head *h = malloc(nr * sizeof *h);
	uint32_t *heap = malloc(nr * sizeof *heap);
	if (!h || !heap) {
		free(h);
		free(heap);
		return -ENOMEM;
	}
	for (uint32_t r = 0; r < nr; r++) {
		h[r].pos = r * FLOWS_SORT_RUN;
		h[r].end = h[r].pos + FLOWS_SORT_RUN < n ? h[r].pos + FLOWS_SORT_RUN : n;
		sort_text(ft, runs[h[r].pos], h[r].text);
		heap[r] = r;
	}
	for (uint32_t i = nr / 2; i-- > 0;)
		heap_down(h, heap, nr, i);
	uint32_t live = nr;
	for (uint32_t k = 0; k < n; k++) {
		struct merge_head *top = &h[heap[0]];
		out[k] = entry_at(ft, runs[top->pos++]);
		if (top->pos < top->end)
			sort_text(ft, runs[top->pos], top->text);
		else
			heap[0] = heap[--live];
		heap_down(h, heap, live, 0);
	}
	free(h);
	free(heap);
	return 0;
}

struct flow_entry **flows_sorted(struct flow_table *ft)
{
	uint32_t n = ft->count;
	free(ft->sorted);
	ft->sorted = malloc((n ? n : 1) * sizeof *ft->sorted);   /* malloc(0) may return NULL */
	uint32_t *runs = malloc((n ? n : 1) * sizeof *runs);
	struct sort_item *items = malloc((n < FLOWS_SORT_RUN ? (n ? n : 1) : FLOWS_SORT_RUN) * sizeof *items);
	int rc = ft->sorted && runs && items ? 0 : -ENOMEM;
	for (uint32_t start = 0; rc == 0 && start < n; start += FLOWS_SORT_RUN) {
		uint32_t m = n - start < FLOWS_SORT_RUN ? n - start : FLOWS_SORT_RUN;
		for (uint32_t i = 0; i < m; i++) {
			items[i].index = start + i;
			sort_text(ft, start + i, items[i].text);
		}
		qsort(items, m, sizeof *items, sort_item_cmp);
		for (uint32_t i = 0; i < m; i++)
			runs[start + i] = items[i].index;
	}
	free(items);
	if (rc == 0)
		rc = merge_runs(ft, runs, n, ft->sorted);
	free(runs);
	if (rc) {
		free(ft->sorted);
		ft->sorted = NULL;
	}
	return ft->sorted;
}

/* Does a rank above b by bytes (more first; equal bytes: seen first first)? */
static bool top_better(const struct flow_entry *a, const struct flow_entry *b)
{
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	return a->first_record < b->first_record;
}

/* Restore the heap out[0..n), its worst flow at the root, below slot i. */
static void top_down(struct flow_entry **out, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && top_better(out[m], out[l]))
			m = l;
		if (r < n && top_better(out[m], out[r]))
			m = r;
		if (m == i)
			return;
		struct flow_entry *t = out[i];
		out[i] = out[m];
		out[m] = t;
		i = m;
	}
}

uint32_t flows_top_by_bytes(const struct flow_table *ft, struct flow_entry **out, uint32_t n)
{
	uint32_t kept = 0;
	for (uint32_t i = 0; i < ft->count && n; i++) {
		struct flow_entry *e = entry_at(ft, i);
		if (kept < n) {
			out[kept++] = e;
			if (kept == n)
				for (uint32_t j = n / 2; j-- > 0;)
					top_down(out, n, j);
		} else if (top_better(e, out[0])) {
			out[0] = e;
			top_down(out, n, 0);
		}
	}
	if (kept < n)   /* fewer flows than asked for: not a heap yet */
		for (uint32_t j = kept / 2; j-- > 0;)
			top_down(out, kept, j);
	/* Heap sort: the worst goes to the end, one at a time. */
	for (uint32_t m = kept; m > 1; m--) {
		struct flow_entry *t = out[0];
		out[0] = out[m - 1];
		out[m - 1] = t;
		top_down(out, m - 1, 0);
	}
	return kept;
}

int flows_write_csv(struct flow_table *ft, FILE *f, bool with_nic)
{
	struct flow_entry **rows = flows_sorted(ft);
	if (!rows)
		return -ENOMEM;
	char key[FLOWS_KEY_TEXT_MAX];
	fputs(with_nic ? "proto,src,sport,dst,dport,packets,bytes,rss_hash,queue\n"
		       : "proto,src,sport,dst,dport,packets,bytes\n",
	      f);
	for (uint32_t i = 0; i < ft->count; i++) {
		const struct flow_entry *e = rows[i];
		flows_format_key(&e->key, key, sizeof key);
		fprintf(f, "%s,%" PRIu64 ",%" PRIu64, key, e->packets, e->bytes);
		if (with_nic) {
			if (e->has_rx)
				fprintf(f, ",%08" PRIx32 ",%u", e->rss_hash, (unsigned)e->queue);
			else
				fputs(",,", f);
		}
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

/* On a reader error the table keeps every record counted before it: a
 * capture cut short in its last record (real/suri-pgsql-gro-offload.pcap ends
 * one byte into a record header) returns TRACE_E_TRUNCATED with the same
 * counts tshark reports for it, and the caller decides whether that is fatal. */
struct flow_entry *flows_add_frame(struct flow_table *ft, const struct parse_result *pr, uint32_t wire_len,
				   uint64_t record, bool *is_nomem)
{
	struct flow_key key;
	*is_nomem = false;
	if (!flows_key_of(pr, &key))
		return NULL;
	struct flow_entry *e = flows_get(ft, &key, record);
	if (!e) {
		*is_nomem = true;
		return NULL;
	}
	e->packets++;
	e->bytes += wire_len;
	return e;
}

int flows_count_reader(struct trace_reader *r, const char *path, struct flow_table *ft, flows_frame_fn on_frame,
		       void *ctx, char *err, size_t err_len)
{
	struct trace_record rec;
	struct parse_result pr;
	int rc;
	while ((rc = trace_next(r, &rec, err, err_len)) == TRACE_OK) {
		/* The link type can only be known per interface once its IDB is
		 * read (pcapng), so ask after each record; it is a field read. */
		enum parse_link link = trace_get_info(r)->link;
		parse_frame(rec.data, rec.cap_len, rec.wire_len, link, &pr);
		if (on_frame)
			on_frame(ctx, &rec, &pr);
		bool is_nomem;
		if (!flows_add_frame(ft, &pr, rec.wire_len, rec.index, &is_nomem) && is_nomem) {
			snprintf(err, err_len, "%s: record %" PRIu64 ": out of memory for the flow table",
				 path, rec.index);
			return TRACE_E_NOMEM;
		}
	}
	return rc == TRACE_EOF ? 0 : rc;
}

int flows_count_trace(const char *path, struct flow_table *ft, char *err, size_t err_len)
{
	struct trace_reader *r;
	int rc = trace_open(&r, path, err, err_len);
	if (rc < 0)
		return rc;
	rc = flows_count_reader(r, path, ft, NULL, NULL, err, err_len);
	trace_close(r);
	return rc;
}

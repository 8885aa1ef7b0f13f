/*
 * tests/test_rss.c — the Toeplitz engines and the RSS block.
 *
 * Expected values come from tests/vectors/rss_toeplitz_vectors.json, read
 * at test time: Microsoft's published verification set ("rows", kind
 * primary), derived rows (UDP = TCP layout; and pitfalls that
 * must NOT match: host-order or swapped ports), and derived indirection
 * indexes. The table engine is also checked against the bit-serial reference
 * on random inputs, and rss_input on hand-built parse results is checked by
 * making it reproduce the published hashes from packet fields.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <string.h>

#include "host/driver.h"
#include "models/rss.h"
#include "sim/param.h"

static json_t *load_vectors(void)
{
	return tu_load_json(tu_path(tu_vectors_dir(), "rss_toeplitz_vectors.json"));
}

static uint32_t hex_u32(const char *s) { return (uint32_t)strtoul(s, NULL, 16); }

/* The verification key, from the vectors file (not from the code under test). */
static size_t vector_key(json_t *v, uint8_t key[RSS_KEY_BYTES_MAX])
{
	int n = tu_hex_decode(json_string_value(json_object_get(v, "key_hex")), key, RSS_KEY_BYTES_MAX);
	assert_int_equal(n, 40);
	return (size_t)n;
}

/* Both engines on one vector row; returns {ref, table}. */
static void hash_row(json_t *row, const uint8_t *key, size_t key_len, const struct rss_toeplitz *t,
		     uint32_t *ref, uint32_t *tab)
{
	uint8_t in[RSS_INPUT_BYTES_MAX];
	int n = tu_hex_decode(json_string_value(json_object_get(row, "input_hex")), in, sizeof in);
	assert_true(n > 0);
	*ref = tu_toeplitz(key, key_len, in, (size_t)n);
	*tab = rss_toeplitz_hash(t, in, (size_t)n);
}

/* ---- packet fields from vector rows ---- */

/* A vector row's packet fields. */
struct vec_pkt {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	bool is_ipv6;
	uint32_t hash;
};

static struct vec_pkt row_pkt(json_t *row)
{
	struct vec_pkt p = { 0 };
	const char *s = json_string_value(json_object_get(row, "source_ip"));
	const char *d = json_string_value(json_object_get(row, "dest_ip"));
	p.is_ipv6 = strchr(s, ':') != NULL;
	int af = p.is_ipv6 ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(af, s, p.src), 1);
	assert_int_equal(inet_pton(af, d, p.dst), 1);
	json_t *sp = json_object_get(row, "source_port"), *dp = json_object_get(row, "dest_port");
	p.sport = json_is_integer(sp) ? (uint16_t)json_integer_value(sp) : 0;
	p.dport = json_is_integer(dp) ? (uint16_t)json_integer_value(dp) : 0;
	p.hash = hex_u32(json_string_value(json_object_get(row, "expected_hash_hex")));
	return p;
}

/* Row k of the published table with the given hash type. */
static struct vec_pkt vec_row(json_t *v, const char *hash_type, int k)
{
	size_t i;
	json_t *row;
	int seen = 0;
	json_array_foreach(json_object_get(v, "rows"), i, row) {
		if (!strcmp(json_string_value(json_object_get(row, "hash_type")), hash_type) && seen++ == k)
			return row_pkt(row);
	}
	fail_msg("no row %d of type %s in the vectors", k, hash_type);
	struct vec_pkt none = { 0 };
	return none;
}

static void test_rss_toeplitz_matches_all_16_published_microsoft_vectors(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	uint8_t key[RSS_KEY_BYTES_MAX];
	size_t key_len = vector_key(v, key);
	static struct rss_toeplitz t;
	rss_toeplitz_setkey(&t, key, key_len);

	json_t *rows = json_object_get(v, "rows");
	assert_int_equal(json_array_size(rows), 16);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		assert_string_equal(json_string_value(json_object_get(row, "kind")), "primary");
		uint32_t want = hex_u32(json_string_value(json_object_get(row, "expected_hash_hex")));
		uint32_t ref, tab;
		hash_row(row, key, key_len, &t, &ref, &tab);
		if (ref != want || tab != want)
			fail_msg("published row %zu (%s %s): ref 0x%08x table 0x%08x, want 0x%08x", i,
				 json_string_value(json_object_get(row, "hash_type")),
				 json_string_value(json_object_get(row, "source_ip")), ref, tab, want);
	}
	json_decref(v);
}

/* A cfg from the parameter tables' defaults (the NIC's capacity, and the
 * key, hash types and default queue the driver programs), with some keys
 * overridden. */
static void cfg_with(struct rss_cfg *cfg, const char *hash_types, const char *queues)
{
	char err[256];
	struct drv_rss_cfg pol;
	memset(cfg, 0, sizeof *cfg);
	memset(&pol, 0, sizeof pol);
	param_defaults(rss_params, cfg);
	param_defaults(drv_rss_params, &pol);
	if (hash_types && param_set(param_find(drv_rss_params, "hash_types"), &pol, hash_types, err, sizeof err))
		fail_msg("%s", err);
	if (queues && param_set(param_find(rss_params, "queues"), cfg, queues, err, sizeof err))
		fail_msg("%s", err);
	memcpy(cfg->key, pol.key, sizeof cfg->key);
	cfg->key_len = pol.key_len;
	cfg->hash_types = pol.hash_types;
	cfg->default_queue = pol.default_queue;
}

static struct rss *rss_new(const char *hash_types, const char *queues, const char *table_size)
{
	struct rss_cfg cfg;
	char err[256];
	cfg_with(&cfg, hash_types, queues);
	if (table_size && param_set(param_find(rss_params, "table_size"), &cfg, table_size, err, sizeof err))
		fail_msg("%s", err);
	struct rss *r;
	if (rss_init(&r, &cfg, err, sizeof err))
		fail_msg("rss_init: %s", err);
	return r;
}

static void test_rss_table_index_is_low_hash_bits_per_derived_examples(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	static const unsigned sizes[] = { 64, 128, 512, 2048 };
	struct rss *r[4];
	for (int k = 0; k < 4; k++) {
		char s[16];
		snprintf(s, sizeof s, "%u", sizes[k]);
		r[k] = rss_new(NULL, NULL, s);
		assert_int_equal(rss_table_size(r[k]), sizes[k]);
	}
	json_t *rows = json_object_get(json_object_get(v, "indirection_index_examples"), "rows");
	assert_true(json_array_size(rows) > 0);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		uint32_t h = hex_u32(json_string_value(json_object_get(row, "expected_hash_hex")));
		for (int k = 0; k < 4; k++) {
			char name[32];
			snprintf(name, sizeof name, "index_%u", sizes[k]);
			json_int_t want = json_integer_value(json_object_get(row, name));
			if (rss_table_index(r[k], h) != (uint32_t)want)
				fail_msg("derived indirection row %zu %s: got %u want %lld", i, name,
					 rss_table_index(r[k], h), (long long)want);
		}
	}
	for (int k = 0; k < 4; k++)
		rss_free(r[k]);
	json_decref(v);
}

/* xorshift64: fixed seed, so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_rss_toeplitz_table_engine_equals_the_tests_bit_serial_ref_on_100000_random_inputs(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	static struct rss_toeplitz t;
	uint8_t key[RSS_KEY_BYTES_MAX], in[RSS_INPUT_BYTES_MAX];
	size_t key_len = 40;
	for (int n = 0; n < 100000; n++) {
		if (n % 1000 == 0) {   /* a new random key (40..52 bytes) every 1000 inputs */
			key_len = 40 + rng_next(&seed) % (RSS_KEY_BYTES_MAX - 40 + 1);
			for (size_t i = 0; i < key_len; i++)
				key[i] = (uint8_t)rng_next(&seed);
			rss_toeplitz_setkey(&t, key, key_len);
		}
		size_t len = rng_next(&seed) % (RSS_INPUT_BYTES_MAX + 1);
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)rng_next(&seed);
		uint32_t ref = tu_toeplitz(key, key_len, in, len);
		uint32_t tab = rss_toeplitz_hash(&t, in, len);
		if (ref != tab)
			fail_msg("input %d (len %zu, key %zu bytes): ref 0x%08x table 0x%08x", n, len, key_len, ref, tab);
	}
}

static void test_rss_toeplitz_cycles_are_words_plus_latency(void **state)
{
	(void)state;
	/* Hand-worked: 12 bytes at 4 B/cycle = 3 words; 36 at 4 = 9; 36 at 8 = 5
	 * (last word partial); 1 at 1 = 1; each plus the 1-cycle latency. */
	assert_int_equal(rss_toeplitz_cycles(12, 4), 3 + 1);
	assert_int_equal(rss_toeplitz_cycles(36, 4), 9 + 1);
	assert_int_equal(rss_toeplitz_cycles(36, 8), 5 + 1);
	assert_int_equal(rss_toeplitz_cycles(1, 1), 1 + 1);
	assert_int_equal(rss_toeplitz_cycles(8, 36), 1 + 1);
}

static void test_rss_param_defaults_are_valid_and_use_the_verification_key(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	uint8_t key[RSS_KEY_BYTES_MAX];
	size_t key_len = vector_key(v, key);
	struct rss_cfg cfg;
	char err[256];
	cfg_with(&cfg, NULL, NULL);
	assert_int_equal(rss_cfg_validate(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.key_len, key_len);
	assert_memory_equal(cfg.key, key, key_len);
	assert_int_equal(cfg.table_size, 128);   /* Intel RETA, NDIS REVISION_1 maximum */
	/* Every entry declares unit, description and the source of its default. */
	for (const struct param_def *tab[] = { rss_params, drv_rss_params }, **t = tab; t < tab + 2; t++)
		for (const struct param_def *d = *t; d->key; d++) {
			assert_non_null(d->unit);
			assert_true(d->desc && *d->desc);
			assert_true(d->source && *d->source);
			assert_true(!strncmp(d->key, "rss.", 4));
		}
	/* The default types: the six NDIS types of docs/design.md, no _EX. */
	assert_int_equal(rss_ndis_flags(&cfg), 0x100u | 0x200u | 0x4000u | 0x400u | 0x1000u | 0x8000u);
	json_decref(v);
}

static void test_rss_cfg_validate_refuses_impossible_configs_naming_the_key(void **state)
{
	(void)state;
	struct rss_cfg cfg;
	char err[256];
	struct rss *r;

	cfg_with(&cfg, NULL, "4");
	cfg.default_queue = 4;
	assert_true(rss_cfg_validate(&cfg, err, sizeof err) < 0);
	assert_non_null(strstr(err, "rss.default_queue"));
	assert_true(rss_init(&r, &cfg, err, sizeof err) < 0);
	assert_null(r);

	cfg_with(&cfg, NULL, NULL);
	cfg.key_len = 39;
	assert_true(rss_cfg_validate(&cfg, err, sizeof err) < 0);
	assert_non_null(strstr(err, "rss.key"));

	cfg_with(&cfg, NULL, NULL);
	cfg.table_size = 96;
	assert_true(rss_cfg_validate(&cfg, err, sizeof err) < 0);
	assert_non_null(strstr(err, "rss.table_size"));

	cfg_with(&cfg, NULL, NULL);
	cfg.queues = 0;
	assert_true(rss_cfg_validate(&cfg, err, sizeof err) < 0);
	assert_non_null(strstr(err, "rss.queues"));

	/* Through the text interface: a short key is refused by the table. */
	cfg_with(&cfg, NULL, NULL);
	struct drv_rss_cfg pol;
	assert_true(param_set(param_find(drv_rss_params, "key"), &pol, "6d5a56da", err, sizeof err) < 0);
	assert_true(param_set(param_find(rss_params, "table_size"), &cfg, "100", err, sizeof err) < 0);
	assert_true(param_set(param_find(rss_params, "queues"), &cfg, "0", err, sizeof err) < 0);
}

/* ---- rss_input on hand-built parse results ---- */

/* What the parser reports for a complete TCP or UDP packet. */
static struct parse_result pr_l4(int l3, int l4, const struct vec_pkt *p)
{
	struct parse_result pr = { 0 };
	pr.status = PARSE_OK;
	pr.l3 = (uint8_t)l3;
	pr.l4 = (uint8_t)l4;
	pr.ip_proto = l4 == PARSE_L4_TCP ? 6 : l4 == PARSE_L4_UDP ? 17 : 1;
	pr.flags = l4 == PARSE_L4_TCP || l4 == PARSE_L4_UDP ? PARSE_F_HAS_PORTS : 0;
	pr.ethertype = l3 == PARSE_L3_IPV4 ? 0x0800 : 0x86dd;
	pr.l3_off = 14;
	pr.l4_off = l3 == PARSE_L3_IPV4 ? 34 : 54;
	memcpy(pr.src, p->src, 16);
	memcpy(pr.dst, p->dst, 16);
	pr.sport = p->sport;
	pr.dport = p->dport;
	return pr;
}

static const uint8_t no_frame[128];

static void test_rss_derived_rows_match_and_derived_pitfalls_do_not(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	uint8_t key[RSS_KEY_BYTES_MAX];
	size_t key_len = vector_key(v, key);
	static struct rss_toeplitz t;
	rss_toeplitz_setkey(&t, key, key_len);
	struct rss *r = rss_new(NULL, NULL, NULL);   /* default types include UDP */

	json_t *rows = json_object_get(v, "derived_rows");
	size_t i, n_pos = 0, n_neg = 0;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *kind = json_string_value(json_object_get(row, "kind"));
		const char *type_name = json_string_value(json_object_get(row, "hash_type"));
		struct vec_pkt p = row_pkt(row);
		/* The packet the row describes, hashed the way the NIC would. */
		int l4 = strstr(type_name, "UDP") ? PARSE_L4_UDP : PARSE_L4_TCP;
		struct parse_result pr = pr_l4(p.is_ipv6 ? PARSE_L3_IPV6 : PARSE_L3_IPV4, l4, &p);
		uint32_t hash, type;
		assert_true(rss_hash(r, no_frame, &pr, &hash, &type));
		uint32_t ref, tab;
		hash_row(row, key, key_len, &t, &ref, &tab);

		if (!strcmp(kind, "derived")) {
			/* UDP: same layout as TCP, so the same value (derived, not published). */
			n_pos++;
			if (ref != p.hash || tab != p.hash || hash != p.hash)
				fail_msg("derived row %zu (%s): engines 0x%08x/0x%08x, packet 0x%08x, want 0x%08x",
					 i, type_name, ref, tab, hash, p.hash);
		} else if (!strcmp(kind, "derived_negative")) {
			/* A pitfall (ports in host order, ports swapped): the packet
			 * must NOT hash to the pitfall value... */
			n_neg++;
			if (hash == p.hash)
				fail_msg("derived pitfall row %zu (%s, %s): the packet hashes to the pitfall "
					 "value 0x%08x", i, type_name,
					 json_string_value(json_object_get(row, "note")), hash);
			/* ...which is what the row's (wrong) input bytes give, so the
			 * difference lies in how rss_input lays out the bytes. */
			if (ref != p.hash || tab != p.hash)
				fail_msg("derived pitfall row %zu: engines 0x%08x/0x%08x on the pitfall input, "
					 "row says 0x%08x", i, ref, tab, p.hash);
		} else {
			fail_msg("derived row %zu: unknown kind '%s'", i, kind);
		}
	}
	assert_true(n_pos > 0);
	assert_true(n_neg > 0);
	rss_free(r);
	json_decref(v);
}

/* Every published row of one TCP type, as a parsed packet: the hash input's
 * length and type, the published hash, and the queue under the default table
 * (128 entries, entry i -> queue i mod 8, indexed by the hash's low 7 bits:
 * NDIS, "Introduction to RSS"). Returns the rows checked. */
static int check_tcp_rows(json_t *v, const char *hash_type, enum parse_l3 l3, uint32_t type_want, uint32_t in_len)
{
	struct rss *r = rss_new(NULL, NULL, NULL);
	size_t i;
	json_t *row;
	int n = 0;
	json_array_foreach(json_object_get(v, "rows"), i, row) {
		if (strcmp(json_string_value(json_object_get(row, "hash_type")), hash_type))
			continue;
		struct vec_pkt p = row_pkt(row);
		struct parse_result pr = pr_l4(l3, PARSE_L4_TCP, &p);
		uint8_t in[RSS_INPUT_BYTES_MAX];
		uint32_t type, hash;
		assert_int_equal(rss_input(r, no_frame, &pr, in, &type), in_len);
		assert_int_equal(type, type_want);
		assert_true(rss_hash(r, no_frame, &pr, &hash, &type));
		assert_int_equal(type, type_want);
		assert_int_equal(hash, p.hash);
		assert_int_equal(rss_queue_of(r, true, hash), (hash & 127u) % 8u);
		n++;
	}
	rss_free(r);
	return n;
}

static void test_rss_tcp_ipv4_packet_hashes_4tuple_to_the_published_value(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	assert_int_equal(check_tcp_rows(v, "NDIS_HASH_TCP_IPV4", PARSE_L3_IPV4, RSS_HASH_TCP_IPV4, 12), 5);
	json_decref(v);
}

static void test_rss_tcp_ipv6_packet_hashes_4tuple_to_the_published_value(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	assert_int_equal(check_tcp_rows(v, "NDIS_HASH_TCP_IPV6", PARSE_L3_IPV6, RSS_HASH_TCP_IPV6, 36), 3);
	json_decref(v);
}

/* The frame (no bytes needed: addresses and ports come from pr) hashes as
 * type with the published value want. */
static void expect_hash(struct rss *r, const struct parse_result *pr, uint32_t want_type, uint32_t want)
{
	uint32_t type = 0, hash = 0;
	assert_true(rss_hash(r, no_frame, pr, &hash, &type));
	assert_int_equal(type, want_type);
	assert_int_equal(hash, want);
}

/* An IPv4-in-IPv4 TCP packet, built byte by byte: outer 66.9.149.187 ->
 * 161.142.100.80 (row 1 of Microsoft's published table), inner
 * 199.92.111.2:14230 -> 65.69.140.83:4739 (row 2). By default the NIC hashes
 * the outer 2-tuple, as an 82599 does: row 1's published 2-tuple value
 * 0x323e8fc2; with rss.tunnel_hash=inner, the inner 4-tuple: row 2's
 * published 0xc626b0ea. Never the outer addresses with the inner ports. */
static void test_rss_ip_in_ip_hashes_the_outer_2tuple_or_the_inner_4tuple(void **state)
{
	(void)state;
	uint8_t f[14 + 20 + 20 + 20] = { 0 };
	f[12] = 0x08;   /* IPv4 */
	uint8_t *o = f + 14, *in = o + 20, *t = in + 20;
	const uint8_t osrc[4] = { 66, 9, 149, 187 }, odst[4] = { 161, 142, 100, 80 };
	const uint8_t isrc[4] = { 199, 92, 111, 2 }, idst[4] = { 65, 69, 140, 83 };
	o[0] = 0x45, o[3] = 60, o[8] = 64, o[9] = 4;   /* IP-in-IP (protocol 4), total length 60 */
	memcpy(o + 12, osrc, 4), memcpy(o + 16, odst, 4);
	in[0] = 0x45, in[3] = 40, in[8] = 64, in[9] = 6;
	memcpy(in + 12, isrc, 4), memcpy(in + 16, idst, 4);
	t[0] = 14230 >> 8, t[1] = 14230 & 0xff, t[2] = 4739 >> 8, t[3] = 4739 & 0xff;
	t[12] = 0x50, t[13] = 0x10;
	struct parse_result pr;
	assert_int_equal(parse_frame(f, sizeof f, sizeof f, PARSE_LINK_ETH, &pr), PARSE_OK);
	assert_true(pr.flags & PARSE_F_IP_TUNNEL);
	struct rss *r = rss_new(NULL, NULL, NULL);
	uint32_t hash, type;
	assert_true(rss_hash(r, f, &pr, &hash, &type));
	assert_int_equal(type, RSS_HASH_IPV4);
	assert_int_equal(hash, 0x323e8fc2u);
	rss_free(r);
	struct rss_cfg cfg;
	char err[256];
	cfg_with(&cfg, NULL, NULL);
	assert_int_equal(param_set(param_find(rss_params, "tunnel_hash"), &cfg, "inner", err, sizeof err), 0);
	assert_int_equal(rss_init(&r, &cfg, err, sizeof err), 0);
	assert_true(rss_hash(r, f, &pr, &hash, &type));
	assert_int_equal(type, RSS_HASH_TCP_IPV4);
	assert_int_equal(hash, 0xc626b0eau);
	rss_free(r);
}

static void test_rss_ipv4_fragment_uses_2tuple_even_when_first_fragment_has_ports(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	struct rss *r = rss_new(NULL, NULL, NULL);
	/* Row 1 as TCP; its 2-tuple value is the IPv4 row of the same addresses. */
	struct vec_pkt tcp = vec_row(v, "NDIS_HASH_TCP_IPV4", 0);
	struct vec_pkt ip = vec_row(v, "NDIS_HASH_IPV4", 0);
	struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_TCP, &tcp);

	pr.flags |= PARSE_F_FRAG | PARSE_F_FRAG_FIRST;   /* first fragment: header and ports present */
	expect_hash(r, &pr, RSS_HASH_IPV4, ip.hash);

	pr.flags = PARSE_F_FRAG;                          /* a later fragment: no L4 header */
	pr.l4 = PARSE_L4_NONE;
	expect_hash(r, &pr, RSS_HASH_IPV4, ip.hash);
	rss_free(r);
	json_decref(v);
}

static void test_rss_udp_with_udp_types_off_falls_back_to_2tuple(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	struct vec_pkt tcp4 = vec_row(v, "NDIS_HASH_TCP_IPV4", 1), ip4 = vec_row(v, "NDIS_HASH_IPV4", 1);
	struct vec_pkt tcp6 = vec_row(v, "NDIS_HASH_TCP_IPV6", 1), ip6 = vec_row(v, "NDIS_HASH_IPV6", 1);

	struct rss *r = rss_new("ipv4|tcp_ipv4|ipv6|tcp_ipv6", NULL, NULL);
	struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_UDP, &tcp4);
	expect_hash(r, &pr, RSS_HASH_IPV4, ip4.hash);
	pr = pr_l4(PARSE_L3_IPV6, PARSE_L4_UDP, &tcp6);
	expect_hash(r, &pr, RSS_HASH_IPV6, ip6.hash);
	rss_free(r);

	/* With UDP on (the default), the same packet gets the 4-tuple, whose
	 * value the derived rows give as equal to TCP's. */
	r = rss_new(NULL, NULL, NULL);
	pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_UDP, &tcp4);
	expect_hash(r, &pr, RSS_HASH_UDP_IPV4, tcp4.hash);
	rss_free(r);
	json_decref(v);
}

static void test_rss_udp_with_only_tcp_type_on_gets_no_hash_and_default_queue(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	struct vec_pkt tcp4 = vec_row(v, "NDIS_HASH_TCP_IPV4", 2);
	struct rss_cfg cfg;
	char err[256];
	cfg_with(&cfg, "tcp_ipv4", "4");
	cfg.default_queue = 3;
	struct rss *r;
	assert_int_equal(rss_init(&r, &cfg, err, sizeof err), 0);
	struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_UDP, &tcp4);
	uint32_t type = 99, hash;
	assert_false(rss_hash(r, no_frame, &pr, &hash, &type));
	assert_int_equal(type, 0);
	assert_int_equal(rss_queue_of(r, false, 0), 3);
	/* ... while TCP still hashes. */
	pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_TCP, &tcp4);
	assert_true(rss_hash(r, no_frame, &pr, &hash, &type));
	assert_int_equal(hash, tcp4.hash);
	rss_free(r);
	json_decref(v);
}

static void test_rss_unparsed_or_non_ip_packet_gets_no_hash(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	struct vec_pkt tcp4 = vec_row(v, "NDIS_HASH_TCP_IPV4", 0), ip4 = vec_row(v, "NDIS_HASH_IPV4", 0);
	struct rss *r = rss_new(NULL, NULL, NULL);
	uint8_t in[RSS_INPUT_BYTES_MAX];
	uint32_t type, hash;

	/* The IP layer itself not understood: no hash. */
	static const uint8_t bad_ip[] = { PARSE_TRUNC_L2, PARSE_TRUNC_L3, PARSE_BAD_L3, PARSE_TRUNC_EXT, PARSE_BAD_EXT };
	for (size_t i = 0; i < sizeof bad_ip; i++) {
		struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_TCP, &tcp4);
		pr.status = bad_ip[i];
		assert_int_equal(rss_input(r, no_frame, &pr, in, &type), 0);
		assert_false(rss_hash(r, no_frame, &pr, &hash, &type));
	}
	/* Non-IP (ARP): parsed fine, nothing to hash. */
	struct parse_result arp = { .status = PARSE_OK, .ethertype = 0x0806 };
	assert_false(rss_hash(r, no_frame, &arp, &hash, &type));

	/* Documented decision (rss.c ip_layer_parsed): IP parsed, transport
	 * header truncated or malformed: the 2-tuple, as for "no TCP header". */
	struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_TCP, &tcp4);
	pr.status = PARSE_TRUNC_L4;
	pr.flags &= (uint16_t)~PARSE_F_HAS_PORTS;
	expect_hash(r, &pr, RSS_HASH_IPV4, ip4.hash);
	rss_free(r);
	json_decref(v);
}

static void test_rss_ipv6_ex_hashes_home_address_and_rt2_address(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	struct vec_pkt p = vec_row(v, "NDIS_HASH_TCP_IPV6", 0);
	/* A frame whose Home Address option and type-2 routing header carry row
	 * 1's addresses, while the fixed header carries other ones (care-of
	 * address and the correspondent's address as sent). Offsets are where
	 * a parser would point; only the 16 address bytes matter here. */
	uint8_t frame[160] = { 0 };
	const uint16_t home_off = 62, rt2_off = 94;
	memcpy(frame + home_off, p.src, 16);
	memcpy(frame + rt2_off, p.dst, 16);
	struct vec_pkt outer = p;
	memset(outer.src, 0x11, 16);
	memset(outer.dst, 0x22, 16);
	struct parse_result pr = pr_l4(PARSE_L3_IPV6, PARSE_L4_TCP, &outer);
	pr.flags |= PARSE_F_IPV6_EXT | PARSE_F_IPV6_HOME | PARSE_F_IPV6_RT2;
	pr.home_addr_off = home_off;
	pr.rt2_addr_off = rt2_off;
	uint32_t type, hash;

	struct rss *r = rss_new("ipv6|tcp_ipv6|ipv6_ex|tcp_ipv6_ex", NULL, NULL);
	assert_true(rss_hash(r, frame, &pr, &hash, &type));
	assert_int_equal(type, RSS_HASH_TCP_IPV6_EX);
	assert_int_equal(hash, p.hash);
	/* Not TCP (a later fragment): IPV6_EX 2-tuple over the same substitutes. */
	struct vec_pkt ip6 = vec_row(v, "NDIS_HASH_IPV6", 0);
	struct parse_result frag = pr;
	frag.flags |= PARSE_F_FRAG;
	assert_true(rss_hash(r, frame, &frag, &hash, &type));
	assert_int_equal(type, RSS_HASH_IPV6_EX);
	assert_int_equal(hash, ip6.hash);
	rss_free(r);

	/* Without the _EX types the fixed header's addresses are hashed, so the
	 * published value does not come out. */
	r = rss_new("ipv6|tcp_ipv6", NULL, NULL);
	assert_true(rss_hash(r, frame, &pr, &hash, &type));
	assert_int_equal(type, RSS_HASH_TCP_IPV6);
	assert_int_not_equal(hash, p.hash);
	/* ... and with the vector's addresses in the fixed header it does. */
	struct parse_result plain = pr_l4(PARSE_L3_IPV6, PARSE_L4_TCP, &p);
	plain.flags |= PARSE_F_IPV6_HOME | PARSE_F_IPV6_RT2;
	plain.home_addr_off = 0;   /* zeros in frame: would change the hash if used */
	plain.rt2_addr_off = 0;
	assert_true(rss_hash(r, frame, &plain, &hash, &type));
	assert_int_equal(hash, p.hash);
	rss_free(r);
	json_decref(v);
}

static void test_rss_reset_maps_entry_i_to_queue_i_mod_queues_and_table_set_moves_one(void **state)
{
	(void)state;
	struct rss *r = rss_new(NULL, "3", "64");
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(rss_table_get(r, i), i % 3);
	rss_table_set(r, 5, 0);
	assert_int_equal(rss_table_get(r, 5), 0);
	assert_int_equal(rss_queue_of(r, true, 5u | 0xabcd0000u), 0);   /* low 6 bits = 5 */
	assert_int_equal(rss_queue_of(r, true, 6u), 0);                 /* 6 % 3 */
	assert_int_equal(rss_queue_of(r, true, 7u), 1);
	rss_reset(r);
	assert_int_equal(rss_table_get(r, 5), 2);
	rss_free(r);
}

static void test_rss_set_key_at_run_time_changes_the_hash(void **state)
{
	(void)state;
	json_t *v = load_vectors();
	uint8_t key[RSS_KEY_BYTES_MAX];
	size_t key_len = vector_key(v, key);
	struct vec_pkt p = vec_row(v, "NDIS_HASH_TCP_IPV4", 3);
	struct parse_result pr = pr_l4(PARSE_L3_IPV4, PARSE_L4_TCP, &p);
	struct rss *r = rss_new(NULL, NULL, NULL);
	uint32_t type, hash;

	uint8_t other[40];
	memset(other, 0xa5, sizeof other);
	rss_set_key(r, other, sizeof other);
	assert_true(rss_hash(r, no_frame, &pr, &hash, &type));
	assert_int_not_equal(hash, p.hash);
	rss_set_key(r, key, (uint32_t)key_len);
	assert_true(rss_hash(r, no_frame, &pr, &hash, &type));
	assert_int_equal(hash, p.hash);
	rss_free(r);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_toeplitz_matches_all_16_published_microsoft_vectors),
		cmocka_unit_test(test_rss_derived_rows_match_and_derived_pitfalls_do_not),
		cmocka_unit_test(test_rss_table_index_is_low_hash_bits_per_derived_examples),
		cmocka_unit_test(test_rss_toeplitz_table_engine_equals_the_tests_bit_serial_ref_on_100000_random_inputs),
		cmocka_unit_test(test_rss_toeplitz_cycles_are_words_plus_latency),
		cmocka_unit_test(test_rss_param_defaults_are_valid_and_use_the_verification_key),
		cmocka_unit_test(test_rss_cfg_validate_refuses_impossible_configs_naming_the_key),
		cmocka_unit_test(test_rss_tcp_ipv4_packet_hashes_4tuple_to_the_published_value),
		cmocka_unit_test(test_rss_tcp_ipv6_packet_hashes_4tuple_to_the_published_value),
		cmocka_unit_test(test_rss_ipv4_fragment_uses_2tuple_even_when_first_fragment_has_ports),
		cmocka_unit_test(test_rss_udp_with_udp_types_off_falls_back_to_2tuple),
		cmocka_unit_test(test_rss_ip_in_ip_hashes_the_outer_2tuple_or_the_inner_4tuple),
		cmocka_unit_test(test_rss_udp_with_only_tcp_type_on_gets_no_hash_and_default_queue),
		cmocka_unit_test(test_rss_unparsed_or_non_ip_packet_gets_no_hash),
		cmocka_unit_test(test_rss_ipv6_ex_hashes_home_address_and_rt2_address),
		cmocka_unit_test(test_rss_reset_maps_entry_i_to_queue_i_mod_queues_and_table_set_moves_one),
		cmocka_unit_test(test_rss_set_key_at_run_time_changes_the_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

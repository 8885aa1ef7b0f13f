// rtl/rss_toeplitz.sv — Toeplitz hash engine for Receive-Side Scaling.
// RTL twin of models/rss_toeplitz.c; pair by name with rtl/rss_toeplitz_shim.cpp.
//
// Function (Microsoft "RSS hashing functions"; Intel 82599 datasheet
// §7.1.2.8): for each input bit, MSB of byte 0 first, if the bit is 1 XOR the
// leftmost 32 bits of the key into the result, then shift the key left by one.
// A word of DATA_W bytes is folded in per cycle: bit j of the word (stream
// order) selects key bits [p+j .. p+j+31] where p is the word's bit offset, so
// the engine is DATA_W*8 AND-XOR columns of 32 bits over a key window.
//
// Timing (the yardstick for models/rss_toeplitz.h):
//   - throughput: one input word per cycle while s_axis_tvalid and
//     s_axis_tready are high; packets may follow back to back (no bubble);
//   - latency: the hash is valid LATENCY_CYCLES = 1 cycle after the cycle in
//     which the last word is accepted (one output register);
//   - so an input of L bytes with no stalls takes ceil(L/DATA_W) + 1 cycles
//     from its first word on the bus to the cycle the hash is on m_axis_*.
//
// Interfaces:
//   - key: written through cfg_key_* as 32-bit words; word a holds key bytes
//     4a..4a+3 with byte 4a in bits [31:24] (network order). The key is data,
//     not control: reset leaves it alone. Limit: write it only while idle
//     (busy low); a write during a packet gives that packet an undefined hash.
//   - input: AXI-stream style. Byte lane i is s_axis_tdata[8i +: 8] and lane 0
//     comes first in the stream. tkeep must be all ones except on the last
//     word (tlast), where it is contiguous from lane 0 (the final partial
//     word). Lanes with tkeep low are ignored (treated as absent, not zero
//     padding: absent trailing bytes hash like zero bits, which is the same).
//   - output: m_axis_hash with valid/ready; while the output is held (valid
//     and not ready) the input is stalled.
//
// Limits: an input may hold at most KEY_BYTES - 4 bytes (the key must cover
// in_len + 4 bytes, as the C contract says); more words than that saturate
// the key window and give a wrong hash. A zero-length input still needs one
// word (tkeep = 0, tlast = 1) and so takes 2 cycles, not the C model's 1.
//
// FAULT_FLIP_KEY_BIT >= 0 builds a deliberately wrong engine (the key bit with
// that index, 0 = MSB of key byte 0, is inverted inside the datapath) so the
// equivalence test can prove it notices a wrong twin. Never set it otherwise.
`default_nettype none

module rss_toeplitz #(
    parameter int DATA_W = 8,              // input bytes per cycle: 4 or 8
    parameter int KEY_BYTES = 52,          // key capacity in bytes: multiple of 4, >= 40
    parameter int FAULT_FLIP_KEY_BIT = -1, // test only; -1 = no fault
    /* verilator lint_off UNUSEDPARAM */
    localparam int LATENCY_CYCLES = 1,     // declared for readers and the shim; see Timing
    /* verilator lint_on UNUSEDPARAM */
    localparam int WBITS = DATA_W * 8,                     // input bits per word
    localparam int KEY_BITS = KEY_BYTES * 8,
    localparam int KEY_WORDS = KEY_BYTES / 4,              // 32-bit config words
    localparam int KEY_ADDR_W = $clog2(KEY_WORDS),
    localparam int MAX_WORDS = (KEY_BYTES - 4) / DATA_W,   // input words the key covers
    localparam int CNT_W = $clog2(MAX_WORDS + 1)
) (
    input  wire                   clk,
    input  wire                   rst,            // synchronous, active high

    input  wire                   cfg_key_we,
    input  wire [KEY_ADDR_W-1:0]  cfg_key_addr,
    input  wire [31:0]            cfg_key_data,

    input  wire [WBITS-1:0]       s_axis_tdata,
    input  wire [DATA_W-1:0]      s_axis_tkeep,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    input  wire                   s_axis_tlast,

    output wire [31:0]            m_axis_hash,
    output wire                   m_axis_hash_valid,
    input  wire                   m_axis_hash_ready,

    output wire                   busy            // a packet is part-way in or a hash is waiting
);

    // Elaboration checks (run at time 0; %m names the instance).
    initial begin
        if (DATA_W != 4 && DATA_W != 8) begin
            $error("%m: DATA_W must be 4 or 8 (got %0d)", DATA_W);
            $finish;
        end
        if (KEY_BYTES % 4 != 0 || KEY_BYTES < 40) begin
            $error("%m: KEY_BYTES must be a multiple of 4 and >= 40 (got %0d)", KEY_BYTES);
            $finish;
        end
        if (FAULT_FLIP_KEY_BIT >= KEY_BITS) begin
            $error("%m: FAULT_FLIP_KEY_BIT %0d is beyond the key", FAULT_FLIP_KEY_BIT);
            $finish;
        end
    end

    // ---------------------------------------------------------------- key
    logic [31:0] key_reg [KEY_WORDS];

    always_ff @(posedge clk) begin
        if (cfg_key_we)
            key_reg[cfg_key_addr] <= cfg_key_data;
    end

    // The key as one MSB-first vector (bit KEY_BITS-1 = MSB of key byte 0),
    // with the test fault applied, then WBITS zero bits of padding so the
    // window of the last legal word never reads past the end.
    localparam int PAD_BITS = KEY_BITS + WBITS;
    localparam logic [KEY_BITS-1:0] FAULT_MASK =
        (FAULT_FLIP_KEY_BIT >= 0) ? ({{(KEY_BITS-1){1'b0}}, 1'b1} << (KEY_BITS - 1 - FAULT_FLIP_KEY_BIT))
                                  : '0;
    logic [KEY_BITS-1:0] key_flat;
    always_comb begin
        for (int a = 0; a < KEY_WORDS; a++)
            key_flat[KEY_BITS-1-32*a -: 32] = key_reg[a];
    end
    wire [PAD_BITS-1:0] key_pad = {key_flat ^ FAULT_MASK, {WBITS{1'b0}}};

    // ------------------------------------------------ control state (reset)
    logic [CNT_W-1:0] word_cnt_reg, word_cnt_next;   // words of the current packet accepted so far
    logic             hash_valid_reg, hash_valid_next;
    // ---------------------------------------------------- datapath (no reset)
    logic [31:0]      acc_reg, acc_next;             // hash of the words accepted so far
    logic [31:0]      hash_reg, hash_next;

    wire stall = hash_valid_reg && !m_axis_hash_ready;
    assign s_axis_tready = !stall;
    wire accept = s_axis_tvalid && s_axis_tready;

    // Stage 1 (the accept cycle): the word's contribution.
    // Key window for word k: key bits [k*WBITS .. k*WBITS + WBITS + 31].
    logic [WBITS+31:0]   key_win;
    logic [WBITS-1:0]    word_be;     // the word MSB-first in stream order, absent lanes zero
    logic [31:0]         word_hash;
    always_comb begin
        key_win = key_pad[PAD_BITS-1 - 32'(word_cnt_reg) * WBITS -: WBITS+32];
        for (int i = 0; i < DATA_W; i++)
            word_be[WBITS-1-8*i -: 8] = s_axis_tkeep[i] ? s_axis_tdata[8*i +: 8] : 8'h00;
        word_hash = 32'h0;
        for (int j = 0; j < WBITS; j++)
            if (word_be[WBITS-1-j])
                word_hash = word_hash ^ key_win[WBITS+31-j -: 32];
    end

    always_comb begin
        word_cnt_next = word_cnt_reg;
        acc_next = acc_reg;
        hash_valid_next = hash_valid_reg && !m_axis_hash_ready;
        hash_next = hash_reg;
        if (accept) begin
            // The first word starts from zero, so acc_reg needs no reset.
            acc_next = ((word_cnt_reg == '0) ? 32'h0 : acc_reg) ^ word_hash;
            if (s_axis_tlast) begin
                word_cnt_next = '0;
                hash_next = acc_next;
                hash_valid_next = 1'b1;
            end else if (word_cnt_reg != CNT_W'(MAX_WORDS)) begin
                word_cnt_next = word_cnt_reg + 1'b1;   // saturates: see Limits
            end
        end
    end

    always_ff @(posedge clk) begin
        acc_reg <= acc_next;
        hash_reg <= hash_next;
        if (rst) begin
            word_cnt_reg <= '0;
            hash_valid_reg <= 1'b0;
        end else begin
            word_cnt_reg <= word_cnt_next;
            hash_valid_reg <= hash_valid_next;
        end
    end

    assign m_axis_hash = hash_reg;
    assign m_axis_hash_valid = hash_valid_reg;
    assign busy = (word_cnt_reg != '0) || hash_valid_reg;

endmodule

`default_nettype wire

// rtl/rss_toeplitz.sv — Toeplitz hash engine for Receive-Side Scaling.
// RTL twin of models/pkt/rss_toeplitz.c; pair by name with rtl/rss_toeplitz_shim.cpp.
//
// Function (Microsoft "RSS hashing functions"; Intel 82599 datasheet
// §7.1.2.8): for each input bit, MSB of byte 0 first, if the bit is 1 XOR the
// leftmost 32 bits of the key into the result, then shift the key left by one.
// A word of DATA_W bytes is folded in per cycle: bit j of the word (stream
// order) selects key bits [p+j .. p+j+31] where p is the word's bit offset, so
// the engine is DATA_W*8 AND-XOR columns of 32 bits over a key window.
//
// Timing (the yardstick for models/pkt/rss_toeplitz.h):
//   - throughput: one input word per cycle while s_axis_tvalid and
//     s_axis_tready are high; packets may follow back to back (no bubble);
//   - latency: the hash is valid LATENCY_CYCLES = 1 cycle after the cycle in
//     which the last word is accepted (the accumulator register, which is
//     the output);
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
// that index, 0 = MSB of key byte 0, is inverted as the key word is written) so the
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
    localparam int WSPAN = WBITS / 32,                     // key words an input word spans
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
    // Key word a holds key bits [32a .. 32a+31] (MSB first), with the test
    // fault applied as it is written.
    localparam int FAULT_WORD = FAULT_FLIP_KEY_BIT / 32;
    localparam logic [31:0] FAULT_BIT = (FAULT_FLIP_KEY_BIT >= 0) ? 32'h8000_0000 >> (FAULT_FLIP_KEY_BIT % 32) : '0;
    logic [31:0] key_reg [KEY_WORDS];

    always_ff @(posedge clk) begin
        if (cfg_key_we)
            key_reg[cfg_key_addr] <= cfg_key_data ^ ((32'(cfg_key_addr) == FAULT_WORD) ? FAULT_BIT : 32'h0);
    end

    // Evaluation style: the datapath is computed at the clock edge, in
    // always_ff through a function (see rtl/csum.sv and docs/rtl.md).

    // A word's contribution: bit j of the word (stream order, MSB of lane 0
    // first; absent lanes are zero) selects key window bits [j .. j+31].
    function automatic logic [31:0] word_hash(input logic [WBITS-1:0] data, input logic [DATA_W-1:0] keep,
                                              input logic [WBITS+31:0] win);
        logic [WBITS-1:0] be;
        logic [31:0] h;
        for (int i = 0; i < DATA_W; i++)
            be[WBITS-1-8*i -: 8] = keep[i] ? data[8*i +: 8] : 8'h00;
        h = 32'h0;
        for (int j = 0; j < WBITS; j++)
            if (be[WBITS-1-j])
                h = h ^ win[WBITS+31-j -: 32];
        return h;
    endfunction

    // ------------------------------------------------ control state (reset)
    logic [CNT_W-1:0] word_cnt_reg;     // words of the current packet accepted so far
    logic             hash_valid_reg;
    // ---------------------------------------------------- datapath (no reset)
    logic [31:0]      acc_reg;          // hash of the words accepted so far; the
                                        // hash itself while hash_valid_reg

    wire stall = hash_valid_reg && !m_axis_hash_ready;
    assign s_axis_tready = !stall;
    wire accept = s_axis_tvalid && !stall;

    // Key window for word k: key bits [k*WBITS .. k*WBITS + WBITS + 31], that
    // is key words k*WSPAN .. k*WSPAN + WSPAN (a word is WSPAN key words
    // wide), zero past the end of the key (only a saturated counter reads there).
    logic [WBITS+31:0] key_win;
    always_comb begin
        for (int i = 0; i <= WSPAN; i++) begin
            int a;
            a = int'(word_cnt_reg) * WSPAN + i;
            key_win[WBITS+31-32*i -: 32] = (a < KEY_WORDS) ? key_reg[a[KEY_ADDR_W-1:0]] : 32'h0;
        end
    end

    // The output is acc_reg itself: while the hash is held (valid, not ready)
    // the input stalls, so acc_reg keeps it; the next packet's first word
    // overwrites it only at the edge where the hash is taken.
    always_ff @(posedge clk) begin
        if (accept)   // the first word starts from zero, so acc_reg needs no reset
            acc_reg <= ((word_cnt_reg == '0) ? 32'h0 : acc_reg) ^ word_hash(s_axis_tdata, s_axis_tkeep, key_win);
        if (rst) begin
            word_cnt_reg <= '0;
            hash_valid_reg <= 1'b0;
        end else begin
            hash_valid_reg <= (accept && s_axis_tlast) || stall;
            if (accept) begin
                if (s_axis_tlast)
                    word_cnt_reg <= '0;
                else if (word_cnt_reg != CNT_W'(MAX_WORDS))
                    word_cnt_reg <= word_cnt_reg + 1'b1;   // saturates: see Limits
            end
        end
    end

    assign m_axis_hash = acc_reg;
    assign m_axis_hash_valid = hash_valid_reg;
    assign busy = (word_cnt_reg != '0) || hash_valid_reg;

endmodule

`default_nettype wire

// rtl/csum.sv — Internet checksum engine: ones'-complement sum of a byte range.
// RTL twin of models/pkt/csum.c; pair by name with rtl/csum_shim.cpp.
//
// Function (RFC 1071): the ones'-complement sum of the range taken as
// big-endian 16-bit words, an odd final byte padded with a zero byte, plus an
// initial partial sum (e.g. the pseudo-header's, RFC 768/9293/8200 §8.1),
// folded to 16 bits with end-around carry. The output is the folded sum, not
// its complement: the checksum field is ~m_axis_csum; a received packet
// verifies when m_axis_csum == 16'hffff. It equals the C model's
// csum_fold(csum_partial(range, len, init)), including the 0 vs 0xffff edge
// (the result is 0 only when the range and init are all zero).
//
// The range is [s_axis_start, end of packet) of the byte stream: bytes before
// the start offset are not summed, the last word's tkeep ends the range. Word
// pairing is relative to the range start, as the C model pairs relative to its
// pointer: the engine sums by stream position and, when the start is odd,
// byte-swaps the folded sum (RFC 1071 §2(B): swapping commutes with the sum).
//
// Timing (the yardstick for models/pkt/csum.h):
//   - throughput: one word of DATA_W bytes per cycle while valid and ready;
//     packets may follow back to back;
//   - latency: LATENCY_CYCLES = 2 after the cycle the last word is accepted:
//     stage 1 accumulates (32 bits, end-around carry every cycle), stage 2
//     folds, swaps and adds the initial sum, then the output register;
//   - so W words with no stalls take W + 2 cycles from the first word on the
//     bus to the sum on m_axis_*; for a range of L bytes streamed from lane 0
//     that is ceil(L/DATA_W) + 2; for a range [a, b) of a word-aligned frame,
//     streamed from the word holding byte a, ceil(b/DATA_W) - floor(a/DATA_W) + 2.
//
// Interfaces: AXI-stream style; byte lane i is s_axis_tdata[8i +: 8], lane 0
// first. tkeep is a byte enable (lanes with tkeep low are not summed; for an
// ordinary stream it is all ones except a final partial word). s_axis_start
// and s_axis_init are sampled with the first word of a packet (the word after
// a tlast, or the first after reset). The output has valid/ready; while it is
// held the input is stalled.
//
// Limits: DATA_W is even (16-bit lanes); the start offset is at most
// 2**START_W - 1 bytes; any length (the accumulator folds every cycle).
`default_nettype none

module csum #(
    parameter int DATA_W = 8,     // input bytes per cycle: even, 2..32
    parameter int START_W = 16,   // bits of the start offset (bytes)
    /* verilator lint_off UNUSEDPARAM */
    localparam int LATENCY_CYCLES = 2,   // declared for readers and the shim; see Timing
    /* verilator lint_on UNUSEDPARAM */
    localparam int WBITS = DATA_W * 8,
    localparam int LANES16 = DATA_W / 2,                  // 16-bit words per input word
    localparam int WSUM_W = 16 + $clog2(LANES16 + 1)      // their plain sum
) (
    input  wire                clk,
    input  wire                rst,             // synchronous, active high

    input  wire [WBITS-1:0]    s_axis_tdata,
    input  wire [DATA_W-1:0]   s_axis_tkeep,
    input  wire                s_axis_tvalid,
    output wire                s_axis_tready,
    input  wire                s_axis_tlast,
    input  wire [START_W-1:0]  s_axis_start,    // first byte of the range (first word only)
    input  wire [31:0]         s_axis_init,     // initial partial sum (first word only)

    output wire [15:0]         m_axis_csum,
    output wire                m_axis_csum_valid,
    input  wire                m_axis_csum_ready,

    output wire                busy             // a packet is part-way in or a sum is in the pipe
);

    initial begin
        if (DATA_W < 2 || DATA_W > 32 || DATA_W % 2 != 0) begin
            $error("%m: DATA_W must be even, 2..32 (got %0d)", DATA_W);
            $finish;
        end
    end

    // End-around-carry fold of 32 bits to 16: t <= 0x1fffe, so one carry add fits.
    function automatic logic [15:0] fold32(input logic [31:0] x);
        logic [16:0] t;
        t = {1'b0, x[31:16]} + {1'b0, x[15:0]};
        return t[15:0] + {15'b0, t[16]};
    endfunction

    // Evaluation style (all twins): the datapath is computed at the clock edge
    // inside always_ff, through functions, never in always_comb blocks that
    // read input ports. The hardware is the same (the functions are the
    // flops' D logic), but Verilator evaluates input-dependent combinational
    // logic on every eval, both clock phases, while always_ff logic runs once,
    // at the rising edge: this halved the cost of a co-simulated clock.

    // Sum of a word's big-endian 16-bit lanes, bytes before skip and lanes
    // with tkeep low taken as zero (lane 2k is the high byte of its word).
    function automatic logic [WSUM_W-1:0] word_sum(input logic [WBITS-1:0] data, input logic [DATA_W-1:0] keep,
                                                   input logic [START_W-1:0] skip);
        logic [WBITS-1:0] m;
        logic [WSUM_W-1:0] s;
        for (int i = 0; i < DATA_W; i++)
            m[8*i +: 8] = (keep[i] && START_W'(i) >= skip) ? data[8*i +: 8] : 8'h00;
        s = '0;
        for (int k = 0; k < LANES16; k++)
            s = s + WSUM_W'({m[16*k +: 8], m[16*k+8 +: 8]});
        return s;
    endfunction

    // Accumulate with end-around carry every cycle: keeps the residue mod
    // 0xffff (2^32 = 1 mod 0xffff) and is zero only if all bytes were.
    function automatic logic [31:0] acc_add(input logic [31:0] acc, input logic [WSUM_W-1:0] ws);
        logic [32:0] t;
        t = {1'b0, acc} + 33'(ws);
        return t[31:0] + {31'b0, t[32]};
    endfunction

    // Stage 2: fold, undo the odd-start rotation, add the initial sum.
    function automatic logic [15:0] finish(input logic [31:0] acc, input logic odd, input logic [31:0] init);
        logic [15:0] f, aligned;
        logic [16:0] t;
        f = fold32(acc);
        aligned = odd ? {f[7:0], f[15:8]} : f;
        t = {1'b0, aligned} + {1'b0, fold32(init)};
        return t[15:0] + {15'b0, t[16]};
    endfunction

    // ------------------------------------------------ control state (reset)
    logic in_pkt_reg;      // words of a packet accepted, tlast not yet
    logic s2_valid_reg;    // stage 2 holds a finished sum (in acc/odd/init_reg)
    logic out_valid_reg;
    // ---------------------------------------------------- datapath (no reset)
    logic [START_W-1:0] skip_reg;   // range bytes still to skip
    logic               odd_reg;    // the range starts at an odd stream offset
    logic [31:0]        init_reg;
    logic [31:0]        acc_reg;    // stream-aligned ones'-complement sum so far
    logic [15:0]        out_reg;

    wire stall = out_valid_reg && !m_axis_csum_ready;
    assign s_axis_tready = !stall;
    wire accept = s_axis_tvalid && !stall;
    wire first = !in_pkt_reg;
    wire [START_W-1:0] skip_eff = first ? s_axis_start : skip_reg;

    // Stage 2 reads the packet's sum, odd flag and initial sum from the
    // stage-1 registers: they hold still while s2_valid_reg is high, because
    // the next packet's first word overwrites them only at the edge that also
    // moves stage 2 into the output register, and a held output stalls both.
    always_ff @(posedge clk) begin
        if (!stall) begin
            if (s2_valid_reg)
                out_reg <= finish(acc_reg, odd_reg, init_reg);
            if (accept) begin
                acc_reg <= acc_add(first ? 32'h0 : acc_reg, word_sum(s_axis_tdata, s_axis_tkeep, skip_eff));
                skip_reg <= (skip_eff > START_W'(DATA_W)) ? skip_eff - START_W'(DATA_W) : '0;
                if (first) begin
                    odd_reg <= s_axis_start[0];
                    init_reg <= s_axis_init;
                end
            end
        end
        if (rst) begin
            in_pkt_reg <= 1'b0;
            s2_valid_reg <= 1'b0;
            out_valid_reg <= 1'b0;
        end else if (!stall) begin
            out_valid_reg <= s2_valid_reg;
            s2_valid_reg <= accept && s_axis_tlast;
            if (accept)
                in_pkt_reg <= !s_axis_tlast;
        end
    end

    assign m_axis_csum = out_reg;
    assign m_axis_csum_valid = out_valid_reg;
    assign busy = in_pkt_reg || s2_valid_reg || out_valid_reg;

endmodule

`default_nettype wire

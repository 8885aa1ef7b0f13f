// rtl/rss_indir.sv — RSS indirection table (RETA): hash in, queue out.
// RTL twin of the table in models/rss.c (rss_table_set, rss_queue_of with a
// hash); pair by name with rtl/rss_indir_shim.cpp.
//
// Function: index = hash & (2**cfg_size_log2 - 1), the low-order bits of the
// 32-bit hash (NDIS "Introduction to RSS"; Intel I210/82575 datasheets: a
// 128-entry RETA indexed by the 7 LSBs); queue = table[index].
//
// Timing:
//   - throughput: one lookup per cycle while valid and ready;
//   - latency: LATENCY_CYCLES = 1: the table is read synchronously (one
//     block-RAM read, registered), so a hash accepted in cycle n has its queue
//     on m_axis_* in cycle n + 1: a lookup takes 2 cycles from the hash on the
//     bus to the queue on the output;
//   - a write (cfg_we) takes effect at the end of its cycle; a lookup of the
//     same entry in the same cycle reads the old queue (read-first RAM). The
//     flow-reordering concern of a run-time table update is the driver's, as
//     in hardware (models/rss.h).
//
// The table is data: reset clears the valid flags only and leaves the entries
// as they were (the shim or the driver writes them; a fresh simulation holds
// zeros). cfg_size_log2 is quasi-static: change it only while idle.
//
// Limits: TABLE_SIZE is a power of two, the capacity; the active size is
// 2**cfg_size_log2 <= TABLE_SIZE (values above log2(TABLE_SIZE) are clamped).
`default_nettype none

module rss_indir #(
    parameter int TABLE_SIZE = 128,   // entries (capacity), power of two, 2..65536
    parameter int QUEUE_W = 10,       // bits of a queue number (10: 1024 queues, RSS_QUEUES_MAX)
    /* verilator lint_off UNUSEDPARAM */
    localparam int LATENCY_CYCLES = 1,   // declared for readers and the shim; see Timing
    /* verilator lint_on UNUSEDPARAM */
    localparam int INDEX_W = $clog2(TABLE_SIZE),
    localparam int SIZE_LOG2_W = $clog2(INDEX_W + 1)
) (
    input  wire                    clk,
    input  wire                    rst,             // synchronous, active high

    input  wire [SIZE_LOG2_W-1:0]  cfg_size_log2,   // active entries = 2**cfg_size_log2
    input  wire                    cfg_we,
    input  wire [INDEX_W-1:0]      cfg_index,
    input  wire [QUEUE_W-1:0]      cfg_queue,

    input  wire [31:0]             s_axis_hash,
    input  wire                    s_axis_hash_valid,
    output wire                    s_axis_hash_ready,

    output wire [QUEUE_W-1:0]      m_axis_queue,
    output wire [INDEX_W-1:0]      m_axis_index,    // the entry that was read (for stats, debug)
    output wire [31:0]             m_axis_hash,     // the hash, passed on for the descriptor write-back
    output wire                    m_axis_queue_valid,
    input  wire                    m_axis_queue_ready,

    output wire                    busy             // a lookup result is waiting
);

    initial begin
        if (TABLE_SIZE < 2 || TABLE_SIZE > 65536 || (TABLE_SIZE & (TABLE_SIZE - 1)) != 0) begin
            $error("%m: TABLE_SIZE must be a power of two, 2..65536 (got %0d)", TABLE_SIZE);
            $finish;
        end
    end

    logic [QUEUE_W-1:0] table_mem [TABLE_SIZE];

    // Evaluation style: logic that reads input ports is computed at the clock
    // edge, in always_ff (see rtl/csum.sv and docs/rtl.md).

    // The index: the hash's low cfg_size_log2 bits (sizes beyond the
    // capacity clamp to it).
    function automatic logic [INDEX_W-1:0] index_of(input logic [INDEX_W-1:0] hash_lo,
                                                     input logic [SIZE_LOG2_W-1:0] size_log2);
        logic [INDEX_W-1:0] mask;
        for (int b = 0; b < INDEX_W; b++)
            mask[b] = (32'(size_log2) > b);
        return hash_lo & mask;
    endfunction

    // ------------------------------------------------ control state (reset)
    logic valid_reg;
    // ---------------------------------------------------- datapath (no reset)
    logic [QUEUE_W-1:0] queue_reg;
    logic [INDEX_W-1:0] index_reg;
    logic [31:0]        hash_reg;

    wire stall = valid_reg && !m_axis_queue_ready;
    assign s_axis_hash_ready = !stall;
    wire accept = s_axis_hash_valid && !stall;

    always_ff @(posedge clk) begin
        if (cfg_we)
            table_mem[cfg_index] <= cfg_queue;
        if (accept) begin
            // read-first: the old entry on a same-cycle write
            queue_reg <= table_mem[index_of(s_axis_hash[INDEX_W-1:0], cfg_size_log2)];
            index_reg <= index_of(s_axis_hash[INDEX_W-1:0], cfg_size_log2);
            hash_reg <= s_axis_hash;
        end
        if (rst)
            valid_reg <= 1'b0;
        else
            valid_reg <= accept || stall;
    end

    assign m_axis_queue = queue_reg;
    assign m_axis_index = index_reg;
    assign m_axis_hash = hash_reg;
    assign m_axis_queue_valid = valid_reg;
    assign busy = valid_reg;

endmodule

`default_nettype wire

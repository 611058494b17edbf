// mmu_ram.v - simple dual-port RAM: one synchronous read port, one write port.
//
// Contract: rd_data_o holds mem[rd_addr_i] sampled at the last rising edge
// where rd_en_i was high (one clock of latency).  A read and a write of the
// same address in one clock return UNDEFINED data: the user must not use it
// (mmu_core re-reads, or forwards the write).  Synthesis sees an X there,
// so yosys synth_ice40 maps the RAM to bare EBR (SB_RAM40_4K); asked for
// the old data instead, it emulates read-first with a register and a
// multiplexer per data bit (about 270 logic cells over the core's RAMs).
// Simulation (Verilator, Icarus) returns the old word inverted, so a use of
// such data shows in the lockstep co-simulation.
//
// Parameters:
//   WIDTH  data bits (default 32)
//   DEPTH  words (default 64)
//   AW     address bits, calculated: do not change
`default_nettype none

module mmu_ram #(
    parameter integer WIDTH = 32,
    parameter integer DEPTH = 64,
    parameter integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  wire             clk_i,
    input  wire             rd_en_i,
    input  wire [AW-1:0]    rd_addr_i,
    output reg  [WIDTH-1:0] rd_data_o,
    input  wire             wr_en_i,
    input  wire [AW-1:0]    wr_addr_i,
    input  wire [WIDTH-1:0] wr_data_i
);
  reg [WIDTH-1:0] mem [0:DEPTH-1];

  integer i;
  initial begin
    for (i = 0; i < DEPTH; i = i + 1) mem[i] = {WIDTH{1'b0}};
    rd_data_o = {WIDTH{1'b0}};
  end

  // a read of the word being written: undefined (see the contract above)
  always @(posedge clk_i) begin
    if (wr_en_i) mem[wr_addr_i] <= wr_data_i;
`ifdef SYNTHESIS
    if (rd_en_i) rd_data_o <= (wr_en_i && wr_addr_i == rd_addr_i) ? {WIDTH{1'bx}} : mem[rd_addr_i];
`else
    if (rd_en_i) rd_data_o <= (wr_en_i && wr_addr_i == rd_addr_i) ? ~mem[rd_addr_i] : mem[rd_addr_i];
`endif
  end
endmodule

`default_nettype wire

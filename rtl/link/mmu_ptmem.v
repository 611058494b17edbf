// mmu_ptmem.v - page-table memory for simulation: a Wishbone B4 pipelined
// slave, 64-bit data with byte selects, WORDS words from address 0.
//
// Never stalls; answers each strobe the next clock: ACK, or ERR for a word
// address at or beyond WORDS (the walker reports it as cause ACCESS, the
// link as NAK BUS).  The board build uses the UP5K's SPRAM instead.
`default_nettype none

module mmu_ptmem #(
    parameter integer WORDS = 16384,     // 128 KiB
    parameter integer AW    = 31         // word-address bits on the bus
) (
    input  wire          clk_i,
    input  wire          rst_ni,
    input  wire          wb_cyc_i,
    input  wire          wb_stb_i,
    input  wire          wb_we_i,
    input  wire [AW-1:0] wb_adr_i,
    input  wire [63:0]   wb_dat_i,
    input  wire [7:0]    wb_sel_i,
    output reg  [63:0]   wb_dat_o,
    output reg           wb_ack_o,
    output reg           wb_err_o,
    output wire          wb_stall_o
);
  localparam integer IW = $clog2(WORDS);

  reg [63:0] mem [0:WORDS-1];
  localparam [31:0] WORDS32 = WORDS;
  localparam [63:0] WORDS_W = {32'd0, WORDS32};
  wire       hit = {{(64-AW){1'b0}}, wb_adr_i} < WORDS_W;
  wire [IW-1:0] idx = wb_adr_i[IW-1:0];
  integer b;

  assign wb_stall_o = 1'b0;

  integer i;
  initial for (i = 0; i < WORDS; i = i + 1) mem[i] = 64'd0;

  always @(posedge clk_i) begin
    wb_ack_o <= 1'b0;
    wb_err_o <= 1'b0;
    if (!rst_ni) begin
      wb_dat_o <= 64'd0;
    end else if (wb_cyc_i && wb_stb_i) begin
      if (hit) begin
        wb_ack_o <= 1'b1;
        if (wb_we_i) begin
          for (b = 0; b < 8; b = b + 1)
            if (wb_sel_i[b]) mem[idx][8*b +: 8] <= wb_dat_i[8*b +: 8];
        end else begin
          wb_dat_o <= mem[idx];
        end
      end else begin
        wb_err_o <= 1'b1;
      end
    end
  end
endmodule

`default_nettype wire

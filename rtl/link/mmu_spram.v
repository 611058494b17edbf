// mmu_spram.v - page-table memory in the iCE40UP5K's four SPRAM blocks:
// 128 KiB as 16384 words of 64 bits (block k holds bits 16k+15:16k), a
// Wishbone B4 pipelined slave with byte selects.  Never stalls; ACK the
// clock after the strobe, ERR for a word address beyond the memory.
//
// Under SYNTHESIS the SB_SPRAM256KA primitives are used; otherwise a
// behavioural model with the same timing (one clock read latency, nibble
// write masks) stands in, for Verilator and Icarus: the virtual boards use
// it too, so they have the real board's page-table memory.
`default_nettype none

module mmu_spram #(
    parameter integer AW = 31              // word-address bits on the bus
) (
    input  wire          clk_i,
    input  wire          rst_ni,
    input  wire          wb_cyc_i,
    input  wire          wb_stb_i,
    input  wire          wb_we_i,
    input  wire [AW-1:0] wb_adr_i,
    input  wire [63:0]   wb_dat_i,
    input  wire [7:0]    wb_sel_i,
    output wire [63:0]   wb_dat_o,
    output reg           wb_ack_o,
    output reg           wb_err_o,
    output wire          wb_stall_o
);
  wire        req = wb_cyc_i && wb_stb_i;
  wire        hit = wb_adr_i[AW-1:14] == {(AW-14){1'b0}};
  wire        wr = req && hit && wb_we_i;

  assign wb_stall_o = 1'b0;

  always @(posedge clk_i) begin
    wb_ack_o <= 1'b0;
    wb_err_o <= 1'b0;
    if (rst_ni && req) begin
      wb_ack_o <= hit;
      wb_err_o <= !hit;
    end
  end

  genvar k;
  generate
    for (k = 0; k < 4; k = k + 1) begin : g_blk
      // a nibble mask per byte select
      wire [3:0] mask = {wb_sel_i[2*k+1], wb_sel_i[2*k+1], wb_sel_i[2*k], wb_sel_i[2*k]};
`ifdef SYNTHESIS
      SB_SPRAM256KA u_ram (
          .ADDRESS(wb_adr_i[13:0]), .DATAIN(wb_dat_i[16*k +: 16]), .MASKWREN(mask),
          .WREN(wr), .CHIPSELECT(1'b1), .CLOCK(clk_i), .STANDBY(1'b0), .SLEEP(1'b0),
          .POWEROFF(1'b1), .DATAOUT(wb_dat_o[16*k +: 16]));
`else
      reg [15:0] mem [0:16383];
      reg [15:0] q;
      integer i;
      initial begin
        for (i = 0; i < 16384; i = i + 1) mem[i] = 16'd0;
        q = 16'd0;
      end
      always @(posedge clk_i) begin
        if (wr) begin
          if (mask[0]) mem[wb_adr_i[13:0]][3:0] <= wb_dat_i[16*k +: 4];
          if (mask[1]) mem[wb_adr_i[13:0]][7:4] <= wb_dat_i[16*k + 4 +: 4];
          if (mask[2]) mem[wb_adr_i[13:0]][11:8] <= wb_dat_i[16*k + 8 +: 4];
          if (mask[3]) mem[wb_adr_i[13:0]][15:12] <= wb_dat_i[16*k + 12 +: 4];
        end else begin
          q <= mem[wb_adr_i[13:0]];
        end
      end
      assign wb_dat_o[16*k +: 16] = q;
`endif
    end
  endgenerate
endmodule

`default_nettype wire

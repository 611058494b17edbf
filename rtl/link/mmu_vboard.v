// mmu_vboard.v - the board behind its PHY: mmu_board with the iCEBreaker's
// page-table memory (mmu_spram: the four SPRAM blocks, 128 KiB; a
// behavioural model in simulation).  Run alone under Verilator it is the
// virtual board: its byte streams are the bytes a real board exchanges with
// the host over USB, and sim/vboard_main.cpp drives them.  Both iCEBreaker
// tops (rtl/board/) put a PHY in front of it.
`default_nettype none

module mmu_vboard #(
    parameter integer SETS      = 64,
    parameter integer WAYS      = 4,
    parameter integer SP_N      = 8,
    parameter integer PWC_N     = 8,
    parameter integer ASID_BITS = 8,
    parameter integer PA_BITS   = 56,
    parameter integer MODES     = 0,
    parameter integer CLK_KHZ   = 0,    // 0: simulation
    parameter integer RX_FIFO   = 1     // see mmu_board
) (
    input  wire       clk_i,
    input  wire       rst_ni,
    input  wire       in_valid_i,
    output wire       in_ready_o,
    input  wire [7:0] in_data_i,
    output wire       out_valid_o,
    input  wire       out_ready_i,
    output wire [7:0] out_data_o,
    output wire       idle_o
);
  wire               cyc, stb, we, ack, err, stall;
  wire [PA_BITS-4:0] adr;
  wire [63:0]        dat_w, dat_r;
  wire [7:0]         sel;

  mmu_board #(
      .SETS(SETS), .WAYS(WAYS), .SP_N(SP_N), .PWC_N(PWC_N), .ASID_BITS(ASID_BITS),
      .PA_BITS(PA_BITS), .MODES(MODES), .INSPECT(0), .MEM_BYTES(131072), .CLK_KHZ(CLK_KHZ),
      .RX_FIFO(RX_FIFO)) u_board (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .in_valid_i(in_valid_i), .in_ready_o(in_ready_o), .in_data_i(in_data_i),
      .out_valid_o(out_valid_o), .out_ready_i(out_ready_i), .out_data_o(out_data_o),
      .idle_o(idle_o),
      .wb_cyc_o(cyc), .wb_stb_o(stb), .wb_we_o(we), .wb_adr_o(adr), .wb_dat_o(dat_w),
      .wb_sel_o(sel), .wb_dat_i(dat_r), .wb_ack_i(ack), .wb_err_i(err), .wb_stall_i(stall));

  mmu_spram #(.AW(PA_BITS - 3)) u_mem (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .wb_cyc_i(cyc), .wb_stb_i(stb), .wb_we_i(we), .wb_adr_i(adr), .wb_dat_i(dat_w),
      .wb_sel_i(sel), .wb_dat_o(dat_r), .wb_ack_o(ack), .wb_err_o(err), .wb_stall_o(stall));
endmodule

`default_nettype wire

// ft232h_board.v - the iCEBreaker with an FT232H module in FT245 synchronous
// FIFO mode on PMOD1A/1B, everything but the pads: the PHY (mmu_ft245, on
// the chip's 60 MHz CLKOUT, crossed into the core clock), the link and the
// MMU core on the 12 MHz oscillator, page tables in the four SPRAM blocks.
// The core build is rtl/board/icebreaker.v's: two superpage and two
// page-walk-cache entries (none from 2026-12-02 to 12-03, while the part
// was nearly full; docs/protocol.md, Fit).  icebreaker_ft232h.v puts
// the bidirectional data pins around it; the virtual board
// (mmu-vboard-fifo) runs this module and plays the chip's side.
//
// The PHY's receive FIFO holds the link's window (1024 bytes); the board
// keeps no second one.  The board stays in reset until CLKOUT runs: the
// FT232H starts it when the host selects sync FIFO mode (bitmode 0x40).
//
// LEDs (board_status.v): green blinks while idle, lights while working; red
// lights while the FT232H's clock is not running.
`default_nettype none
`include "mmu_constants.vh"

module ft232h_board #(
    parameter integer SP_N  = 2,
    parameter integer PWC_N = 2
) (
    input  wire       CLK,
    input  wire       BTN_N,
    output wire       LEDR_N,
    output wire       LEDG_N,
    input  wire       FT_CLK,
    input  wire       FT_RXF_N,
    input  wire       FT_TXE_N,
    output wire       FT_RD_N,
    output wire       FT_WR_N,
    output wire       FT_OE_N,
    output wire       FT_SIWU_N,
    input  wire [7:0] ft_d_i,
    output wire [7:0] ft_d_o,
    output wire       ft_d_oe
);
  localparam integer CLK_KHZ = 12000;

  wire rst_n, up, idle;
  board_status u_status (
      .clk_i(CLK), .btn_ni(BTN_N), .rst_no(rst_n), .idle_i(idle),
      .error_i(!up), .ledg_no(LEDG_N), .ledr_no(LEDR_N));

  wire       rx_valid, rx_ready, tx_valid, tx_ready, busy;
  wire [7:0] rx_data, tx_data;
  mmu_ft245 #(.RX_DEPTH(`MMU_LINK_WINDOW_N), .TX_DEPTH(64)) u_phy (
      .clk_i(CLK), .rst_ni(rst_n), .up_o(up),
      .rx_valid_o(rx_valid), .rx_ready_i(rx_ready), .rx_data_o(rx_data),
      .tx_valid_i(tx_valid), .tx_ready_o(tx_ready), .tx_data_i(tx_data),
      .busy_o(busy),
      .ft_clk_i(FT_CLK), .ft_rxf_ni(FT_RXF_N), .ft_txe_ni(FT_TXE_N), .ft_d_i(ft_d_i),
      .ft_d_o(ft_d_o), .ft_d_oe_o(ft_d_oe), .ft_rd_no(FT_RD_N), .ft_wr_no(FT_WR_N),
      .ft_oe_no(FT_OE_N), .ft_siwu_no(FT_SIWU_N));

  // nothing to do and nothing in the FIFOs: the virtual board sleeps then
  wire sim_idle /*verilator public_flat_rd*/ = idle && !busy;
  mmu_vboard #(
      .SETS(64), .WAYS(4), .SP_N(SP_N), .PWC_N(PWC_N), .ASID_BITS(6), .PA_BITS(34),
      .MODES(4), .CLK_KHZ(CLK_KHZ), .RX_FIFO(0)) u_board (
      .clk_i(CLK), .rst_ni(up),
      .in_valid_i(rx_valid), .in_ready_o(rx_ready), .in_data_i(rx_data),
      .out_valid_o(tx_valid), .out_ready_i(tx_ready), .out_data_o(tx_data),
      .idle_o(idle));
endmodule

`default_nettype wire

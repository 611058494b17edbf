// icebreaker.v - the board top for iCEBreaker v1.0 (iCE40UP5K): the FT2232H's
// channel B as a UART at 3 Mbaud, the link and the MMU core, page tables in
// the four SPRAM blocks.  The core runs on the 12 MHz oscillator.
//
// Build: Sv39 only, 64x4 = 256-entry TLB in EBR, 2 superpage and 2 PWC
// entries, 6-bit ASIDs, 34-bit PA, no entry inspection.
//
// LEDs (board_status.v): green blinks while the board is idle and lights
// steadily while it works; red lights for about a third of a second after
// a dropped byte (UART framing or overrun).
`default_nettype none

module icebreaker (
    input  wire CLK,       // 12 MHz, pin 35
    input  wire RX,        // from the FT2232H channel B (its TXD), pin 6
    output wire TX,        // to the FT2232H channel B (its RXD), pin 9
    input  wire BTN_N,     // user button, pin 10: reset while pressed
    output wire LEDR_N,    // red LED, pin 11
    output wire LEDG_N     // green LED, pin 37
);
  localparam integer CLK_KHZ = 12000;
  localparam integer PA_BITS = 34;

  wire rst_n, idle, ev_framing, ev_overrun;
  board_status u_status (
      .clk_i(CLK), .btn_ni(BTN_N), .rst_no(rst_n), .idle_i(idle),
      .error_i(ev_framing || ev_overrun), .ledg_no(LEDG_N), .ledr_no(LEDR_N));

  wire       u_rx_valid, u_rx_ready, u_tx_valid, u_tx_ready, u_busy;
  wire [7:0] u_rx_data, u_tx_data;
  mmu_uart #(.DIV(4)) u_uart (
      .clk_i(CLK), .rst_ni(rst_n), .rx_i(RX), .tx_o(TX),
      .rx_valid_o(u_rx_valid), .rx_ready_i(u_rx_ready), .rx_data_o(u_rx_data),
      .tx_valid_i(u_tx_valid), .tx_ready_o(u_tx_ready), .tx_data_i(u_tx_data),
      .ev_framing_o(ev_framing), .ev_overrun_o(ev_overrun), .busy_o(u_busy));

  // nothing to do and nothing on the line: the virtual board sleeps then
  wire               sim_idle /*verilator public_flat_rd*/ = idle && !u_busy;
  mmu_vboard #(
      .SETS(64), .WAYS(4), .SP_N(2), .PWC_N(2), .ASID_BITS(6), .PA_BITS(PA_BITS),
      .MODES(4), .CLK_KHZ(CLK_KHZ)) u_board (
      .clk_i(CLK), .rst_ni(rst_n),
      .in_valid_i(u_rx_valid), .in_ready_o(u_rx_ready), .in_data_i(u_rx_data),
      .out_valid_o(u_tx_valid), .out_ready_i(u_tx_ready), .out_data_o(u_tx_data),
      .idle_o(idle));
endmodule

`default_nettype wire

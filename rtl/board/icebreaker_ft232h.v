// icebreaker_ft232h.v - the board top for iCEBreaker v1.0 with an FT232H
// module in FT245 synchronous FIFO mode: ft232h_board.v and the
// bidirectional data pins.  Pins (constraints/icebreaker_ft232h.pcf, wiring
// in docs/bringup.md): the data bus on PMOD1A pins 1-4 and 7-9 and PMOD1B
// pin 1, CLKOUT on PMOD1A pin 10 (FPGA pin 44, a global-buffer input), the
// handshakes on PMOD1B pins 2-4 and 7-9.
`default_nettype none

module icebreaker_ft232h (
    input  wire       CLK,        // 12 MHz, pin 35
    input  wire       BTN_N,      // user button, pin 10: reset while pressed
    output wire       LEDR_N,     // red LED, pin 11
    output wire       LEDG_N,     // green LED, pin 37
    input  wire       FT_CLK,     // FT232H ACBUS5 CLKOUT, 60 MHz
    inout  wire [7:0] FT_D,       // FT232H ADBUS0-7
    input  wire       FT_RXF_N,   // FT232H ACBUS0
    input  wire       FT_TXE_N,   // FT232H ACBUS1
    output wire       FT_RD_N,    // FT232H ACBUS2
    output wire       FT_WR_N,    // FT232H ACBUS3
    output wire       FT_SIWU_N,  // FT232H ACBUS4
    output wire       FT_OE_N     // FT232H ACBUS6
);
  wire [7:0] d_o;
  wire       d_oe;
  assign FT_D = d_oe ? d_o : 8'bzzzzzzzz;

  ft232h_board u_board (
      .CLK(CLK), .BTN_N(BTN_N), .LEDR_N(LEDR_N), .LEDG_N(LEDG_N),
      .FT_CLK(FT_CLK), .FT_RXF_N(FT_RXF_N), .FT_TXE_N(FT_TXE_N),
      .FT_RD_N(FT_RD_N), .FT_WR_N(FT_WR_N), .FT_OE_N(FT_OE_N), .FT_SIWU_N(FT_SIWU_N),
      .ft_d_i(FT_D), .ft_d_o(d_o), .ft_d_oe(d_oe));
endmodule

`default_nettype wire

// icebreaker.v - the board top for iCEBreaker v1.0 (iCE40UP5K): the FT2232H's
// channel B as a UART at 3 Mbaud, the link and the MMU core, page tables in
// the four SPRAM blocks.  The core runs on the 12 MHz oscillator.
//
// Build: Sv39 only, 64x4 = 256-entry TLB in EBR, 2 superpage and 2 PWC
// entries, 6-bit ASIDs, 34-bit PA, no entry inspection.
//
// LEDs (active low): green blinks while the board is idle and lights
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

  // reset: held for 16 clocks after configuration and while the button is down
  reg [4:0] por_q = 5'd0;
  wire      rst_n = por_q[4];
  always @(posedge CLK) begin
    if (!BTN_N) por_q <= 5'd0;
    else if (!por_q[4]) por_q <= por_q + 5'd1;
  end

  wire       u_rx_valid, u_rx_ready, u_tx_valid, u_tx_ready, ev_framing, ev_overrun, u_busy;
  wire [7:0] u_rx_data, u_tx_data;
  mmu_uart #(.DIV(4)) u_uart (
      .clk_i(CLK), .rst_ni(rst_n), .rx_i(RX), .tx_o(TX),
      .rx_valid_o(u_rx_valid), .rx_ready_i(u_rx_ready), .rx_data_o(u_rx_data),
      .tx_valid_i(u_tx_valid), .tx_ready_o(u_tx_ready), .tx_data_i(u_tx_data),
      .ev_framing_o(ev_framing), .ev_overrun_o(ev_overrun), .busy_o(u_busy));

  wire               idle;
  // nothing to do and nothing on the line: the virtual board sleeps then
  wire               sim_idle /*verilator public_flat_rd*/ = idle && !u_busy;
  wire               cyc, stb, we, ack, err, stall;
  wire [PA_BITS-4:0] adr;
  wire [63:0]        dat_w, dat_r;
  wire [7:0]         sel;
  mmu_board #(
      .SETS(64), .WAYS(4), .SP_N(2), .PWC_N(2), .ASID_BITS(6), .PA_BITS(PA_BITS),
      .MODES(4), .INSPECT(0), .MEM_BYTES(131072), .CLK_KHZ(CLK_KHZ)) u_board (
      .clk_i(CLK), .rst_ni(rst_n),
      .in_valid_i(u_rx_valid), .in_ready_o(u_rx_ready), .in_data_i(u_rx_data),
      .out_valid_o(u_tx_valid), .out_ready_i(u_tx_ready), .out_data_o(u_tx_data),
      .idle_o(idle),
      .wb_cyc_o(cyc), .wb_stb_o(stb), .wb_we_o(we), .wb_adr_o(adr), .wb_dat_o(dat_w),
      .wb_sel_o(sel), .wb_dat_i(dat_r), .wb_ack_i(ack), .wb_err_i(err), .wb_stall_i(stall));

  mmu_spram #(.AW(PA_BITS - 3)) u_mem (
      .clk_i(CLK), .rst_ni(rst_n),
      .wb_cyc_i(cyc), .wb_stb_i(stb), .wb_we_i(we), .wb_adr_i(adr), .wb_dat_i(dat_w),
      .wb_sel_i(sel), .wb_dat_o(dat_r), .wb_ack_o(ack), .wb_err_o(err), .wb_stall_o(stall));

  // LEDs
  reg [21:0] blink_q = 22'd0;      // 2^22 / 12 MHz = 0.35 s
  reg [21:0] red_q = 22'd0;
  always @(posedge CLK) begin
    blink_q <= blink_q + 22'd1;
    if (ev_framing || ev_overrun) red_q <= {22{1'b1}};
    else if (red_q != 22'd0) red_q <= red_q - 22'd1;
  end
  assign LEDG_N = !(idle ? blink_q[21] : 1'b1);
  assign LEDR_N = red_q == 22'd0;
endmodule

`default_nettype wire

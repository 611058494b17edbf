// mmu_ft245.v - FT245-style synchronous FIFO PHY for an FT232H (or one
// channel of an FT2232H) in sync FIFO mode (bitmode 0x40), crossed into the
// core clock through two mmu_afifo.
//
// The FTDI side runs on the chip's CLKOUT (60 MHz, ft_clk_i).  Every input
// from the chip (RXF#, TXE#, D) is registered at the pin and every output
// (RD#, WR#, OE#, SIWU#, D and its enable) comes from a register, so no path
// runs from pin to pin inside one FTDI clock.  A byte moves at a rising edge
// of CLKOUT:
//   chip -> FPGA  when RD# and RXF# are both low at that edge; OE# must have
//                 been low for one clock before RD# goes low (the chip
//                 drives D while OE# is low);
//   FPGA -> chip  when WR# and TXE# are both low at that edge.
// Because the inputs are registered, the PHY learns one clock after an edge
// whether a byte moved at it.  For reads that is harmless: RD# stays low
// only while the receive FIFO has room for every byte that can still arrive
// before a high RD# reaches the chip (ROOM).  For writes it is not: a byte
// the chip refused at edge k must not be followed by the next one at edge
// k+1.  So each write is a four-clock transaction - WR# low with the byte,
// WR# high, judge (taken if TXE# was low), then pop a taken byte from the
// send FIFO or offer a refused one again - at most 15 MB/s at 60 MHz,
// above the link's one byte per core clock (12 MB/s at 12 MHz).  Reads run
// at one byte per clock.
//
// The bus turns around through an idle clock each way: OE# goes high (the
// chip releases D) a clock before the FPGA drives D, and the FPGA releases
// D a clock before OE# goes low.  Read and write bursts alternate when both
// sides have work (at most BURST bytes each).  After a frame delimiter
// (0x00) has been taken and nothing more is waiting, SIWU# is pulsed low
// for one clock: the chip sends what it holds on the next USB IN request
// instead of waiting for its latency timer.
//
// Reset: the core side (rst_ni) requests a reset of the FTDI side and
// waits for its acknowledgement, then for its release, before up_o rises;
// without CLKOUT (the chip not yet in sync FIFO mode) up_o stays low.  Both
// FIFOs are thereby reset on both sides together.
//
// Parameters:
//   RX_DEPTH  receive FIFO bytes (host -> core), a power of two (1024)
//   TX_DEPTH  send FIFO bytes (core -> host), a power of two (512; the FT232H
//             top uses 64: narrower Gray pointers on the 60 MHz side)
//   BURST     bytes a read or write burst may run while the other side waits (32)
`default_nettype none

module mmu_ft245 #(
    parameter integer RX_DEPTH = 1024,
    parameter integer TX_DEPTH = 512,
    parameter integer BURST    = 32
) (
    // core side
    input  wire       clk_i,
    input  wire       rst_ni,
    output wire       up_o,         // the FTDI side is out of reset: the streams run
    output wire       rx_valid_o,
    input  wire       rx_ready_i,
    output wire [7:0] rx_data_o,
    input  wire       tx_valid_i,
    output wire       tx_ready_o,
    input  wire [7:0] tx_data_i,
    output wire       busy_o,       // bytes held in either FIFO, as the core side sees them
    // FTDI side, on CLKOUT
    input  wire       ft_clk_i,
    input  wire       ft_rxf_ni,
    input  wire       ft_txe_ni,
    input  wire [7:0] ft_d_i,
    output reg  [7:0] ft_d_o,
    output reg        ft_d_oe_o,
    output reg        ft_rd_no,
    output reg        ft_wr_no,
    output reg        ft_oe_no,
    output reg        ft_siwu_no
);
  localparam integer BW = $clog2(BURST + 1);
  // bytes that can reach the receive FIFO after a decision to go on reading
  // without being counted in the room it saw: pushes at this edge and the
  // two before (room is two clocks old), the byte captured at this edge and
  // the one at the next - five; twelve leaves a read restarted right after
  // a burst its margin too (the simulation check below would say if not)
  localparam integer ROOM = 12;

  // ---- reset handshake
  // Both sides start in reset at configuration (initial values), and the
  // pins the FPGA drives start inactive: until the first reset, RD#, WR#,
  // OE# and SIWU# are high and D is not driven.
  reg req_q = 1'b1, ack_c1 = 1'b0, ack_c2 = 1'b0;    // core side
  reg req_f1 = 1'b1, req_f2 = 1'b1, ack_f = 1'b1;    // FTDI side
  initial begin
    ft_d_o = 8'd0;
    ft_d_oe_o = 1'b0;
    ft_rd_no = 1'b1;
    ft_wr_no = 1'b1;
    ft_oe_no = 1'b1;
    ft_siwu_no = 1'b1;
  end
  wire ft_rst_n = !req_f2;
  always @(posedge clk_i) begin
    ack_c1 <= ack_f;
    ack_c2 <= ack_c1;
    if (!rst_ni) req_q <= 1'b1;
    else if (ack_c2) req_q <= 1'b0;
  end
  always @(posedge ft_clk_i) begin
    req_f1 <= req_q;
    req_f2 <= req_f1;
    ack_f <= req_f2;
  end
  assign up_o = rst_ni && !req_q && !ack_c2;

  // ---- the two FIFOs
  wire           rx_push;
  wire           rx_in_ready, rx_empty, room;
  reg  [7:0]     d_q;
  /* verilator lint_off PINCONNECTEMPTY */
  mmu_afifo #(.WIDTH(8), .DEPTH(RX_DEPTH), .SLACK(ROOM)) u_rx (
      .wclk_i(ft_clk_i), .wrst_ni(ft_rst_n),
      .in_valid_i(rx_push), .in_ready_o(rx_in_ready), .in_data_i(d_q),
      .room_o(room), .wempty_o(),
      .rclk_i(clk_i), .rrst_ni(up_o),
      .out_valid_o(rx_valid_o), .out_ready_i(rx_ready_i), .out_data_o(rx_data_o),
      .empty_o(rx_empty));

  wire           t_valid, t_pop, t_empty, tx_wempty;
  wire [7:0]     t_data;
  mmu_afifo #(.WIDTH(8), .DEPTH(TX_DEPTH)) u_tx (
      .wclk_i(clk_i), .wrst_ni(up_o),
      .in_valid_i(tx_valid_i), .in_ready_o(tx_ready_o), .in_data_i(tx_data_i),
      .room_o(), .wempty_o(tx_wempty),
      .rclk_i(ft_clk_i), .rrst_ni(ft_rst_n),
      .out_valid_o(t_valid), .out_ready_i(t_pop), .out_data_o(t_data), .empty_o(t_empty));
  /* verilator lint_on PINCONNECTEMPTY */

  assign busy_o = !rx_empty || !tx_wempty;

  // ---- FTDI side
  // One flip-flop per state (one-hot), and the burst arbitration taken from
  // hints a clock old (yield_*: fairness only, never correctness), so that
  // every next-state function is a couple of LUTs deep at 60 MHz.  What
  // decides whether a byte moved (rx_push, taken) is exact.
  reg           s_idle, s_oe, s_read, s_rdend;   // reading: OE# low, then RD# low
  reg           s_w0, s_w1, s_w2, s_w3;          // writing: offer, WR# high, judge, pop
  reg           pop_q;              // the byte judged at the last edge was taken
  reg  [BW-1:0] burst;
  reg           bfull;              // BURST bytes moved in this burst
  reg           yield_rd, yield_wr; // the burst is full and the other side has work
  reg           rxf_q, txe_q, rd_was, flush;
  reg           last_rd;            // the last burst read: a waiting write goes next
  wire          want_rx = !rxf_q && room;
  wire          want_tx = t_valid && !txe_q;
  // the byte offered at the last edge was taken: WR# and TXE# were low there
  wire          taken = s_w2 && !txe_q;
  wire          moved = (s_read && rx_push) || taken;
  wire          go_rd = s_idle && want_rx && (!want_tx || !last_rd);
  wire          go_wr = s_idle && want_tx && (!want_rx || last_rd);
  wire          rd_stop = s_read && (rxf_q || !room || yield_rd);
  wire          offer = s_w0 && want_tx && !yield_wr;
  wire          wr_stop = s_w0 && !offer;
  wire          go_siwu = s_idle && flush && t_empty;

  assign rx_push = !rd_was && !rxf_q;
  assign t_pop = pop_q;

  always @(posedge ft_clk_i) begin
    rxf_q <= ft_rxf_ni;
    txe_q <= ft_txe_ni;
    d_q <= ft_d_i;
    rd_was <= ft_rd_no;
    if (offer) ft_d_o <= t_data;
    if (!ft_rst_n) begin
      {s_idle, s_oe, s_read, s_rdend, s_w0, s_w1, s_w2, s_w3} <= 8'b10000000;
      pop_q <= 1'b0;
      burst <= {BW{1'b0}};
      bfull <= 1'b0;
      yield_rd <= 1'b0;
      yield_wr <= 1'b0;
      flush <= 1'b0;
      last_rd <= 1'b0;
      ft_d_oe_o <= 1'b0;
      ft_rd_no <= 1'b1;
      ft_wr_no <= 1'b1;
      ft_oe_no <= 1'b1;
      ft_siwu_no <= 1'b1;
      rxf_q <= 1'b1;
      txe_q <= 1'b1;
      rd_was <= 1'b1;
    end else begin
      s_idle <= (s_idle && !want_rx && !want_tx) || s_rdend || wr_stop;
      s_oe <= go_rd;
      s_read <= s_oe || (s_read && !rd_stop);
      s_rdend <= rd_stop;
      s_w0 <= go_wr || s_w3;
      s_w1 <= offer;
      s_w2 <= s_w1;
      s_w3 <= s_w2;
      pop_q <= taken;
      if (s_idle) begin
        burst <= {BW{1'b0}};
        bfull <= 1'b0;
      end else if (moved && !bfull) begin
        burst <= burst + 1'b1;
        bfull <= burst == BURST[BW-1:0] - 1'b1;
      end
      yield_rd <= bfull && want_tx;
      yield_wr <= bfull && !rxf_q;
      if (taken && ft_d_o == 8'h00) flush <= 1'b1;
      else if (go_siwu) flush <= 1'b0;
      ft_siwu_no <= !go_siwu;
      if (rd_stop) last_rd <= 1'b1;
      else if (wr_stop) last_rd <= 1'b0;
      // OE# low a clock before RD# low; RD# high a clock before OE# high
      if (go_rd) ft_oe_no <= 1'b0;
      else if (s_rdend) ft_oe_no <= 1'b1;
      if (s_oe) ft_rd_no <= 1'b0;
      else if (rd_stop) ft_rd_no <= 1'b1;
      // the FPGA drives D from the clock after OE# went high until a write burst ends
      if (go_wr) ft_d_oe_o <= 1'b1;
      else if (wr_stop) ft_d_oe_o <= 1'b0;
      ft_wr_no <= !offer;
    end
  end

`ifndef SYNTHESIS
  always @(posedge ft_clk_i)
    if (ft_rst_n && rx_push && !rx_in_ready) begin
      $display("mmu_ft245: a byte from the chip found the receive FIFO full");
      $stop;
    end
`endif
endmodule

`default_nettype wire

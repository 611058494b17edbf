// mmu_uart.v - 8N1 UART PHY: the serial line to and from byte streams.
//
// DIV core clocks per bit (at least 4): 12 MHz / 3 Mbaud = 4.  RX is brought
// in through two flip-flops, a start bit is confirmed at its middle, data
// bits are sampled at theirs (LSB first), and a byte is delivered only with
// a good stop bit; a bad stop bit counts in ev_framing_o and the byte is
// dropped.  The line has no flow control: a byte that finds rx_ready_i low
// is dropped and counted in ev_overrun_o (a host that keeps to the link's
// window never causes one).  TX sends each byte of the tx stream as start,
// 8 data bits, stop.
`default_nettype none

module mmu_uart #(
    parameter integer DIV = 4
) (
    input  wire       clk_i,
    input  wire       rst_ni,
    input  wire       rx_i,           // serial in (idle high)
    output reg        tx_o,           // serial out (idle high)
    output reg        rx_valid_o,
    input  wire       rx_ready_i,
    output reg  [7:0] rx_data_o,
    input  wire       tx_valid_i,
    output wire       tx_ready_o,
    input  wire [7:0] tx_data_i,
    output reg        ev_framing_o,
    output reg        ev_overrun_o,
    output wire       busy_o          // a byte is being received, held or sent
);
  localparam integer CW = $clog2(DIV + 1) + 1;
  localparam [CW-1:0] FULL = DIV[CW-1:0] - 1'b1;
  localparam [CW-1:0] HALF = DIV[CW-1:0] / 2 - 1'b1;

  // ---- receive
  reg        rx_s1, rx_s2;
  reg        r_busy;
  reg [3:0]  r_bit;                // 0 start, 1..8 data, 9 stop
  reg [CW-1:0] r_cnt;
  reg [7:0]  r_shift;

  always @(posedge clk_i) begin
    ev_framing_o <= 1'b0;
    ev_overrun_o <= 1'b0;
    if (!rst_ni) begin
      rx_s1 <= 1'b1;
      rx_s2 <= 1'b1;
      r_busy <= 1'b0;
      r_bit <= 4'd0;
      r_cnt <= {CW{1'b0}};
      r_shift <= 8'd0;
      rx_valid_o <= 1'b0;
      rx_data_o <= 8'd0;
    end else begin
      rx_s1 <= rx_i;
      rx_s2 <= rx_s1;
      if (rx_valid_o && rx_ready_i) rx_valid_o <= 1'b0;
      if (!r_busy) begin
        if (!rx_s2) begin          // a falling edge: wait for the start bit's middle
          r_busy <= 1'b1;
          r_bit <= 4'd0;
          r_cnt <= HALF;
        end
      end else if (r_cnt != {CW{1'b0}}) begin
        r_cnt <= r_cnt - 1'b1;
      end else begin
        r_cnt <= FULL;
        r_bit <= r_bit + 4'd1;
        if (r_bit == 4'd0) begin
          if (rx_s2) r_busy <= 1'b0;        // a glitch, not a start bit
        end else if (r_bit <= 4'd8) begin
          r_shift <= {rx_s2, r_shift[7:1]};
        end else begin
          r_busy <= 1'b0;
          if (!rx_s2) begin
            ev_framing_o <= 1'b1;
          end else if (rx_valid_o && !rx_ready_i) begin
            ev_overrun_o <= 1'b1;
          end else begin
            rx_valid_o <= 1'b1;
            rx_data_o <= r_shift;
          end
        end
      end
    end
  end

  // ---- transmit
  reg        t_busy;
  reg [3:0]  t_bit;
  reg [CW-1:0] t_cnt;
  reg [8:0]  t_shift;              // data bits, then the stop bit

  assign tx_ready_o = !t_busy;
  assign busy_o = r_busy || rx_valid_o || t_busy;

  // the line idles high from configuration on, not only after the first
  // reset: a low TX before it would reach the host as a start bit
  initial tx_o = 1'b1;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      tx_o <= 1'b1;
      t_busy <= 1'b0;
      t_bit <= 4'd0;
      t_cnt <= {CW{1'b0}};
      t_shift <= 9'h1ff;
    end else if (!t_busy) begin
      if (tx_valid_i) begin
        t_busy <= 1'b1;
        tx_o <= 1'b0;              // start bit
        t_shift <= {1'b1, tx_data_i};
        t_bit <= 4'd0;
        t_cnt <= FULL;
      end
    end else if (t_cnt != {CW{1'b0}}) begin
      t_cnt <= t_cnt - 1'b1;
    end else if (t_bit == 4'd9) begin
      t_busy <= 1'b0;              // the stop bit has lasted a bit time
    end else begin
      tx_o <= t_shift[0];
      t_shift <= {1'b1, t_shift[8:1]};
      t_bit <= t_bit + 4'd1;
      t_cnt <= FULL;
    end
  end
endmodule

`default_nettype wire

// board_status.v - what both iCEBreaker tops share: the reset after
// configuration (16 clocks, and while the user button is pressed) and the
// two LEDs (active low).  Green blinks while the board is idle and lights
// steadily while it works; red lights for about a third of a second after
// each error event (2^22 clocks at 12 MHz), and steadily while it is held.
`default_nettype none

module board_status (
    input  wire clk_i,
    input  wire btn_ni,      // user button: reset while pressed
    output wire rst_no,
    input  wire idle_i,
    input  wire error_i,
    output wire ledg_no,
    output wire ledr_no
);
  reg [4:0] por_q = 5'd0;
  assign rst_no = por_q[4];
  always @(posedge clk_i) begin
    if (!btn_ni) por_q <= 5'd0;
    else if (!por_q[4]) por_q <= por_q + 5'd1;
  end

  reg [21:0] blink_q = 22'd0;
  reg [21:0] red_q = 22'd0;
  always @(posedge clk_i) begin
    blink_q <= blink_q + 22'd1;
    if (error_i) red_q <= {22{1'b1}};
    else if (red_q != 22'd0) red_q <= red_q - 22'd1;
  end
  assign ledg_no = !(idle_i ? blink_q[21] : 1'b1);
  assign ledr_no = red_q == 22'd0;
endmodule

`default_nettype wire

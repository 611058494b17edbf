// mmu_fifo.v - a first-word-fall-through FIFO over a block RAM.
//
// Streams follow the valid/ready rule (docs/style.md).  The RAM read is
// registered (it maps to EBR on iCE40); an output register in front of it
// makes the head word visible at out_data_o while out_valid_o is high.
// A word written into an empty FIFO reaches the output the clock after.
//
// Parameters:
//   WIDTH  bits per word (8)
//   DEPTH  words, a power of two (1024); one more word sits in the output
//          register, so the FIFO holds DEPTH + 1 words
`default_nettype none

module mmu_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 1024
) (
    input  wire             clk_i,
    input  wire             rst_ni,
    input  wire             in_valid_i,
    output wire             in_ready_o,
    input  wire [WIDTH-1:0] in_data_i,
    output reg              out_valid_o,
    input  wire             out_ready_i,
    output wire [WIDTH-1:0] out_data_o,
    output wire             empty_o       // nothing stored and nothing at the output
);
  localparam integer AW = $clog2(DEPTH);

  reg [AW:0]   wr_q, rd_q;               // one extra bit tells full from empty
  wire [AW:0]  count = wr_q - rd_q;
  wire         push = in_valid_i && in_ready_o;
  // load the output register when it is empty or being taken
  wire         pop = (count != 0) && (!out_valid_o || out_ready_i);

  assign in_ready_o = count != DEPTH[AW:0];
  assign empty_o = (count == 0) && !out_valid_o;

  mmu_ram #(.WIDTH(WIDTH), .DEPTH(DEPTH)) u_mem (
      .clk_i(clk_i),
      .rd_en_i(pop), .rd_addr_i(rd_q[AW-1:0]), .rd_data_o(out_data_o),
      .wr_en_i(push), .wr_addr_i(wr_q[AW-1:0]), .wr_data_i(in_data_i));

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_q <= {(AW+1){1'b0}};
      rd_q <= {(AW+1){1'b0}};
      out_valid_o <= 1'b0;
    end else begin
      if (push) wr_q <= wr_q + 1'b1;
      if (pop) begin
        rd_q <= rd_q + 1'b1;
        out_valid_o <= 1'b1;
      end else if (out_ready_i) begin
        out_valid_o <= 1'b0;
      end
    end
  end
endmodule

`default_nettype wire

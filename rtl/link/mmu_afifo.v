// mmu_afifo.v - a first-word-fall-through FIFO between two clock domains.
//
// The write side runs on wclk_i, the read side on rclk_i.  Each side keeps a
// binary pointer and its Gray code; the Gray code crosses to the other side
// through two flip-flops (one bit changes per step, so a sample taken
// mid-change is the old or the new value, never a third).  Full, empty and
// "nothing stored" compare Gray codes directly; only the writer's room
// count (SLACK > 0) turns the reader's pointer back into binary.  A side
// sees the other's progress two or three of its clocks late, so what it
// reports is pessimistic, never wrong.
//
// The storage is one RAM with a write port on wclk_i and a registered read
// port on rclk_i (yosys maps it to EBR with separate clocks); an output
// register makes the head word visible at out_data_o while out_valid_o is
// high, as in mmu_fifo.  Streams follow the valid/ready rule (docs/style.md).
//
// Each side has its own synchronous reset.  Both must be reset together
// (mmu_ft245 holds either side in reset until the other has been).
//
// Parameters:
//   WIDTH  bits per word (8)
//   DEPTH  words, a power of two, at least 4 (16)
//   SLACK  0, or room_o says more than SLACK words were free two clocks ago (0)
`default_nettype none

module mmu_afifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 16,
    parameter integer SLACK = 0,
    parameter integer AW    = $clog2(DEPTH)   // calculated: do not change
) (
    // write side
    input  wire             wclk_i,
    input  wire             wrst_ni,
    input  wire             in_valid_i,
    output wire             in_ready_o,
    input  wire [WIDTH-1:0] in_data_i,
    output wire             room_o,       // more than SLACK words free (SLACK > 0: two clocks ago)
    output wire             wempty_o,     // the reader has taken every word (as the writer sees it)
    // read side
    input  wire             rclk_i,
    input  wire             rrst_ni,
    output reg              out_valid_o,
    input  wire             out_ready_i,
    output reg  [WIDTH-1:0] out_data_o,
    output wire             empty_o       // nothing stored that the reader has seen, nothing at the output
);
  function [AW:0] bin2gray(input [AW:0] b);
    bin2gray = b ^ (b >> 1);
  endfunction
  // each bit the XOR of the Gray bits at and above it: a tree per bit, not a chain
  function [AW:0] gray2bin(input [AW:0] g);
    integer k;
    for (k = 0; k <= AW; k = k + 1) gray2bin[k] = ^(g >> k);
  endfunction

  localparam [AW:0] TWO = 2;
  reg [WIDTH-1:0] mem [0:DEPTH-1];

  // Full and "something stored" are registered, so that the paths from the
  // flags through push and pop stay short: each is computed for both
  // outcomes of this clock (pointer kept, pointer advanced) and the push or
  // pop only selects.  They compare against the other side's pointer as it
  // stood before the edge (the second synchroniser stage; the first is
  // never used in logic), one clock more pessimistic than necessary.
  function lap(input [AW:0] a, input [AW:0] b);   // a is a whole lap ahead of b (Gray)
    lap = a == {~b[AW:AW-1], b[AW-2:0]};
  endfunction

  // ---- write side
  reg  [AW:0] w_bin, w_gray, w_rg1, w_rg2;   // own pointer; the reader's Gray pointer, synchronised
  reg  [AW:0] w_gnext;                      // bin2gray(w_bin + 1), kept ready
  reg         full;
  wire        push = in_valid_i && !full;

  assign in_ready_o = !full;
  assign wempty_o = w_gray == w_rg2;
  generate
    if (SLACK > 0) begin : g_room
      // pipelined (the reader's pointer to binary in two halves, the words
      // used, the comparison) to keep each path short at 60 MHz: room_o
      // lags the writer's own pushes by two clocks, which SLACK must cover
      localparam integer H = (AW + 1) / 2;   // low bits converted in the second stage
      localparam [AW:0]  LOW = (1 << H) - 1;
      reg [AW:0] half_q, rbin_q, used_q;
      reg        room_q;
      integer    b;
      always @(posedge wclk_i) begin
        half_q <= (gray2bin(w_rg2) & ~LOW) | (w_rg2 & LOW);
        for (b = 0; b < H; b = b + 1) rbin_q[b] <= ^(half_q[H-1:0] >> b) ^ half_q[H];
        rbin_q[AW:H] <= half_q[AW:H];
        used_q <= w_bin - rbin_q;
        room_q <= wrst_ni && used_q < DEPTH[AW:0] - SLACK[AW:0];
      end
      assign room_o = room_q;
    end else begin : g_noroom
      assign room_o = !full;
    end
  endgenerate

  always @(posedge wclk_i) begin
    if (push) mem[w_bin[AW-1:0]] <= in_data_i;
    if (!wrst_ni) begin
      w_bin <= {(AW+1){1'b0}};
      w_gray <= {(AW+1){1'b0}};
      w_rg1 <= {(AW+1){1'b0}};
      w_rg2 <= {(AW+1){1'b0}};
      w_gnext <= {{AW{1'b0}}, 1'b1};
      full <= 1'b0;
    end else begin
      w_rg1 <= r_gray;
      w_rg2 <= w_rg1;
      full <= push ? lap(w_gnext, w_rg2) : lap(w_gray, w_rg2);
      if (push) begin
        w_bin <= w_bin + 1'b1;
        w_gray <= w_gnext;
        w_gnext <= bin2gray(w_bin + TWO);
      end
    end
  end

  // ---- read side
  reg  [AW:0] r_bin, r_gray, r_wg1, r_wg2;   // own pointer; the writer's Gray pointer, synchronised
  reg  [AW:0] r_gnext;                      // bin2gray(r_bin + 1), kept ready
  reg         stored;
  // load the output register when it is empty or being taken
  wire        pop = stored && (!out_valid_o || out_ready_i);

  assign empty_o = !stored && !out_valid_o;

  always @(posedge rclk_i) begin
    if (pop) out_data_o <= mem[r_bin[AW-1:0]];
    if (!rrst_ni) begin
      r_bin <= {(AW+1){1'b0}};
      r_gray <= {(AW+1){1'b0}};
      r_wg1 <= {(AW+1){1'b0}};
      r_wg2 <= {(AW+1){1'b0}};
      r_gnext <= {{AW{1'b0}}, 1'b1};
      stored <= 1'b0;
      out_valid_o <= 1'b0;
    end else begin
      r_wg1 <= w_gray;
      r_wg2 <= r_wg1;
      stored <= pop ? r_gnext != r_wg2 : r_gray != r_wg2;
      if (pop) begin
        r_bin <= r_bin + 1'b1;
        r_gray <= r_gnext;
        r_gnext <= bin2gray(r_bin + TWO);
        out_valid_o <= 1'b1;
      end else if (out_ready_i) begin
        out_valid_o <= 1'b0;
      end
    end
  end
endmodule

`default_nettype wire

// mmu_plru.v - tree-PLRU victim choice and update, exactly as
// docs/spec-tlb.md "Replacement" defines them (combinational).
//
// Bits are numbered like a heap: node 0 is the root, node i has children
// 2i+1 (lower half of its ways) and 2i+2 (upper half).  A bit of 1 sends the
// victim search to the upper half.  A touch points every bit on a way's path
// away from it.  The victim is the lowest invalid way if there is one.
//
// Parameters:
//   WAYS  ways, a power of two >= 1 (default 4)
//   WB    way-index bits, calculated: do not change
//   NB    PLRU bits (WAYS-1, at least 1 so ports exist), calculated
`default_nettype none

module mmu_plru #(
    parameter integer WAYS = 4,
    parameter integer WB   = (WAYS > 1) ? $clog2(WAYS) : 1,
    parameter integer NB   = (WAYS > 1) ? WAYS - 1 : 1
) (
    input  wire [NB-1:0]   bits_i,      // current tree
    input  wire [WAYS-1:0] valid_i,     // entry valid bits
    output reg  [WB-1:0]   victim_o,    // way to replace
    input  wire [WB-1:0]   touch_way_i, // way being used
    output reg  [NB-1:0]   touched_o    // tree after touching touch_way_i
);
  localparam integer DEPTH = (WAYS > 1) ? $clog2(WAYS) : 0;

  // Written with constant indexes only (a loop over the nodes of each depth
  // with a compare), so synthesis builds small muxes, not index arithmetic.
  integer d, j, w, found;
  reg [WB-1:0] v;
  reg right;

  // victim: lowest invalid way, else follow the tree
  always @* begin
    victim_o = {WB{1'b0}};
    found = 0;
    v = {WB{1'b0}};
    right = 1'b0;
    for (w = WAYS - 1; w >= 0; w = w - 1)
      if (!valid_i[w]) begin
        victim_o = w[WB-1:0];
        found = 1;
      end
    if (found == 0 && DEPTH > 0) begin
      for (d = 0; d < DEPTH; d = d + 1) begin
        // the node at depth d on the path so far is (2^d - 1) + v
        right = 1'b0;
        for (j = 0; j < (1 << d); j = j + 1)
          if (v == j[WB-1:0]) right = bits_i[(1 << d) - 1 + j];
        v = v << 1;
        v[0] = right;
      end
      victim_o = v;
    end
  end

  // touch: a separate block, so victim_o never depends on touch_way_i.  Node
  // (2^d - 1) + j is on the way's path when the way's top d bits equal j.
  integer td, tj;
  always @* begin
    touched_o = bits_i;
    for (td = 0; td < DEPTH; td = td + 1)
      for (tj = 0; tj < (1 << td); tj = tj + 1)
        if ((touch_way_i >> (DEPTH - td)) == tj[WB-1:0])
          touched_o[(1 << td) - 1 + tj] = ~touch_way_i[DEPTH - 1 - td];
  end
endmodule

`default_nettype wire

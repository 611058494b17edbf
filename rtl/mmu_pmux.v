// mmu_pmux.v - priority multiplexer: the data of the lowest-numbered input
// whose hit bit is set, and whether any is.  A tree of 2:1 multiplexers,
// each taking its lower half when that half holds a hit, so the priority
// costs no first-match vector in front of the multiplexers: log2(N) levels
// after the hit bits.  With no hit the data is that of input N-1.
`default_nettype none
module mmu_pmux #(
    parameter integer N = 4,          // inputs, >= 1
    parameter integer W = 8           // data bits per input
) (
    input  wire [N-1:0]   hit_i,
    input  wire [N*W-1:0] data_i,     // input k at [k*W +: W]
    output wire           any_o,
    output wire [W-1:0]   data_o
);
  reg [N*W-1:0] d;
  reg [N-1:0]   a;
  integer l, k;
  always @* begin
    d = data_i;
    a = hit_i;
    // after step l, node k (a multiple of 2l) covers inputs k .. k+2l-1
    for (l = 1; l < N; l = l * 2)
      for (k = 0; k + l < N; k = k + 2 * l) begin
        if (!a[k]) d[k*W +: W] = d[(k+l)*W +: W];
        a[k] = a[k] || a[k+l];
      end
  end
  assign any_o = a[0];
  assign data_o = d[W-1:0];
endmodule

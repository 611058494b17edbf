// stageb_probe.v - timing probe, not part of the MMU: the board build's
// stage B alone (4 way RAMs of 64 x 55 bits and the valid-bit RAM, a
// 21-bit tag plus 6-bit ASID compare per way, the rights check, the
// priority pick of mmu_pmux, the response register) behind four pins, so
// nextpnr can time the hit path on an otherwise empty iCE40UP5K
// (tools/stageb-bound.sh; results in docs/results.md).
//   LAT = 2: RAM read -> compare -> pick -> register (mmu_core's hit latency)
//   LAT = 3: the RAM outputs registered before the compare
//   LAT = 4: and the match vector and candidates registered before the pick
//   CARRY = 1: the tag compare along the carry chain (bit pairs compared in
//   LUTs, ANDed through SB_CARRY cells: iCE40 only, for yosys)
`default_nettype none
module stageb_probe #(
    parameter integer LAT = 2,
    parameter integer CARRY = 0
) (
    input  wire clk_i,
    input  wire din_i,
    output reg  dout_o
);
  localparam integer EW = 21 + 6 + 22 + 6, W = 4, CW = 22 + 6 + 1;
  reg [127:0] sr;
  always @(posedge clk_i) sr <= {sr[126:0], din_i};
  // the request, registered as stage B holds it
  reg [20:0] tag_q;
  reg [5:0]  asid_q;
  reg [1:0]  acc_q;
  reg        priv_q;
  always @(posedge clk_i) begin
    tag_q <= sr[26:6];
    asid_q <= sr[32:27];
    acc_q <= sr[34:33];
    priv_q <= sr[35];
  end
  wire [W*EW-1:0] rd_ram;
  wire [W-1:0]    vld_ram;
  genvar g;
  generate
    for (g = 0; g < W; g = g + 1) begin : g_way
      mmu_ram #(.WIDTH(EW), .DEPTH(64)) u_way (
          .clk_i(clk_i), .rd_en_i(sr[36]), .rd_addr_i(sr[5:0]), .rd_data_o(rd_ram[g*EW +: EW]),
          .wr_en_i(sr[37+g]), .wr_addr_i(sr[46:41]), .wr_data_i(sr[101:47]));
    end
  endgenerate
  mmu_ram #(.WIDTH(W), .DEPTH(64)) u_valid (
      .clk_i(clk_i), .rd_en_i(sr[36]), .rd_addr_i(sr[5:0]), .rd_data_o(vld_ram),
      .wr_en_i(sr[102]), .wr_addr_i(sr[46:41]), .wr_data_i(sr[106:103]));

  // LAT >= 3: the RAM outputs (and the request with them) registered
  reg [W*EW-1:0] rd_q;
  reg [W-1:0]    vld_q;
  reg [20:0]     tag2_q;
  reg [5:0]      asid2_q;
  reg [1:0]      acc2_q;
  reg            priv2_q;
  always @(posedge clk_i) begin
    rd_q <= rd_ram;
    vld_q <= vld_ram;
    tag2_q <= tag_q;
    asid2_q <= asid_q;
    acc2_q <= acc_q;
    priv2_q <= priv_q;
  end
  wire [W*EW-1:0] rd = (LAT >= 3) ? rd_q : rd_ram;
  wire [W-1:0] vld = (LAT >= 3) ? vld_q : vld_ram;
  wire [20:0] tag = (LAT >= 3) ? tag2_q : tag_q;
  wire [5:0] asid = (LAT >= 3) ? asid2_q : asid_q;
  wire [1:0] acc = (LAT >= 3) ? acc2_q : acc_q;
  wire priv = (LAT >= 3) ? priv2_q : priv_q;

  // CARRY = 1: pairs of tag bits compared in LUTs, ANDed along an SB_CARRY
  // chain (CO = I0 & CI with I1 = 0)
  wire [W-1:0] tag_cc;
  genvar gk, gj;
  generate
    for (gk = 0; gk < W; gk = gk + 1) begin : g_cc
      wire [21:0] et = {1'b0, rd[gk*EW+EW-1 -: 21]};
      wire [21:0] tt = {1'b0, tag};
      wire [11:0] c;
      assign c[0] = 1'b1;
      for (gj = 0; gj < 11; gj = gj + 1) begin : g_pair
        if (CARRY != 0) begin : g_on
          SB_CARRY u_c (.CO(c[gj+1]), .I0(et[2*gj +: 2] == tt[2*gj +: 2]), .I1(1'b0), .CI(c[gj]));
        end else begin : g_off
          assign c[gj+1] = 1'b0;
        end
      end
      assign tag_cc[gk] = c[11];
    end
  endgenerate
  reg [W-1:0]    m;
  reg [W*CW-1:0] cand;
  reg [EW-1:0]   e;
  integer k;
  always @* begin
    for (k = 0; k < W; k = k + 1) begin
      e = rd[k*EW +: EW];
      m[k] = vld[k] && ((CARRY != 0) ? tag_cc[k] : e[EW-1 -: 21] == tag) && (e[4] || e[33:28] == asid);
      cand[k*CW +: CW] = {e[27:0], (priv || e[3]) &&
                          (acc == 2'd0 ? e[0] : acc == 2'd1 ? e[1] && e[5] : e[2])};
    end
  end
  // LAT = 4: the match vector and the candidates registered before the pick
  reg [W-1:0]    m_q;
  reg [W*CW-1:0] cand_q;
  always @(posedge clk_i) begin
    m_q <= m;
    cand_q <= cand;
  end
  wire          any;
  wire [CW-1:0] pick;
  mmu_pmux #(.N(W), .W(CW)) u_pick (
      .hit_i((LAT >= 4) ? m_q : m), .data_i((LAT >= 4) ? cand_q : cand), .any_o(any), .data_o(pick));
  reg [CW-2:0] rsp_q;
  reg          use_q;
  always @(posedge clk_i) begin
    rsp_q <= pick[CW-1:1];
    use_q <= any && pick[0];
    dout_o <= ^{rsp_q, use_q};
  end
endmodule

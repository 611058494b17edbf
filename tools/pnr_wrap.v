// pnr_wrap.v - measurement wrapper: mmu_core behind four pins, so that
// nextpnr can place, route and time the core on an iCE40UP5K-SG48.
// Every core input comes from a shift register fed by din_i; every core
// output is folded into dout_o, so no logic can be optimised away.  The
// shift register adds about one flip-flop per input bit.  Not a board top.
`default_nettype none
module pnr_wrap #(
    parameter integer MODES = 4, parameter integer SP_N = 4, parameter integer PWC_N = 4,
    parameter integer ASID_BITS = 6, parameter integer PA_BITS = 34, parameter integer INSPECT = 0,
    parameter integer SETS = 64, parameter integer HUM = 0
) (
    input  wire clk_i,
    input  wire rst_ni,
    input  wire din_i,
    output reg  dout_o
);
  localparam integer NIN = 1 + 16 + ASID_BITS + 64 + 2 + 1 + 1 + 1 + 2 + 2 + 3 + ASID_BITS + 64
                           + 64 + 3 + 1 + 3 + 16;
  reg [NIN-1:0] sr;
  always @(posedge clk_i) sr <= {sr[NIN-2:0], din_i};

  wire                 req_ready, rsp_valid, rsp_hit, ctl_ready, ctl_done, insp_ready, insp_rvalid, insp_ev;
  wire                 wb_cyc, wb_stb, wb_we;
  wire [15:0]          rsp_tag, rsp_err;
  wire [3:0]           rsp_cause;
  wire [2:0]           rsp_level, insp_level;
  wire [PA_BITS-1:0]   rsp_pa, insp_ppn;
  wire [5:0]           rsp_perm, rsp_shift, insp_shift, insp_perm;
  wire [7:0]           rsp_exc, wb_sel;
  wire [PA_BITS-4:0]   wb_adr;
  wire [63:0]          wb_dat_o, insp_data;
  wire [35:0]          insp_vpn;
  wire [ASID_BITS-1:0] insp_asid;

  mmu_core #(.SETS(SETS), .MODES(MODES), .SP_N(SP_N), .PWC_N(PWC_N), .ASID_BITS(ASID_BITS),
             .PA_BITS(PA_BITS), .INSPECT(INSPECT), .HUM(HUM)) u_core (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .req_valid_i(sr[0]), .req_ready_o(req_ready), .req_tag_i(sr[16:1]),
      .req_asid_i(sr[17 +: ASID_BITS]), .req_va_i(sr[17+ASID_BITS +: 64]),
      .req_access_i(sr[81+ASID_BITS +: 2]), .req_priv_i(sr[83+ASID_BITS]),
      .rsp_valid_o(rsp_valid), .rsp_ready_i(sr[84+ASID_BITS]), .rsp_tag_o(rsp_tag),
      .rsp_cause_o(rsp_cause), .rsp_level_o(rsp_level), .rsp_pa_o(rsp_pa), .rsp_perm_o(rsp_perm),
      .rsp_page_shift_o(rsp_shift), .rsp_hit_o(rsp_hit), .rsp_exc_o(rsp_exc), .rsp_err_o(rsp_err),
      .ctl_valid_i(sr[85+ASID_BITS]), .ctl_ready_o(ctl_ready), .ctl_op_i(sr[86+ASID_BITS +: 2]),
      .ctl_kind_i(sr[88+ASID_BITS +: 2]), .ctl_mode_i(sr[90+ASID_BITS +: 3]),
      .ctl_asid_i(sr[93+ASID_BITS +: ASID_BITS]), .ctl_data_i(sr[93+2*ASID_BITS +: 64]),
      .ctl_done_o(ctl_done),
      .wb_cyc_o(wb_cyc), .wb_stb_o(wb_stb), .wb_we_o(wb_we), .wb_adr_o(wb_adr),
      .wb_dat_o(wb_dat_o), .wb_sel_o(wb_sel), .wb_dat_i(sr[157+2*ASID_BITS +: 64]),
      .wb_ack_i(sr[221+2*ASID_BITS]), .wb_err_i(sr[222+2*ASID_BITS]),
      .wb_stall_i(sr[223+2*ASID_BITS]),
      .insp_valid_i(sr[224+2*ASID_BITS]), .insp_ready_o(insp_ready),
      .insp_array_i(sr[225+2*ASID_BITS +: 3]), .insp_index_i(sr[228+2*ASID_BITS +: 16]),
      .insp_rvalid_o(insp_rvalid), .insp_ev_o(insp_ev), .insp_vpn_o(insp_vpn),
      .insp_ppn_o(insp_ppn), .insp_asid_o(insp_asid), .insp_level_o(insp_level),
      .insp_shift_o(insp_shift), .insp_perm_o(insp_perm), .insp_data_o(insp_data), .insp_set_o());

  // wb_dat_o: one lane (the core copies the written byte into all eight;
  // folding eight equal bytes would cancel them out of the XOR)
  always @(posedge clk_i)
    dout_o <= ^{req_ready, rsp_valid, rsp_hit, ctl_ready, ctl_done, insp_ready, insp_rvalid, insp_ev,
                wb_cyc, wb_stb, wb_we, rsp_tag, rsp_err, rsp_cause, rsp_level, insp_level, rsp_pa,
                insp_ppn, rsp_perm, rsp_shift, insp_shift, insp_perm, rsp_exc, wb_sel, wb_adr,
                wb_dat_o[7:0], insp_data, insp_vpn, insp_asid};
endmodule
`default_nettype wire

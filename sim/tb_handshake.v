// tb_handshake.v - Icarus bench: the valid/ready checks in mmu_core fire when
// a waiting request changes, and stay silent when it does not.
//
// An ASID invalidation sweeps the sets for SETS + 2 clocks with req_ready_o
// low; the bench holds a request meanwhile.  With +break it changes the VA
// while waiting, which must stop the simulation with "ASSERTION".
`timescale 1ns/1ps
`default_nettype none
module tb_handshake;
  reg clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  reg         req_valid = 1'b0, ctl_valid = 1'b0;
  reg  [63:0] req_va = 64'h1000;
  wire        req_ready, ctl_ready, ctl_done, rsp_valid;
  wire        wb_cyc, wb_stb, wb_we;
  wire [52:0] wb_adr;
  wire [63:0] wb_dat_o;
  wire [7:0]  wb_sel;
  reg         wb_ack = 1'b0;

  // unused outputs
  wire [15:0] rsp_tag, rsp_err;
  wire [3:0]  rsp_cause;
  wire [2:0]  rsp_level, insp_level;
  wire [55:0] rsp_pa, insp_ppn;
  wire [5:0]  rsp_perm, rsp_shift, insp_shift, insp_perm;
  wire        rsp_hit, insp_ready, insp_rvalid, insp_ev;
  wire [7:0]  rsp_exc, insp_asid;
  wire [35:0] insp_vpn;
  wire [63:0] insp_data;

  mmu_core u_dut (
      .clk_i(clk), .rst_ni(rst_n),
      .req_valid_i(req_valid), .req_ready_o(req_ready), .req_tag_i(16'd1), .req_asid_i(8'd0),
      .req_va_i(req_va), .req_access_i(2'd0), .req_priv_i(1'b1),
      .rsp_valid_o(rsp_valid), .rsp_ready_i(1'b1), .rsp_tag_o(rsp_tag), .rsp_cause_o(rsp_cause),
      .rsp_level_o(rsp_level), .rsp_pa_o(rsp_pa), .rsp_perm_o(rsp_perm),
      .rsp_page_shift_o(rsp_shift), .rsp_hit_o(rsp_hit), .rsp_exc_o(rsp_exc), .rsp_err_o(rsp_err),
      .ctl_valid_i(ctl_valid), .ctl_ready_o(ctl_ready), .ctl_op_i(2'd2), .ctl_kind_i(2'd1),
      .ctl_mode_i(3'd0), .ctl_asid_i(8'd3), .ctl_data_i(64'd0), .ctl_done_o(ctl_done),
      .wb_cyc_o(wb_cyc), .wb_stb_o(wb_stb), .wb_we_o(wb_we), .wb_adr_o(wb_adr),
      .wb_dat_o(wb_dat_o), .wb_sel_o(wb_sel), .wb_dat_i(64'd0), .wb_ack_i(wb_ack),
      .wb_err_i(1'b0), .wb_stall_i(1'b0),
      .insp_valid_i(1'b0), .insp_ready_o(insp_ready), .insp_array_i(3'd0), .insp_index_i(16'd0),
      .insp_rvalid_o(insp_rvalid), .insp_ev_o(insp_ev), .insp_vpn_o(insp_vpn),
      .insp_ppn_o(insp_ppn), .insp_asid_o(insp_asid), .insp_level_o(insp_level),
      .insp_shift_o(insp_shift), .insp_perm_o(insp_perm), .insp_data_o(insp_data), .insp_set_o());

  integer waited = 0;
  initial begin
    repeat (2) @(posedge clk);
    rst_n <= 1'b1;
    @(posedge clk);
    ctl_valid <= 1'b1;                      // start the sweep
    @(posedge clk);
    ctl_valid <= 1'b0;
    req_valid <= 1'b1;                      // and wait behind it
    @(posedge clk);
    while (!req_ready) begin
      waited = waited + 1;
      if ($test$plusargs("break") && waited == 5) req_va <= 64'h2000;
      @(posedge clk);
    end
    req_valid <= 1'b0;
    wait (rsp_valid);
    $display("tb_handshake: request waited %0d clocks, answered cause %0d", waited, rsp_cause);
    $finish;
  end
endmodule
`default_nettype wire

// mmu_board.v - the board without its PHY and its memory: receive FIFO,
// frame receiver, dispatcher, frame sender, and the MMU core, with one
// Wishbone master towards the page-table memory.
//
//   in_*  (bytes from the host) -> FIFO (WINDOW bytes) -> mmu_link_rx ->
//   frame buffer -> mmu_link_disp -> mmu_link_tx -> out_* (bytes to the host)
//
// The core and the dispatcher share the memory port: the core's cycles pass
// when its CYC is high, the dispatcher's otherwise.  The dispatcher only
// touches memory between translations (every request of a frame has been
// answered before the next frame runs), so the two never overlap; a
// simulation check says so if they ever do.  idle_o is high when nothing is
// buffered, running or being sent (the virtual board sleeps then).
`default_nettype none
`include "mmu_constants.vh"

module mmu_board #(
    parameter integer SETS      = 64,
    parameter integer WAYS      = 4,
    parameter integer SP_N      = 8,
    parameter integer PWC_N     = 8,
    parameter integer ASID_BITS = 8,
    parameter integer PA_BITS   = 56,
    parameter integer MODES     = 0,
    parameter integer INSPECT   = 0,
    parameter integer MEM_BYTES = 131072,
    parameter integer CLK_KHZ   = 0,
    parameter integer RX_FIFO   = 1     // 0: the PHY holds the window's bytes (mmu_ft245)
) (
    input  wire                 clk_i,
    input  wire                 rst_ni,
    input  wire                 in_valid_i,
    output wire                 in_ready_o,
    input  wire [7:0]           in_data_i,
    output wire                 out_valid_o,
    input  wire                 out_ready_i,
    output wire [7:0]           out_data_o,
    output wire                 idle_o,
    // page-table memory
    output wire                 wb_cyc_o,
    output wire                 wb_stb_o,
    output wire                 wb_we_o,
    output wire [PA_BITS-4:0]   wb_adr_o,
    output wire [63:0]          wb_dat_o,
    output wire [7:0]           wb_sel_o,
    input  wire [63:0]          wb_dat_i,
    input  wire                 wb_ack_i,
    input  wire                 wb_err_i,
    input  wire                 wb_stall_i
);
  // receive FIFO: WINDOW bytes, here or in the PHY
  wire       f_valid, f_ready, f_empty;
  wire [7:0] f_data;
  generate
    if (RX_FIFO != 0) begin : g_fifo
      mmu_fifo #(.WIDTH(8), .DEPTH(`MMU_LINK_WINDOW_N)) u_fifo (
          .clk_i(clk_i), .rst_ni(rst_ni),
          .in_valid_i(in_valid_i), .in_ready_o(in_ready_o), .in_data_i(in_data_i),
          .out_valid_o(f_valid), .out_ready_i(f_ready), .out_data_o(f_data), .empty_o(f_empty));
    end else begin : g_nofifo
      assign f_valid = in_valid_i;
      assign f_data = in_data_i;
      assign in_ready_o = f_ready;
      assign f_empty = !in_valid_i;
    end
  endgenerate

  // receiver and frame buffer
  wire       fw_en, frm_valid, frm_take, fr_en;
  wire [8:0] fw_addr, frm_len, fr_addr;
  wire [7:0] fw_data, fr_data;
  wire       ev_ok, ev_crc, ev_framing, ev_oversize;
  mmu_link_rx u_rx (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .in_valid_i(f_valid), .in_ready_o(f_ready), .in_data_i(f_data),
      .fw_en_o(fw_en), .fw_addr_o(fw_addr), .fw_data_o(fw_data),
      .frm_valid_o(frm_valid), .frm_len_o(frm_len), .frm_take_i(frm_take),
      .ev_ok_o(ev_ok), .ev_crc_o(ev_crc), .ev_framing_o(ev_framing), .ev_oversize_o(ev_oversize));
  mmu_ram #(.WIDTH(8), .DEPTH(512)) u_frame (
      .clk_i(clk_i),
      .rd_en_i(fr_en), .rd_addr_i(fr_addr), .rd_data_o(fr_data),
      .wr_en_i(fw_en), .wr_addr_i(fw_addr), .wr_data_i(fw_data));

  // sender
  wire       t_valid, t_ready, t_end, t_abort, t_idle;
  wire [7:0] t_data;
  mmu_link_tx u_tx (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .wr_valid_i(t_valid), .wr_ready_o(t_ready), .wr_data_i(t_data),
      .end_i(t_end), .abort_i(t_abort), .idle_o(t_idle),
      .out_valid_o(out_valid_o), .out_ready_i(out_ready_i), .out_data_o(out_data_o));

  // core <-> dispatcher
  wire                 core_rst_n;
  wire                 req_valid, req_ready, req_priv;
  wire [15:0]          req_tag;
  wire [ASID_BITS-1:0] req_asid;
  wire [63:0]          req_va;
  wire [1:0]           req_access;
  wire                 rsp_valid, rsp_ready, rsp_hit;
  wire [15:0]          rsp_tag, rsp_err;
  wire [3:0]           rsp_cause;
  wire [2:0]           rsp_level;
  wire [PA_BITS-1:0]   rsp_pa;
  wire [5:0]           rsp_perm, rsp_shift;
  wire [7:0]           rsp_exc;
  wire                 ctl_valid, ctl_ready, ctl_done;
  wire [1:0]           ctl_op, ctl_kind;
  wire [2:0]           ctl_mode;
  wire [ASID_BITS-1:0] ctl_asid;
  wire [63:0]          ctl_data;
  wire                 insp_valid, insp_ready, insp_rvalid;
  wire [2:0]           insp_array;
  wire [15:0]          insp_index;
  wire [63:0]          insp_data;
  // memory masters
  wire                 c_cyc, c_stb, c_we, d_cyc, d_stb, d_we;
  wire [PA_BITS-4:0]   c_adr, d_adr;
  wire [63:0]          c_dat, d_dat;
  wire [7:0]           c_sel, d_sel;

  mmu_link_disp #(
      .SETS(SETS), .WAYS(WAYS), .SP_N(SP_N), .PWC_N(PWC_N), .ASID_BITS(ASID_BITS),
      .PA_BITS(PA_BITS), .MODES(MODES), .MEM_BYTES(MEM_BYTES), .CLK_KHZ(CLK_KHZ)) u_disp (
      .clk_i(clk_i), .rst_ni(rst_ni),
      .frm_valid_i(frm_valid), .frm_len_i(frm_len), .frm_take_o(frm_take),
      .fr_en_o(fr_en), .fr_addr_o(fr_addr), .fr_data_i(fr_data),
      .ev_ok_i(ev_ok), .ev_crc_i(ev_crc), .ev_framing_i(ev_framing), .ev_oversize_i(ev_oversize),
      .tx_valid_o(t_valid), .tx_ready_i(t_ready), .tx_data_o(t_data),
      .tx_end_o(t_end), .tx_abort_o(t_abort), .tx_idle_i(t_idle),
      .core_rst_no(core_rst_n),
      .req_valid_o(req_valid), .req_ready_i(req_ready), .req_tag_o(req_tag),
      .req_asid_o(req_asid), .req_va_o(req_va), .req_access_o(req_access), .req_priv_o(req_priv),
      .rsp_valid_i(rsp_valid), .rsp_ready_o(rsp_ready), .rsp_tag_i(rsp_tag),
      .rsp_cause_i(rsp_cause), .rsp_level_i(rsp_level), .rsp_pa_i(rsp_pa),
      .rsp_perm_i(rsp_perm), .rsp_page_shift_i(rsp_shift), .rsp_hit_i(rsp_hit),
      .rsp_exc_i(rsp_exc), .rsp_err_i(rsp_err),
      .ctl_valid_o(ctl_valid), .ctl_ready_i(ctl_ready), .ctl_op_o(ctl_op),
      .ctl_kind_o(ctl_kind), .ctl_mode_o(ctl_mode), .ctl_asid_o(ctl_asid),
      .ctl_data_o(ctl_data), .ctl_done_i(ctl_done),
      .insp_valid_o(insp_valid), .insp_ready_i(insp_ready), .insp_array_o(insp_array),
      .insp_index_o(insp_index), .insp_rvalid_i(insp_rvalid), .insp_data_i(insp_data),
      .m_cyc_o(d_cyc), .m_stb_o(d_stb), .m_we_o(d_we), .m_adr_o(d_adr), .m_dat_o(d_dat),
      .m_sel_o(d_sel), .m_dat_i(wb_dat_i), .m_ack_i(wb_ack_i && !c_cyc),
      .m_err_i(wb_err_i && !c_cyc), .m_stall_i(wb_stall_i || c_cyc));

  // HUM 0: the core answers in request order (blocking behind walks); the
  // link's frames do not depend on it, but hit-under-miss costs logic cells
  // the UP5K does not have to spare (docs/results.md)
  /* verilator lint_off PINCONNECTEMPTY */
  mmu_core #(
      .SETS(SETS), .WAYS(WAYS), .SP_N(SP_N), .PWC_N(PWC_N), .ASID_BITS(ASID_BITS),
      .PA_BITS(PA_BITS), .TAG_W(16), .INSPECT(INSPECT), .HUM(0), .MODES(MODES)) u_core (
      .clk_i(clk_i), .rst_ni(rst_ni && core_rst_n),
      .req_valid_i(req_valid), .req_ready_o(req_ready), .req_tag_i(req_tag),
      .req_asid_i(req_asid), .req_va_i(req_va), .req_access_i(req_access), .req_priv_i(req_priv),
      .rsp_valid_o(rsp_valid), .rsp_ready_i(rsp_ready), .rsp_tag_o(rsp_tag),
      .rsp_cause_o(rsp_cause), .rsp_level_o(rsp_level), .rsp_pa_o(rsp_pa),
      .rsp_perm_o(rsp_perm), .rsp_page_shift_o(rsp_shift), .rsp_hit_o(rsp_hit),
      .rsp_exc_o(rsp_exc), .rsp_err_o(rsp_err),
      .ctl_valid_i(ctl_valid), .ctl_ready_o(ctl_ready), .ctl_op_i(ctl_op),
      .ctl_kind_i(ctl_kind), .ctl_mode_i(ctl_mode), .ctl_asid_i(ctl_asid),
      .ctl_data_i(ctl_data), .ctl_done_o(ctl_done),
      .wb_cyc_o(c_cyc), .wb_stb_o(c_stb), .wb_we_o(c_we), .wb_adr_o(c_adr),
      .wb_dat_o(c_dat), .wb_sel_o(c_sel), .wb_dat_i(wb_dat_i),
      .wb_ack_i(wb_ack_i && c_cyc), .wb_err_i(wb_err_i && c_cyc), .wb_stall_i(wb_stall_i),
      .insp_valid_i(insp_valid), .insp_ready_o(insp_ready), .insp_array_i(insp_array),
      .insp_index_i(insp_index), .insp_rvalid_o(insp_rvalid), .insp_ev_o(),
      .insp_vpn_o(), .insp_ppn_o(), .insp_asid_o(), .insp_level_o(), .insp_shift_o(),
      .insp_perm_o(), .insp_data_o(insp_data), .insp_set_o());
  /* verilator lint_on PINCONNECTEMPTY */

  assign wb_cyc_o = c_cyc || d_cyc;
  assign wb_stb_o = c_cyc ? c_stb : d_stb;
  assign wb_we_o  = c_cyc ? c_we  : d_we;
  assign wb_adr_o = c_cyc ? c_adr : d_adr;
  // both masters write one byte copied into all eight lanes (the core's A/D
  // byte, docs/spec-translation.md; the dispatcher's memory byte), so one
  // byte is muxed
  assign wb_dat_o = {8{c_cyc ? c_dat[7:0] : d_dat[7:0]}};
  assign wb_sel_o = c_cyc ? c_sel : d_sel;

  assign idle_o = f_empty && !frm_valid && t_idle && !out_valid_o;

`ifndef SYNTHESIS
  always @(posedge clk_i)
    if (rst_ni && wb_cyc_o && wb_stb_o && wb_we_o &&
        (c_cyc ? c_dat != {8{c_dat[7:0]}} : d_dat != {8{d_dat[7:0]}})) begin
      $display("mmu_board: a memory write whose lanes differ");
      $stop;
    end else if (rst_ni && c_cyc && d_cyc) begin
      $display("mmu_board: core and dispatcher both hold the memory bus");
      $stop;
    end
`endif
endmodule

`default_nettype wire

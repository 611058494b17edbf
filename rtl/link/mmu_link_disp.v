// mmu_link_disp.v - command dispatcher: executes one received frame at a time
// against the MMU core and the page-table memory, and writes its answer.
//
// Frames (docs/protocol.md) come from mmu_link_rx through the frame buffer;
// answers go to mmu_link_tx.  A frame is taken only when the sender is idle,
// and released once its answer is complete, so every good frame gets exactly
// one answer (its own type with MSG_ANSWER set, or a NAK) and commands run
// in order: a FENCE is answered at once because everything before it has
// already completed.  Checks come before effects: a frame with a bad length,
// field or address is NAKed without touching the core or the memory.
//
// TRANSLATE: a first pass checks every record's ASID and flags; a second
// issues the requests to the core while a collector turns each response into
// a 16-byte record (records follow the core's answer order; tags match them).
//
// Parameters describe the build for INFO (and bound CSR/ASID checks).
`default_nettype none
`include "mmu_constants.vh"

module mmu_link_disp #(
    parameter integer SETS      = 64,
    parameter integer WAYS      = 4,
    parameter integer SP_N      = 8,
    parameter integer PWC_N     = 8,
    parameter integer ASID_BITS = 8,
    parameter integer PA_BITS   = 56,
    parameter integer MODES     = 0,     // bit m = MODE m built in (0: all but textbook)
    parameter integer MEM_BYTES = 131072,
    parameter integer CLK_KHZ   = 0
) (
    input  wire                 clk_i,
    input  wire                 rst_ni,
    // the received frame
    input  wire                 frm_valid_i,
    input  wire [8:0]           frm_len_i,
    output reg                  frm_take_o,
    output reg                  fr_en_o,
    output reg  [8:0]           fr_addr_o,
    input  wire [7:0]           fr_data_i,
    // receiver events (counted here)
    input  wire                 ev_ok_i,
    input  wire                 ev_crc_i,
    input  wire                 ev_framing_i,
    input  wire                 ev_oversize_i,
    // the answer
    output wire                 tx_valid_o,
    input  wire                 tx_ready_i,
    output wire [7:0]           tx_data_o,
    output reg                  tx_end_o,
    output reg                  tx_abort_o,
    input  wire                 tx_idle_i,
    // the core
    output reg                  core_rst_no,
    output reg                  req_valid_o,
    input  wire                 req_ready_i,
    output reg  [15:0]          req_tag_o,
    output reg  [ASID_BITS-1:0] req_asid_o,
    output reg  [63:0]          req_va_o,
    output reg  [1:0]           req_access_o,
    output reg                  req_priv_o,
    input  wire                 rsp_valid_i,
    output wire                 rsp_ready_o,
    input  wire [15:0]          rsp_tag_i,
    input  wire [3:0]           rsp_cause_i,
    input  wire [2:0]           rsp_level_i,
    input  wire [PA_BITS-1:0]   rsp_pa_i,
    input  wire [5:0]           rsp_perm_i,
    input  wire [5:0]           rsp_page_shift_i,
    input  wire                 rsp_hit_i,
    input  wire [7:0]           rsp_exc_i,
    input  wire [15:0]          rsp_err_i,
    output reg                  ctl_valid_o,
    input  wire                 ctl_ready_i,
    output reg  [1:0]           ctl_op_o,
    output reg  [1:0]           ctl_kind_o,
    output reg  [2:0]           ctl_mode_o,
    output reg  [ASID_BITS-1:0] ctl_asid_o,
    output reg  [63:0]          ctl_data_o,
    input  wire                 ctl_done_i,
    output reg                  insp_valid_o,
    input  wire                 insp_ready_i,
    output reg  [2:0]           insp_array_o,
    output reg  [15:0]          insp_index_o,
    input  wire                 insp_rvalid_i,
    input  wire [63:0]          insp_data_i,
    // page-table memory (Wishbone B4 pipelined master, one access at a time)
    output reg                  m_cyc_o,
    output reg                  m_stb_o,
    output reg                  m_we_o,
    output reg  [PA_BITS-4:0]   m_adr_o,
    output reg  [63:0]          m_dat_o,
    output reg  [7:0]           m_sel_o,
    input  wire [63:0]          m_dat_i,
    input  wire                 m_ack_i,
    input  wire                 m_err_i,
    input  wire                 m_stall_i
);
  localparam integer PPN_W = PA_BITS - 12;
  localparam integer NCNT  = `MMU_CNT_COUNT;
  localparam integer NLC   = `MMU_LCNT_COUNT;
  localparam [7:0] MODES_MASK = (MODES == 0) ? 8'h1f : MODES[7:0] | 8'h01;
  localparam [8:0] HDR = `MMU_LINK_HDR_BYTES_N;
  localparam [8:0] TREQ = `MMU_LINK_TREQ_BYTES_N;
  localparam [8:0] MAXTR = `MMU_LINK_TREQ_BYTES_N * `MMU_LINK_MAX_BATCH_N;
  localparam [8:0] MAXPL = `MMU_LINK_MAX_PAYLOAD_N;
  localparam [8:0] MEMHDR = `MMU_LINK_MEM_HDR_N;
  localparam [31:0] MEMB32 = MEM_BYTES;
  localparam [32:0] MEMB = MEMB32 + 33'd0;
  localparam [7:0] VER = `MMU_LINK_VERSION_N;
  localparam [7:0] ANS = `MMU_MSG_ANSWER;

  localparam [4:0]
    D_IDLE = 5'd0,  D_HDR = 5'd1,   D_END = 5'd2,    D_NAK = 5'd3,
    D_TRCNT = 5'd4, D_TRVAL = 5'd5, D_TRLD = 5'd6,   D_TRREQ = 5'd7,
    D_TRWAIT = 5'd8, D_CTL = 5'd9,  D_CTLW = 5'd10,  D_MWADR = 5'd11,
    D_MWB = 5'd12,  D_MWBUS = 5'd13, D_MWLD = 5'd25, D_MRLD = 5'd14, D_MRBUS = 5'd15,
    D_CSRLD = 5'd16, D_CSRRD = 5'd17, D_INSPW = 5'd18, D_STLD = 5'd19,
    D_ST = 5'd20,   D_STLNK = 5'd21, D_RST = 5'd22,   D_MRPUT = 5'd23,
    D_INVLD = 5'd24;

  reg [4:0]   st_q;
  reg [7:0]   type_q;
  reg [15:0]  tag_q;
  reg [8:0]   plen_q;            // payload bytes
  reg [7:0]   nak_q;             // NAK code to send
  // frame buffer reader: n bytes from ptr into ld_q, byte i at ld_q[8i+:8]
  reg [8:0]   ptr_q;
  reg [3:0]   ld_n_q;            // bytes left to request
  reg [3:0]   ld_i_q;            // index of the next byte to request
  reg         rd_v_q;            // a byte arrives this clock
  reg [3:0]   rd_i_q;            // ... for this index
  reg [103:0] ld_q;
  wire        ld_done = ld_n_q == 4'd0 && !rd_v_q;
  // answer bytes: put_n bytes of put_q go out, low byte first
  reg [127:0] put_q;
  reg [4:0]   put_n_q;
  // TRANSLATE
  reg [5:0]   n_q, issued_q, answered_q;
  reg [8:0]   cnt_rem_q;
  reg [8:0]   rec_q;             // next record's offset in the frame
  // memory
  reg [31:0]  maddr_q;
  reg [8:0]   mleft_q;
  reg [3:0]   mk_q;              // MEM_WRITE: bytes in this word
  // MEM_WRITE: bytes of the current word (to its end or the last byte), lanes
  wire [3:0]  mw_room = 4'd8 - {1'b0, maddr_q[2:0]};
  wire [3:0]  mw_k = (mleft_q < {5'd0, mw_room}) ? mleft_q[3:0] : mw_room;
  wire [7:0]  mw_sel = (8'hff >> (4'd8 - mk_q)) << maddr_q[2:0];
  // counters
  reg [4:0]   ci_q;              // counter index (STATS)
  reg [15:0]  lc_q [0:NLC-1];
  reg [63:0]  policy_q;
  reg [2:0]   rst_cnt_q;
  reg [ASID_BITS:0] rst_asid_q;  // RESET: next context to turn off

  integer i;

  assign tx_valid_o = put_n_q != 5'd0;
  assign tx_data_o = put_q[7:0];
  wire put_go = tx_valid_o && tx_ready_i;
  wire collect = st_q == D_TRWAIT || st_q == D_TRLD || st_q == D_TRREQ;
  assign rsp_ready_o = collect && put_n_q == 5'd0;

  // the frame buffer is read only by the loader
  always @* begin
    fr_en_o = ld_n_q != 4'd0;
    fr_addr_o = ptr_q;
  end

  // field views of ld_q
  wire [15:0] f_u16_0 = ld_q[15:0];
  wire [15:0] f_u16_1 = ld_q[23:8];
  wire [15:0] f_u16_4 = ld_q[47:32];
  wire [31:0] f_u32_0 = ld_q[31:0];

  // a request record's ASID and flags are acceptable
  wire rec_ok = (f_u16_0 >> ASID_BITS) == 16'd0 && ld_q[23:19] == 5'd0 && ld_q[17:16] != 2'd3;

  // INFO payload
  wire [191:0] info_w;
  assign info_w[7:0] = VER;
  assign info_w[15:8] = MODES_MASK & 8'hfe;
  assign info_w[31:16] = SETS[15:0];
  assign info_w[39:32] = WAYS[7:0];
  assign info_w[47:40] = SP_N[7:0];
  assign info_w[55:48] = PWC_N[7:0];
  assign info_w[63:56] = ASID_BITS[7:0];
  assign info_w[71:64] = PA_BITS[7:0];
  assign info_w[79:72] = 8'd16;
  assign info_w[87:80] = `MMU_LINK_MAX_BATCH_N;
  assign info_w[95:88] = NCNT[7:0];
  assign info_w[127:96] = MEM_BYTES[31:0];
  assign info_w[143:128] = `MMU_LINK_WINDOW;
  assign info_w[159:144] = `MMU_LINK_MAX_FRAME;
  assign info_w[191:160] = CLK_KHZ[31:0];

  // header of this frame's answer
  wire [31:0] ans_hdr = {tag_q, type_q | ANS, VER};

  // a memory range [addr, addr+len) inside the page-table memory
  function f_in_mem(input [31:0] addr, input [8:0] len);
    f_in_mem = {1'b0, addr} + {24'd0, len} <= MEMB;
  endfunction

  // start a control operation (completion is awaited in D_CTL/D_CTLW)
  task t_ctl(input [1:0] op, input [1:0] kind, input [2:0] mode,
             input [ASID_BITS-1:0] asid, input [63:0] data);
    begin
      ctl_valid_o <= 1'b1;
      ctl_op_o <= op;
      ctl_kind_o <= kind;
      ctl_mode_o <= mode;
      ctl_asid_o <= asid;
      ctl_data_o <= data;
      st_q <= D_CTL;
    end
  endtask

  // queue this frame's answer header (payload, if any, follows)
  task t_ans_hdr;
    begin
      put_q <= {96'd0, ans_hdr};
      put_n_q <= 5'd4;
    end
  endtask

  always @(posedge clk_i) begin
    frm_take_o <= 1'b0;
    tx_end_o <= 1'b0;
    tx_abort_o <= 1'b0;
    if (!rst_ni) begin
      st_q <= D_IDLE;
      type_q <= 8'd0;
      tag_q <= 16'd0;
      plen_q <= 9'd0;
      nak_q <= 8'd0;
      ptr_q <= 9'd0;
      ld_n_q <= 4'd0;
      ld_i_q <= 4'd0;
      rd_v_q <= 1'b0;
      rd_i_q <= 4'd0;
      ld_q <= 104'd0;
      put_q <= 128'd0;
      put_n_q <= 5'd0;
      n_q <= 6'd0;
      issued_q <= 6'd0;
      answered_q <= 6'd0;
      cnt_rem_q <= 9'd0;
      rec_q <= 9'd0;
      maddr_q <= 32'd0;
      mleft_q <= 9'd0;
      mk_q <= 4'd0;
      ci_q <= 5'd0;
      for (i = 0; i < NLC; i = i + 1) lc_q[i] <= 16'd0;
      policy_q <= 64'd0;
      rst_cnt_q <= 3'd0;
      rst_asid_q <= {(ASID_BITS+1){1'b0}};
      core_rst_no <= 1'b0;
      req_valid_o <= 1'b0;
      req_tag_o <= 16'd0;
      req_asid_o <= {ASID_BITS{1'b0}};
      req_va_o <= 64'd0;
      req_access_o <= 2'd0;
      req_priv_o <= 1'b0;
      ctl_valid_o <= 1'b0;
      ctl_op_o <= 2'd0;
      ctl_kind_o <= 2'd0;
      ctl_mode_o <= 3'd0;
      ctl_asid_o <= {ASID_BITS{1'b0}};
      ctl_data_o <= 64'd0;
      insp_valid_o <= 1'b0;
      insp_array_o <= 3'd0;
      insp_index_o <= 16'd0;
      m_cyc_o <= 1'b0;
      m_stb_o <= 1'b0;
      m_we_o <= 1'b0;
      m_adr_o <= {(PA_BITS-3){1'b0}};
      m_dat_o <= 64'd0;
      m_sel_o <= 8'd0;
    end else begin
      core_rst_no <= 1'b1;
      // receiver events
      if (ev_ok_i) lc_q[`MMU_LCNT_FRAMES_N] <= lc_q[`MMU_LCNT_FRAMES_N] + 16'd1;
      if (ev_crc_i) lc_q[`MMU_LCNT_CRC_N] <= lc_q[`MMU_LCNT_CRC_N] + 16'd1;
      if (ev_framing_i) lc_q[`MMU_LCNT_FRAMING_N] <= lc_q[`MMU_LCNT_FRAMING_N] + 16'd1;
      if (ev_oversize_i) lc_q[`MMU_LCNT_OVERSIZE_N] <= lc_q[`MMU_LCNT_OVERSIZE_N] + 16'd1;
      // loader
      rd_v_q <= 1'b0;
      if (ld_n_q != 4'd0) begin
        ptr_q <= ptr_q + 9'd1;
        ld_n_q <= ld_n_q - 4'd1;
        ld_i_q <= ld_i_q + 4'd1;
        rd_v_q <= 1'b1;
        rd_i_q <= ld_i_q;
      end
      if (rd_v_q) ld_q[rd_i_q*8 +: 8] <= fr_data_i;
      // answer bytes
      if (put_go) begin
        put_q <= {8'd0, put_q[127:8]};
        put_n_q <= put_n_q - 5'd1;
      end
      // TRANSLATE collector: one response record at a time
      if (rsp_valid_i && rsp_ready_o) begin
        put_q <= {{(64-PA_BITS){1'b0}}, rsp_pa_i, rsp_err_i, rsp_exc_i, 2'd0, rsp_page_shift_i,
                  2'd0, rsp_perm_i, rsp_hit_i, rsp_level_i, rsp_cause_i, rsp_tag_i};
        put_n_q <= 5'd16;
        answered_q <= answered_q + 6'd1;
      end

      case (st_q)
        D_IDLE:
          if (frm_valid_i && !frm_take_o && tx_idle_i) begin
            ptr_q <= 9'd0;
            ld_n_q <= 4'd4;
            ld_i_q <= 4'd0;
            plen_q <= frm_len_i - HDR;
            st_q <= D_HDR;
          end
        D_HDR:
          if (ld_done) begin
            type_q <= ld_q[15:8];
            tag_q <= ld_q[31:16];
            ld_i_q <= 4'd0;
            st_q <= D_NAK;
            nak_q <= `MMU_NAK_LENGTH;
            if (ld_q[7:0] != VER) begin
              nak_q <= `MMU_NAK_VERSION;
            end else begin
              case (ld_q[15:8])
                `MMU_MSG_INFO:
                  if (plen_q == 9'd0) begin
                    put_q <= {info_w[95:0], ld_q[31:16], ld_q[15:8] | ANS, VER};
                    put_n_q <= 5'd16;
                    ld_q[95:0] <= info_w[191:96];   // the rest follows in D_STLNK's way
                    ci_q <= 5'd12;
                    st_q <= D_MRPUT;
                  end
                `MMU_MSG_TRANSLATE:
                  if (plen_q != 9'd0 && plen_q <= MAXTR) begin
                    cnt_rem_q <= plen_q;
                    n_q <= 6'd0;
                    st_q <= D_TRCNT;
                  end
                `MMU_MSG_INVALIDATE:
                  if (plen_q == `MMU_LINK_INVAL_BYTES_N) begin
                    ld_n_q <= 4'd11;
                    st_q <= D_INVLD;
                  end
                `MMU_MSG_FENCE, `MMU_MSG_RESET:
                  if (plen_q == 9'd0) begin
                    if (ld_q[15:8] == `MMU_MSG_RESET) begin
                      core_rst_no <= 1'b0;
                      rst_cnt_q <= 3'd3;
                      rst_asid_q <= {(ASID_BITS+1){1'b0}};
                      policy_q <= 64'd0;
                      st_q <= D_RST;
                    end else begin
                      put_q <= {96'd0, ld_q[31:16], ld_q[15:8] | ANS, VER};
                      put_n_q <= 5'd4;
                      st_q <= D_END;
                    end
                  end
                `MMU_MSG_MEM_WRITE:
                  if (plen_q >= MEMHDR) begin
                    ld_n_q <= 4'd4;
                    st_q <= D_MWADR;
                  end
                `MMU_MSG_MEM_READ:
                  if (plen_q == `MMU_LINK_MEMR_BYTES_N) begin
                    ld_n_q <= 4'd6;
                    st_q <= D_MRLD;
                  end
                `MMU_MSG_CSR_WRITE:
                  if (plen_q == `MMU_LINK_CSR_BYTES_N) begin
                    ld_n_q <= 4'd12;
                    st_q <= D_CSRLD;
                  end
                `MMU_MSG_CSR_READ:
                  if (plen_q == 9'd3) begin
                    ld_n_q <= 4'd3;
                    st_q <= D_CSRRD;
                  end
                `MMU_MSG_STATS:
                  if (plen_q == 9'd1) begin
                    ld_n_q <= 4'd1;
                    st_q <= D_STLD;
                  end
                default: nak_q <= `MMU_NAK_TYPE;
              endcase
            end
          end

        // ---- TRANSLATE: count the records (the payload must be a whole number)
        D_TRCNT:
          if (cnt_rem_q >= TREQ) begin
            cnt_rem_q <= cnt_rem_q - TREQ;
            n_q <= n_q + 6'd1;
          end else if (cnt_rem_q != 9'd0) begin
            nak_q <= `MMU_NAK_LENGTH;
            st_q <= D_NAK;
          end else begin
            rec_q <= HDR + TREQ;
            ptr_q <= HDR + `MMU_TREQ_ASID;
            ld_n_q <= 4'd3;
            ld_i_q <= 4'd0;
            issued_q <= 6'd0;
            st_q <= D_TRVAL;
          end
        // first pass: ASID and flags of every record
        D_TRVAL:
          if (ld_done) begin
            if (!rec_ok) begin
              nak_q <= `MMU_NAK_ARGUMENT;
              st_q <= D_NAK;
            end else if (issued_q + 6'd1 == n_q) begin
              issued_q <= 6'd0;
              answered_q <= 6'd0;
              t_ans_hdr;
              ptr_q <= HDR;
              ld_n_q <= 4'd13;
              ld_i_q <= 4'd0;
              rec_q <= HDR + TREQ;
              st_q <= D_TRLD;
            end else begin
              issued_q <= issued_q + 6'd1;
              ptr_q <= rec_q + `MMU_TREQ_ASID;
              rec_q <= rec_q + TREQ;
              ld_n_q <= 4'd3;
              ld_i_q <= 4'd0;
            end
          end
        // second pass: issue
        D_TRLD:
          if (ld_done) begin
            req_valid_o <= 1'b1;
            req_tag_o <= ld_q[15:0];
            req_asid_o <= ld_q[16 +: ASID_BITS];
            req_access_o <= ld_q[33:32];
            req_priv_o <= ld_q[34];
            req_va_o <= ld_q[103:40];
            st_q <= D_TRREQ;
          end
        D_TRREQ:
          if (req_ready_i) begin
            req_valid_o <= 1'b0;
            issued_q <= issued_q + 6'd1;
            if (issued_q + 6'd1 == n_q) begin
              st_q <= D_TRWAIT;
            end else begin
              ptr_q <= rec_q;
              rec_q <= rec_q + TREQ;
              ld_n_q <= 4'd13;
              ld_i_q <= 4'd0;
              st_q <= D_TRLD;
            end
          end
        D_TRWAIT:
          if (answered_q == n_q && put_n_q == 5'd0 && !(rsp_valid_i && rsp_ready_o))
            st_q <= D_END;

        // ---- INVALIDATE
        D_INVLD:
          if (ld_done) begin
            if (ld_q[7:2] != 6'd0 || (f_u16_1 >> ASID_BITS) != 16'd0) begin
              nak_q <= `MMU_NAK_ARGUMENT;
              st_q <= D_NAK;
            end else begin
              t_ctl(2'd2, ld_q[1:0], 3'd0, ld_q[8 +: ASID_BITS], ld_q[87:24]);
            end
          end

        // ---- CSR_WRITE
        D_CSRLD:
          if (ld_done) begin
            st_q <= D_NAK;
            nak_q <= `MMU_NAK_ARGUMENT;
            if (ld_q[7:0] == `MMU_CSR_CONTEXT) begin
              if ((f_u16_1 >> ASID_BITS) == 16'd0 && ld_q[31:27] == 5'd0 &&
                  MODES_MASK[ld_q[26:24]] && (ld_q[95:32] & 64'hfff) == 64'd0 &&
                  (ld_q[95:32] >> PA_BITS) == 64'd0) begin
                t_ctl(2'd0, 2'd0, ld_q[26:24], ld_q[8 +: ASID_BITS], ld_q[95:32]);
              end
            end else if (ld_q[7:0] == `MMU_CSR_POLICY) begin
              t_ctl(2'd1, 2'd0, 3'd0, {ASID_BITS{1'b0}}, ld_q[95:32]);
              policy_q <= ld_q[95:32];
            end
          end
        D_CTL:
          if (ctl_ready_i) begin
            ctl_valid_o <= 1'b0;
            st_q <= D_CTLW;
          end
        D_CTLW:
          if (ctl_done_i) begin
            if (type_q == `MMU_MSG_RESET) begin
              rst_asid_q <= rst_asid_q + 1'b1;
              st_q <= D_RST;
            end else if (type_q == `MMU_MSG_STATS) begin
              for (i = 0; i < NLC; i = i + 1) lc_q[i] <= 16'd0;
              st_q <= D_END;
            end else begin
              t_ans_hdr;
              st_q <= D_END;
            end
          end

        // ---- CSR_READ
        D_CSRRD:
          if (ld_done) begin
            st_q <= D_NAK;
            nak_q <= `MMU_NAK_ARGUMENT;
            if (ld_q[7:0] == `MMU_CSR_CONTEXT && (f_u16_1 >> ASID_BITS) == 16'd0) begin
              insp_valid_o <= 1'b1;
              insp_array_o <= 3'd5;
              insp_index_o <= {{(16-ASID_BITS){1'b0}}, ld_q[8 +: ASID_BITS]};
              st_q <= D_INSPW;
            end else if (ld_q[7:0] == `MMU_CSR_POLICY) begin
              put_q <= {policy_q, 8'd0, 16'd0, `MMU_CSR_POLICY, ans_hdr};
              put_n_q <= 5'd16;
              st_q <= D_END;
            end
          end
        D_INSPW: begin
          if (insp_ready_i) insp_valid_o <= 1'b0;
          if (insp_rvalid_i) begin
            if (type_q == `MMU_MSG_STATS) begin
              put_q <= {96'd0, insp_data_i[31:0]};
              put_n_q <= 5'd4;
              ci_q <= ci_q + 5'd1;
              st_q <= D_ST;
            end else begin
              put_q <= {{(64-PA_BITS){1'b0}}, insp_data_i[PPN_W-1:0], 12'd0,
                        5'd0, insp_data_i[PPN_W +: 3], ld_q[23:8], `MMU_CSR_CONTEXT, ans_hdr};
              put_n_q <= 5'd16;
              st_q <= D_END;
            end
          end
        end

        // ---- STATS: MMU counters through the inspection port, then the link's
        D_STLD:
          if (ld_done) begin
            if (ld_q[7:1] != 7'd0) begin
              nak_q <= `MMU_NAK_ARGUMENT;
              st_q <= D_NAK;
            end else begin
              t_ans_hdr;
              ci_q <= 5'd0;
              st_q <= D_ST;
            end
          end
        D_ST:
          if (put_n_q == 5'd0) begin
            if (ci_q == NCNT[4:0]) begin
              for (i = 0; i < NLC; i = i + 1) put_q[16*i +: 16] <= lc_q[i];
              put_n_q <= 5'd2 * NLC[4:0];
              st_q <= D_STLNK;
            end else begin
              insp_valid_o <= 1'b1;
              insp_array_o <= 3'd4;
              insp_index_o <= {11'd0, ci_q};
              st_q <= D_INSPW;
            end
          end
        D_STLNK:
          if (put_n_q == 5'd0) begin
            if (ld_q[0]) begin
              t_ctl(2'd3, 2'd0, 3'd0, {ASID_BITS{1'b0}}, 64'd0);
            end else begin
              st_q <= D_END;
            end
          end

        // ---- RESET: hold the core in reset, then wait for its sweep
        D_RST:
          if (rst_cnt_q != 3'd0) begin
            core_rst_no <= 1'b0;
            rst_cnt_q <= rst_cnt_q - 3'd1;
          end else if (core_rst_no && ctl_ready_i && !ctl_valid_o) begin
            // the core's reset keeps its context RAM: turn every context off
            if (rst_asid_q[ASID_BITS]) begin
              t_ans_hdr;
              for (i = 0; i < NLC; i = i + 1) lc_q[i] <= 16'd0;
              st_q <= D_END;
            end else begin
              t_ctl(2'd0, 2'd0, `MMU_MODE_OFF, rst_asid_q[ASID_BITS-1:0], 64'd0);
            end
          end

        // ---- MEM_WRITE: address, range check, then byte by byte
        D_MWADR:
          if (ld_done) begin
            maddr_q <= f_u32_0;
            mleft_q <= plen_q - MEMHDR;
            ld_i_q <= 4'd0;
            if (!f_in_mem(f_u32_0, plen_q - MEMHDR)) begin
              nak_q <= `MMU_NAK_ADDRESS;
              st_q <= D_NAK;
            end else begin
              st_q <= D_MWB;
            end
          end
        // a word at a time: the loader puts each byte straight into its lane
        D_MWB:
          if (mleft_q == 9'd0) begin
            t_ans_hdr;
            st_q <= D_END;
          end else begin
            mk_q <= mw_k;
            ld_n_q <= mw_k;
            ld_i_q <= {1'b0, maddr_q[2:0]};
            st_q <= D_MWLD;
          end
        D_MWLD:
          if (ld_done) begin
            m_cyc_o <= 1'b1;
            m_stb_o <= 1'b1;
            m_we_o <= 1'b1;
            m_adr_o <= {{(PA_BITS-32){1'b0}}, maddr_q[31:3]};
            m_dat_o <= ld_q[63:0];
            m_sel_o <= mw_sel;
            st_q <= D_MWBUS;
          end
        D_MWBUS: begin
          if (!m_stall_i) m_stb_o <= 1'b0;
          if (m_ack_i || m_err_i) begin
            m_cyc_o <= 1'b0;
            m_stb_o <= 1'b0;
            maddr_q <= maddr_q + {28'd0, mk_q};
            mleft_q <= mleft_q - {5'd0, mk_q};
            st_q <= D_MWB;
            if (m_err_i) begin
              nak_q <= `MMU_NAK_BUS;
              st_q <= D_NAK;
            end
          end
        end

        // ---- MEM_READ: range check, then byte by byte into the answer
        D_MRLD:
          if (ld_done) begin
            maddr_q <= f_u32_0;
            mleft_q <= f_u16_4[8:0];
            if (f_u16_4 == 16'd0 || f_u16_4 > {7'd0, MAXPL}) begin
              nak_q <= `MMU_NAK_LENGTH;
              st_q <= D_NAK;
            end else if (!f_in_mem(f_u32_0, f_u16_4[8:0])) begin
              nak_q <= `MMU_NAK_ADDRESS;
              st_q <= D_NAK;
            end else begin
              t_ans_hdr;
              ci_q <= 5'd0;
              st_q <= D_MRPUT;
            end
          end
        // shared by MEM_READ (ci_q = 0: bytes from memory) and INFO (ci_q =
        // bytes left in ld_q)
        D_MRPUT:
          if (ci_q != 5'd0) begin
            if (put_n_q == 5'd0) begin
              put_q <= {32'd0, ld_q[95:0]};
              put_n_q <= ci_q;
              ci_q <= 5'd0;
              st_q <= D_END;
            end
          end else if (mleft_q == 9'd0) begin
            st_q <= D_END;
          end else if (put_n_q == 5'd0 && !m_cyc_o) begin
            m_cyc_o <= 1'b1;
            m_stb_o <= 1'b1;
            m_we_o <= 1'b0;
            m_adr_o <= {{(PA_BITS-32){1'b0}}, maddr_q[31:3]};
            m_sel_o <= 8'hff;
            st_q <= D_MRBUS;
          end
        D_MRBUS: begin
          if (!m_stall_i) m_stb_o <= 1'b0;
          if (m_ack_i || m_err_i) begin
            m_cyc_o <= 1'b0;
            m_stb_o <= 1'b0;
            if (maddr_q[2:0] == 3'd0 && mleft_q >= 9'd8) begin
              put_q <= {64'd0, m_dat_i};       // a whole aligned word
              put_n_q <= 5'd8;
              maddr_q <= maddr_q + 32'd8;
              mleft_q <= mleft_q - 9'd8;
            end else begin
              put_q <= {120'd0, m_dat_i[maddr_q[2:0]*8 +: 8]};
              put_n_q <= 5'd1;
              maddr_q <= maddr_q + 32'd1;
              mleft_q <= mleft_q - 9'd1;
            end
            st_q <= D_MRPUT;
            if (m_err_i) begin
              put_n_q <= 5'd0;
              tx_abort_o <= 1'b1;
              nak_q <= `MMU_NAK_BUS;
              st_q <= D_NAK;
            end
          end
        end

        // ---- NAK: code and the refused type
        D_NAK:
          if (put_n_q == 5'd0 && !tx_abort_o) begin
            put_q <= {80'd0, type_q, nak_q, tag_q, `MMU_MSG_NAK, VER};
            put_n_q <= 5'd6;
            lc_q[`MMU_LCNT_NAKS_N] <= lc_q[`MMU_LCNT_NAKS_N] + 16'd1;
            st_q <= D_END;
          end

        // ---- close the answer and release the frame
        D_END:
          if (put_n_q == 5'd0) begin
            tx_end_o <= 1'b1;
            frm_take_o <= 1'b1;
            st_q <= D_IDLE;
          end
        default: st_q <= D_IDLE;
      endcase
    end
  end
endmodule

`default_nettype wire

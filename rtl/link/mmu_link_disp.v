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
// Built to be small (it shares the UP5K with the core):
// - Fields are read a byte a clock into one shift register (ld_q) that
//   fills from the top; every request's fields then sit at fixed places,
//   and the core's request and control inputs are wired straight to them
//   (a request's 64-bit VA or value is always the last 8 bytes, ld_q[103:40]).
// - Answers are not assembled: a byte source and an index pick each byte as
//   the sender takes it (the header, INFO constants, the core's held
//   response, its held inspection data, counters, a memory byte).
// - Memory is written and read a byte a bus cycle.
//
// TRANSLATE: a first pass checks every record's ASID and flags; a second
// issues the requests to the core, and each response becomes a 16-byte
// record, read from the core's response registers, which hold it until the
// record's last byte is taken (records follow the core's answer order; their
// tags match them to the requests).
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
    output wire                 fr_en_o,
    output wire [8:0]           fr_addr_o,
    input  wire [7:0]           fr_data_i,
    // receiver events (counted here)
    input  wire                 ev_ok_i,
    input  wire                 ev_crc_i,
    input  wire                 ev_framing_i,
    input  wire                 ev_oversize_i,
    // the answer
    output wire                 tx_valid_o,
    input  wire                 tx_ready_i,
    output reg  [7:0]           tx_data_o,
    output reg                  tx_end_o,
    output reg                  tx_abort_o,
    input  wire                 tx_idle_i,
    // the core
    output reg                  core_rst_no,
    output reg                  req_valid_o,
    input  wire                 req_ready_i,
    output wire [15:0]          req_tag_o,
    output wire [ASID_BITS-1:0] req_asid_o,
    output wire [63:0]          req_va_o,
    output wire [1:0]           req_access_o,
    output wire                 req_priv_o,
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
    output wire [1:0]           ctl_kind_o,
    output wire [2:0]           ctl_mode_o,
    output wire [ASID_BITS-1:0] ctl_asid_o,
    output wire [63:0]          ctl_data_o,
    input  wire                 ctl_done_i,
    output reg                  insp_valid_o,
    input  wire                 insp_ready_i,
    output wire [2:0]           insp_array_o,
    output wire [15:0]          insp_index_o,
    input  wire                 insp_rvalid_i,
    input  wire [63:0]          insp_data_i,
    // page-table memory (Wishbone B4 pipelined master, one byte a cycle)
    output reg                  m_cyc_o,
    output reg                  m_stb_o,
    output wire                 m_we_o,
    output wire [PA_BITS-4:0]   m_adr_o,
    output wire [63:0]          m_dat_o,
    output wire [7:0]           m_sel_o,
    input  wire [63:0]          m_dat_i,
    input  wire                 m_ack_i,
    input  wire                 m_err_i,
    input  wire                 m_stall_i
);
  localparam integer PPN_W = PA_BITS - 12;
  localparam integer NCNT  = `MMU_CNT_COUNT;
  localparam integer NLC   = `MMU_LCNT_COUNT;
  localparam integer MAW   = $clog2(MEM_BYTES);      // memory byte-address bits
  localparam [7:0] MODES_MASK = (MODES == 0) ? 8'h1f : MODES[7:0] | 8'h01;
  localparam [8:0] HDR = `MMU_LINK_HDR_BYTES_N;
  localparam [8:0] TREQ = `MMU_LINK_TREQ_BYTES_N;
  localparam [8:0] MAXTR = `MMU_LINK_TREQ_BYTES_N * `MMU_LINK_MAX_BATCH_N;
  localparam [8:0] MAXPL = `MMU_LINK_MAX_PAYLOAD_N;
  localparam [8:0] MEMHDR = `MMU_LINK_MEM_HDR_N;
  localparam [31:0] MEMB32 = MEM_BYTES;      // a power of two
  localparam [7:0] VER = `MMU_LINK_VERSION_N;
  localparam [7:0] ANS = `MMU_MSG_ANSWER;
  localparam [7:0] MAXB = `MMU_LINK_MAX_BATCH_N;
  localparam [4:0] INFO_N = `MMU_LINK_INFO_BYTES_N;
  localparam [4:0] CSR_N = `MMU_LINK_CSR_BYTES_N;
  localparam [4:0] TRSP_N = `MMU_LINK_TRSP_BYTES_N;
  localparam [2:0] NAK_VERSION = `MMU_NAK_VERSION_N, NAK_TYPE = `MMU_NAK_TYPE_N,
                   NAK_LENGTH = `MMU_NAK_LENGTH_N, NAK_ADDRESS = `MMU_NAK_ADDRESS_N,
                   NAK_ARGUMENT = `MMU_NAK_ARGUMENT_N, NAK_BUS = `MMU_NAK_BUS_N;

  localparam [4:0]
    D_IDLE = 5'd0,   D_HDR = 5'd1,    D_END = 5'd2,    D_NAK = 5'd3,
    D_TRCNT = 5'd4,  D_TRVAL = 5'd5,  D_TRLD = 5'd6,   D_TRREQ = 5'd7,
    D_TRWAIT = 5'd8, D_CTL = 5'd9,    D_CTLW = 5'd10,  D_MWADR = 5'd11,
    D_MWB = 5'd12,   D_MWBUS = 5'd13, D_MRLD = 5'd14,  D_MRB = 5'd15,
    D_MRBUS = 5'd16, D_CSRLD = 5'd17, D_CSRRD = 5'd18, D_INSP = 5'd19,
    D_STLD = 5'd20,  D_ST = 5'd21,    D_STLNK = 5'd22, D_RST = 5'd23,
    D_INFO = 5'd24,  D_INVLD = 5'd25, D_MWLD = 5'd26;

  // answer byte sources
  localparam [2:0] A_HDR = 3'd0, A_INFO = 3'd1, A_TRSP = 3'd2, A_CSR = 3'd3,
                   A_STAT = 3'd4, A_LCNT = 3'd5, A_MEM = 3'd6;

  reg [4:0]   st_q;
  reg [7:0]   type_q;
  reg [15:0]  tag_q;
  reg [8:0]   plen_q;            // payload bytes
  reg [2:0]   nak_q;             // NAK code to send (0: an answer)
  // frame buffer reader: bytes shift into ld_q from the top
  reg [8:0]   ptr_q;
  reg [3:0]   ld_n_q;            // bytes left to request
  reg         rd_v_q;            // a byte arrives this clock
  reg [103:0] ld_q;
  wire        ld_done = ld_n_q == 4'd0 && !rd_v_q;
  // answer bytes: a_n bytes from source a_src, from index a_idx
  reg [2:0]   a_src_q;
  reg [4:0]   a_idx_q, a_n_q;
  // TRANSLATE
  reg [5:0]   n_q, issued_q, answered_q;
  reg [8:0]   cnt_rem_q;
  reg [8:0]   rec_q;             // next record's offset in the frame
  // memory
  reg [MAW-1:0] maddr_q;
  reg [8:0]   mleft_q;
  reg [7:0]   mbyte_q;
  // counters, inspection, policy, reset
  reg [4:0]   ci_q;
  reg         got_q;             // the inspection data has arrived
  reg [15:0]  lc_q [0:NLC-1];
  reg [13:0]  pol_q;             // the policy word's defined bits
  reg [2:0]   rst_cnt_q;
  reg [ASID_BITS:0] rst_asid_q;  // RESET: next context to turn off

  integer i;

  // ---- the frame buffer is read only by the loader
  assign fr_en_o = ld_n_q != 4'd0;
  assign fr_addr_o = ptr_q;

  // ---- request fields, where a load of the request's bytes leaves them
  // TRANSLATE record (13 bytes): tag, ASID, flags, VA
  assign req_tag_o = ld_q[15:0];
  assign req_asid_o = ld_q[16 +: ASID_BITS];
  assign req_access_o = ld_q[33:32];
  assign req_priv_o = ld_q[34];
  assign req_va_o = ld_q[103:40];
  // INVALIDATE (11 bytes): kind, ASID, VA; CSR_WRITE (12): id, ASID, mode,
  // value; RESET turns contexts off with ld_q cleared (mode OFF, root 0)
  assign ctl_kind_o = ld_q[17:16];
  assign ctl_mode_o = ld_q[34:32];
  assign ctl_asid_o = (type_q == `MMU_MSG_RESET) ? rst_asid_q[ASID_BITS-1:0] :
                      (type_q == `MMU_MSG_INVALIDATE) ? ld_q[24 +: ASID_BITS] :
                      ld_q[16 +: ASID_BITS];
  assign ctl_data_o = ld_q[103:40];
  // inspection: a counter (STATS) or a context (CSR_READ: id, ASID in 3 bytes)
  assign insp_array_o = (type_q == `MMU_MSG_STATS) ? 3'd4 : 3'd5;
  assign insp_index_o = (type_q == `MMU_MSG_STATS) ? {11'd0, ci_q} :
                        {{(16-ASID_BITS){1'b0}}, ld_q[88 +: ASID_BITS]};
  // memory: one byte lane; the data byte is the last one loaded
  assign m_we_o = type_q == `MMU_MSG_MEM_WRITE;
  assign m_adr_o = {{(PA_BITS-MAW){1'b0}}, maddr_q[MAW-1:3]};
  assign m_dat_o = {8{ld_q[103:96]}};
  assign m_sel_o = 8'd1 << maddr_q[2:0];

  // ---- answer bytes
  assign tx_valid_o = a_n_q != 5'd0;
  wire a_go = tx_valid_o && tx_ready_i;
  // a response record is taken from the core with its last byte
  assign rsp_ready_o = a_src_q == A_TRSP && a_n_q == 5'd1 && tx_ready_i;

  wire [191:0] info_w = {CLK_KHZ[31:0], `MMU_LINK_MAX_FRAME, `MMU_LINK_WINDOW,
                         MEMB32, NCNT[7:0], MAXB, 8'd16,
                         PA_BITS[7:0], ASID_BITS[7:0], PWC_N[7:0], SP_N[7:0],
                         WAYS[7:0], SETS[15:0], MODES_MASK & 8'hfe, VER};
  wire [127:0] trsp_w = {{(64-PA_BITS){1'b0}}, rsp_pa_i, rsp_err_i, rsp_exc_i,
                         2'd0, rsp_page_shift_i, 2'd0, rsp_perm_i,
                         rsp_hit_i, rsp_level_i, rsp_cause_i, rsp_tag_i};
  wire         csr_ctx = ld_q[87:80] == `MMU_CSR_CONTEXT;
  wire [63:0]  csr_val = csr_ctx ? {{(64-PA_BITS){1'b0}}, insp_data_i[PPN_W-1:0], 12'd0}
                                 : {50'd0, pol_q};
  wire [95:0]  csr_w = {csr_val, 5'd0, csr_ctx ? insp_data_i[PPN_W +: 3] : 3'd0,
                        ld_q[103:88], ld_q[87:80]};
  wire [79:0]  lcnt_w = {lc_q[4], lc_q[3], lc_q[2], lc_q[1], lc_q[0]};
  wire [47:0]  hdr_w = {type_q, 5'd0, nak_q, tag_q,
                        (nak_q != 3'd0) ? `MMU_MSG_NAK : type_q | ANS, VER};

  // byte a_idx of each source (shifts by a whole number of bytes: no multiply)
  wire [7:0] idx_b = {a_idx_q, 3'd0};
  always @* begin
    case (a_src_q)
      A_HDR:  tx_data_o = hdr_w[idx_b[5:0] +: 8];
      A_INFO: tx_data_o = info_w[idx_b +: 8];
      A_TRSP: tx_data_o = trsp_w[idx_b[6:0] +: 8];
      A_CSR:  tx_data_o = csr_w[idx_b[6:0] +: 8];
      A_STAT: tx_data_o = insp_data_i[{1'b0, idx_b[4:0]} +: 8];
      A_LCNT: tx_data_o = lcnt_w[idx_b[6:0] +: 8];
      default: tx_data_o = mbyte_q;
    endcase
  end

  // RESET clears ld_q as it starts: its contexts then go to mode OFF, root 0
  // (one flat condition: ld_q is wide, and nested assignments cost a mux each)
  wire ld_clr = st_q == D_HDR && ld_done && ld_q[79:72] == VER &&
                ld_q[87:80] == `MMU_MSG_RESET && plen_q == 9'd0;

  // the link counter an event adds to this clock
  wire       nak_ev = st_q == D_NAK && a_n_q == 5'd0 && !tx_abort_o;
  wire       lc_ev = ev_ok_i || ev_crc_i || ev_framing_i || ev_oversize_i || nak_ev;
  localparam [2:0] LC_FRAMES = `MMU_LCNT_FRAMES_N, LC_CRC = `MMU_LCNT_CRC_N,
                   LC_FRAMING = `MMU_LCNT_FRAMING_N, LC_OVERSIZE = `MMU_LCNT_OVERSIZE_N,
                   LC_NAKS = `MMU_LCNT_NAKS_N;
  wire [2:0] lc_idx = ev_ok_i ? LC_FRAMES : ev_crc_i ? LC_CRC : ev_framing_i ? LC_FRAMING :
                      ev_oversize_i ? LC_OVERSIZE : LC_NAKS;
  wire [15:0] lc_inc = lc_q[lc_idx] + 16'd1;

  // a memory range [addr, addr+len) inside the page-table memory (its size
  // is a power of two: the sum may reach it, not pass it)
  function f_in_mem(input [31:0] addr, input [8:0] len);
    reg [MAW:0] sum;
    begin
      sum = {1'b0, addr[MAW-1:0]} + {{(MAW-8){1'b0}}, len};
      f_in_mem = (addr >> MAW) == 32'd0 && (!sum[MAW] || sum[MAW-1:0] == {MAW{1'b0}});
    end
  endfunction

  // answer n bytes from a source
  task t_send(input [2:0] src, input [4:0] n);
    begin
      a_src_q <= src;
      a_idx_q <= 5'd0;
      a_n_q <= n;
    end
  endtask

  // start a load of n frame bytes at ptr
  task t_load(input [8:0] ptr, input [3:0] n);
    begin
      ptr_q <= ptr;
      ld_n_q <= n;
    end
  endtask

  task t_nak(input [2:0] code);
    begin
      nak_q <= code;
      st_q <= D_NAK;
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
      nak_q <= 3'd0;
      ptr_q <= 9'd0;
      ld_n_q <= 4'd0;
      rd_v_q <= 1'b0;
      ld_q <= 104'd0;
      a_src_q <= A_HDR;
      a_idx_q <= 5'd0;
      a_n_q <= 5'd0;
      n_q <= 6'd0;
      issued_q <= 6'd0;
      answered_q <= 6'd0;
      cnt_rem_q <= 9'd0;
      rec_q <= 9'd0;
      maddr_q <= {MAW{1'b0}};
      mleft_q <= 9'd0;
      mbyte_q <= 8'd0;
      ci_q <= 5'd0;
      got_q <= 1'b0;
      for (i = 0; i < NLC; i = i + 1) lc_q[i] <= 16'd0;
      pol_q <= 14'd0;
      rst_cnt_q <= 3'd0;
      rst_asid_q <= {(ASID_BITS+1){1'b0}};
      core_rst_no <= 1'b0;
      req_valid_o <= 1'b0;
      ctl_valid_o <= 1'b0;
      ctl_op_o <= 2'd0;
      insp_valid_o <= 1'b0;
      m_cyc_o <= 1'b0;
      m_stb_o <= 1'b0;
    end else begin
      core_rst_no <= 1'b1;
      // link counters: one event a clock at most (the receiver takes no byte
      // while a frame is held, and NAKs are sent only then), one incrementer
      if (lc_ev) lc_q[lc_idx] <= lc_inc;
      // loader
      rd_v_q <= ld_n_q != 4'd0;
      if (ld_n_q != 4'd0) begin
        ptr_q <= ptr_q + 9'd1;
        ld_n_q <= ld_n_q - 4'd1;
      end
      if (ld_clr) ld_q <= 104'd0;
      else if (rd_v_q) ld_q <= {fr_data_i, ld_q[103:8]};
      // answer bytes
      if (a_go) begin
        a_idx_q <= a_idx_q + 5'd1;
        a_n_q <= a_n_q - 5'd1;
      end

      case (st_q)
        D_IDLE:
          if (frm_valid_i && !frm_take_o && tx_idle_i) begin
            t_load(9'd0, 4'd4);
            plen_q <= frm_len_i - HDR;
            nak_q <= 3'd0;
            st_q <= D_HDR;
          end
        // the header is ld_q[103:72]: version, type, tag
        D_HDR:
          if (ld_done) begin
            type_q <= ld_q[87:80];
            tag_q <= ld_q[103:88];
            st_q <= D_NAK;
            nak_q <= NAK_LENGTH;
            if (ld_q[79:72] != VER) begin
              nak_q <= NAK_VERSION;
            end else begin
              case (ld_q[87:80])
                `MMU_MSG_INFO:
                  if (plen_q == 9'd0) begin
                    nak_q <= 3'd0;
                    t_send(A_HDR, 5'd4);
                    st_q <= D_INFO;
                  end
                `MMU_MSG_TRANSLATE:
                  if (plen_q != 9'd0 && plen_q <= MAXTR) begin
                    nak_q <= 3'd0;
                    cnt_rem_q <= plen_q;
                    n_q <= 6'd0;
                    st_q <= D_TRCNT;
                  end
                `MMU_MSG_INVALIDATE:
                  if (plen_q == `MMU_LINK_INVAL_BYTES_N) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd11);
                    st_q <= D_INVLD;
                  end
                `MMU_MSG_FENCE:
                  if (plen_q == 9'd0) begin
                    nak_q <= 3'd0;
                    t_send(A_HDR, 5'd4);
                    st_q <= D_END;
                  end
                `MMU_MSG_RESET:
                  if (plen_q == 9'd0) begin
                    nak_q <= 3'd0;
                    core_rst_no <= 1'b0;
                    rst_cnt_q <= 3'd3;
                    rst_asid_q <= {(ASID_BITS+1){1'b0}};
                    pol_q <= 14'd0;          // ld_q is cleared too (ld_clr)
                    st_q <= D_RST;
                  end
                `MMU_MSG_MEM_WRITE:
                  if (plen_q >= MEMHDR) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd4);
                    st_q <= D_MWADR;
                  end
                `MMU_MSG_MEM_READ:
                  if (plen_q == `MMU_LINK_MEMR_BYTES_N) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd6);
                    st_q <= D_MRLD;
                  end
                `MMU_MSG_CSR_WRITE:
                  if (plen_q == `MMU_LINK_CSR_BYTES_N) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd12);
                    st_q <= D_CSRLD;
                  end
                `MMU_MSG_CSR_READ:
                  if (plen_q == 9'd3) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd3);
                    st_q <= D_CSRRD;
                  end
                `MMU_MSG_STATS:
                  if (plen_q == 9'd1) begin
                    nak_q <= 3'd0;
                    t_load(HDR, 4'd1);
                    st_q <= D_STLD;
                  end
                default: nak_q <= NAK_TYPE;
              endcase
            end
          end
        D_INFO:
          if (a_n_q == 5'd0) begin
            t_send(A_INFO, INFO_N);
            st_q <= D_END;
          end

        // ---- TRANSLATE: count the records (the payload must be a whole number)
        D_TRCNT:
          if (cnt_rem_q >= TREQ) begin
            cnt_rem_q <= cnt_rem_q - TREQ;
            n_q <= n_q + 6'd1;
          end else if (cnt_rem_q != 9'd0) begin
            t_nak(NAK_LENGTH);
          end else begin
            rec_q <= HDR + TREQ;
            t_load(HDR + `MMU_TREQ_ASID, 4'd3);
            issued_q <= 6'd0;
            st_q <= D_TRVAL;
          end
        // first pass: ASID (ld_q[95:80]) and flags (ld_q[103:96]) of every record
        D_TRVAL:
          if (ld_done) begin
            if ((ld_q[95:80] >> ASID_BITS) != 16'd0 || ld_q[103:99] != 5'd0 ||
                ld_q[97:96] == 2'd3) begin
              t_nak(NAK_ARGUMENT);
            end else if (issued_q + 6'd1 == n_q) begin
              issued_q <= 6'd0;
              answered_q <= 6'd0;
              t_send(A_HDR, 5'd4);
              t_load(HDR, 4'd13);
              rec_q <= HDR + TREQ;
              st_q <= D_TRLD;
            end else begin
              issued_q <= issued_q + 6'd1;
              t_load(rec_q + `MMU_TREQ_ASID, 4'd3);
              rec_q <= rec_q + TREQ;
            end
          end
        // second pass: issue (the request is ld_q itself), collect records
        D_TRLD:
          if (ld_done) begin
            req_valid_o <= 1'b1;
            st_q <= D_TRREQ;
          end
        D_TRREQ:
          if (req_ready_i) begin
            req_valid_o <= 1'b0;
            issued_q <= issued_q + 6'd1;
            if (issued_q + 6'd1 == n_q) begin
              st_q <= D_TRWAIT;
            end else begin
              t_load(rec_q, 4'd13);
              rec_q <= rec_q + TREQ;
              st_q <= D_TRLD;
            end
          end
        D_TRWAIT:
          if (answered_q == n_q && a_n_q == 5'd0)
            st_q <= D_END;

        // ---- INVALIDATE (11 bytes: ld_q[23:16] kind, [39:24] ASID, VA)
        D_INVLD:
          if (ld_done) begin
            if (ld_q[23:18] != 6'd0 || (ld_q[39:24] >> ASID_BITS) != 16'd0) begin
              t_nak(NAK_ARGUMENT);
            end else begin
              ctl_valid_o <= 1'b1;
              ctl_op_o <= 2'd2;
              st_q <= D_CTL;
            end
          end

        // ---- CSR_WRITE (12 bytes: ld_q[15:8] id, [31:16] ASID, [39:32] mode, value)
        D_CSRLD:
          if (ld_done) begin
            if (ld_q[15:8] == `MMU_CSR_CONTEXT && (ld_q[31:16] >> ASID_BITS) == 16'd0 &&
                ld_q[39:35] == 5'd0 && MODES_MASK[ld_q[34:32]] && ld_q[51:40] == 12'd0 &&
                (ld_q[103:40] >> PA_BITS) == 64'd0) begin
              ctl_valid_o <= 1'b1;
              ctl_op_o <= 2'd0;
              st_q <= D_CTL;
            end else if (ld_q[15:8] == `MMU_CSR_POLICY) begin
              ctl_valid_o <= 1'b1;
              ctl_op_o <= 2'd1;
              pol_q <= ld_q[53:40];
              st_q <= D_CTL;
            end else begin
              t_nak(NAK_ARGUMENT);
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
              t_send(A_HDR, 5'd4);
              st_q <= D_END;
            end
          end

        // ---- CSR_READ (3 bytes: ld_q[87:80] id, [103:88] ASID)
        D_CSRRD:
          if (ld_done) begin
            t_nak(NAK_ARGUMENT);
            if ((ld_q[87:80] == `MMU_CSR_CONTEXT && (ld_q[103:88] >> ASID_BITS) == 16'd0) ||
                ld_q[87:80] == `MMU_CSR_POLICY) begin
              nak_q <= 3'd0;
              t_send(A_HDR, 5'd4);
              insp_valid_o <= ld_q[87:80] == `MMU_CSR_CONTEXT;
              got_q <= ld_q[87:80] != `MMU_CSR_CONTEXT;
              st_q <= D_INSP;
            end
          end
        // wait for the inspection data (held by the core), then answer it
        D_INSP: begin
          if (insp_ready_i) insp_valid_o <= 1'b0;
          if (insp_rvalid_i) got_q <= 1'b1;
          if ((got_q || insp_rvalid_i) && a_n_q == 5'd0) begin
            got_q <= 1'b0;
            if (type_q == `MMU_MSG_STATS) begin
              t_send(A_STAT, 5'd4);
              ci_q <= ci_q + 5'd1;
              st_q <= D_ST;
            end else begin
              t_send(A_CSR, CSR_N);
              st_q <= D_END;
            end
          end
        end

        // ---- STATS: MMU counters through the inspection port, then the link's
        D_STLD:
          if (ld_done) begin
            if (ld_q[103:97] != 7'd0) begin
              t_nak(NAK_ARGUMENT);
            end else begin
              t_send(A_HDR, 5'd4);
              ci_q <= 5'd0;
              st_q <= D_ST;
            end
          end
        D_ST:
          if (a_n_q == 5'd0) begin
            if (ci_q == NCNT[4:0]) begin
              t_send(A_LCNT, 5'd2 * NLC[4:0]);
              st_q <= D_STLNK;
            end else begin
              insp_valid_o <= 1'b1;
              got_q <= 1'b0;
              st_q <= D_INSP;
            end
          end
        D_STLNK:
          if (a_n_q == 5'd0) begin
            if (ld_q[96]) begin
              ctl_valid_o <= 1'b1;
              ctl_op_o <= 2'd3;
              st_q <= D_CTL;
            end else begin
              st_q <= D_END;
            end
          end

        // ---- RESET: hold the core in reset, wait for its sweep, then turn
        // every context off (the core's reset keeps its context RAM)
        D_RST:
          if (rst_cnt_q != 3'd0) begin
            core_rst_no <= 1'b0;
            rst_cnt_q <= rst_cnt_q - 3'd1;
          end else if (core_rst_no && ctl_ready_i && !ctl_valid_o) begin
            if (rst_asid_q[ASID_BITS]) begin
              t_send(A_HDR, 5'd4);
              for (i = 0; i < NLC; i = i + 1) lc_q[i] <= 16'd0;
              st_q <= D_END;
            end else begin
              ctl_valid_o <= 1'b1;
              ctl_op_o <= 2'd0;
              st_q <= D_CTL;
            end
          end

        // ---- MEM_WRITE: address (ld_q[103:72]), range check, then byte by byte
        D_MWADR:
          if (ld_done) begin
            maddr_q <= ld_q[72 +: MAW];
            mleft_q <= plen_q - MEMHDR;
            if (!f_in_mem(ld_q[103:72], plen_q - MEMHDR)) t_nak(NAK_ADDRESS);
            else st_q <= D_MWB;
          end
        D_MWB:
          if (mleft_q == 9'd0) begin
            t_send(A_HDR, 5'd4);
            st_q <= D_END;
          end else begin
            ld_n_q <= 4'd1;             // the next data byte (ptr_q runs on)
            st_q <= D_MWLD;
          end
        D_MWLD:
          if (ld_done) begin
            m_cyc_o <= 1'b1;
            m_stb_o <= 1'b1;
            st_q <= D_MWBUS;
          end
        D_MWBUS: begin
          if (!m_stall_i) m_stb_o <= 1'b0;
          if (m_ack_i || m_err_i) begin
            m_cyc_o <= 1'b0;
            m_stb_o <= 1'b0;
            maddr_q <= maddr_q + 1'b1;
            mleft_q <= mleft_q - 9'd1;
            if (m_err_i) t_nak(NAK_BUS);
            else st_q <= D_MWB;
          end
        end

        // ---- MEM_READ (6 bytes: ld_q[87:56] address, [103:88] length)
        D_MRLD:
          if (ld_done) begin
            maddr_q <= ld_q[56 +: MAW];
            mleft_q <= ld_q[96:88];
            if (ld_q[103:88] == 16'd0 || ld_q[103:88] > {7'd0, MAXPL}) begin
              t_nak(NAK_LENGTH);
            end else if (!f_in_mem(ld_q[87:56], ld_q[96:88])) begin
              t_nak(NAK_ADDRESS);
            end else begin
              t_send(A_HDR, 5'd4);
              st_q <= D_MRB;
            end
          end
        D_MRB:
          if (mleft_q == 9'd0) begin
            st_q <= D_END;
          end else if (a_n_q == 5'd0) begin
            m_cyc_o <= 1'b1;
            m_stb_o <= 1'b1;
            st_q <= D_MRBUS;
          end
        D_MRBUS: begin
          if (!m_stall_i) m_stb_o <= 1'b0;
          if (m_ack_i || m_err_i) begin
            m_cyc_o <= 1'b0;
            m_stb_o <= 1'b0;
            mbyte_q <= m_dat_i[{maddr_q[2:0], 3'd0} +: 8];
            t_send(A_MEM, 5'd1);
            maddr_q <= maddr_q + 1'b1;
            mleft_q <= mleft_q - 9'd1;
            st_q <= D_MRB;
            if (m_err_i) begin             // drop the answer begun, NAK instead
              a_n_q <= 5'd0;
              tx_abort_o <= 1'b1;
              t_nak(NAK_BUS);
            end
          end
        end

        // ---- NAK: header, code and the refused type
        D_NAK:
          if (a_n_q == 5'd0 && !tx_abort_o) begin
            t_send(A_HDR, 5'd6);
            st_q <= D_END;
          end

        // ---- close the answer and release the frame
        D_END:
          if (a_n_q == 5'd0) begin
            tx_end_o <= 1'b1;
            frm_take_o <= 1'b1;
            st_q <= D_IDLE;
          end
        default: st_q <= D_IDLE;
      endcase
      // a response record: started when the sender is free, counted when taken
      if ((st_q == D_TRLD || st_q == D_TRREQ || st_q == D_TRWAIT) &&
          rsp_valid_i && a_n_q == 5'd0)
        t_send(A_TRSP, TRSP_N);
      if (rsp_valid_i && rsp_ready_o) answered_q <= answered_q + 6'd1;
    end
  end
endmodule

`default_nettype wire

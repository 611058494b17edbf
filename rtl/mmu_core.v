// mmu_core.v - the MMU: base-page TLB in block RAM, superpage array, page-walk
// cache, hardware page-table walker for Sv32/Sv39/Sv48/x86-64/textbook,
// invalidation, counters, inspection.  The behaviour is model/mmu_model.c's,
// specified in docs/spec-*.md; docs/rtl.md describes this implementation.
//
// Streams follow the valid/ready rule (docs/style.md): a transfer happens on a
// rising edge where valid and ready are both high; valid, once high, stays
// high with its payload unchanged until that transfer.
//
//   request  : req_*  -> TLB lookup (1 clock: block-RAM read) -> evaluate
//   response : rsp_*  (registered; a hit answers 2 clocks after acceptance)
//   control  : ctl_*  set context, set policy, invalidate, clear counters;
//              ctl_done_o pulses when the accepted operation has completed
//   memory   : Wishbone B4 pipelined master, 64-bit data, byte selects;
//              CYC stays high from a PTE read through its A/D write (locked)
//   inspect  : insp_* reads entries, PLRU bits, counters and contexts (idle only)
//
// Hits run one per clock.  A request that misses walks; with HUM = 1, hits
// behind it are answered while it walks (the next miss waits for the walk).
//
// Parameters (defaults are the model's mmu_config_default()):
//   SETS, WAYS   base-page array geometry, powers of two (64, 4)
//   SP_N         superpage entries, 0 or a power of two (8)
//   PWC_N        page-walk-cache entries, 0 or a power of two (8)
//   ASID_BITS    ASID width (8)
//   PA_BITS      implemented physical address width (56)
//   TAG_W        request tag width (16)
//   MODES        modes built in: bit m = MMU_MODE m (0 = all of the machine's
//                kind); a context holding a mode not built answers no-context
//   INSPECT      1 = the inspection port reads TLB, superpage and PWC entries
//                and PLRU words; 0 = only counters and contexts (saves area)
//   HUM          1 = hit-under-miss: hits (and faults that need no walk) are
//                answered while a walk is in flight, out of request order;
//                0 = blocking (requests behind a walk wait for it)
//   TEXTBOOK     1 = a textbook machine with the TB_* geometry (0)
//   TB_VA, TB_PA, TB_PAGE, TB_LEVELS, TB_IDX0..3 (root first), TB_PTE
`default_nettype none
`include "mmu_constants.vh"

module mmu_core #(
    parameter integer SETS      = 64,
    parameter integer WAYS      = 4,
    parameter integer SP_N      = 8,
    parameter integer PWC_N     = 8,
    parameter integer ASID_BITS = 8,
    parameter integer PA_BITS   = 56,
    parameter integer TAG_W     = 16,
    parameter integer INSPECT   = 1,
    parameter integer HUM       = 1,
    parameter integer MODES     = 0,
    parameter integer TEXTBOOK  = 0,
    parameter integer TB_VA     = 14,
    parameter integer TB_PA     = 12,
    parameter integer TB_PAGE   = 6,
    parameter integer TB_LEVELS = 1,
    parameter integer TB_IDX0   = 8,
    parameter integer TB_IDX1   = 0,
    parameter integer TB_IDX2   = 0,
    parameter integer TB_IDX3   = 0,
    parameter integer TB_PTE    = 4
) (
    input  wire                 clk_i,
    input  wire                 rst_ni,
    // request stream
    input  wire                 req_valid_i,
    output wire                 req_ready_o,
    input  wire [TAG_W-1:0]     req_tag_i,
    input  wire [ASID_BITS-1:0] req_asid_i,
    input  wire [63:0]          req_va_i,
    input  wire [1:0]           req_access_i,
    input  wire                 req_priv_i,
    // response stream
    output reg                  rsp_valid_o,
    input  wire                 rsp_ready_i,
    output reg  [TAG_W-1:0]     rsp_tag_o,
    output reg  [3:0]           rsp_cause_o,
    output reg  [2:0]           rsp_level_o,
    output reg  [PA_BITS-1:0]   rsp_pa_o,
    output reg  [5:0]           rsp_perm_o,
    output reg  [5:0]           rsp_page_shift_o,
    output reg                  rsp_hit_o,
    output reg  [7:0]           rsp_exc_o,
    output reg  [15:0]          rsp_err_o,
    // control
    input  wire                 ctl_valid_i,
    output wire                 ctl_ready_o,
    input  wire [1:0]           ctl_op_i,     // 0 context, 1 policy, 2 invalidate, 3 clear counters
    input  wire [1:0]           ctl_kind_i,   // invalidation kind
    input  wire [2:0]           ctl_mode_i,
    input  wire [ASID_BITS-1:0] ctl_asid_i,
    input  wire [63:0]          ctl_data_i,   // root PA, VA, or policy bits
    output reg                  ctl_done_o,
    // Wishbone B4 pipelined master
    output reg                  wb_cyc_o,
    output reg                  wb_stb_o,
    output reg                  wb_we_o,
    output reg  [PA_BITS-4:0]   wb_adr_o,     // 64-bit word address (PA >> 3)
    output reg  [63:0]          wb_dat_o,
    output reg  [7:0]           wb_sel_o,
    input  wire [63:0]          wb_dat_i,
    input  wire                 wb_ack_i,
    input  wire                 wb_err_i,
    input  wire                 wb_stall_i,
    // inspection (only while idle)
    input  wire                 insp_valid_i,
    output wire                 insp_ready_o,
    input  wire [2:0]           insp_array_i, // 0 base 1 sp 2 pwc 3 plru 4 counter 5 context 7 base set
    input  wire [15:0]          insp_index_i, // base: set*WAYS+way; plru: 0..SETS-1 base, SETS sp, SETS+1 pwc; base set: set
    output reg                  insp_rvalid_o,
    output reg                  insp_ev_o,
    output reg  [35:0]          insp_vpn_o,
    output reg  [PA_BITS-1:0]   insp_ppn_o,
    output reg  [ASID_BITS-1:0] insp_asid_o,
    output reg  [2:0]           insp_level_o,
    output reg  [5:0]           insp_shift_o,
    output reg  [5:0]           insp_perm_o,
    output reg  [63:0]          insp_data_o,
    // array 7: every way of a base set, way k at [k*(43+PA_BITS+ASID_BITS) +: ...]
    // as {valid, VPN (36 bits), frame number (PA_BITS bits), ASID, rights}
    output reg  [WAYS*(43+PA_BITS+ASID_BITS)-1:0] insp_set_o
);
  // ------------------------------------------------------------------
  // calculated parameters: do not change
  // ------------------------------------------------------------------
  localparam integer HAS_SV32 = ((TEXTBOOK == 0) && (MODES == 0 || ((MODES >> 1) & 1) != 0)) ? 1 : 0;
  localparam integer HAS_SV39 = ((TEXTBOOK == 0) && (MODES == 0 || ((MODES >> 2) & 1) != 0)) ? 1 : 0;
  localparam integer HAS_SV48 = ((TEXTBOOK == 0) && (MODES == 0 || ((MODES >> 3) & 1) != 0)) ? 1 : 0;
  localparam integer HAS_X86  = ((TEXTBOOK == 0) && (MODES == 0 || ((MODES >> 4) & 1) != 0)) ? 1 : 0;
  localparam integer PAGE_BITS = (TEXTBOOK != 0) ? TB_PAGE : 12;
  // the TLB keeps the VPN bits of the widest mode built
  localparam integer VPN_W     = (TEXTBOOK != 0) ? TB_VA - TB_PAGE :
                                 (HAS_SV48 != 0 || HAS_X86 != 0) ? 36 : (HAS_SV39 != 0) ? 27 : 20;
  localparam integer SB        = (SETS > 1) ? $clog2(SETS) : 1;   // set index bits (>=1)
  localparam integer SETB      = (SETS > 1) ? $clog2(SETS) : 0;   // real set bits
  localparam integer TAGB      = VPN_W - SETB;
  localparam integer WB        = (WAYS > 1) ? $clog2(WAYS) : 1;
  localparam integer WAYB      = (WAYS > 1) ? $clog2(WAYS) : 0;   // real way bits
  localparam integer NB        = (WAYS > 1) ? WAYS - 1 : 1;
  localparam integer SPN       = (SP_N > 0) ? SP_N : 1;
  localparam integer SPB       = (SPN > 1) ? $clog2(SPN) : 1;
  localparam integer SPNB      = (SPN > 1) ? SPN - 1 : 1;
  localparam integer PWN       = (PWC_N > 0) ? PWC_N : 1;
  localparam integer PWB       = (PWN > 1) ? $clog2(PWN) : 1;
  localparam integer PWNB      = (PWN > 1) ? PWN - 1 : 1;
  localparam integer PPN_W     = PA_BITS - PAGE_BITS;
  // Outside the textbook machine every superpage and every pointer a PWC
  // entry caches spans at least 9 VPN bits, and a cached superpage's frame
  // is aligned to it (a misaligned one faults; x86 masks the low bits).
  // Those low bits are stored as zeros, so synthesis drops their flip-flops.
  localparam [PPN_W-1:0] SUPER_PPN_LOW = (TEXTBOOK != 0) ? {PPN_W{1'b0}} : ~({PPN_W{1'b1}} << 9);
  localparam [VPN_W-1:0] SUPER_VPN_LOW = (TEXTBOOK != 0) ? {VPN_W{1'b0}} : ~({VPN_W{1'b1}} << 9);
  localparam integer VA_W      = VPN_W + PAGE_BITS;               // VA bits kept after the canonical check
  localparam integer TBVA      = (TEXTBOOK != 0 && TB_VA < 63) ? TB_VA : 63;
  localparam integer EW        = TAGB + ASID_BITS + PPN_W + 6;    // base entry in RAM
  localparam integer NCTX      = 1 << ASID_BITS;
  localparam integer CW        = 3 + PPN_W;                       // context: mode, root PPN
  localparam integer NCNT      = `MMU_CNT_COUNT;
  localparam integer CAB       = $clog2(NCNT);                    // counter RAM address bits
  localparam integer CPW       = $clog2(NCNT + 1);                // pending-count bits

  // textbook geometry by level (level 0 is the last): index bits and shifts
  localparam integer TBI_L0 = (TB_LEVELS == 1) ? TB_IDX0 : (TB_LEVELS == 2) ? TB_IDX1 :
                              (TB_LEVELS == 3) ? TB_IDX2 : TB_IDX3;
  localparam integer TBI_L1 = (TB_LEVELS == 2) ? TB_IDX0 : (TB_LEVELS == 3) ? TB_IDX1 :
                              (TB_LEVELS == 4) ? TB_IDX2 : 0;
  localparam integer TBI_L2 = (TB_LEVELS == 3) ? TB_IDX0 : (TB_LEVELS == 4) ? TB_IDX1 : 0;
  localparam integer TBI_L3 = (TB_LEVELS == 4) ? TB_IDX0 : 0;
  localparam integer TBS1   = TB_PAGE + TBI_L0;
  localparam integer TBS2   = TBS1 + TBI_L1;
  localparam integer TBS3   = TBS2 + TBI_L2;
  localparam integer TB_PPNW = TB_PA - TB_PAGE;
  // smallest span (VPN bits) of a superpage or a PWC entry
  localparam integer MINSPAN = (TEXTBOOK != 0) ? TBI_L0 :
                               (HAS_SV39 != 0 || HAS_SV48 != 0 || HAS_X86 != 0) ? 9 : 10;

  // perm bits
  localparam integer PR = `MMU_PERM_R, PW = `MMU_PERM_W, PX = `MMU_PERM_X,
                     PU = `MMU_PERM_U, PG = `MMU_PERM_G, PD = `MMU_PERM_D;

  // ------------------------------------------------------------------
  // mode geometry (docs/spec-translation.md "Modes")
  // ------------------------------------------------------------------

  function [2:0] f_levels(input [2:0] mode);
    begin
      if (TEXTBOOK != 0) f_levels = TB_LEVELS[2:0];
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32)) f_levels = 3'd2;
      else if ((HAS_SV39 != 0 && mode == `MMU_MODE_SV39)) f_levels = 3'd3;
      else f_levels = 3'd4;
    end
  endfunction

  // log2 of the page a level-`level` leaf maps: a table, not an adder chain
  function [5:0] f_shift(input [2:0] mode, input [2:0] level);
    begin
      if (TEXTBOOK != 0)
        case (level)
          3'd0: f_shift = TB_PAGE[5:0];
          3'd1: f_shift = TBS1[5:0];
          3'd2: f_shift = TBS2[5:0];
          default: f_shift = TBS3[5:0];
        endcase
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32))
        case (level)
          3'd0: f_shift = 6'd12;
          3'd1: f_shift = 6'd22;
          default: f_shift = 6'd32;
        endcase
      else
        case (level)
          3'd0: f_shift = 6'd12;
          3'd1: f_shift = 6'd21;
          3'd2: f_shift = 6'd30;
          default: f_shift = 6'd39;
        endcase
    end
  endfunction

  // the bits below f_shift(mode, level), as a table of constants
  function [63:0] f_lowmask(input [2:0] mode, input [2:0] level);
    begin
      if (TEXTBOOK != 0)
        case (level)
          3'd0: f_lowmask = (64'd1 << TB_PAGE) - 64'd1;
          3'd1: f_lowmask = (64'd1 << TBS1) - 64'd1;
          3'd2: f_lowmask = (64'd1 << TBS2) - 64'd1;
          default: f_lowmask = (64'd1 << TBS3) - 64'd1;
        endcase
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32))
        case (level)
          3'd0: f_lowmask = 64'h0000_0000_0000_0fff;
          3'd1: f_lowmask = 64'h0000_0000_003f_ffff;
          default: f_lowmask = 64'h0000_0000_ffff_ffff;
        endcase
      else
        case (level)
          3'd0: f_lowmask = 64'h0000_0000_0000_0fff;
          3'd1: f_lowmask = 64'h0000_0000_001f_ffff;
          3'd2: f_lowmask = 64'h0000_0000_3fff_ffff;
          default: f_lowmask = 64'h0000_007f_ffff_ffff;
        endcase
    end
  endfunction

  // the table index of `va` at `level`: constant slices
  function [15:0] f_index(input [2:0] mode, input [2:0] level, input [63:0] va);
    begin
      if (TEXTBOOK != 0)
        case (level)
          3'd0: f_index = va[TB_PAGE +: 16] & ((16'd1 << TBI_L0) - 16'd1);
          3'd1: f_index = va[TBS1 +: 16] & ((16'd1 << TBI_L1) - 16'd1);
          3'd2: f_index = va[TBS2 +: 16] & ((16'd1 << TBI_L2) - 16'd1);
          default: f_index = va[TBS3 +: 16] & ((16'd1 << TBI_L3) - 16'd1);
        endcase
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32))
        f_index = (level == 3'd0) ? {6'd0, va[21:12]} : {6'd0, va[31:22]};
      else
        case (level)
          3'd0: f_index = {7'd0, va[20:12]};
          3'd1: f_index = {7'd0, va[29:21]};
          3'd2: f_index = {7'd0, va[38:30]};
          default: f_index = {7'd0, va[47:39]};
        endcase
    end
  endfunction

  function [3:0] f_pte_bytes(input [2:0] mode);
    begin
      if (TEXTBOOK != 0) f_pte_bytes = TB_PTE[3:0];
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32)) f_pte_bytes = 4'd4;
      else f_pte_bytes = 4'd8;
    end
  endfunction


  function f_x86(input [2:0] mode);
    f_x86 = (HAS_X86 != 0) && (mode == `MMU_MODE_X86_64);
  endfunction

  function [63:0] f_mask(input [6:0] n);   // n low bits set
    f_mask = (n >= 7'd64) ? {64{1'b1}} : ((64'd1 << n) - 64'd1);
  endfunction

  // RISC-V-style PPN field (after >> 10) and reserved bits, per mode
  function [63:0] f_rv_ppn_mask(input [2:0] mode);
    begin
      if (TEXTBOOK != 0) f_rv_ppn_mask = (64'd1 << TB_PPNW) - 64'd1;
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32)) f_rv_ppn_mask = 64'h0000_0000_003f_ffff;
      else f_rv_ppn_mask = 64'h0000_0fff_ffff_ffff;
    end
  endfunction
  function [63:0] f_rv_rsvd(input [2:0] mode);
    begin
      if (TEXTBOOK != 0)
        f_rv_rsvd = ((TB_PTE == 8) ? {64{1'b1}} : 64'h0000_0000_ffff_ffff) &
                    ~((64'd1 << (10 + TB_PPNW)) - 64'd1);
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32)) f_rv_rsvd = 64'd0;
      else f_rv_rsvd = 64'hffc0_0000_0000_0000;
    end
  endfunction

  // canonical-address check by mode, from the flags taken at acceptance
  // (b_canon_q: bit 0 sv32, 1 sv39, 2 48-bit, 3 textbook)
  function f_canonical(input [2:0] mode, input [3:0] flags);
    begin
      if (TEXTBOOK != 0) f_canonical = flags[3];
      else if ((HAS_SV32 != 0 && mode == `MMU_MODE_SV32)) f_canonical = flags[0];
      else if ((HAS_SV39 != 0 && mode == `MMU_MODE_SV39)) f_canonical = flags[1];
      else f_canonical = flags[2];
    end
  endfunction

  // ------------------------------------------------------------------
  // rights (docs/spec-translation.md "Rights")
  // ------------------------------------------------------------------
  reg pol_sum_q, pol_mxr_q, pol_adf_q, pol_wp_q, pol_nxe_q, pol_smep_q, pol_smap_q;
  reg [5:0] pol_maxphy_q;

  function f_perm_ok(input [2:0] mode, input [5:0] perm, input [1:0] acc, input priv);
    reg user, w, x, nx;
    begin
      user = perm[PU];
      w = perm[PW];
      x = perm[PX];
      if (f_x86(mode)) begin
        nx = pol_nxe_q && !x;
        if (priv == `MMU_PRIV_U)
          f_perm_ok = user && (acc == `MMU_ACCESS_W ? w : acc == `MMU_ACCESS_X ? !nx : 1'b1);
        else if (acc == `MMU_ACCESS_R)
          f_perm_ok = !(user && pol_smap_q);
        else if (acc == `MMU_ACCESS_W)
          f_perm_ok = !(user && pol_smap_q) && (w || !pol_wp_q);
        else
          f_perm_ok = !nx && !(user && pol_smep_q);
      end else begin
        if (priv == `MMU_PRIV_U && !user) f_perm_ok = 1'b0;
        else if (priv == `MMU_PRIV_S && user && (acc == `MMU_ACCESS_X || !pol_sum_q))
          f_perm_ok = 1'b0;
        else if (acc == `MMU_ACCESS_R) f_perm_ok = perm[PR] || (pol_mxr_q && x);
        else if (acc == `MMU_ACCESS_W) f_perm_ok = w;
        else f_perm_ok = x;
      end
    end
  endfunction

  // native code {exc, err} of a fault (docs/spec-faults.md)
  function [23:0] f_native(input [2:0] mode, input [3:0] cause, input [1:0] acc, input priv);
    reg [15:0] e;
    begin
      f_native = 24'd0;
      if (cause == `MMU_CAUSE_NO_CONTEXT) f_native = 24'd0;
      else if (f_x86(mode)) begin
        if (cause == `MMU_CAUSE_NON_CANONICAL) f_native = {8'd13, 16'd0};
        else if (cause == `MMU_CAUSE_ACCESS) f_native = {8'd18, 16'd0};
        else begin
          e = 16'd0;
          e[`MMU_PFERR_P] = (cause != `MMU_CAUSE_NOT_PRESENT);
          e[`MMU_PFERR_W] = (acc == `MMU_ACCESS_W);
          e[`MMU_PFERR_U] = (priv == `MMU_PRIV_U);
          e[`MMU_PFERR_RSVD] = (cause == `MMU_CAUSE_RESERVED);
          e[`MMU_PFERR_I] = (acc == `MMU_ACCESS_X) && (pol_nxe_q || pol_smep_q);
          f_native = {8'd14, e};
        end
      end else if (cause == `MMU_CAUSE_ACCESS)
        f_native = {(acc == `MMU_ACCESS_R) ? 8'd5 : (acc == `MMU_ACCESS_W) ? 8'd7 : 8'd1, 16'd0};
      else
        f_native = {(acc == `MMU_ACCESS_R) ? 8'd13 : (acc == `MMU_ACCESS_W) ? 8'd15 : 8'd12, 16'd0};
    end
  endfunction

  // counter index of a fault cause (the fault counters follow the causes)
  function [4:0] f_fault_cnt(input [3:0] cause);
    f_fault_cnt = `MMU_CNT_FAULT_NOT_PRESENT - 5'd1 + {1'b0, cause};
  endfunction

  function [VPN_W-1:0] f_vpn(input [63:0] va);
    f_vpn = va[PAGE_BITS+VPN_W-1:PAGE_BITS];
  endfunction

  // ones at and above bit `span` (VPN bits an entry compares).  Spans take
  // few values (a superpage or pointer level of some mode): a table.
  function [63:0] f_span_mask64(input [5:0] span);
    begin
      if (TEXTBOOK != 0) begin
        if (span == TBS3[5:0] - TB_PAGE[5:0]) f_span_mask64 = ~((64'd1 << (TBS3 - TB_PAGE)) - 64'd1);
        else if (span == TBS2[5:0] - TB_PAGE[5:0]) f_span_mask64 = ~((64'd1 << (TBS2 - TB_PAGE)) - 64'd1);
        else if (span == TBS1[5:0] - TB_PAGE[5:0]) f_span_mask64 = ~((64'd1 << (TBS1 - TB_PAGE)) - 64'd1);
        else f_span_mask64 = {64{1'b1}};
      end else
        case (span)
          6'd9:  f_span_mask64 = ~64'h1ff;
          6'd10: f_span_mask64 = ~64'h3ff;
          6'd18: f_span_mask64 = ~64'h3ffff;
          6'd27: f_span_mask64 = ~64'h7ffffff;
          default: f_span_mask64 = {64{1'b1}};
        endcase
    end
  endfunction
  // VPN bits below the smallest superpage or pointer span are never compared
  // (superpage and PWC entries only): constant zeros, so no flip-flops
  function [VPN_W-1:0] f_span_mask(input [5:0] span);
    reg [63:0] m;
    begin
      m = f_span_mask64(span) & ~((64'd1 << MINSPAN) - 64'd1);
      f_span_mask = m[VPN_W-1:0];
    end
  endfunction

  // the accumulated rights a PWC entry keeps: x86 accumulates R/W, U/S and XD
  // down the walk; RISC-V-style walks accumulate only G (R W X U stay set),
  // so a build without x86 keeps constants there (no flip-flops)
  function [5:0] f_pw_perm(input [5:0] p);
    f_pw_perm = (HAS_X86 != 0) ? p : {1'b0, p[PG], 4'b1111};
  endfunction

  // span of a superpage or PWC entry: from its level (and Sv32 flag), not stored
  function [5:0] f_espan(input [2:0] level, input s32);
    f_espan = f_shift(s32 ? `MMU_MODE_SV32 : `MMU_MODE_SV39, level) - PAGE_BITS[5:0];
  endfunction

  // ------------------------------------------------------------------
  // state
  // ------------------------------------------------------------------
  // base array: way entries {valid, tag, asid, ppn, perm} and the PLRU trees,
  // all in RAM, read together by set.  Way writes are registered (they land
  // one clock after they are decided); a hit's PLRU update is written in the
  // clock of the hit and forwarded to a read of the same set in that clock.
  reg                  ram_rd_en;
  reg  [SB-1:0]        ram_rd_set;
  wire [EW-1:0]        ram_rd_data [0:WAYS-1];
  wire [WAYS-1:0]      ram_wr_en;        // way entries: written by a fill, in W_FILL,
  wire [EW-1:0]        ram_wr_data;      //   from the walker's registers (see below)
  reg  [SB-1:0]        ram_wr_set;       // valid-bit writes (registered)
  wire [WAYS-1:0]      vld_rd_data;      // valid bits of a set, a RAM of their own
  reg                  vld_wr_en;
  reg  [WAYS-1:0]      vld_wr_data;
  wire [NB-1:0]        plr_rd_data;
  reg                  plr_wr_en_q;      // registered PLRU write (fill, reset sweep)
  reg  [SB-1:0]        plr_wr_set_q;
  reg  [NB-1:0]        plr_wr_data_q;
  wire                 plr_hit_wr;       // a hit's touch, written next clock
  // A hit's touch: the set, the way and the tree as it was are registered
  // (hit_*), and the touched tree is computed and written the next clock,
  // so the hit decision drives only flip-flop inputs.
  reg                  hit_q;
  reg  [SB-1:0]        hit_set_q;
  reg  [WB-1:0]        hit_way_q;
  reg  [NB-1:0]        hit_bits_q;
  wire [NB-1:0]        hit_touched;
  // the PLRU write due this clock (it lands at the coming edge)
  wire                 plr_wr_en = plr_wr_en_q || hit_q;
  wire [SB-1:0]        plr_wr_set = hit_q ? hit_set_q : plr_wr_set_q;
  wire [NB-1:0]        plr_wr_data = hit_q ? hit_touched : plr_wr_data_q;
  reg                  fwd_v_q;          // a PLRU write landed with the last read
  reg  [SB-1:0]        fwd_set_q;
  reg  [NB-1:0]        fwd_bits_q;
  reg  [SB-1:0]        rd_set_q;         // set of the last RAM read

  genvar gw;
  generate
    for (gw = 0; gw < WAYS; gw = gw + 1) begin : g_way
      mmu_ram #(.WIDTH(EW), .DEPTH(SETS)) u_way (
          .clk_i(clk_i), .rd_en_i(ram_rd_en), .rd_addr_i(ram_rd_set),
          .rd_data_o(ram_rd_data[gw]), .wr_en_i(ram_wr_en[gw]),
          .wr_addr_i(w_set), .wr_data_i(ram_wr_data));
    end
  endgenerate
  mmu_ram #(.WIDTH(WAYS), .DEPTH(SETS)) u_valid_ram (
      .clk_i(clk_i), .rd_en_i(ram_rd_en), .rd_addr_i(ram_rd_set), .rd_data_o(vld_rd_data),
      .wr_en_i(vld_wr_en), .wr_addr_i(ram_wr_set), .wr_data_i(vld_wr_data));
  mmu_ram #(.WIDTH(NB), .DEPTH(SETS)) u_plru_ram (
      .clk_i(clk_i), .rd_en_i(ram_rd_en), .rd_addr_i(ram_rd_set), .rd_data_o(plr_rd_data),
      .wr_en_i(plr_wr_en), .wr_addr_i(plr_wr_set), .wr_data_i(plr_wr_data));

  // valid bits of the set last read, and its PLRU tree (forwarded if newer)
  wire [WAYS-1:0] rd_valid = vld_rd_data;
  // newest first: the write due this clock, the write that landed with the read
  wire [NB-1:0] rd_plru = (plr_wr_en && plr_wr_set == rd_set_q) ? plr_wr_data :
                          (fwd_v_q && fwd_set_q == rd_set_q) ? fwd_bits_q : plr_rd_data;

  // fields of a RAM entry: {tag, asid, ppn, perm}
  function [TAGB-1:0] e_tag(input [EW-1:0] e);
    e_tag = e[EW-1 -: TAGB];
  endfunction
  function [ASID_BITS-1:0] e_asid(input [EW-1:0] e);
    e_asid = e[PPN_W+6 +: ASID_BITS];
  endfunction
  function [PPN_W-1:0] e_ppn(input [EW-1:0] e);
    e_ppn = e[6 +: PPN_W];
  endfunction
  function [5:0] e_perm(input [EW-1:0] e);
    e_perm = e[5:0];
  endfunction
  function e_g(input [EW-1:0] e);
    e_g = e[PG];
  endfunction
  function [WAYS-1:0] way_bit(input [WB-1:0] w);   // one-hot
    way_bit = {{(WAYS-1){1'b0}}, 1'b1} << w;
  endfunction

  // ------------------------------------------------------------------
  // Deliberately broken variants, to prove the co-simulation catches them
  // (docs/verification.md).  Only in a simulation build with MMU_BREAKABLE;
  // `+break=N` on the command line picks one; 0 (the default) breaks nothing.
  // ------------------------------------------------------------------
`ifdef MMU_BREAKABLE
  integer brk;
  initial if (!$value$plusargs("break=%d", brk)) brk = 0;
  `define MMU_BRK(n) (brk == (n))
`else
  `define MMU_BRK(n) 1'b0
`endif

  // context table in RAM: {mode, root >> PAGE_BITS}
  reg              ctx_rd_en;
  reg  [ASID_BITS-1:0] ctx_rd_asid;
  wire [CW-1:0]    ctx_rd_data;
  wire             ctx_wr_en;          // written in the clock a context is set
  mmu_ram #(.WIDTH(CW), .DEPTH(NCTX)) u_ctx (
      .clk_i(clk_i), .rd_en_i(ctx_rd_en), .rd_addr_i(ctx_rd_asid), .rd_data_o(ctx_rd_data),
      .wr_en_i(ctx_wr_en), .wr_addr_i(ctl_asid_i),
      .wr_data_i({ctl_mode_i, ctl_data_i[PAGE_BITS +: PPN_W]}));

  // superpage array and page-walk cache: flip-flops
  reg                 sp_v_q     [0:SPN-1];
  reg [VPN_W-1:0]     sp_vpn_q   [0:SPN-1];
  reg                 sp_s32_q   [0:SPN-1];   // an Sv32 entry (its spans differ)
  reg [2:0]           sp_level_q [0:SPN-1];
  reg [ASID_BITS-1:0] sp_asid_q  [0:SPN-1];
  reg [PPN_W-1:0]     sp_ppn_q   [0:SPN-1];
  reg [5:0]           sp_perm_q  [0:SPN-1];
  reg [SPNB-1:0]      sp_plru_q;
  reg                 pw_v_q     [0:PWN-1];
  reg [VPN_W-1:0]     pw_vpn_q   [0:PWN-1];
  reg                 pw_s32_q   [0:PWN-1];
  reg [2:0]           pw_level_q [0:PWN-1];
  reg [ASID_BITS-1:0] pw_asid_q  [0:PWN-1];
  reg [PPN_W-1:0]     pw_ppn_q   [0:PWN-1];
  reg [5:0]           pw_perm_q  [0:PWN-1];
  reg [PWNB-1:0]      pw_plru_q;



  // ------------------------------------------------------------------
  // stage B: the request whose RAM read has been issued
  // ------------------------------------------------------------------
  reg                 b_valid_q, b_rd_ok_q;
  reg [VA_W-1:0]      b_va_q;
  reg [3:0]           b_canon_q;      // canonical for: sv32, sv39, 48-bit, textbook
  reg [ASID_BITS-1:0] b_asid_q;
  reg [1:0]           b_acc_q;
  reg                 b_priv_q;
  reg [TAG_W-1:0]     b_tag_q;

  wire [63:0]      b_va64 = {{(64-VA_W){1'b0}}, b_va_q};
  wire [VPN_W-1:0] b_vpn = f_vpn(b_va64);
  wire [SB-1:0]    b_set = (SETS > 1) ? b_vpn[SB-1:0] : {SB{1'b0}};
  wire [2:0]       ctx_mode = ctx_rd_data[CW-1 -: 3];
  // a mode that is not built is no context at all
  wire             ctx_built = (TEXTBOOK != 0) ? ctx_mode == `MMU_MODE_TEXTBOOK :
                   (ctx_mode == `MMU_MODE_SV32 && HAS_SV32 != 0) ||
                   (ctx_mode == `MMU_MODE_SV39 && HAS_SV39 != 0) ||
                   (ctx_mode == `MMU_MODE_SV48 && HAS_SV48 != 0) ||
                   (ctx_mode == `MMU_MODE_X86_64 && HAS_X86 != 0);
  wire [2:0]       b_mode = ctx_built ? ctx_mode : `MMU_MODE_OFF;

  // walker state
  localparam [3:0] W_IDLE = 4'd0, W_START = 4'd1, W_ADDR = 4'd2, W_RWAIT = 4'd3,
                   W_DECODE = 4'd4, W_WWAIT = 4'd5, W_LEAF = 4'd6, W_FILL = 4'd7,
                   W_FLUSH = 4'd8, W_RESP = 4'd9, W_FILLRD = 4'd10, W_FLUSHRD = 4'd11,
                   W_FLUSH2 = 4'd12, W_PWC = 4'd13;
  reg [3:0]           w_state_q;
  reg [VA_W-1:0]      w_va_q;
  reg [ASID_BITS-1:0] w_asid_q;
  reg [1:0]           w_acc_q;
  reg                 w_priv_q;
  reg [TAG_W-1:0]     w_tag_q;
  reg [2:0]           w_mode_q;
  reg [2:0]           w_level_q;
  reg [PA_BITS-1:0]   w_table_q;
  reg                 w_table_big_q;  // the table lies beyond PA_BITS
  reg [5:0]           w_acc_perm_q;   // accumulated R W X U G
  reg                 w_stale_q;
  reg                 w_dc_ptr_q;     // decoded at arrival: a pointer
  reg                 w_dc_write_q;   //   an A/D write is due
  reg                 w_pte_hi_q;     // a 4-byte PTE in the upper half of its word
  reg [3:0]           w_cause_q;
  reg [PPN_W-1:0]     w_leaf_ppn_q;   // page frame (PA >> PAGE_BITS)
  reg                 w_leaf_big_q;   // the frame lies beyond PA_BITS
  reg [5:0]           w_leaf_perm_q;
  reg                 w_wr_leaf_q;    // the pending write completes a leaf (else a pointer)

  wire w_idle = (w_state_q == W_IDLE);
  wire [63:0]      w_va64 = {{(64-VA_W){1'b0}}, w_va_q};
  wire [VPN_W-1:0] w_vpn = f_vpn(w_va64);
  wire [SB-1:0]    w_set = (SETS > 1) ? w_vpn[SB-1:0] : {SB{1'b0}};

  // control state
  reg                 c_busy_q;       // a sweep (ALL, ASID) or a VA lookup is running
  reg                 c_reset_q;      // the sweep after reset: also clears PLRU trees
  reg [1:0]           c_kind_q;       // (its VA and ASID are held in b_va_q and
                                      //  b_asid_q: stage B is empty meanwhile)
  reg [SB:0]          c_set_q;        // ASID sweep: next set to read
  reg                 c_issued_q;     // VA kinds: the one read has been issued
  reg                 c_cmp_q;        // RAM data of set c_cmp_set_q is valid this cycle
  reg [SB-1:0]        c_cmp_set_q;

  // response register
  wire r_free = !rsp_valid_o || rsp_ready_i;

  // ------------------------------------------------------------------
  // one search key for the superpage array and the PWC: the walker's while
  // it searches them, else stage B's when it re-reads, else an arriving
  // control operation's, else the arriving request's (stage B's superpage
  // search, registered in b_sp_*).  Requests and re-reads wait while the
  // walker searches; a control operation starts only with stage B empty,
  // and never together with a request.
  // One cover compare and one ASID compare per entry serve every use.
  // ------------------------------------------------------------------
  // the walker searches the arrays in these states (the key is its own) ...
  function f_wkey(input [3:0] st);
    f_wkey = (st == W_START) || (st == W_ADDR) || (st == W_FILLRD) || (st == W_FILL) || (st == W_FLUSH);
  endfunction
  // ... and no control operation may start in them, nor while a PTE is
  // decoded or its A/D write is under way
  function f_wsearch(input [3:0] st);
    f_wsearch = f_wkey(st) || (st == W_DECODE) || (st == W_WWAIT);
  endfunction
  // Hit-under-miss: stage B may answer while the walker is in these states,
  // before the fill (the walker has not yet chosen a victim nor changed an
  // array, so the answers are those of the model taking the hit first)
  function f_whum(input [3:0] st);
    f_whum = (HUM != 0) && ((st == W_START) || (st == W_PWC) || (st == W_ADDR) || (st == W_RWAIT) ||
                            (st == W_DECODE) || (st == W_WWAIT) || (st == W_LEAF) ||
                            (st != W_IDLE && `MMU_BRK(8)));
  endfunction
  // Timing: these are flip-flops, loaded with the state (w_go), so the key
  // select and the handshakes start from a register, not a state decode.
  reg w_key_q, w_search_q, w_hum_q;
  wire w_key = w_key_q;
  wire w_searching = w_search_q;
  task w_go(input [3:0] st);
    begin
      w_state_q <= st;
      w_key_q <= f_wkey(st);
      w_search_q <= f_wsearch(st);
      w_hum_q <= f_whum(st);
    end
  endtask
  // (b_stale: stage B waits for a re-read; no request or control operation
  // can start then, so its key may be chosen from two flip-flops alone)
  wire b_stale = b_valid_q && !b_rd_ok_q;
  wire [VPN_W-1:0] key_vpn = w_key ? w_vpn : b_stale ? b_vpn :
                             ctl_valid_i ? f_vpn(ctl_data_i) : f_vpn(req_va_i);
  wire [ASID_BITS-1:0] key_asid = w_key ? w_asid_q : b_stale ? b_asid_q :
                                  ctl_valid_i ? ctl_asid_i : req_asid_i;
  reg [SPN-1:0] sp_cov, sp_aeq, sp_hit;
  reg [PWN-1:0] pw_cov, pw_aeq, pw_hit;
  integer ki;
  always @* begin
    for (ki = 0; ki < SPN; ki = ki + 1) begin
      sp_cov[ki] = ((key_vpn ^ sp_vpn_q[ki]) & f_span_mask(f_espan(sp_level_q[ki], sp_s32_q[ki]))) == {VPN_W{1'b0}};
      sp_aeq[ki] = sp_asid_q[ki] == key_asid;
      sp_hit[ki] = (SP_N > 0) && sp_v_q[ki] && sp_cov[ki] && (sp_perm_q[ki][PG] || sp_aeq[ki]);
    end
    for (ki = 0; ki < PWN; ki = ki + 1) begin
      pw_cov[ki] = ((key_vpn ^ pw_vpn_q[ki]) & f_span_mask(f_espan(pw_level_q[ki], pw_s32_q[ki]))) == {VPN_W{1'b0}};
      pw_aeq[ki] = pw_asid_q[ki] == key_asid;
      pw_hit[ki] = (PWC_N > 0) && pw_v_q[ki] && pw_cov[ki] && (pw_perm_q[ki][PG] || pw_aeq[ki]);
    end
  end

  // Stage B's superpage search runs in the clock its RAM read is issued, on
  // the arriving request (or on stage B's own, when it re-reads), and its
  // first match is registered with the entry's fields.  Stage B then only
  // chooses between that and the base ways.  Any change to the superpage
  // array while stage B waits forces a re-read, and with it a new search.
  wire b_reread = b_valid_q && !b_rd_ok_q && !port_ctl && !port_walker && !w_key;
  wire sp_wr = inval_go || (w_state_q == W_FILL) || (w_state_q == W_FLUSH);
  // the first superpage match for the search key (lowest index, as in the
  // model) and its fields: registered for stage B, and the in-place target
  // of a superpage fill (fs_*)
  wire            spf_hit;
  wire [SPB-1:0]  spf_idx;
  wire [5:0]      spf_perm;
  wire            spf_s32;
  wire [2:0]      spf_level;
  wire [PPN_W-1:0] spf_ppn;
  reg             b_sp_hit_q;
  reg [SPB-1:0]   b_sp_idx_q;
  reg [5:0]       b_sp_perm_q;
  reg             b_sp_s32_q;
  reg [2:0]       b_sp_level_q;
  reg [PPN_W-1:0] b_sp_ppn_q;
  localparam integer SFW = SPB + 6 + 1 + 3 + PPN_W;
  reg [SPN*SFW-1:0] spf_cand;
  integer kp;
  always @*
    for (kp = 0; kp < SPN; kp = kp + 1)
      spf_cand[kp*SFW +: SFW] = {kp[SPB-1:0], sp_perm_q[kp], sp_s32_q[kp], sp_level_q[kp], sp_ppn_q[kp]};
  mmu_pmux #(.N(SPN), .W(SFW)) u_spf_pick (
      .hit_i(sp_hit), .data_i(spf_cand), .any_o(spf_hit),
      .data_o({spf_idx, spf_perm, spf_s32, spf_level, spf_ppn}));

  // invalidation of a fully-associative entry (kind of the arriving operation)
  function inval_hit(input v, input cov, input aeq, input g, input [1:0] kind);
    case (kind)
      `MMU_INVAL_ALL: inval_hit = v;
      `MMU_INVAL_ASID: inval_hit = v && !g && aeq;
      `MMU_INVAL_VA: inval_hit = v && cov;
      default: inval_hit = v && cov && !g && aeq;
    endcase
  endfunction

  // inspection
  reg                 i_pend_q;
  reg [2:0]           i_array_q;
  reg [15:0]          i_index_q;

  // ------------------------------------------------------------------
  // stage B evaluation (combinational)
  // ------------------------------------------------------------------
  reg              ev_look;         // stage B is evaluated this cycle
  reg              ev;              // ... and acts: it answers, or hands over to the walker
  reg              ev_hit_base, ev_hit_sp, ev_use;
  reg [WAYS-1:0]   ev_match;                    // per way: tag and ASID match
  reg              ev_base_ok;                  // the first matching way is usable
  reg [WB-1:0]     ev_way;
  reg [SPB-1:0]    ev_sp;
  reg [5:0]        ev_perm;
  reg [PPN_W-1:0]  ev_ppn;
  reg [2:0]        ev_level;
  reg [3:0]        ev_fault;        // NO_CONTEXT / NON_CANONICAL or OK
  integer k, kj;
  integer kw;   // the ways of an inspected set (array 7, in the clocked block)

  // the rights of a cached entry for stage B's request, D included
  function f_usable(input [2:0] mode, input [5:0] perm, input [1:0] acc, input priv);
    f_usable = f_perm_ok(mode, perm, acc, priv) && (acc != `MMU_ACCESS_W || perm[PD]);
  endfunction

  // Timing: the match of each way, and the rights of each way's entry, are
  // computed side by side from the RAM outputs; the first matching way's
  // fields then come through a priority multiplexer tree (mmu_pmux), with
  // no first-match vector between the compares and the multiplexers.
  localparam integer TW = PPN_W + 6 + 1 + WB;   // frame, rights, usable, way
  // Area: one tag and one ASID compare per way, against stage B's registers,
  // serve stage B and the control operations (ci_kill), which keep their VA
  // and ASID there (stage B is empty while one runs).
  reg  [WAYS-1:0]    bw_teq, bw_aeq;
  always @*
    for (k = 0; k < WAYS; k = k + 1) begin
      bw_teq[k] = e_tag(ram_rd_data[k]) == b_vpn[VPN_W-1 -: TAGB];
      bw_aeq[k] = e_asid(ram_rd_data[k]) == b_asid_q;
    end
  reg  [WAYS*TW-1:0] ev_cand;
  wire [TW-1:0]      ev_pick;
  wire               ev_any;
  mmu_pmux #(.N(WAYS), .W(TW)) u_ev_pick (
      .hit_i(ev_match), .data_i(ev_cand), .any_o(ev_any), .data_o(ev_pick));
  always @* begin
    // with the walker busy (hit-under-miss) stage B acts only on an answer;
    // a walk it needs waits, and nothing (counters included) happens.  Not
    // while the walk is stale: the invalidation that made it so is, for the
    // model, complete only when the walk answers.  (w_hum_q is 0 without
    // HUM; the HUM term lets synthesis see that as a constant.)
    ev_look = b_valid_q && b_rd_ok_q && !c_busy_q && r_free && (w_idle || (HUM != 0 && w_hum_q && !w_stale_q));
    ev_fault = `MMU_CAUSE_OK;
    if (b_mode == `MMU_MODE_OFF) ev_fault = `MMU_CAUSE_NO_CONTEXT;
    else if (!f_canonical(b_mode, b_canon_q) && !`MMU_BRK(7)) ev_fault = `MMU_CAUSE_NON_CANONICAL;
    for (k = 0; k < WAYS; k = k + 1) begin
      ev_match[k] = rd_valid[k] && bw_teq[k] && ((e_g(ram_rd_data[k]) && !`MMU_BRK(2)) || bw_aeq[k]);
      ev_cand[k*TW +: TW] = {e_ppn(ram_rd_data[k]), e_perm(ram_rd_data[k]),
                             f_usable(b_mode, e_perm(ram_rd_data[k]), b_acc_q, b_priv_q), k[WB-1:0]};
    end
    // the lowest matching way wins, as in the model
    ev_hit_base = ev_any;
    {ev_ppn, ev_perm, ev_base_ok, ev_way} = ev_pick;
    ev_hit_sp = (SP_N > 0) && b_sp_hit_q;
    ev_use = ev_hit_base ? ev_base_ok :
             ev_hit_sp && f_usable(b_mode, b_sp_perm_q, b_acc_q, b_priv_q);
    ev = ev_look && (HUM == 0 || w_idle || ev_fault != `MMU_CAUSE_OK || ev_use);
    // a superpage hit's fields (a base hit's frame is taken in ev_pa)
    ev_sp = {SPB{1'b0}};
    ev_level = 3'd0;
    if (!ev_hit_base) begin
      ev_sp = b_sp_idx_q;
      ev_perm = b_sp_perm_q;
      ev_level = b_sp_level_q;
    end
  end

  // a hit's PLRU touch: registered (hit_*), written the next clock, and
  // forwarded to reads in between (see rd_plru)
  assign plr_hit_wr = ev && ev_fault == `MMU_CAUSE_OK && ev_use && ev_hit_base && !`MMU_BRK(1);
  wire [WB-1:0] hit_victim_unused;
  mmu_plru #(.WAYS(WAYS)) u_hit_plru (
      .bits_i(hit_bits_q), .valid_i({WAYS{1'b1}}), .victim_o(hit_victim_unused),
      .touch_way_i(hit_way_q), .touched_o(hit_touched));

  // PLRU helpers for the base set of stage B / the walker
  wire [NB-1:0] pl_bits = rd_plru;
  wire [WAYS-1:0] pl_valid = rd_valid;
  wire [WB-1:0] pl_victim;
  reg  [WB-1:0] pl_touch_way;
  wire [NB-1:0] pl_touched;
  mmu_plru #(.WAYS(WAYS)) u_plru (
      .bits_i(pl_bits), .valid_i(pl_valid), .victim_o(pl_victim),
      .touch_way_i(pl_touch_way), .touched_o(pl_touched));

  reg  [SPN-1:0] sp_valid_vec;
  wire [SPB-1:0] sp_victim;
  reg  [SPB-1:0] sp_touch;
  wire [SPNB-1:0] sp_touched;
  mmu_plru #(.WAYS(SPN)) u_sp_plru (
      .bits_i(sp_plru_q), .valid_i(sp_valid_vec), .victim_o(sp_victim),
      .touch_way_i(sp_touch), .touched_o(sp_touched));

  reg  [PWN-1:0] pw_valid_vec;
  wire [PWB-1:0] pw_victim;
  reg  [PWB-1:0] pw_touch;
  wire [PWNB-1:0] pw_touched;
  mmu_plru #(.WAYS(PWN)) u_pw_plru (
      .bits_i(pw_plru_q), .valid_i(pw_valid_vec), .victim_o(pw_victim),
      .touch_way_i(pw_touch), .touched_o(pw_touched));

  always @* begin
    for (k = 0; k < SPN; k = k + 1) sp_valid_vec[k] = sp_v_q[k];
    for (k = 0; k < PWN; k = k + 1) pw_valid_vec[k] = pw_v_q[k];
  end

  // which entry each tree is touched for: a hit in stage B, or the walker's
  // PWC hit, PWC insert, or fill (fb_*/fs_*/pl_*/pi_* are defined below)
  always @* begin
    pl_touch_way = fill_way;
    sp_touch = ev ? ev_sp : fs_idx_q;
    pw_touch = (w_state_q == W_PWC) ? plq_idx : pi_idx_q;
  end

  // ------------------------------------------------------------------
  // walker: PTE decode of the word arriving on wb_dat_i at w_level_q
  // (combinational; registered in the clock it arrives, acted on in W_DECODE)
  // ------------------------------------------------------------------
  reg [63:0] d_pte, d_rsvd, d_next, d_ppn, d_need, d_leaf;
  reg [3:0]  d_cause;
  reg        d_pointer, d_write, d_leaf_x86;
  reg [5:0]  d_acc, d_perm;
  reg [5:0]  d_shift, d_span;
  reg [63:0] d_low;

  always @* begin
    d_pte = (f_pte_bytes(w_mode_q) == 4'd8) ? wb_dat_i :
            (w_pte_hi_q ? {32'd0, wb_dat_i[63:32]} : {32'd0, wb_dat_i[31:0]});
    d_cause = `MMU_CAUSE_OK;
    d_pointer = 1'b0;
    d_write = 1'b0;
    d_leaf_x86 = 1'b0;
    d_acc = w_acc_perm_q;
    d_perm = 6'd0;
    d_next = 64'd0;
    d_ppn = 64'd0;
    d_need = 64'd0;
    d_rsvd = 64'd0;
    d_shift = f_shift(w_mode_q, w_level_q);
    d_span = d_shift - PAGE_BITS[5:0];
    d_low = f_lowmask(w_mode_q, w_level_q);
    if (f_x86(w_mode_q)) begin
      // x86-64: P, reserved, rights, pointer or leaf
      d_rsvd = f_mask(7'd52) & ~f_mask({1'b0, pol_maxphy_q});
      if (!pol_nxe_q) d_rsvd[`MMU_X86PTE_XD] = 1'b1;
      d_leaf_x86 = (w_level_q == 3'd0) || d_pte[`MMU_X86PTE_PS];
      if (w_level_q == 3'd3) d_rsvd[`MMU_X86PTE_PS] = 1'b1;
      else if (w_level_q != 3'd0 && d_leaf_x86)
        d_rsvd = d_rsvd | (d_low & ~64'h1fff);
      if (!d_pte[`MMU_X86PTE_RW]) d_acc[PW] = 1'b0;
      if (!d_pte[`MMU_X86PTE_US]) d_acc[PU] = 1'b0;
      if (d_pte[`MMU_X86PTE_XD]) d_acc[PX] = 1'b0;
      d_next = d_pte & f_mask(7'd52) & ~f_mask(7'd12);
      if (!d_pte[`MMU_X86PTE_P]) d_cause = `MMU_CAUSE_NOT_PRESENT;
      else if ((d_pte & d_rsvd) != 64'd0 && !`MMU_BRK(6)) d_cause = `MMU_CAUSE_RESERVED;
      else if (!d_leaf_x86) begin
        d_pointer = 1'b1;
        d_need = 64'd1 << `MMU_X86PTE_A;
        d_write = !d_pte[`MMU_X86PTE_A];
      end else begin
        d_perm = {1'b0, d_pte[`MMU_X86PTE_G], d_acc[PU], d_acc[PX], d_acc[PW], d_acc[PR]};
        if (!f_perm_ok(w_mode_q, d_perm, w_acc_q, w_priv_q)) d_cause = `MMU_CAUSE_PERMISSION;
        d_need = (64'd1 << `MMU_X86PTE_A) | ((w_acc_q == `MMU_ACCESS_W) ? (64'd1 << `MMU_X86PTE_D) : 64'd0);
        d_write = (d_pte & d_need) != d_need;
        d_perm[PD] = d_pte[`MMU_X86PTE_D] || (w_acc_q == `MMU_ACCESS_W);
        d_ppn = (d_next & ~d_low) >> 12;
      end
    end else begin
      // RISC-V style: V, reserved, pointer or leaf
      d_ppn = (d_pte >> 10) & f_rv_ppn_mask(w_mode_q);
      d_rsvd = f_rv_rsvd(w_mode_q);
      if (d_pte[`MMU_RVPTE_G]) d_acc[PG] = 1'b1;
      d_next = d_ppn << PAGE_BITS;
      if (!d_pte[`MMU_RVPTE_V]) d_cause = `MMU_CAUSE_NOT_PRESENT;
      else if (((d_pte & d_rsvd) != 64'd0 && !`MMU_BRK(6)) || (d_pte[`MMU_RVPTE_W] && !d_pte[`MMU_RVPTE_R]))
        d_cause = `MMU_CAUSE_RESERVED;
      else if (!d_pte[`MMU_RVPTE_R] && !d_pte[`MMU_RVPTE_X]) begin
        if (d_pte[`MMU_RVPTE_A] || d_pte[`MMU_RVPTE_D] || d_pte[`MMU_RVPTE_U] || w_level_q == 3'd0)
          d_cause = `MMU_CAUSE_RESERVED;
        else d_pointer = 1'b1;
      end else begin
        d_perm = {1'b0, d_acc[PG], d_pte[`MMU_RVPTE_U], d_pte[`MMU_RVPTE_X],
                  d_pte[`MMU_RVPTE_W], d_pte[`MMU_RVPTE_R]};
        d_need = (64'd1 << `MMU_RVPTE_A) | ((w_acc_q == `MMU_ACCESS_W) ? (64'd1 << `MMU_RVPTE_D) : 64'd0);
        if (!f_perm_ok(w_mode_q, d_perm, w_acc_q, w_priv_q)) d_cause = `MMU_CAUSE_PERMISSION;
        else if ((d_ppn & (d_low >> PAGE_BITS)) != 64'd0) d_cause = `MMU_CAUSE_MISALIGNED;
        else if ((d_pte & d_need) != d_need) begin
          if (pol_adf_q) d_cause = `MMU_CAUSE_AD_NEEDED;
          else d_write = 1'b1;
        end
        d_perm[PD] = d_pte[`MMU_RVPTE_D] || (w_acc_q == `MMU_ACCESS_W);
      end
    end
    // the frame kept for later (PA >> PAGE_BITS): the next table's, or the leaf's
    d_leaf = d_pointer ? d_next >> PAGE_BITS :
             f_x86(w_mode_q) ? (d_ppn << 12) >> PAGE_BITS : d_ppn;
  end

  // a pointer is accepted now: in DECODE without a write, or when the x86
  // A-bit write of a pointer completes
  wire w_descend = (w_state_q == W_DECODE && w_cause_q == `MMU_CAUSE_OK && !w_dc_write_q && w_dc_ptr_q) ||
                   (w_state_q == W_WWAIT && wb_ack_i && !wb_err_i && !w_wr_leaf_q);

  // PWC lookup at the start of a walk: the deepest match of a usable level
  // (smallest span; among equal spans the lowest index).  Every pair of
  // entries is compared at once, so the choice is two gate levels deep
  // rather than a chain through the entries.
  // (Each entry's span is worked out once, in pl_span, and which entry
  // beats which, pl_beat, depends on the spans alone, not on the key: it is
  // worked out apart, so a simulator evaluates the pairs once a clock and
  // not again whenever an input changes.  The same gates.)
  reg [PWN-1:0]  pl_use, pl_sel;
  reg [6*PWN-1:0] pl_span;
  reg [PWN*PWN-1:0] pl_beat;   // [k*PWN+kj]: entry kj, if usable, beats entry k
  reg            pl_hit;
  always @* begin
    for (k = 0; k < PWN; k = k + 1)
      pl_span[6*k +: 6] = f_espan(pw_level_q[k], pw_s32_q[k]);
    for (k = 0; k < PWN; k = k + 1)
      for (kj = 0; kj < PWN; kj = kj + 1)
        pl_beat[k*PWN + kj] = (kj < k && pl_span[6*kj +: 6] <= pl_span[6*k +: 6]) ||
                              (kj > k && pl_span[6*kj +: 6] < pl_span[6*k +: 6]);
  end
  always @* begin
    for (k = 0; k < PWN; k = k + 1)
      pl_use[k] = (PWC_N > 0) && pw_hit[k] && pw_level_q[k] != 3'd0 &&
                  pw_level_q[k] < f_levels(w_mode_q);
    for (k = 0; k < PWN; k = k + 1)
      pl_sel[k] = pl_use[k] && (pl_use & pl_beat[k*PWN +: PWN]) == {PWN{1'b0}};
    pl_hit = pl_use != {PWN{1'b0}};
  end

  // the entry chosen, a clock later (W_PWC): one-hot AND-OR muxes
  reg            pl_hit_q;
  reg [PWN-1:0]  pl_sel_q;
  reg [PWB-1:0]  plq_idx;
  reg [2:0]      plq_level;
  reg [PPN_W-1:0] plq_ppn;
  reg [5:0]      plq_perm;
  always @* begin
    plq_idx = {PWB{1'b0}};
    plq_level = 3'd0;
    plq_ppn = {PPN_W{1'b0}};
    plq_perm = 6'd0;
    for (k = 0; k < PWN; k = k + 1)
      if (pl_sel_q[k]) begin
        plq_idx = plq_idx | k[PWB-1:0];
        plq_level = plq_level | pw_level_q[k];
        plq_ppn = plq_ppn | pw_ppn_q[k];
        plq_perm = plq_perm | pw_perm_q[k];
      end
  end

  // PWC insert target for the pointer about to be read: chosen in W_ADDR
  // (the key is the walker's there) and registered, off the decode path.
  // Only an invalidation can change the PWC before the insert, and that
  // makes the walk stale, which cancels the insert.
  // The lowest such entry, else the PLRU victim: a priority multiplexer.
  reg  [PWN-1:0]     pi_match;
  reg  [PWN*PWB-1:0] pi_cand;
  wire               pi_any;
  wire [PWB-1:0]     pi_first;
  wire [PWB-1:0]     pi_idx = pi_any ? pi_first : pw_victim;
  reg  [PWB-1:0]     pi_idx_q;
  always @*
    for (k = 0; k < PWN; k = k + 1) begin
      pi_match[k] = pw_hit[k] && pw_level_q[k] == w_level_q && f_espan(pw_level_q[k], pw_s32_q[k]) == d_span;
      pi_cand[k*PWB +: PWB] = k[PWB-1:0];
    end
  mmu_pmux #(.N(PWN), .W(PWB)) u_pi_pick (
      .hit_i(pi_match), .data_i(pi_cand), .any_o(pi_any), .data_o(pi_first));

  // fill / flush search over the base set (RAM data) and superpage array
  wire [WB-1:0]  fill_way;
  reg            fb_hit;
  reg [WB-1:0]   fb_way;
  reg            fs_hit, fs_hit_q;   // superpage fill target: chosen in W_FILLRD,
  reg [SPB-1:0]  fs_idx, fs_idx_q;   //   registered for W_FILL
  reg [WAYS-1:0] fb_match_vec;
  always @* begin
    fb_hit = 1'b0;
    fb_way = {WB{1'b0}};
    fb_match_vec = {WAYS{1'b0}};
    for (k = WAYS - 1; k >= 0; k = k - 1)
      if (rd_valid[k] && e_tag(ram_rd_data[k]) == w_vpn[VPN_W-1 -: TAGB] &&
          (e_g(ram_rd_data[k]) || e_asid(ram_rd_data[k]) == w_asid_q)) begin
        fb_hit = 1'b1;
        fb_way = k[WB-1:0];
        fb_match_vec[k] = 1'b1;
      end
    fs_hit = spf_hit;
    fs_idx = spf_hit ? spf_idx : sp_victim;
  end

  assign fill_way = fb_hit ? fb_way : pl_victim;
  // a base-page fill writes its way in W_FILL, straight from the walker
  wire fill_wr = (w_state_q == W_FILL) && (!w_stale_q || `MMU_BRK(5)) && w_level_q == 3'd0;
  assign ram_wr_en = fill_wr ? way_bit(fill_way) : {WAYS{1'b0}};
  assign ram_wr_data = {w_vpn[VPN_W-1 -: TAGB], w_asid_q, w_leaf_ppn_q, w_leaf_perm_q};

  // control invalidation compare over the RAM data of set c_cmp_set_q
  // (the same per-way compares as stage B's: the operation's VA and ASID
  // are in stage B's registers)
  reg [WAYS-1:0] ci_kill;
  always @* begin
    ci_kill = {WAYS{1'b0}};
    for (k = 0; k < WAYS; k = k + 1)
      if (rd_valid[k]) begin
        if (c_kind_q == `MMU_INVAL_ASID)
          ci_kill[k] = !e_g(ram_rd_data[k]) && bw_aeq[k];
        else if (c_kind_q == `MMU_INVAL_VA)
          ci_kill[k] = bw_teq[k];
        else
          ci_kill[k] = bw_teq[k] && !e_g(ram_rd_data[k]) && bw_aeq[k];
      end
  end


  // ------------------------------------------------------------------
  // handshakes
  // ------------------------------------------------------------------
  // with INSPECT, inspection reads may follow each other every clock: while
  // one returns its data (i_pend_q) the next one's RAM read is issued (the
  // co-simulation's state checks); INSPECT = 0 builds (the boards, whose
  // link reads a counter or a context now and then) take one every two
  // clocks and keep the smaller logic
  wire idle_all = !b_valid_q && w_idle && !c_busy_q && (INSPECT != 0 || !i_pend_q);
  // the walker or the control sweep owns the RAM read port this cycle
  wire port_walker = (w_state_q == W_FILLRD) || (w_state_q == W_FLUSHRD);
  // the ASID sweep has read every set (c_set_q counts 0..SETS)
  wire c_set_done = (SETS > 1) ? c_set_q[SB] : c_set_q[0];
  wire port_ctl = c_busy_q && c_kind_q != `MMU_INVAL_ALL &&
                  ((c_kind_q == `MMU_INVAL_ASID) ? !c_set_done : !c_issued_q);
  // the walker's fill and flush states read and write the base array: no
  // control operation may start while it is in them (or searching)
  wire w_base_busy = (w_state_q == W_FILLRD) || (w_state_q == W_FILL) ||
                     (w_state_q == W_FLUSHRD) || (w_state_q == W_FLUSH2);
  assign ctl_ready_o = !b_valid_q && !c_busy_q && !i_pend_q && !w_searching && !w_base_busy &&
                       w_state_q != W_PWC;
  wire ctl_go = ctl_valid_i && ctl_ready_o;
  wire inval_go = ctl_go && ctl_op_i == 2'd2;
  // Timing: stage B takes the next request in the clock it is evaluated only
  // with the walker idle (it then answers or hands over, whatever the
  // compare says); while a walk runs it takes one into an empty stage B, so
  // the hit decision stays off this path (hits under a walk: one per 2 clocks)
  assign req_ready_o = (!b_valid_q || (ev_look && (HUM == 0 || w_idle))) && !port_ctl && !port_walker && !ctl_valid_i && !w_key &&
                       !c_busy_q && !i_pend_q;
  wire req_go = req_valid_i && req_ready_o;
  // a registered RAM write lands at the end of this clock: a read now would
  // return the old word
  // a RAM write lands at the end of this clock: a read now returns the old word
  wire wr_landing_data = fill_wr || vld_wr_en || ctx_wr_en;   // not forwarded: re-read
  wire wr_landing = wr_landing_data || plr_wr_en;
  assign ctx_wr_en = ctl_go && ctl_op_i == 2'd0;
  // (a context write needs ctl_valid_i, which keeps inspection out anyway:
  // leaving it out of this term keeps the control handshake off this path)
  assign insp_ready_o = idle_all && !ctl_valid_i && !req_valid_i && !cnt_pending &&
                        !(fill_wr || vld_wr_en || plr_wr_en);
  wire insp_go = insp_valid_i && insp_ready_o;

  // ------------------------------------------------------------------
  // RAM read ports
  // ------------------------------------------------------------------
  wire [SB-1:0] req_set = (SETS > 1) ? req_va_i[PAGE_BITS +: SB] : {SB{1'b0}};
  wire [SB-1:0] insp_set = (SETS > 1) ? insp_index_i[WAYB +: SB] : {SB{1'b0}};
  wire [WB-1:0] i_way = (WAYS > 1) ? i_index_q[WB-1:0] : {WB{1'b0}};
  always @* begin
    ram_rd_en = 1'b0;
    ram_rd_set = {SB{1'b0}};
    ctx_rd_en = 1'b0;
    ctx_rd_asid = req_asid_i;
    if (port_ctl) begin
      ram_rd_en = 1'b1;
      ram_rd_set = (c_kind_q == `MMU_INVAL_ASID) ? c_set_q[SB-1:0] :
                   b_set;
    end else if (port_walker) begin
      ram_rd_en = 1'b1;
      ram_rd_set = w_set;
    end else if (req_go) begin
      ram_rd_en = 1'b1;
      ram_rd_set = req_set;
      ctx_rd_en = 1'b1;
    end else if (b_reread) begin
      ram_rd_en = 1'b1;
      ram_rd_set = b_set;
      ctx_rd_en = 1'b1;
      ctx_rd_asid = b_asid_q;
    end else if (insp_go) begin
      ram_rd_en = 1'b1;
      ram_rd_set = (insp_array_i == 3'd3 || insp_array_i == 3'd7) ? insp_index_i[SB-1:0] : insp_set;
      ctx_rd_en = 1'b1;
      ctx_rd_asid = insp_index_i[ASID_BITS-1:0];
    end
  end

  // ------------------------------------------------------------------
  // counters: one increment-enable per counter from this clock's events, one
  // incrementer per counter.  No counter gets two events in one clock (stage
  // B and the walker act together only with hit-under-miss, and then stage B
  // counts lookups, hits and its own faults while the walker, outside
  // W_FLUSH, counts walks, PWC hits and PTE reads and writes), so OR-ing
  // them is exact.
  // ------------------------------------------------------------------
  // This clock's events (cnt_ev) are registered (cnt_hot_q, cnt_cold_*,
  // cnt_clear) before they reach the pending counts: counting is off the
  // timing paths.
  reg [NCNT-1:0] cnt_ev;
  wire cnt_clr_ev = ctl_go && ctl_op_i == 2'd3;
  reg            cnt_clear;
  always @* begin
    cnt_ev = {NCNT{1'b0}};
    if (ev) begin
      if (ev_fault != `MMU_CAUSE_OK) begin
        cnt_ev[f_fault_cnt(ev_fault)] = 1'b1;
      end else begin
        cnt_ev[`MMU_CNT_LOOKUPS] = 1'b1;
        if (ev_use) cnt_ev[`MMU_CNT_HITS] = 1'b1;
        else if (!ev_hit_base && !ev_hit_sp) cnt_ev[`MMU_CNT_MISSES] = 1'b1;
      end
    end
    if (w_state_q == W_START) cnt_ev[`MMU_CNT_WALKS] = 1'b1;
    if (w_state_q == W_PWC && pl_hit_q) cnt_ev[`MMU_CNT_PWC_HITS] = 1'b1;
    if (w_state_q == W_ADDR && !w_pte_big) cnt_ev[`MMU_CNT_PTE_READS] = 1'b1;
    if (w_state_q == W_DECODE && w_cause_q == `MMU_CAUSE_OK && w_dc_write_q)
      cnt_ev[`MMU_CNT_PTE_WRITES] = 1'b1;
    if (w_state_q == W_FLUSH) cnt_ev[f_fault_cnt(w_cause_q)] = 1'b1;
    if (inval_go) cnt_ev[`MMU_CNT_INVAL_ALL + {3'd0, ctl_kind_i}] = 1'b1;
  end

  // The counts live in a RAM (block RAM on an FPGA), 32 bits each.  A drain
  // adds to one RAM word a clock (read this clock, written the next).  The
  // counters fall in two kinds:
  //  - hot: those stage B increments (lookups, hits, misses and its two
  //    faults, no-context and non-canonical), up to one event a clock each.
  //    Each has a pending count in flip-flops, drained round robin in the
  //    clocks the cold event below leaves free.
  //  - cold: the rest (the walker's and the invalidations').  Their events
  //    exclude each other: the walker counts in W_START, W_PWC, W_ADDR,
  //    W_DECODE and W_FLUSH, one event a clock, and a control operation
  //    cannot start in any of those states; the walker's faults are never
  //    no-context or non-canonical.  So at most one cold event comes a
  //    clock; it is registered as an index and drained the next clock,
  //    first.  No cold counter gets events two clocks running (the
  //    walker's states for one counter are at least 3 clocks apart, control
  //    operations at least 2), so its drain never reads a word whose last
  //    drain is still being written.
  // A hot counter's turn comes every 5 clocks that no cold event takes, and
  // cold events fill at most 5 clocks in a row (an invalidation taken with
  // the walker idle, then W_START, W_PWC, W_ADDR and W_FLUSH), so its turn
  // comes within 30 clocks and its pending count stays below 32.  The
  // simulation checks all of this (the assertions at the end).  Clearing sets a per-counter
  // "reads as zero" flag instead of writing the RAM; the counter's next
  // drain writes over it.  The inspection port reads a counter only when
  // nothing is pending.
  // the hot counters, once: hot counter h is HOT_IDS[5h +: 5]
  localparam integer NHOT = 5;
  localparam [5*NHOT-1:0] HOT_IDS = {`MMU_CNT_FAULT_NO_CONTEXT, `MMU_CNT_FAULT_NON_CANONICAL,
                                     `MMU_CNT_MISSES, `MMU_CNT_HITS, `MMU_CNT_LOOKUPS};
  function [4:0] f_hot_id(input [2:0] h);
    f_hot_id = HOT_IDS[5*h +: 5];
  endfunction
  function f_is_hot(input [4:0] c);
    integer h;
    begin
      f_is_hot = 1'b0;
      for (h = 0; h < NHOT; h = h + 1)
        if (HOT_IDS[5*h +: 5] == c) f_is_hot = 1'b1;
    end
  endfunction
  // (written as vector operations on constant masks, which cost the
  // simulation a few instructions, not a loop over the counters per eval)
  function [NCNT-1:0] f_cnt_mask(input integer which);   // 5: the cold ones;
    integer m;                                           // 0-4: cold, index bit set
    begin
      f_cnt_mask = {NCNT{1'b0}};
      for (m = 0; m < NCNT; m = m + 1)
        f_cnt_mask[m] = !f_is_hot(m[4:0]) && (which > 4 || ((m >> which) & 1) != 0);
    end
  endfunction
  localparam [NCNT-1:0] CNT_COLD = f_cnt_mask(5);
  localparam [NCNT-1:0] CNT_IDX0 = f_cnt_mask(0), CNT_IDX1 = f_cnt_mask(1),
                        CNT_IDX2 = f_cnt_mask(2), CNT_IDX3 = f_cnt_mask(3),
                        CNT_IDX4 = f_cnt_mask(4);
  wire [NHOT-1:0] cnt_hot_ev;
  genvar gh;
  generate
    for (gh = 0; gh < NHOT; gh = gh + 1) begin : g_hot_ev
      assign cnt_hot_ev[gh] = cnt_ev[HOT_IDS[5*gh +: 5]];
    end
  endgenerate
  wire           cnt_cold_ev = |(cnt_ev & CNT_COLD);
  // the cold event's index: one-hot among the cold counters, so each index
  // bit is the OR of the counters whose index has it
  wire [4:0]     cnt_cold_idx = {|(cnt_ev & CNT_IDX4), |(cnt_ev & CNT_IDX3), |(cnt_ev & CNT_IDX2),
                                 |(cnt_ev & CNT_IDX1), |(cnt_ev & CNT_IDX0)};
  reg [NHOT-1:0] cnt_hot_q;       // the hot events, registered
  reg            cnt_cold_q;      // a cold event, and its counter, registered
  reg [4:0]      cnt_cold_idx_q;
  reg [CPW-1:0]  hp_q [0:NHOT-1];   // hot counters' pending increments
  reg [2:0]      hp_ptr_q;          // the hot counter whose turn it is
  reg [NCNT-1:0] cz_q;              // the RAM word is stale: the count is zero
  reg            cd_v_q;            // a drain write is due this clock
  reg [CAB-1:0]  cd_idx_q;
  reg [CPW-1:0]  cd_add_q;
  reg            cnt_rd_en;
  reg  [CAB-1:0] cnt_rd_addr;
  wire [31:0]    cnt_rd_data;
  wire           hd_issue = !cnt_cold_q && hp_q[hp_ptr_q] != {CPW{1'b0}};
  wire           cd_issue = (cnt_cold_q || hd_issue) && !cnt_clear;
  wire [CAB-1:0] cd_idx = cnt_cold_q ? cnt_cold_idx_q[CAB-1:0] : f_hot_id(hp_ptr_q);
  wire [31:0]    cnt_base = cz_q[cd_idx_q] ? 32'd0 : cnt_rd_data;
  reg            cnt_pending;
  integer kc;
  always @* begin
    cnt_pending = cd_v_q || cnt_clear || cnt_cold_q || cnt_hot_q != {NHOT{1'b0}};
    for (kc = 0; kc < NHOT; kc = kc + 1)
      if (hp_q[kc] != {CPW{1'b0}}) cnt_pending = 1'b1;
    cnt_rd_en = cd_issue || (insp_go && insp_array_i == 3'd4);
    cnt_rd_addr = cd_issue ? cd_idx : insp_index_i[CAB-1:0];
  end
  mmu_ram #(.WIDTH(32), .DEPTH(1 << CAB)) u_cnt (
      .clk_i(clk_i), .rd_en_i(cnt_rd_en), .rd_addr_i(cnt_rd_addr), .rd_data_o(cnt_rd_data),
      .wr_en_i(cd_v_q), .wr_addr_i(cd_idx_q),
      .wr_data_i(cnt_base + {{(32-CPW){1'b0}}, cd_add_q}));

  genvar gc;
  generate
    for (gc = 0; gc < NHOT; gc = gc + 1) begin : g_cnt
      always @(posedge clk_i or negedge rst_ni)
        if (!rst_ni) hp_q[gc] <= {CPW{1'b0}};
        else if (cnt_clear) hp_q[gc] <= {CPW{1'b0}};
        else if (hd_issue && hp_ptr_q == gc) hp_q[gc] <= {{(CPW-1){1'b0}}, cnt_hot_q[gc]};
        else if (cnt_hot_q[gc]) hp_q[gc] <= hp_q[gc] + 1'b1;
    end
  endgenerate

  always @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) begin
      cnt_hot_q <= {NHOT{1'b0}};
      cnt_cold_q <= 1'b0;
      cnt_clear <= 1'b0;
      cz_q <= {NCNT{1'b1}};
      hp_ptr_q <= 3'd0;
      cd_v_q <= 1'b0;
    end else begin
      cnt_hot_q <= cnt_hot_ev;
      cnt_cold_q <= cnt_cold_ev;
      cnt_clear <= cnt_clr_ev;
      if (!cnt_cold_q) hp_ptr_q <= (hp_ptr_q == NHOT[2:0] - 3'd1) ? 3'd0 : hp_ptr_q + 3'd1;
      cd_v_q <= cd_issue;
      cd_idx_q <= cd_idx;
      cd_add_q <= cnt_cold_q ? {{(CPW-1){1'b0}}, 1'b1} : hp_q[hp_ptr_q];
      if (cd_v_q) cz_q[cd_idx_q] <= 1'b0;
      if (cnt_clear) cz_q <= {NCNT{1'b1}};
    end
  always @(posedge clk_i) cnt_cold_idx_q <= cnt_cold_idx;

  // the VPN of the base entry being inspected: its tag, then its set; and
  // for a whole set (array 7, whose index is the set), every way's
  localparam integer ISW = 43 + PA_BITS + ASID_BITS;   // a way in insp_set_o
  wire [35:0] i_base_vpn;
  wire [WAYS*36-1:0] i_set_vpn;
  generate
    if (SETS > 1) begin : g_vpn_sets
      wire [SB-1:0] i_set = i_index_q[WAYB +: SB];
      assign i_base_vpn = {{(36-VPN_W){1'b0}}, e_tag(ram_rd_data[i_way[WB-1:0]]), i_set};
      for (gw = 0; gw < WAYS; gw = gw + 1) begin : g_way
        assign i_set_vpn[gw*36 +: 36] = {{(36-VPN_W){1'b0}}, e_tag(ram_rd_data[gw]), i_index_q[SB-1:0]};
      end
    end else begin : g_vpn_one_set
      assign i_base_vpn = {{(36-VPN_W){1'b0}}, e_tag(ram_rd_data[i_way[WB-1:0]])};
      for (gw = 0; gw < WAYS; gw = gw + 1) begin : g_way
        assign i_set_vpn[gw*36 +: 36] = {{(36-VPN_W){1'b0}}, e_tag(ram_rd_data[gw])};
      end
    end
  endgenerate

  // ------------------------------------------------------------------
  // addresses computed for the clocked block
  // ------------------------------------------------------------------
  // Timing: a superpage hit's PA and page shift come from stage B's
  // registers alone; the hit decision only picks between them and the base
  // way's frame.
  reg [63:0] ev_pa, sp_m, sp_pa, w_pa;
  reg [5:0]  ev_shift, sp_shift;
  reg [63:0] w_pte_pa;
  wire w_pte_big = w_table_big_q || (w_pte_pa >> PA_BITS) != 64'd0;
  always @* begin
    sp_shift = f_espan(b_sp_level_q, b_sp_s32_q);
    sp_m = f_span_mask64(sp_shift);
    sp_pa = (((({{(64-PPN_W){1'b0}}, b_sp_ppn_q} & sp_m) |
               ({{(64-VPN_W){1'b0}}, b_vpn} & ~sp_m & {64{!`MMU_BRK(3)}})) << PAGE_BITS)) |
            (b_va64 & ((64'd1 << PAGE_BITS) - 64'd1));
    sp_shift = PAGE_BITS[5:0] + sp_shift;
    if (!ev_hit_base) begin   // a superpage hit, or a miss (no answer then)
      ev_pa = sp_pa;
      ev_shift = sp_shift;
    end else begin
      ev_pa = ({{(64-PPN_W){1'b0}}, ev_ppn} << PAGE_BITS) | (b_va64 & ((64'd1 << PAGE_BITS) - 64'd1));
      ev_shift = PAGE_BITS[5:0];
    end
    // Tables are page-aligned and a table fits a page in every mode but the
    // textbook's, so the PTE address is a concatenation there (an OR): no
    // adder on the walker's path.
    if (TEXTBOOK != 0)
      w_pte_pa = {{(64-PA_BITS){1'b0}}, w_table_q} +
                 ({48'd0, f_index(w_mode_q, w_level_q, w_va64)} << ((f_pte_bytes(w_mode_q) == 4'd8) ? 3 : 2));
    else
      w_pte_pa = ({{(64-PA_BITS){1'b0}}, w_table_q} & ~64'hfff) |
                 (({48'd0, f_index(w_mode_q, w_level_q, w_va64)} << ((f_pte_bytes(w_mode_q) == 4'd8) ? 3 : 2)) &
                  64'hfff);
    w_pa = ({{(64-PPN_W){1'b0}}, w_leaf_ppn_q} << PAGE_BITS) | (w_va64 & f_lowmask(w_mode_q, w_level_q));
  end
  wire [PA_BITS-1:0] ctx_root = {{(PA_BITS-PPN_W){1'b0}}, ctx_rd_data[PPN_W-1:0]} << PAGE_BITS;

  // ------------------------------------------------------------------
  // sequential logic
  // ------------------------------------------------------------------
  integer i;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      plr_wr_en_q <= 1'b0;
      hit_q <= 1'b0;
      fwd_v_q <= 1'b0;
      sp_plru_q <= {SPNB{1'b0}};
      pw_plru_q <= {PWNB{1'b0}};
      for (i = 0; i < SPN; i = i + 1) sp_v_q[i] <= 1'b0;
      for (i = 0; i < PWN; i = i + 1) pw_v_q[i] <= 1'b0;
      b_valid_q <= 1'b0;
      b_rd_ok_q <= 1'b0;
      w_go(W_IDLE);
      w_stale_q <= 1'b0;
      // the arrays are cleared by a sweep that starts now
      c_busy_q <= 1'b1;
      c_reset_q <= 1'b1;
      c_kind_q <= `MMU_INVAL_ALL;
      c_set_q <= {(SB+1){1'b0}};
      c_cmp_q <= 1'b0;
      i_pend_q <= 1'b0;
      insp_rvalid_o <= 1'b0;
      rsp_valid_o <= 1'b0;
      ctl_done_o <= 1'b0;
      wb_cyc_o <= 1'b0;
      wb_stb_o <= 1'b0;
      wb_we_o <= 1'b0;
      pol_sum_q <= 1'b0;
      pol_mxr_q <= 1'b0;
      pol_adf_q <= 1'b0;
      pol_wp_q <= 1'b0;
      pol_nxe_q <= 1'b0;
      pol_smep_q <= 1'b0;
      pol_smap_q <= 1'b0;
      pol_maxphy_q <= (PA_BITS < 52) ? PA_BITS[5:0] : 6'd52;
    end else begin
      ctl_done_o <= 1'b0;
      insp_rvalid_o <= 1'b0;
      vld_wr_en <= 1'b0;
      plr_wr_en_q <= 1'b0;
      // PLRU forward: a read at this edge misses the write landing with it
      if (ram_rd_en) begin
        fwd_v_q <= plr_wr_en;
        fwd_set_q <= plr_wr_set;
        fwd_bits_q <= plr_wr_data;
      end
      hit_q <= plr_hit_wr;
      hit_set_q <= b_set;
      hit_way_q <= ev_way;
      hit_bits_q <= rd_plru;
      if (ram_rd_en) rd_set_q <= ram_rd_set;
      if (rsp_valid_o && rsp_ready_i) rsp_valid_o <= 1'b0;

      // ---------------- stage B ----------------
      // b_rd_ok: the RAM and context outputs hold stage B's set and ASID.  They
      // stop doing so when the read port serves someone else, or when a RAM
      // or context write lands (a read in the same clock returns old data).
      if (b_reread)
        b_rd_ok_q <= !wr_landing_data && !sp_wr;  // re-read now
      else if (port_ctl || port_walker || wr_landing || sp_wr)
        b_rd_ok_q <= 1'b0;
      if (req_go || b_reread) begin
        b_sp_hit_q <= spf_hit;
        b_sp_idx_q <= spf_idx;
        b_sp_perm_q <= spf_perm;
        b_sp_s32_q <= spf_s32;
        b_sp_level_q <= spf_level;
        b_sp_ppn_q <= spf_ppn;
      end
      // Timing: the response payload is loaded on every evaluation, and the
      // walker's request registers on every evaluation with the walker idle;
      // only rsp_valid_o, b_valid_q, the walker's state and the superpage
      // PLRU wait for the hit decision.
      if (ev_look) begin
        if (ev) b_valid_q <= 1'b0;
        rsp_valid_o <= ev_fault != `MMU_CAUSE_OK || ev_use;
        rsp_tag_o <= b_tag_q;
        rsp_cause_o <= ev_fault;
        if (ev_fault != `MMU_CAUSE_OK) begin
          rsp_level_o <= `MMU_LEVEL_NONE;
          rsp_pa_o <= {PA_BITS{1'b0}};
          rsp_perm_o <= 6'd0;
          rsp_page_shift_o <= 6'd0;
          rsp_hit_o <= 1'b0;
          {rsp_exc_o, rsp_err_o} <= f_native(b_mode, ev_fault, b_acc_q, b_priv_q);
        end else begin
          rsp_level_o <= ev_level;
          rsp_pa_o <= ev_pa[PA_BITS-1:0];
          rsp_perm_o <= ev_perm;
          rsp_page_shift_o <= ev_shift;
          rsp_hit_o <= 1'b1;
          rsp_exc_o <= 8'd0;
          rsp_err_o <= 16'd0;
        end
        if (ev_fault == `MMU_CAUSE_OK && ev_use && !ev_hit_base) sp_plru_q <= sp_touched;
        // the walker's copy of the request: only when it is idle (HUM; with
        // HUM = 0 stage B is evaluated only then)
        if (HUM == 0 || w_idle || `MMU_BRK(9)) begin
          if (ev_fault == `MMU_CAUSE_OK && !ev_use) w_go(W_START);
          w_va_q <= b_va_q;
          w_asid_q <= b_asid_q;
          w_acc_q <= b_acc_q;
          w_priv_q <= b_priv_q;
          w_tag_q <= b_tag_q;
          w_mode_q <= b_mode;
          w_table_q <= ctx_root;
          w_table_big_q <= 1'b0;
        end
      end
      if (req_go) begin
        b_valid_q <= 1'b1;
        b_rd_ok_q <= !wr_landing_data && !sp_wr;
        b_va_q <= req_va_i[VA_W-1:0];
        b_canon_q <= {req_va_i[63:TBVA] == {(64-TBVA){1'b0}},
                      (&req_va_i[63:47]) || !(|req_va_i[63:47]),
                      (&req_va_i[63:38]) || !(|req_va_i[63:38]),
                      req_va_i[63:32] == 32'd0};
        b_asid_q <= req_asid_i;
        b_acc_q <= req_access_i;
        b_priv_q <= req_priv_i;
        b_tag_q <= req_tag_i;
      end

      // ---------------- walker ----------------
      case (w_state_q)
        W_START: begin                        // PWC search: registered
          w_stale_q <= 1'b0;
          w_acc_perm_q <= 6'b001111;           // R W X U, not G
          w_level_q <= f_levels(w_mode_q) - 3'd1;
          pl_hit_q <= pl_hit;
          pl_sel_q <= pl_sel;
          w_go(W_PWC);
        end
        W_PWC: begin                          // start below the PWC entry found
          if (pl_hit_q) begin
            pw_plru_q <= pw_touched;
            w_level_q <= plq_level - 3'd1;
            w_table_q <= {plq_ppn, {PAGE_BITS{1'b0}}};
            w_acc_perm_q <= f_pw_perm(plq_perm);
          end
          w_go(W_ADDR);
        end
        W_ADDR: begin
          w_pte_hi_q <= w_pte_pa[2];
          pi_idx_q <= pi_idx;
          if (w_pte_big) begin
            w_cause_q <= `MMU_CAUSE_ACCESS;
            w_go(W_FLUSH);
          end else begin
            wb_cyc_o <= 1'b1;
            wb_stb_o <= 1'b1;
            wb_we_o <= 1'b0;
            wb_sel_o <= 8'hff;
            wb_adr_o <= w_pte_pa[PA_BITS-1:3];
            w_go(W_RWAIT);
          end
        end
        W_RWAIT: begin
          if (wb_stb_o && !wb_stall_i) wb_stb_o <= 1'b0;
          if (wb_ack_i || wb_err_i) begin
            wb_stb_o <= 1'b0;
            if (wb_err_i) begin
              wb_cyc_o <= 1'b0;
              w_cause_q <= `MMU_CAUSE_ACCESS;
              w_go(W_FLUSH);
            end else begin
              // decode the PTE as it arrives; W_DECODE acts on the result
              w_cause_q <= d_cause;
              w_dc_ptr_q <= d_pointer;
              w_dc_write_q <= d_write;
              w_acc_perm_q <= d_acc;
              w_leaf_ppn_q <= d_leaf[PPN_W-1:0];
              w_leaf_big_q <= (d_leaf >> PPN_W) != 64'd0;
              w_leaf_perm_q <= d_perm;
              // the A/D write's byte: the PTE's lowest, which holds A and D,
              // copied into every lane (the others are not selected)
              wb_dat_o <= {8{d_pte[7:0] | (d_need[7:0] & {8{!`MMU_BRK(4)}})}};
              wb_sel_o <= (f_pte_bytes(w_mode_q) == 4'd4 && w_pte_hi_q) ? 8'h10 : 8'h01;
              w_go(W_DECODE);       // CYC stays high: a write may follow
            end
          end
        end
        W_DECODE: begin
          if (w_cause_q != `MMU_CAUSE_OK) begin
            wb_cyc_o <= 1'b0;
            w_go(W_FLUSH);
          end else if (w_dc_write_q) begin
            wb_stb_o <= 1'b1;
            wb_we_o <= 1'b1;
            w_wr_leaf_q <= !w_dc_ptr_q;
            w_go(W_WWAIT);
          end else begin
            wb_cyc_o <= 1'b0;
            if (!w_dc_ptr_q) w_go(W_LEAF);   // a pointer descends: see w_descend
          end
        end
        W_WWAIT: begin
          if (wb_stb_o && !wb_stall_i) wb_stb_o <= 1'b0;
          if (wb_ack_i || wb_err_i) begin
            wb_stb_o <= 1'b0;
            wb_cyc_o <= 1'b0;
            wb_we_o <= 1'b0;
            if (wb_err_i) begin
              w_cause_q <= `MMU_CAUSE_ACCESS;
              w_go(W_FLUSH);
            end else if (w_wr_leaf_q) begin
              w_go(W_LEAF);                 // an x86 pointer descends: see w_descend
            end
          end
        end
        W_LEAF: begin
          if (w_leaf_big_q || (w_pa >> PA_BITS) != 64'd0) begin
            w_cause_q <= `MMU_CAUSE_ACCESS;
            w_go(W_FLUSH);
          end else begin
            w_cause_q <= `MMU_CAUSE_OK;
            w_go(((w_stale_q && !`MMU_BRK(5)) || inval_go) ? W_RESP : W_FILLRD);
          end
        end
        W_FILLRD: begin
          fs_hit_q <= fs_hit;
          fs_idx_q <= fs_idx;
          // the read port reads w_set every clock here; a valid-bit write
          // landing at the end of this clock (the last of an ASID sweep)
          // makes this read stale, so read once more
          if (!c_busy_q && !wr_landing_data) w_go(W_FILL);
        end
        W_FILL: begin
          if (w_stale_q && !`MMU_BRK(5)) begin
            w_go(W_RESP);
          end else begin
            if (w_level_q == 3'd0) begin
              ram_wr_set <= w_set;
              vld_wr_en <= 1'b1;
              vld_wr_data <= rd_valid | way_bit(fill_way);
              plr_wr_en_q <= 1'b1;
              plr_wr_set_q <= w_set;
              plr_wr_data_q <= pl_touched;
              if (SP_N > 0 && fs_hit_q) sp_v_q[fs_idx_q] <= 1'b0;
            end else begin
              if (fb_hit) begin
                vld_wr_en <= 1'b1;
                ram_wr_set <= w_set;
                vld_wr_data <= rd_valid & ~way_bit(fb_way);
              end
              if (SP_N > 0) begin
                sp_v_q[fs_idx_q] <= 1'b1;
                sp_vpn_q[fs_idx_q] <= w_vpn & f_span_mask(f_shift(w_mode_q, w_level_q) - PAGE_BITS[5:0]) &
                                      ~SUPER_VPN_LOW;
                sp_s32_q[fs_idx_q] <= (HAS_SV32 != 0) && w_mode_q == `MMU_MODE_SV32;
                sp_level_q[fs_idx_q] <= {1'b0, w_level_q[1:0]};   // levels 1..3
                sp_asid_q[fs_idx_q] <= w_asid_q;
                sp_ppn_q[fs_idx_q] <= w_leaf_ppn_q & ~SUPER_PPN_LOW;
                sp_perm_q[fs_idx_q] <= w_leaf_perm_q;
                sp_plru_q <= sp_touched;
              end
            end
            w_go(W_RESP);
          end
        end
        W_FLUSH: begin
          if (f_x86(w_mode_q)) begin
            for (i = 0; i < SPN; i = i + 1)
              if (sp_hit[i]) sp_v_q[i] <= 1'b0;
            for (i = 0; i < PWN; i = i + 1)
              if (pw_hit[i]) pw_v_q[i] <= 1'b0;
            w_go(W_FLUSHRD);
          end else begin
            w_go(W_RESP);
          end
        end
        W_FLUSHRD: if (!c_busy_q && !wr_landing_data) w_go(W_FLUSH2);   // as W_FILLRD
        W_FLUSH2: begin
          ram_wr_set <= w_set;
          vld_wr_en <= 1'b1;
          vld_wr_data <= rd_valid & ~fb_match_vec;
          w_go(W_RESP);
        end
        W_RESP: if (r_free && !ev) begin
          rsp_valid_o <= 1'b1;
          rsp_tag_o <= w_tag_q;
          rsp_cause_o <= w_cause_q;
          rsp_hit_o <= 1'b0;
          if (w_cause_q == `MMU_CAUSE_OK) begin
            rsp_level_o <= w_level_q;
            rsp_pa_o <= w_pa[PA_BITS-1:0];
            rsp_perm_o <= w_leaf_perm_q;
            rsp_page_shift_o <= f_shift(w_mode_q, w_level_q);
            rsp_exc_o <= 8'd0;
            rsp_err_o <= 16'd0;
          end else begin
            rsp_level_o <= w_level_q;
            rsp_pa_o <= {PA_BITS{1'b0}};
            rsp_perm_o <= 6'd0;
            rsp_page_shift_o <= 6'd0;
            {rsp_exc_o, rsp_err_o} <= f_native(w_mode_q, w_cause_q, w_acc_q, w_priv_q);
          end
          w_go(W_IDLE);
        end
        default: ;
      endcase

      // A pointer PTE is accepted (on x86 once its A bit is written): cache it
      // in the PWC unless an invalidation made the walk stale or its table
      // lies beyond PA_BITS (the next read faults), and descend.
      // (No invalidation is accepted in DECODE or WWAIT: see ctl_ready_o.)
      if (w_descend) begin
        if (PWC_N > 0 && !w_stale_q && !w_leaf_big_q) begin
          pw_v_q[pi_idx_q] <= 1'b1;
          pw_vpn_q[pi_idx_q] <= w_vpn & f_span_mask(d_span) & ~SUPER_VPN_LOW;
          pw_s32_q[pi_idx_q] <= (HAS_SV32 != 0) && w_mode_q == `MMU_MODE_SV32;
          pw_level_q[pi_idx_q] <= {1'b0, w_level_q[1:0]};
          pw_asid_q[pi_idx_q] <= w_asid_q;
          pw_ppn_q[pi_idx_q] <= w_leaf_ppn_q;
          pw_perm_q[pi_idx_q] <= f_pw_perm(w_acc_perm_q);
          pw_plru_q <= pw_touched;
        end
        w_table_q <= {w_leaf_ppn_q, {PAGE_BITS{1'b0}}};
        w_table_big_q <= w_leaf_big_q;
        w_level_q <= w_level_q - 3'd1;
        w_go(W_ADDR);
      end

      // ---------------- control ----------------
      if (ctl_go) begin
        case (ctl_op_i)
          2'd0: begin
            b_rd_ok_q <= 1'b0;
            ctl_done_o <= 1'b1;
          end
          2'd1: begin
            pol_sum_q <= ctl_data_i[`MMU_POLICY_SUM];
            pol_mxr_q <= ctl_data_i[`MMU_POLICY_MXR];
            pol_adf_q <= ctl_data_i[`MMU_POLICY_AD_FAULT];
            pol_wp_q <= ctl_data_i[`MMU_POLICY_WP];
            pol_nxe_q <= ctl_data_i[`MMU_POLICY_NXE];
            pol_smep_q <= ctl_data_i[`MMU_POLICY_SMEP];
            pol_smap_q <= ctl_data_i[`MMU_POLICY_SMAP];
            // MAXPHYADDR 0 means the default, min(52, PA_BITS), as in the model
            pol_maxphy_q <= ctl_data_i[`MMU_POLICY_MAXPHY_MSB:`MMU_POLICY_MAXPHY_LSB] != 6'd0 ?
                            ctl_data_i[`MMU_POLICY_MAXPHY_MSB:`MMU_POLICY_MAXPHY_LSB] :
                            (PA_BITS < 52) ? PA_BITS[5:0] : 6'd52;
            ctl_done_o <= 1'b1;
          end
          2'd2: begin
            if (!w_idle) w_stale_q <= 1'b1;
            for (i = 0; i < SPN; i = i + 1)
              if (SP_N > 0 && inval_hit(sp_v_q[i], sp_cov[i], sp_aeq[i], sp_perm_q[i][PG], ctl_kind_i))
                sp_v_q[i] <= 1'b0;
            for (i = 0; i < PWN; i = i + 1)
              if (PWC_N > 0 && inval_hit(pw_v_q[i], pw_cov[i], pw_aeq[i], pw_perm_q[i][PG], ctl_kind_i))
                pw_v_q[i] <= 1'b0;
            begin
              c_busy_q <= 1'b1;
              c_kind_q <= ctl_kind_i;
              b_asid_q <= ctl_asid_i;
              b_va_q <= ctl_data_i[VA_W-1:0];
              c_set_q <= {(SB+1){1'b0}};
              c_issued_q <= 1'b0;
              c_cmp_q <= 1'b0;
            end
          end
          default: ctl_done_o <= 1'b1;   // counters: see the counter block
        endcase
      end else if (c_busy_q && c_kind_q == `MMU_INVAL_ALL) begin
        // clear every way of one set a clock (and, after reset, its PLRU tree)
        ram_wr_set <= c_set_q[SB-1:0];
        vld_wr_en <= 1'b1;
        vld_wr_data <= {WAYS{1'b0}};
        if (c_reset_q) begin
          plr_wr_en_q <= 1'b1;
          plr_wr_set_q <= c_set_q[SB-1:0];
          plr_wr_data_q <= {NB{1'b0}};
        end
        c_set_q <= c_set_q + 1'b1;
        if (c_set_q == SETS[SB:0] - 1'b1) begin
          c_busy_q <= 1'b0;
          c_reset_q <= 1'b0;
          ctl_done_o <= !c_reset_q;
        end
      end else if (c_busy_q) begin
        // a read was issued last cycle for c_cmp_set_q: clear what matches
        if (c_cmp_q) begin
          ram_wr_set <= c_cmp_set_q;
          vld_wr_en <= 1'b1;
          vld_wr_data <= rd_valid & ~ci_kill;
        end
        c_cmp_q <= port_ctl;
        c_cmp_set_q <= ram_rd_set;
        if (port_ctl) begin
          if (c_kind_q == `MMU_INVAL_ASID) c_set_q <= c_set_q + 1'b1;
          else c_issued_q <= 1'b1;
        end else if (c_cmp_q) begin
          c_busy_q <= 1'b0;
          ctl_done_o <= 1'b1;
        end
      end

      // ---------------- inspection ----------------
      if (insp_go) begin
        i_pend_q <= 1'b1;
        i_array_q <= insp_array_i;
        i_index_q <= insp_index_i;
      end
      if (i_pend_q) begin
        // (with INSPECT the next read may be taken as this one answers)
        if (INSPECT == 0 || !insp_go) i_pend_q <= 1'b0;
        insp_rvalid_o <= 1'b1;
        insp_ev_o <= 1'b0;
        insp_vpn_o <= 36'd0;
        insp_ppn_o <= {PA_BITS{1'b0}};
        insp_asid_o <= {ASID_BITS{1'b0}};
        insp_level_o <= 3'd0;
        insp_shift_o <= 6'd0;
        insp_perm_o <= 6'd0;
        insp_data_o <= 64'd0;
        insp_set_o <= {(WAYS*ISW){1'b0}};
        // without INSPECT only counters and contexts are built; the other
        // arrays read as array 6, which does not exist: zeros
        case ((INSPECT != 0 || i_array_q == 3'd4 || i_array_q == 3'd5) ? i_array_q : 3'd6)
          3'd0: begin
            insp_ev_o <= rd_valid[i_way[WB-1:0]];
            insp_vpn_o <= i_base_vpn;
            insp_ppn_o <= {{(PA_BITS-PPN_W){1'b0}}, e_ppn(ram_rd_data[i_way[WB-1:0]])};
            insp_asid_o <= e_asid(ram_rd_data[i_way[WB-1:0]]);
            insp_shift_o <= PAGE_BITS[5:0];
            insp_perm_o <= e_perm(ram_rd_data[i_way[WB-1:0]]);
          end
          3'd1: begin
            insp_ev_o <= sp_v_q[i_index_q[SPB-1:0]];
            insp_vpn_o <= {{(36-VPN_W){1'b0}}, sp_vpn_q[i_index_q[SPB-1:0]]};
            insp_ppn_o <= {{(PA_BITS-PPN_W){1'b0}}, sp_ppn_q[i_index_q[SPB-1:0]]};
            insp_asid_o <= sp_asid_q[i_index_q[SPB-1:0]];
            insp_level_o <= sp_level_q[i_index_q[SPB-1:0]];
            insp_shift_o <= PAGE_BITS[5:0] + f_espan(sp_level_q[i_index_q[SPB-1:0]], sp_s32_q[i_index_q[SPB-1:0]]);
            insp_perm_o <= sp_perm_q[i_index_q[SPB-1:0]];
          end
          3'd2: begin
            insp_ev_o <= pw_v_q[i_index_q[PWB-1:0]];
            insp_vpn_o <= {{(36-VPN_W){1'b0}}, pw_vpn_q[i_index_q[PWB-1:0]]};
            insp_ppn_o <= {{(PA_BITS-PPN_W){1'b0}}, pw_ppn_q[i_index_q[PWB-1:0]]};
            insp_asid_o <= pw_asid_q[i_index_q[PWB-1:0]];
            insp_level_o <= pw_level_q[i_index_q[PWB-1:0]];
            insp_shift_o <= PAGE_BITS[5:0] + f_espan(pw_level_q[i_index_q[PWB-1:0]], pw_s32_q[i_index_q[PWB-1:0]]);
            insp_perm_o <= pw_perm_q[i_index_q[PWB-1:0]];
          end
          3'd3: begin
            if (i_index_q < SETS[15:0])
              insp_data_o <= {{(64-NB){1'b0}}, rd_plru};
            else if (i_index_q == SETS[15:0])
              insp_data_o <= {{(64-SPNB){1'b0}}, sp_plru_q};
            else
              insp_data_o <= {{(64-PWNB){1'b0}}, pw_plru_q};
          end
          3'd4: insp_data_o <= {32'd0, (i_index_q >= NCNT[15:0] || cz_q[i_index_q[CAB-1:0]]) ? 32'd0 : cnt_rd_data};
          3'd5: insp_data_o <= {{(61-PPN_W){1'b0}}, ctx_rd_data};
          3'd7: begin
            insp_data_o <= {{(64-NB){1'b0}}, rd_plru};
            for (kw = 0; kw < WAYS; kw = kw + 1)
              insp_set_o[kw*ISW +: ISW] <= {rd_valid[kw], i_set_vpn[kw*36 +: 36],
                                            {{(PA_BITS-PPN_W){1'b0}}, e_ppn(ram_rd_data[kw])},
                                            e_asid(ram_rd_data[kw]), e_perm(ram_rd_data[kw])};
          end
          default: ;  // array 6 (none), and arrays 0-3 without INSPECT: zeros
        endcase
      end
    end
  end

`ifndef SYNTHESIS
  // ------------------------------------------------------------------
  // simulation checks of the valid/ready rule (docs/style.md): a stream's
  // valid, once high, stays high with the same payload until it is taken.
  // Checked on the request input, the response output and the Wishbone
  // strobe (held through wb_stall_i).  A violation stops the simulation.
  // ------------------------------------------------------------------
  reg                 chk_req_q, chk_rsp_q, chk_stb_q;
  integer             kchk;
  // more than one cold event (a vector with two bits or more set)
  wire [NCNT-1:0]     cnt_cold_vec = cnt_ev & CNT_COLD;
  reg [TAG_W+ASID_BITS+64+3-1:0] chk_req_pl_q;
  reg [TAG_W+4+3+PA_BITS+6+6+1+8+16-1:0] chk_rsp_pl_q;
  reg [PA_BITS-4+1+64+8:0] chk_stb_pl_q;
  wire [TAG_W+ASID_BITS+64+3-1:0] chk_req_pl =
      {req_tag_i, req_asid_i, req_va_i, req_access_i, req_priv_i};
  wire [TAG_W+4+3+PA_BITS+6+6+1+8+16-1:0] chk_rsp_pl =
      {rsp_tag_o, rsp_cause_o, rsp_level_o, rsp_pa_o, rsp_perm_o, rsp_page_shift_o, rsp_hit_o,
       rsp_exc_o, rsp_err_o};
  wire [PA_BITS-4+1+64+8:0] chk_stb_pl = {wb_adr_o, wb_we_o, wb_dat_o, wb_sel_o};
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      chk_req_q <= 1'b0;
      chk_rsp_q <= 1'b0;
      chk_stb_q <= 1'b0;
    end else begin
      if (chk_req_q && (!req_valid_i || chk_req_pl != chk_req_pl_q)) begin
        $display("ASSERTION mmu_core: request withdrawn or changed before it was accepted");
        $stop;
      end
      if (chk_rsp_q && (!rsp_valid_o || chk_rsp_pl != chk_rsp_pl_q)) begin
        $display("ASSERTION mmu_core: response withdrawn or changed before it was taken");
        $stop;
      end
      if (chk_stb_q && (!wb_stb_o || chk_stb_pl != chk_stb_pl_q)) begin
        $display("ASSERTION mmu_core: Wishbone strobe dropped or changed during a stall");
        $stop;
      end
      // the counters' drain (see the counter block): at most one cold event
      // a clock; no hot pending count overflows; no drain reads the word
      // the previous drain is writing
      if ((cnt_cold_vec & (cnt_cold_vec - 1'b1)) != {NCNT{1'b0}}) begin
        $display("ASSERTION mmu_core: two cold counter events in one clock");
        $stop;
      end
      for (kchk = 0; kchk < NHOT; kchk = kchk + 1)
        if (!cnt_clear && cnt_hot_q[kchk] && hp_q[kchk] == {CPW{1'b1}} &&
            !(hd_issue && hp_ptr_q == kchk[2:0])) begin
          $display("ASSERTION mmu_core: a hot counter's pending count overflows");
          $stop;
        end
      if (cd_issue && cd_v_q && cd_idx == cd_idx_q) begin
        $display("ASSERTION mmu_core: a counter drained in two clocks running");
        $stop;
      end
      // a superpage filled has the low frame bits its compare leaves out
      // at zero (SUPER_PPN_LOW), and its span and a PWC entry's cover them
      if (SP_N > 0 && w_state_q == W_FILL && !w_stale_q && w_level_q != 3'd0 &&
          ((w_leaf_ppn_q & SUPER_PPN_LOW) != {PPN_W{1'b0}} ||
           (f_span_mask(f_shift(w_mode_q, w_level_q) - PAGE_BITS[5:0]) & SUPER_VPN_LOW) != {VPN_W{1'b0}})) begin
        $display("ASSERTION mmu_core: a superpage's low frame or VPN bits would be lost");
        $stop;
      end
      if (PWC_N > 0 && w_descend && !w_stale_q && !w_leaf_big_q &&
          (f_span_mask(d_span) & SUPER_VPN_LOW) != {VPN_W{1'b0}}) begin
        $display("ASSERTION mmu_core: a PWC entry's low VPN bits would be lost");
        $stop;
      end
      // the walker's decode flip-flops follow its state (w_go)
      if (w_key_q != f_wkey(w_state_q) || w_search_q != f_wsearch(w_state_q) ||
          w_hum_q != f_whum(w_state_q)) begin
        $display("ASSERTION mmu_core: w_key_q, w_search_q or w_hum_q disagrees with the walker state");
        $stop;
      end
      // Two guards no input reaches (sim/coverage-waivers.txt gives the
      // argument; checked here on every run).  W_FILLRD never meets a sweep
      // or a landing valid-bit, fill or context write: a walk reaches it only
      // if no invalidation was taken since it began, no request is taken
      // while a sweep runs, and no control operation starts in W_FILLRD
      // (broken variant 5, which fills after an invalidation, excepted).
      if (w_state_q == W_FILLRD && (c_busy_q || wr_landing_data) && !`MMU_BRK(5)) begin
        $display("ASSERTION mmu_core: W_FILLRD met a sweep or a landing base-array write");
        $stop;
      end
      // A sweep (other than invalidate-all) either owns the read port or
      // compares the last set read, every clock until it ends.
      if (c_busy_q && c_kind_q != `MMU_INVAL_ALL && !port_ctl && !c_cmp_q) begin
        $display("ASSERTION mmu_core: an invalidation sweep neither reads nor compares");
        $stop;
      end
      chk_req_q <= req_valid_i && !req_ready_o;
      chk_rsp_q <= rsp_valid_o && !rsp_ready_i;
      chk_stb_q <= wb_cyc_o && wb_stb_o && wb_stall_i;
    end
    chk_req_pl_q <= chk_req_pl;
    chk_rsp_pl_q <= chk_rsp_pl;
    chk_stb_pl_q <= chk_stb_pl;
  end
`endif
endmodule

`default_nettype wire

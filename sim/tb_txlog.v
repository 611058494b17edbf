// tb_txlog.v - Icarus bench: replays a co-simulation transaction log on
// mmu_core (default parameters) and writes the log this simulator gives.
//
// The input is what `cosim --log FILE` wrote under Verilator (one mode, one
// seed, no racing invalidations, no streams):
//   P LO HI                            writes in [LO, HI) end in a bus error
//   M ADDR DATA                        memory word (64-bit, hex) before the run
//   C OP KIND MODE ASID DATA           a control operation, run to ctl_done_o
//   Q TAG ASID VA ACCESS PRIV          a request, run to its response
//   W ADDR DATA SEL                    a memory write the RTL made
//   R TAG CAUSE LEVEL PA PERM SHIFT HIT EXC ERR   a response
// The bench performs M, C and Q lines in order (W and R lines are the
// Verilator run's results: skipped) and writes every line it performs or
// observes, in the same format, to +out=FILE; tools/txlog.sh compares the
// two logs and their hashes.  The memory answers every operation the clock
// after it is taken, with no wait states or stalls (the Verilator run had
// them: a log that depends on them is a finding); a read outside the 1 MiB
// image gets an error, as there.
`timescale 1ns/1ps
`default_nettype none
module tb_txlog;
  localparam integer MEM_WORDS = 131072;      // 1 MiB, sim/cosim.c's image
  reg clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  reg         req_valid = 1'b0, ctl_valid = 1'b0;
  reg  [15:0] req_tag = 16'd0;
  reg  [7:0]  req_asid = 8'd0, ctl_asid = 8'd0;
  reg  [63:0] req_va = 64'd0, ctl_data = 64'd0;
  reg  [1:0]  req_access = 2'd0, ctl_op = 2'd0, ctl_kind = 2'd0;
  reg         req_priv = 1'b0;
  reg  [2:0]  ctl_mode = 3'd0;
  wire        req_ready, ctl_ready, ctl_done, rsp_valid;
  wire        wb_cyc, wb_stb, wb_we;
  wire [52:0] wb_adr;
  wire [63:0] wb_dat_o;
  wire [7:0]  wb_sel;
  reg  [63:0] wb_dat_i = 64'd0;
  reg         wb_ack = 1'b0, wb_err = 1'b0;
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
      .req_valid_i(req_valid), .req_ready_o(req_ready), .req_tag_i(req_tag), .req_asid_i(req_asid),
      .req_va_i(req_va), .req_access_i(req_access), .req_priv_i(req_priv),
      .rsp_valid_o(rsp_valid), .rsp_ready_i(1'b1), .rsp_tag_o(rsp_tag), .rsp_cause_o(rsp_cause),
      .rsp_level_o(rsp_level), .rsp_pa_o(rsp_pa), .rsp_perm_o(rsp_perm),
      .rsp_page_shift_o(rsp_shift), .rsp_hit_o(rsp_hit), .rsp_exc_o(rsp_exc), .rsp_err_o(rsp_err),
      .ctl_valid_i(ctl_valid), .ctl_ready_o(ctl_ready), .ctl_op_i(ctl_op), .ctl_kind_i(ctl_kind),
      .ctl_mode_i(ctl_mode), .ctl_asid_i(ctl_asid), .ctl_data_i(ctl_data), .ctl_done_o(ctl_done),
      .wb_cyc_o(wb_cyc), .wb_stb_o(wb_stb), .wb_we_o(wb_we), .wb_adr_o(wb_adr),
      .wb_dat_o(wb_dat_o), .wb_sel_o(wb_sel), .wb_dat_i(wb_dat_i), .wb_ack_i(wb_ack),
      .wb_err_i(wb_err), .wb_stall_i(1'b0),
      .insp_valid_i(1'b0), .insp_ready_o(insp_ready), .insp_array_i(3'd0), .insp_index_i(16'd0),
      .insp_rvalid_o(insp_rvalid), .insp_ev_o(insp_ev), .insp_vpn_o(insp_vpn),
      .insp_ppn_o(insp_ppn), .insp_asid_o(insp_asid), .insp_level_o(insp_level),
      .insp_shift_o(insp_shift), .insp_perm_o(insp_perm), .insp_data_o(insp_data), .insp_set_o());

  // ---- the memory: answers the clock after an operation is taken
  reg [63:0] mem [0:MEM_WORDS-1];
  integer    fo, k;
  reg [63:0] adr64, m;
  reg [63:0] ro_lo = 64'd0, ro_hi = 64'd0;   // the read-only window (P line)
  always @(posedge clk) begin
    wb_ack <= 1'b0;
    wb_err <= 1'b0;
    if (wb_cyc && wb_stb) begin
      adr64 = {8'd0, wb_adr, 3'b000};
      if (wb_we) $fdisplay(fo, "W %h %h %h", adr64, wb_dat_o, wb_sel);
      if (wb_we && adr64 >= ro_lo && adr64 < ro_hi) begin
        wb_err <= 1'b1;
      end else if (adr64 < MEM_WORDS * 8) begin
        if (wb_we) begin
          m = 64'd0;
          for (k = 0; k < 8; k = k + 1) if (wb_sel[k]) m[8*k +: 8] = 8'hff;
          mem[wb_adr[16:0]] <= (mem[wb_adr[16:0]] & ~m) | (wb_dat_o & m);
        end else begin
          wb_dat_i <= mem[wb_adr[16:0]];
        end
        wb_ack <= 1'b1;
      end else begin
        wb_err <= 1'b1;
      end
    end
  end

  // ---- the script: inputs change 1 ns after a rising edge, and outputs are
  // looked at 1 ns after that (ready may depend on valid)
  integer    fi, r, n, budget;
  reg [7:0]  kind;
  reg [63:0] a0, a1, a2, a3, a4;
  reg [8*256-1:0] fin, fout, rest;
  task tick;
    begin
      @(posedge clk);
      #1;
    end
  endtask
  // a control operation (is_req 0) or a request (1) whose valid has just
  // gone up: wait for ready, let it be taken at the next edge, drop valid,
  // wait for the answer (ctl_done or rsp_valid)
  task handshake;
    input is_req;
    begin
      #1;                              // let the core's combinational outputs settle
      budget = 0;
      while (!(is_req ? req_ready : ctl_ready) && budget < 100000) begin
        budget = budget + 1;
        tick;
      end
      tick;                            // taken at this edge
      if (is_req) req_valid = 1'b0;
      else ctl_valid = 1'b0;
      while (!(is_req ? rsp_valid : ctl_done) && budget < 100000) begin
        budget = budget + 1;
        tick;
      end
    end
  endtask
  initial begin
    for (k = 0; k < MEM_WORDS; k = k + 1) mem[k] = 64'd0;
    if (!$value$plusargs("in=%s", fin) || !$value$plusargs("out=%s", fout)) begin
      $display("tb_txlog: usage: vvp tb_txlog.vvp +in=LOG +out=LOG");
      $finish;
    end
    fi = $fopen(fin, "r");
    fo = $fopen(fout, "w");
    if (fi == 0 || fo == 0) begin
      $display("tb_txlog: cannot open the logs");
      $finish;
    end
    tick;
    tick;
    rst_n = 1'b1;
    tick;
    n = 0;
    budget = 0;
    while (!$feof(fi) && budget < 100000) begin
      kind = 8'd0;
      r = $fscanf(fi, " %c", kind);
      if (r != 1) kind = 8'd0;
      if (kind == "P") begin
        r = $fscanf(fi, "%h %h\n", a0, a1);
        ro_lo = a0;
        ro_hi = a1;
        $fdisplay(fo, "P %h %h", a0, a1);
      end else if (kind == "M") begin
        r = $fscanf(fi, "%h %h\n", a0, a1);
        mem[a0[19:3]] = a1;
        $fdisplay(fo, "M %h %h", a0, a1);
      end else if (kind == "C") begin
        r = $fscanf(fi, "%h %h %h %h %h\n", a0, a1, a2, a3, a4);
        $fdisplay(fo, "C %0h %0h %0h %0h %h", a0[1:0], a1[1:0], a2[2:0], a3[7:0], a4);
        ctl_op = a0[1:0];
        ctl_kind = a1[1:0];
        ctl_mode = a2[2:0];
        ctl_asid = a3[7:0];
        ctl_data = a4;
        ctl_valid = 1'b1;
        handshake(1'b0);
      end else if (kind == "Q") begin
        r = $fscanf(fi, "%h %h %h %h %h\n", a0, a1, a2, a3, a4);
        $fdisplay(fo, "Q %0h %0h %h %0h %0h", a0[15:0], a1[7:0], a2, a3[1:0], a4[0]);
        req_tag = a0[15:0];
        req_asid = a1[7:0];
        req_va = a2;
        req_access = a3[1:0];
        req_priv = a4[0];
        req_valid = 1'b1;
        handshake(1'b1);
        a0 = {8'd0, rsp_pa};
        $fdisplay(fo, "R %0h %0h %0h %h %0h %0h %0h %0h %0h", rsp_tag, rsp_cause, rsp_level, a0,
                  rsp_perm, rsp_shift, rsp_hit, rsp_exc, rsp_err);
        tick;                          // rsp_ready_i is high: taken at this edge
        n = n + 1;
      end else if (kind != 8'd0) begin
        r = $fgets(rest, fi);          // W and R lines: the other simulator's results
      end
    end
    if (budget >= 100000) $display("tb_txlog: the core stopped answering");
    $fclose(fi);
    $fclose(fo);
    $display("tb_txlog: %0d requests replayed", n);
    $finish;
  end
endmodule
`default_nettype wire

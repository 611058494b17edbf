// mmu_link_tx.v - frame sender: CRC, COBS encode, delimiter.
//
// The dispatcher writes a frame's raw bytes (header, payload) on the wr_*
// stream and pulses end_i after the last one.  The sender COBS-encodes as
// the bytes arrive, straight into its buffer: a data byte goes to the next
// free position and a zero (or a run of 254 non-zero bytes) fills in the
// code byte reserved at the start of the block, so nothing is read back.
// At the end it appends the CRC-16/CCITT-FALSE (high byte first), closes the
// last block and adds the 0x00 delimiter; then it streams the encoded frame
// out.  abort_i, before end_i, drops the bytes written so far.  idle_o is high when no frame is being written or sent; write a new
// frame only then.
`default_nettype none
`include "mmu_constants.vh"

module mmu_link_tx (
    input  wire        clk_i,
    input  wire        rst_ni,
    input  wire        wr_valid_i,
    output wire        wr_ready_o,
    input  wire [7:0]  wr_data_i,
    input  wire        end_i,
    input  wire        abort_i,      // drop the frame being written (before end_i)
    output wire        idle_o,
    output reg         out_valid_o,
    input  wire        out_ready_i,
    output wire [7:0]  out_data_o
);
  localparam [2:0] S_FILL = 3'd0, S_CRC1 = 3'd1, S_CRC2 = 3'd2, S_CLOSE = 3'd3,
                   S_DELIM = 3'd4, S_SEND = 3'd5;

  `include "mmu_crc16.vh"

  reg [2:0]  state_q;
  reg        dirty_q;      // a byte of a new frame has been written
  reg [8:0]  code_q;       // position of the current block's code byte
  reg [8:0]  pos_q;        // next free position
  reg [7:0]  cnt_q;        // data bytes in the current block
  reg        ffpend_q;     // a 254-byte block is full: write its 0xFF code
  reg [15:0] crc_q;
  reg [8:0]  end_q;        // encoded length, delimiter included
  reg [8:0]  rd_q;         // next position to send

  // the raw byte entering the encoder this clock
  reg       put;
  reg [7:0] put_b;
  always @* begin
    put = 1'b0;
    put_b = wr_data_i;
    if (!ffpend_q) begin
      case (state_q)
        S_FILL: put = wr_valid_i;
        S_CRC1: begin put = 1'b1; put_b = crc_q[15:8]; end
        S_CRC2: begin put = 1'b1; put_b = crc_q[7:0]; end
        default: put = 1'b0;
      endcase
    end
  end
  assign wr_ready_o = state_q == S_FILL && !ffpend_q;
  assign idle_o = state_q == S_FILL && !dirty_q && !ffpend_q;

  // buffer write port
  reg       bw_en;
  reg [8:0] bw_addr;
  reg [7:0] bw_data;
  always @* begin
    bw_en = 1'b0;
    bw_addr = pos_q;
    bw_data = put_b;
    if (ffpend_q) begin
      bw_en = 1'b1;
      bw_addr = code_q;
      bw_data = 8'hff;
    end else if (put) begin
      bw_en = 1'b1;
      if (put_b == 8'h00) begin
        bw_addr = code_q;
        bw_data = cnt_q + 8'd1;
      end
    end else if (state_q == S_CLOSE) begin
      bw_en = 1'b1;
      bw_addr = code_q;
      bw_data = cnt_q + 8'd1;
    end else if (state_q == S_DELIM) begin
      bw_en = 1'b1;
      bw_data = 8'h00;
    end
  end

  // send side: registered read into an output register
  wire pop = state_q == S_SEND && rd_q != end_q && (!out_valid_o || out_ready_i);

  mmu_ram #(.WIDTH(8), .DEPTH(512)) u_buf (
      .clk_i(clk_i),
      .rd_en_i(pop), .rd_addr_i(rd_q), .rd_data_o(out_data_o),
      .wr_en_i(bw_en), .wr_addr_i(bw_addr), .wr_data_i(bw_data));

  // the frame is done (sent) or dropped: start a new one
  wire sent = state_q == S_SEND && rd_q == end_q && (!out_valid_o || out_ready_i);
  wire restart = sent || (state_q == S_FILL && abort_i);

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= S_FILL;
      end_q <= 9'd0;
      rd_q <= 9'd0;
      out_valid_o <= 1'b0;
    end
    if (!rst_ni || restart) begin
      dirty_q <= 1'b0;
      code_q <= 9'd0;
      pos_q <= 9'd1;
      cnt_q <= 8'd0;
      ffpend_q <= 1'b0;
      crc_q <= 16'hffff;
    end else begin
      if (ffpend_q) begin
        ffpend_q <= 1'b0;
        code_q <= pos_q;
        pos_q <= pos_q + 9'd1;
        cnt_q <= 8'd0;
      end else if (put) begin
        if (state_q == S_FILL) begin
          dirty_q <= 1'b1;
          crc_q <= f_crc16(crc_q, put_b);
        end
        if (put_b == 8'h00) begin
          code_q <= pos_q;
          pos_q <= pos_q + 9'd1;
          cnt_q <= 8'd0;
        end else begin
          pos_q <= pos_q + 9'd1;
          cnt_q <= cnt_q + 8'd1;
          if (cnt_q == 8'd253) ffpend_q <= 1'b1;
        end
      end
    end
    if (rst_ni) begin
      case (state_q)
        S_FILL: if (end_i && !abort_i) state_q <= S_CRC1;
        S_CRC1: if (!ffpend_q) state_q <= S_CRC2;
        S_CRC2: if (!ffpend_q) state_q <= S_CLOSE;
        S_CLOSE: if (!ffpend_q) state_q <= S_DELIM;
        S_DELIM: begin
          end_q <= pos_q + 9'd1;
          rd_q <= 9'd0;
          state_q <= S_SEND;
        end
        S_SEND: begin
          if (pop) rd_q <= rd_q + 9'd1;
          if (sent) state_q <= S_FILL;
        end
        default: state_q <= S_FILL;
      endcase
      if (pop) out_valid_o <= 1'b1;
      else if (out_ready_i) out_valid_o <= 1'b0;
    end
  end
endmodule

`default_nettype wire

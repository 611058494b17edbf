// mmu_link_rx.v - frame receiver: COBS decode, CRC check, frame buffer.
//
// Bytes arrive on a valid/ready stream.  0x00 ends a frame (docs/protocol.md).
// Decoded bytes are written into the frame buffer (a RAM the dispatcher reads)
// while the CRC-16/CCITT-FALSE runs over them; the CRC is sent high byte
// first, so a frame is good when the CRC over all its bytes is zero.
//
// A good frame raises frm_valid_o with frm_len_o (header + payload bytes);
// the receiver then takes no byte until the dispatcher pulses frm_take_i.
// A bad frame (a COBS block cut short by the delimiter, fewer bytes than a
// header and a CRC, more than MAX_FRAME, or a bad CRC) is counted by a pulse
// on one of the ev_* outputs and dropped: decoding starts afresh after the
// next delimiter.  Empty frames (delimiters in a row) are ignored.
`default_nettype none
`include "mmu_constants.vh"

module mmu_link_rx (
    input  wire        clk_i,
    input  wire        rst_ni,
    input  wire        in_valid_i,
    output wire        in_ready_o,
    input  wire [7:0]  in_data_i,
    // frame buffer write port
    output reg         fw_en_o,
    output reg  [8:0]  fw_addr_o,
    output reg  [7:0]  fw_data_o,
    // the frame held for the dispatcher
    output reg         frm_valid_o,
    output reg  [8:0]  frm_len_o,
    input  wire        frm_take_i,
    // one pulse per frame, by outcome
    output reg         ev_ok_o,
    output reg         ev_crc_o,
    output reg         ev_framing_o,
    output reg         ev_oversize_o
);
  localparam [9:0] MAX_FRAME = `MMU_LINK_MAX_FRAME_N;
  localparam [9:0] MIN_FRAME = `MMU_LINK_HDR_BYTES_N + `MMU_LINK_CRC_BYTES_N;
  localparam [8:0] CRC_BYTES = `MMU_LINK_CRC_BYTES_N;

  `include "mmu_crc16.vh"

  reg [7:0]  rem_q;        // bytes left in the current COBS block
  reg        zpend_q;      // the block ends with an implied zero
  reg        started_q;    // a code byte has been seen in this frame
  reg        err_q;        // dropping bytes until the delimiter
  reg        over_q;       // ... because the frame is too long
  reg [9:0]  len_q;        // decoded bytes so far
  reg [15:0] crc_q;

  wire take = in_valid_i && in_ready_o;
  assign in_ready_o = !frm_valid_o;

  // the byte this input emits into the frame, if any
  reg       emit;
  reg [7:0] emit_b;
  always @* begin
    emit = 1'b0;
    emit_b = in_data_i;
    if (take && in_data_i != 8'h00 && !err_q) begin
      if (rem_q == 8'd0) begin
        emit = started_q && zpend_q;
        emit_b = 8'h00;
      end else begin
        emit = 1'b1;
      end
    end
  end

  // a delimiter ends the frame, whatever its outcome: decode afresh
  wire restart = take && in_data_i == 8'h00;

  always @(posedge clk_i) begin
    fw_en_o <= 1'b0;
    ev_ok_o <= 1'b0;
    ev_crc_o <= 1'b0;
    ev_framing_o <= 1'b0;
    ev_oversize_o <= 1'b0;
    if (!rst_ni) begin
      frm_valid_o <= 1'b0;
      frm_len_o <= 9'd0;
      fw_addr_o <= 9'd0;
      fw_data_o <= 8'd0;
    end else begin
      if (frm_take_i) frm_valid_o <= 1'b0;
      if (restart) begin
        if (err_q) begin
          ev_oversize_o <= over_q;
          ev_framing_o <= !over_q;
        end else if (started_q) begin
          if (rem_q != 8'd0 || len_q < MIN_FRAME) ev_framing_o <= 1'b1;
          else if (crc_q != 16'd0) ev_crc_o <= 1'b1;
          else begin
            ev_ok_o <= 1'b1;
            frm_valid_o <= 1'b1;
            frm_len_o <= len_q[8:0] - CRC_BYTES;
          end
        end
      end
    end
    if (!rst_ni || restart) begin
      rem_q <= 8'd0;
      zpend_q <= 1'b0;
      started_q <= 1'b0;
      err_q <= 1'b0;
      over_q <= 1'b0;
      len_q <= 10'd0;
      crc_q <= 16'hffff;
    end else if (take && !err_q) begin
      if (rem_q == 8'd0) begin
        rem_q <= in_data_i - 8'd1;
        zpend_q <= in_data_i != 8'hff;
        started_q <= 1'b1;
      end else begin
        rem_q <= rem_q - 8'd1;
      end
      if (emit) begin
        if (len_q == MAX_FRAME) begin
          err_q <= 1'b1;
          over_q <= 1'b1;
        end else begin
          fw_en_o <= 1'b1;
          fw_addr_o <= len_q[8:0];
          fw_data_o <= emit_b;
          len_q <= len_q + 10'd1;
          crc_q <= f_crc16(crc_q, emit_b);
        end
      end
    end
  end
endmodule

`default_nettype wire

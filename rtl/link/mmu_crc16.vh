// mmu_crc16.vh - CRC-16/CCITT-FALSE (polynomial 0x1021, MSB first, no
// reflection), one byte a step: included inside the link modules that need
// it.  The host's copy is link_crc16() in host/link.c.
function [15:0] f_crc16(input [15:0] crc, input [7:0] b);
  integer i;
  begin
    f_crc16 = crc ^ {b, 8'h00};
    for (i = 0; i < 8; i = i + 1)
      f_crc16 = f_crc16[15] ? {f_crc16[14:0], 1'b0} ^ 16'h1021 : {f_crc16[14:0], 1'b0};
  end
endfunction

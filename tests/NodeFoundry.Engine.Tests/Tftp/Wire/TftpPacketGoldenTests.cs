using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tests.Tftp.Wire;

/// <summary>Packets as the RFCs draw them, byte by byte, parsed and written.</summary>
public sealed class TftpPacketGoldenTests
{
    // OVMF's first request (shared/firmware-lab.md): tsize=0, blksize=1468, windowsize=4.
    private static readonly byte[] OvmfProbe =
    [
        0x00, 0x01,                                                         // opcode 1: RRQ
        (byte)'s', (byte)'n', (byte)'p', (byte)'o', (byte)'n', (byte)'l', (byte)'y', (byte)'.', (byte)'e', (byte)'f', (byte)'i', 0x00, // filename "snponly.efi"
        (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00,       // mode "octet"
        (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00,       // option name "tsize" (RFC 2349)
        (byte)'0', 0x00,                                                    // value "0": the client asks for the size
        (byte)'b', (byte)'l', (byte)'k', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00, // "blksize" (RFC 2348)
        (byte)'1', (byte)'4', (byte)'6', (byte)'8', 0x00,                  // 1468: a 1500-byte MTU less IP, UDP and TFTP headers
        (byte)'w', (byte)'i', (byte)'n', (byte)'d', (byte)'o', (byte)'w', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00, // "windowsize" (RFC 7440)
        (byte)'4', 0x00,                                                    // 4 blocks per ACK
    ];

    [Fact]
    public void Ovmf_probe_request_parses_to_its_fields_and_options()
    {
        Assert.True(TftpPacket.TryParse(OvmfProbe, out var packet, out var error), error?.ToString());
        var request = Assert.IsType<TftpRequest>(packet);
        Assert.False(request.IsWrite);
        Assert.Equal("snponly.efi", request.FileName);
        Assert.Equal(TftpTransferMode.Octet, request.Mode);
        Assert.Equal([new("tsize", "0"), new("blksize", "1468"), new("windowsize", "4")], request.Options);
        Assert.Equal(new TftpRequestedOptions { TransferSize = 0, BlockSize = 1468, WindowSize = 4 }, request.Requested);
        Assert.Equal(OvmfProbe, request.ToArray());
    }

    [Fact]
    public void Plain_rfc1350_request_has_no_options()
    {
        byte[] bytes =
        [
            0x00, 0x01,                                  // RRQ
            (byte)'a', 0x00,                             // filename "a"
            (byte)'N', (byte)'E', (byte)'T', (byte)'A', (byte)'S', (byte)'C', (byte)'I', (byte)'I', 0x00, // mode, any case
        ];
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        var request = Assert.IsType<TftpRequest>(packet);
        Assert.Equal(TftpTransferMode.NetAscii, request.Mode);
        Assert.Empty(request.Options);
        Assert.False(request.Requested.Any);
    }

    [Fact]
    public void Write_request_is_recognised()
    {
        byte[] bytes = [0x00, 0x02, (byte)'x', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00]; // WRQ "x" octet
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.True(Assert.IsType<TftpRequest>(packet).IsWrite);
    }

    [Fact]
    public void Data_packet()
    {
        byte[] bytes =
        [
            0x00, 0x03,             // opcode 3: DATA
            0x12, 0x34,             // block 0x1234
            0xde, 0xad, 0xbe, 0xef, // payload
        ];
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        var data = Assert.IsType<TftpDataPacket>(packet);
        Assert.Equal(0x1234, data.Block);
        Assert.Equal([0xde, 0xad, 0xbe, 0xef], data.Payload.ToArray());
        var written = new byte[8];
        Assert.Equal(8, TftpDataPacket.Write(written, 0x1234, [0xde, 0xad, 0xbe, 0xef]));
        Assert.Equal(bytes, written);
    }

    [Fact]
    public void Empty_data_block_ends_a_file_that_is_a_multiple_of_blksize()
    {
        byte[] bytes = [0x00, 0x03, 0x00, 0x02]; // DATA, block 2, no payload
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Equal(0, Assert.IsType<TftpDataPacket>(packet).Payload.Length);
    }

    [Fact]
    public void Ack_packet()
    {
        byte[] bytes = [0x00, 0x04, 0xff, 0xff]; // ACK, block 65535 (the last before rollover)
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Equal(new TftpAckPacket(65535), packet);
        Assert.Equal(bytes, new TftpAckPacket(65535).ToArray());
    }

    [Fact]
    public void Error_packet()
    {
        byte[] bytes =
        [
            0x00, 0x05,                                  // opcode 5: ERROR
            0x00, 0x01,                                  // code 1: file not found
            (byte)'n', (byte)'o', (byte)'p', (byte)'e', 0x00, // message "nope"
        ];
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Equal(new TftpErrorPacket(TftpErrorCode.FileNotFound, "nope"), packet);
        Assert.Equal(bytes, new TftpErrorPacket(TftpErrorCode.FileNotFound, "nope").ToArray());
    }

    [Fact]
    public void Error_without_final_nul_keeps_its_message()
    {
        byte[] bytes = [0x00, 0x05, 0x00, 0x08, (byte)'a', (byte)'b']; // ERROR 8, "ab" unterminated
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Equal(new TftpErrorPacket(TftpErrorCode.OptionNegotiationFailed, "ab"), packet);
    }

    [Fact]
    public void Option_ack_packet()
    {
        byte[] bytes =
        [
            0x00, 0x06,                                                          // opcode 6: OACK
            (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00,        // "tsize"
            (byte)'7', (byte)'0', (byte)'0', (byte)'0', (byte)'0', 0x00,        // the file's size, 70000
            (byte)'b', (byte)'l', (byte)'k', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00, // "blksize"
            (byte)'1', (byte)'4', (byte)'6', (byte)'8', 0x00,                   // accepted as asked
        ];
        var oack = new TftpOptionAckPacket([new("tsize", "70000"), new("blksize", "1468")]);
        Assert.Equal(bytes, oack.ToArray());
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Equal(oack, packet);
    }

    [Fact]
    public void Trailing_nul_padding_after_options_is_tolerated()
    {
        byte[] bytes = [0x00, 0x01, (byte)'f', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, 0x00, 0x00, 0x00];
        Assert.True(TftpPacket.TryParse(bytes, out var packet, out _));
        Assert.Empty(Assert.IsType<TftpRequest>(packet).Options);
    }

    public static TheoryData<byte[], string> Malformed => new()
    {
        { [], "opcode" },
        { [0x00], "opcode" },
        { [0x00, 0x07], "opcode" },                                  // no opcode 7
        { [0x00, 0x00, 0x00, 0x00], "opcode" },                      // nor 0
        { [0x00, 0x01, (byte)'f'], "filename" },                     // filename without NUL
        { [0x00, 0x01, (byte)'f', 0x00], "mode" },                   // no mode
        { [0x00, 0x01, (byte)'f', 0x00, (byte)'b', (byte)'i', (byte)'n', 0x00], "mode" }, // unknown mode "bin"
        { [0x00, 0x01, (byte)'f', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, (byte)'t', 0x00], "option" },       // option without value
        { [0x00, 0x01, (byte)'f', 0x00, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0x00, 0x00, (byte)'1', 0x00], "option" }, // empty option name
        { [0x00, 0x03, 0x00], "block" },                             // DATA too short
        { [0x00, 0x04, 0x00], "block" },                             // ACK too short
        { [0x00, 0x05, 0x00], "block" },                             // ERROR too short
        { [0x00, 0x06, (byte)'x'], "option" },                       // OACK option name unterminated
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_datagrams_are_parse_errors_naming_the_field(byte[] bytes, string field)
    {
        Assert.False(TftpPacket.TryParse(bytes, out var packet, out var error));
        Assert.Null(packet);
        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("blksize", "7", null)]        // below RFC 2348's 8
    [InlineData("blksize", "65465", null)]    // above 65464
    [InlineData("blksize", "+512", null)]     // odd spellings are ignored, not guessed at
    [InlineData("blksize", "512", 512)]
    [InlineData("BLKSIZE", "1432", 1432)]     // names are case-insensitive (RFC 2347)
    public void Block_size_option_range(string name, string value, int? expected)
    {
        Assert.Equal(expected, TftpRequestedOptions.From([new(name, value)]).BlockSize);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("1", 1)]
    [InlineData("255", 255)]
    [InlineData("256", null)]
    public void Timeout_option_range(string value, int? expected) =>
        Assert.Equal(expected, TftpRequestedOptions.From([new("timeout", value)]).TimeoutSeconds);

    [Theory]
    [InlineData("0", null)]
    [InlineData("1", 1)]
    [InlineData("65535", 65535)]
    [InlineData("65536", null)]
    public void Window_size_option_range(string value, int? expected) =>
        Assert.Equal(expected, TftpRequestedOptions.From([new("windowsize", value)]).WindowSize);

    [Fact]
    public void First_of_a_repeated_option_wins() =>
        Assert.Equal(512, TftpRequestedOptions.From([new("blksize", "512"), new("blksize", "1468")]).BlockSize);

    [Fact]
    public void Writing_a_name_with_nul_is_a_caller_bug() =>
        Assert.Throws<ArgumentException>(() => new TftpErrorPacket(TftpErrorCode.NotDefined, "a\0b").ToArray());

    [Fact]
    public void Writing_into_a_short_buffer_throws_instead_of_truncating() =>
        Assert.Throws<ArgumentException>(() => new TftpAckPacket(1).WriteTo(new byte[3]));
}

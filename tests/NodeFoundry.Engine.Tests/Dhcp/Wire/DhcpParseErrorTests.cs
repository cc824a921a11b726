using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>Every malformed shape is a value saying where and what, never an exception.</summary>
public class DhcpParseErrorTests
{
    public static TheoryData<string, byte[], int, string> Malformed()
    {
        return new TheoryData<string, byte[], int, string>
        {
            // case                            datagram                                                 offset  field
            { "empty datagram",                [],                                                          0, "header" },
            { "one byte short of the cookie",  Datagram.WithOptions()[..239],                             239, "header" },
            { "op 0",                          Datagram.WithOptions(255).Patch(0, 0),                       0, "op" },
            { "op 3",                          Datagram.WithOptions(255).Patch(0, 3),                       0, "op" },
            { "hlen 17",                       Datagram.WithOptions(255).Patch(2, 17),                      2, "hlen" },
            { "plain BOOTP, no cookie",        Datagram.WithOptions(new byte[60]).Patch(236, 0).Patch(239, 0), 236, "magic cookie" },
            { "code without length byte",      Datagram.WithOptions(53),                                  240, "options" },
            { "length past the end",           Datagram.WithOptions(53, 2, 1),                            240, "options" },
            { "second option truncated",       Datagram.WithOptions(53, 1, 1, 12, 5, (byte)'a'),          243, "options" },
            { "truncated after pads",          Datagram.WithOptions(0, 0, 0, 61, 7, 1, 2),                243, "options" },
            { "overload length 2",             Datagram.WithOptions(52, 2, 1, 1, 255),                    240, "options" },
            { "overload value 0",              Datagram.WithOptions(52, 1, 0, 255),                       240, "options" },
            { "overload value 4",              Datagram.WithOptions(52, 1, 4, 255),                       240, "options" },
            { "overload twice",                Datagram.WithOptions(52, 1, 1, 52, 1, 1, 255),             243, "options" },
            {
                "truncated option in file",
                Datagram.WithAreas([52, 1, 1, 255], Datagram.Field(128, 0, 0, 43, 200, 1), Datagram.Field(64)),
                110, "file"
            },
            {
                "code without length at the end of file",
                Datagram.WithAreas([52, 1, 1, 255], [.. new byte[127], 43], Datagram.Field(64)),
                235, "file"
            },
            {
                "truncated option in sname",
                Datagram.WithAreas([52, 1, 3, 255], Datagram.Field(128, 255), Datagram.Field(64, 66, 64)),
                44, "sname"
            },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_datagram_is_an_error_value(string shape, byte[] datagram, int offset, string field)
    {
        bool ok = DhcpPacket.TryParse(datagram, out var packet, out var error);

        Assert.False(ok, shape);
        Assert.Null(packet);
        Assert.NotNull(error);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Error_reads_well_in_a_log()
    {
        DhcpPacket.TryParse(Datagram.WithOptions(53, 2, 1), out _, out var error);

        Assert.Equal("offset 240, options: option 53 length 2 runs past the end of the packet", error!.ToString());
    }

    [Fact]
    public void Bootp_without_cookie_says_so()
    {
        var bootp = Datagram.WithOptions(new byte[60]);
        bootp[236] = 0;
        bootp[237] = 0;
        bootp[238] = 0;
        bootp[239] = 0;

        DhcpPacket.TryParse(bootp, out _, out var error);

        Assert.Contains("BOOTP", error!.Message, StringComparison.Ordinal);
        Assert.Contains("99.130.83.99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_datagram_names_its_length()
    {
        DhcpPacket.TryParse(new byte[100], out _, out var error);

        Assert.Equal("offset 100, header: datagram is 100 bytes; a DHCP message needs at least 240 (236-byte header and 4-byte magic cookie)", error!.ToString());
    }

    public static TheoryData<string, byte[]> Tolerated() => new()
    {
        // Lenient where real firmware is sloppy and nothing is ambiguous.
        { "no options at all, no End",    Datagram.WithOptions() },
        { "options without End",          Datagram.WithOptions(53, 1, 1) },
        { "only Pad to the end",          Datagram.WithOptions(0, 0, 0, 0) },
        { "garbage after End",            Datagram.WithOptions(53, 1, 1, 255, 77, 200, 1) },
        { "zero-length option",           Datagram.WithOptions(80, 0, 255) },
        { "hlen 16",                      Datagram.WithOptions(255).Patch(2, 16) },
        { "hlen 0",                       Datagram.WithOptions(255).Patch(2, 0) },
        { "overload in file is ignored",  Datagram.WithAreas([52, 1, 1, 255], Datagram.Field(128, 52, 1, 9, 255), Datagram.Field(64)) },
    };

    [Theory]
    [MemberData(nameof(Tolerated))]
    public void Tolerated_shapes_parse(string shape, byte[] datagram)
    {
        Assert.True(DhcpPacket.TryParse(datagram, out var packet, out var error), $"{shape}: {error}");
        Assert.False(packet.Options.Contains(DhcpOptionCode.OptionOverload));
    }
}

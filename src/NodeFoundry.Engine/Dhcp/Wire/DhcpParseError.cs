namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// Why a datagram is not a DHCP message we can use. A value, not an exception: servers receive
/// garbage all day and must log it and carry on, never unwind the receive loop.
/// </summary>
/// <param name="Offset">Byte offset in the datagram where the problem was found.</param>
/// <param name="Field">The BOOTP field or option area concerned ("op", "hlen", "options", "file", …).</param>
/// <param name="Message">What is wrong, in words an operator can act on.</param>
public sealed record DhcpParseError(int Offset, string Field, string Message)
{
    /// <summary>For logs: <c>offset 240, options: option 53 length 2 runs past the end of the packet</c>.</summary>
    public override string ToString() => $"offset {Offset}, {Field}: {Message}";
}

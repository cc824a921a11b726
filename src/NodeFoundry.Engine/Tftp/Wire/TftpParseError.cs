namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// Why a datagram is not a TFTP packet we can use. A value, not an exception: a server receives garbage
/// and must count it and carry on, never unwind its loop.
/// </summary>
/// <param name="Offset">Byte offset in the datagram where the problem was found.</param>
/// <param name="Field">The field concerned ("opcode", "filename", "mode", "option", "block", …).</param>
/// <param name="Message">What is wrong, in words an operator can act on.</param>
public sealed record TftpParseError(int Offset, string Field, string Message)
{
    /// <summary>For logs: <c>offset 2, filename: not NUL-terminated</c>.</summary>
    public override string ToString() => $"offset {Offset}, {Field}: {Message}";
}

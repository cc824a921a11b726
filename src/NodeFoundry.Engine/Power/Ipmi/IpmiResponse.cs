using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// An IPMI response message as received over LAN: rqAddr, netFn/rqLUN, checksum 1, rsAddr, rqSeq/rsLUN, command,
/// completion code, data, checksum 2.
/// </summary>
/// <param name="NetFn">The response netFn (request netFn + 1).</param>
/// <param name="Command">Command code (echoes the request).</param>
/// <param name="Sequence">rqSeq echoed from the request.</param>
/// <param name="CompletionCode">00h on success; see <see cref="IpmiCompletionCode"/>.</param>
/// <param name="Data">Response data after the completion code.</param>
public sealed record IpmiResponse(byte NetFn, byte Command, byte Sequence, byte CompletionCode, byte[] Data)
{
    /// <summary>True when this answers <paramref name="request"/> (netFn, command and rqSeq all match).</summary>
    public bool Answers(IpmiRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return NetFn == (byte)request.NetFn + 1 && Command == request.Command && Sequence == request.Sequence;
    }

    /// <summary>Parses a response; never throws on malformed input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out IpmiResponse? response, [NotNullWhen(false)] out string? error)
    {
        response = null;
        if (bytes.Length < 8)
        {
            error = $"an IPMI response needs at least 8 bytes, got {bytes.Length}";
            return false;
        }

        if (!IpmiChecksum.IsValid(bytes[..3]))
        {
            error = "IPMI header checksum mismatch";
            return false;
        }

        if (!IpmiChecksum.IsValid(bytes[3..]))
        {
            error = "IPMI data checksum mismatch";
            return false;
        }

        response = new IpmiResponse((byte)(bytes[1] >> 2), bytes[5], (byte)(bytes[4] >> 2), bytes[6], bytes[7..^1].ToArray());
        error = null;
        return true;
    }
}
